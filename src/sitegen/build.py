"""Site folder -> output folder: the whole pipeline, one stage per line."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.cache import BuildCache
from sitegen.config import config_warnings, load_config
from sitegen.content import missing_images
from sitegen.errors import ContentError, Location, OutputError, Problem, error, sort_problems
from sitegen.feeds import render_feeds
from sitegen.loading import load_articles
from sitegen.pages import PageSpec, site_pages
from sitegen.render import render_pages
from sitegen.site import assemble_site
from sitegen.sitemap import SitemapEntry, render_sitemaps
from sitegen.theme import collect_static, resolve_theme
from sitegen.write import check_output_dir, publish

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a successful build wrote, and the warnings worth an editor's attention."""

    output_dir: Path
    articles: int
    pages: int
    static_files: int
    warnings: tuple[Problem, ...]
    seconds: Mapping[str, float] = dataclasses.field(default_factory=dict)


def build(
    site_dir: Path,
    output_dir: Path | None = None,
    *,
    include_drafts: bool = False,
    include_future: bool = False,
    strict: bool = False,
    base_url: str | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
) -> BuildReport:
    """Build the site in memory; only if nothing is wrong, swap it into `output_dir`.

    `base_url` replaces the configured one (the preview server passes its own address).
    """
    output_dir = output_dir or site_dir / "build"
    clock = Stopwatch()
    config = load_config(site_dir)
    if base_url is not None:
        config = dataclasses.replace(config, base_url=base_url)
    if output_problems := check_output_dir(output_dir, site_dir):
        raise OutputError(output_problems)
    with clock("load"), contextlib.closing(BuildCache(site_dir, enabled=use_cache)) as cache:
        loaded = load_articles(config, strict=strict, cache=cache, jobs=jobs)
        articles, problems = loaded.articles, loaded.problems + cache.problems
    with clock("assemble"):
        now = None if include_future else build_time()
        site, site_problems = assemble_site(
            config, articles, include_drafts=include_drafts, now=now
        )
        specs = tuple(site_pages(site))
    with clock("render"):
        theme = resolve_theme(site_dir)
        pages, template_problems = render_pages(site, theme, specs)
    with clock("feeds"):
        files = {
            **pages,
            **dict(render_feeds(site)),
            **dict(render_sitemaps(sitemap_entries(specs), config.site_url)),
        }
    static = collect_static(theme)
    problems += missing_images(site.articles, static.keys())
    problems += config_warnings(config, strict=strict) + site_problems + template_problems
    problems += static_clashes(static, files)
    if any(problem.is_error for problem in problems):
        raise ContentError(problems)
    with clock("write"):
        publish(output_dir, files, static)
    warnings = tuple(sort_problems(p for p in problems if not p.is_error))
    return BuildReport(
        output_dir, len(site.articles), len(pages), len(static), warnings, dict(clock.seconds)
    )


class Stopwatch:
    """Seconds spent per stage, for --stats and the progress line."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        log.info("%s…", stage)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


def build_time() -> dt.datetime:
    """Now, unless SOURCE_DATE_EPOCH pins it (reproducible builds); decides what is future."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def sitemap_entries(specs: Sequence[PageSpec]) -> list[SitemapEntry]:
    return [SitemapEntry(spec.url, spec.lastmod) for spec in specs if spec.in_sitemap]


def static_clashes(static: Mapping[str, Path], files: Mapping[str, bytes]) -> list[Problem]:
    """A static file with the path of a generated one would silently lose; say so instead."""
    return [
        error(Location(PurePosixPath("static", rel)), "has the path of a generated file; rename it")
        for rel in sorted(static.keys() & files.keys())
    ]
