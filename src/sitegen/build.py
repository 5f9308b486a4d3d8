"""Site folder -> output folder: the whole pipeline, one stage per line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import load_config
from sitegen.content import load_articles
from sitegen.errors import ContentError, OutputError, Problem, sort_problems
from sitegen.render import render_site
from sitegen.site import assemble_site
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


def build(
    site_dir: Path,
    output_dir: Path | None = None,
    *,
    include_drafts: bool = False,
    strict: bool = False,
) -> BuildReport:
    """Build the site in memory; only if nothing is wrong, swap it into `output_dir`."""
    output_dir = output_dir or site_dir / "build"
    config = load_config(site_dir)
    if output_problems := check_output_dir(output_dir, site_dir):
        raise OutputError(output_problems)
    log.info("loading articles")
    articles, problems = load_articles(config, strict=strict)
    site, site_problems = assemble_site(config, articles, include_drafts=include_drafts)
    theme = resolve_theme(site_dir)
    log.info("rendering %d articles", len(site.articles))
    pages, template_problems = render_site(site, theme)
    problems += site_problems + template_problems
    if any(problem.is_error for problem in problems):
        raise ContentError(problems)
    static = collect_static(theme)
    log.info("writing %d files to %s", len(pages) + len(static), output_dir)
    publish(output_dir, pages, static)
    warnings = tuple(sort_problems(p for p in problems if not p.is_error))
    return BuildReport(output_dir, len(site.articles), len(pages), len(static), warnings)
