"""Site folder -> output folder: the whole pipeline, one stage per line.

`build()` is the recipe. Each stage is the work of its package (config, content, assemble,
render, publish); the small functions below hand one stage's result to the next. When work
runs (helpers, workers, the collector) is runtime.scheduler's business, not the recipe's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.assemble.related import find_related, remembered_related
from sitegen.assemble.site import assemble_site
from sitegen.cache.codec import Loaded, decode_problems, encode_problems
from sitegen.cache.store import MALFORMED, BuildCache
from sitegen.config.redirects import redirect_problems
from sitegen.config.settings import (
    Config,
    config_warnings,
    enable_search,
    load_config,
    menu_problems,
)
from sitegen.content.article import missing_images
from sitegen.content.images import image_sizes
from sitegen.content.loading import LoadResult, load_articles
from sitegen.content.manifest import Inputs, next_due, survey_inputs
from sitegen.content.symlinks import link_problems
from sitegen.errors import ContentError, OutputError, Problem, sort_problems
from sitegen.model import Site
from sitegen.publish.pending import Pending, make_outdated
from sitegen.publish.staging import (
    MARKER,
    check_output_dir,
    make_spare,
    remove_leftovers,
    spare_dir,
)
from sitegen.render.clashes import blocking_clashes, page_clashes, static_clashes
from sitegen.render.outputs import Output, plan_outputs
from sitegen.render.pages import PageSpec, site_pages
from sitegen.render.redirects import redirect_specs
from sitegen.render.search import search_outputs
from sitegen.render.templates import PageRenderer, compile_theme, compiled_folder
from sitegen.render.theme import Theme, collect_static, resolve_theme
from sitegen.runtime.clock import Stopwatch, build_time
from sitegen.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did, and the warnings worth an editor's attention."""

    output_dir: Path
    articles: int
    pages: int
    static_files: int
    warnings: tuple[Problem, ...]  # in file and line order
    seconds: Mapping[str, float] = dataclasses.field(default_factory=dict)
    parsed: int = 0  # articles converted (the others came from the cache)
    written: int = 0  # output files written (the others were already up to date)
    removed: int = 0  # stale output files deleted
    site: Site | None = None  # what was built (None when nothing changed and nothing was)


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
    skip_unchanged: bool = True,
    search: bool | None = None,
    relative_urls: bool = False,
    offline: bool = False,
    held: dict[str, Loaded] | None = None,
) -> BuildReport:
    """Build the site in memory; only if nothing is wrong, bring `output_dir` up to date.

    `base_url` replaces the configured one (the preview server passes its own address);
    `search` turns the search index on or off for this build whatever the config says
    (`sitegen build --search`; the preview and `check` leave it off, it is slow to make).
    `relative_urls` makes every internal link relative to its page (as the config can);
    `offline` also makes links to folders name their index.html, for `file://` copies.
    Unless `skip_unchanged` is off, a build whose inputs did not change since the last one
    returns at once, without the site (`report.site` is None). `held`: parse results kept
    in memory from build to build by a long-lived caller (`serve`), looked up before the
    cache (decoding 5,000 cached articles was a third of a preview's rebuild).
    """
    options = BuildOptions(
        include_drafts, include_future, strict, base_url, jobs, search, relative_urls, offline
    )
    output_dir = output_dir or site_dir / "build"
    config = options.applied_to(load_config(site_dir))
    _prepare_output(output_dir, site_dir)
    cache = BuildCache(site_dir, enabled=use_cache)
    with contextlib.closing(cache), Scheduler(jobs) as scheduler:
        now = None if include_future else build_time()
        theme = resolve_theme(site_dir)
        job = _Job(output_dir, options, config, theme, cache, scheduler, now, held)
        scheduler.helper(_theme_to_compile(job), 1, "helper")
        inputs = survey_inputs(site_dir, job.theme.folders, options.key(job))
        if skip_unchanged and (unchanged := _unchanged_build(job, inputs)):
            return unchanged
        previous = _previous_output(job)
        loaded = _load(job, inputs)
        assembled = _assemble(job, loaded)
        planned = _plan(job, assembled, previous)
        made = _render(job, planned, previous, inputs, loaded)
        return _publish(job, made, loaded)


@dataclass(frozen=True)
class BuildOptions:
    """How `build()` was asked to build, besides the site's own config."""

    include_drafts: bool
    include_future: bool
    strict: bool
    base_url: str | None
    jobs: int | None
    search: bool | None
    relative_urls: bool
    offline: bool

    def applied_to(self, config: Config) -> Config:
        """The config as these options change it."""
        if self.base_url is not None:
            config = dataclasses.replace(config, base_url=self.base_url)
        if self.search:
            config = enable_search(config)
        elif self.search is False:
            config = dataclasses.replace(config, search=False)
        if self.relative_urls or self.offline:
            config = dataclasses.replace(config, relative_urls=True, explicit_index=self.offline)
        return config

    def key(self, job: _Job) -> str:
        """What of these options makes a different output (part of the inputs' signature)."""
        config = job.config
        return repr(
            (self.include_drafts, self.include_future, self.strict, self.base_url, config.search,
             config.relative_urls, config.explicit_index, str(job.output_dir.resolve()))
        )  # fmt: skip


@dataclass(frozen=True)
class _Job:
    """What every stage of one build reads: what to build, and what the build holds."""

    output_dir: Path
    options: BuildOptions
    config: Config
    theme: Theme
    cache: BuildCache
    scheduler: Scheduler
    now: dt.datetime | None  # what is future (left out); None: every date is published
    held: dict[str, Loaded] | None  # parse results kept by the caller (see build())
    clock: Stopwatch = dataclasses.field(default_factory=Stopwatch)


@dataclass(frozen=True)
class _Assembled:
    site: Site
    pages: tuple[PageSpec, ...]  # the site's pages (redirects are in `specs` too)
    specs: tuple[PageSpec, ...]
    static: Mapping[str, Path]
    problems: list[Problem]  # of the articles and the site, found so far


@dataclass(frozen=True)
class _Planned:
    assembled: _Assembled
    plan: list[Output]
    renderer: PageRenderer
    memo: dict[str, bool]  # which templates use the whole site (render.outputs)
    problems: list[Problem]  # the articles', the site's, and the URL clashes'


@dataclass(frozen=True)
class _Made:
    pending: Pending
    problems: list[Problem]  # every problem of the build but the cache's, in order
    remember: Callable[[Sequence[Problem]], None]
    counts: Mapping[str, int]
    site: Site


def _prepare_output(output_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that is not ours to replace; clear a killed build's leftovers."""
    if output_problems := check_output_dir(output_dir, site_dir):
        raise OutputError(output_problems)
    remove_leftovers(output_dir)


def _theme_to_compile(job: _Job) -> Callable[[], None] | None:
    """The theme's templates compiled into the cache (render.compile_theme), for a helper
    while this process surveys the inputs and starts the parsing: each rendering worker of
    a first build compiled them all itself, 60 ms before its first page. Only when the cache
    holds no templates compiled for these URLs yet (after that, the few a change makes
    outdated are compiled where they are used)."""
    compiled_dir = job.cache.compiled_templates_dir
    if compiled_dir is None or any(compiled_folder(job.config, compiled_dir).iterdir()):
        return None
    return functools.partial(compile_theme, job.config, job.theme, compiled_dir)


def _unchanged_build(job: _Job, inputs: Inputs) -> BuildReport | None:
    """The last build's report again, if the output is ours and no input changed since."""
    if not (job.output_dir / MARKER).is_file():
        return None
    summary = job.cache.unchanged_build(inputs.signature, job.now or build_time())
    if summary is None:
        return None
    try:  # the cache is input: a summary of another shape means building after all
        warnings = tuple(decode_problems(summary["warnings"]))
        counts = summary["articles"], summary["pages"], summary["static"]
    except MALFORMED:
        return None
    if not all(type(count) is int for count in counts):
        return None
    return BuildReport(job.output_dir, *counts, warnings)  # touching nothing


def _previous_output(job: _Job) -> dict[str, str]:
    """The output's files and fingerprints as the cache knows them (none if no build of
    ours made it). A rebuild writes into the output's spare: if there is none, a helper
    makes it while this process loads and plans (when the output is big enough)."""
    if not (job.output_dir / MARKER).is_file():
        return {}
    previous = job.cache.outputs(job.output_dir)
    if not spare_dir(job.output_dir).exists():
        make = functools.partial(make_spare, job.output_dir, list(previous))
        job.scheduler.helper(make, len(previous), "render")
    return previous


def _load(job: _Job, inputs: Inputs) -> LoadResult:
    with job.clock("load"):
        loaded = load_articles(
            job.config, strict=job.options.strict, cache=job.cache, jobs=job.options.jobs,
            stamps=inputs.stamps, keep=job.scheduler.keep, held=job.held,
        )  # fmt: skip
    job.scheduler.pause()
    return loaded


def _assemble(job: _Job, loaded: LoadResult) -> _Assembled:
    """The Site, its pages and the redirect pages; related articles are chosen by workers
    meanwhile (assemble.related), cached across builds."""
    with job.clock("assemble"):
        find = functools.partial(find_related, jobs=job.options.jobs)
        relate = remembered_related(job.cache, find)  # most edits change no choice
        site, problems = assemble_site(
            job.config, loaded.articles, include_drafts=job.options.include_drafts,
            now=job.now, relate=relate,
        )  # fmt: skip
        static = collect_static(job.theme)
        lead_images = (a.image.src for a in site.every_article if a.image)
        site = dataclasses.replace(site, image_sizes=image_sizes(lead_images, static))
        pages = tuple(site_pages(site))
        specs = (*pages, *redirect_specs(site))
    return _Assembled(site, pages, specs, static, [*loaded.problems, *problems])


def _plan(job: _Job, assembled: _Assembled, previous: Mapping[str, str]) -> _Planned:
    """Every output file with its fingerprint, but those a URL clash stops."""
    site, theme = assembled.site, job.theme
    with job.clock("render"):
        renderer = PageRenderer(site, theme, job.cache.compiled_templates_dir)
        memo = job.cache.template_memo()
        plan = plan_outputs(
            site, renderer.env, theme.template_dirs, assembled.specs, assembled.static,
            renderer, memo, read_static=renderer.read_static,
        )  # fmt: skip
        plan += search_outputs(site, previous, job.output_dir)  # none unless search is on
        clashes, plan = blocking_clashes(site, assembled.pages, plan)
    return _Planned(assembled, plan, renderer, memo, [*assembled.problems, *clashes])


def _render(
    job: _Job, planned: _Planned, previous: Mapping[str, str], inputs: Inputs,
    loaded: LoadResult,
) -> _Made:  # fmt: skip
    """The outdated files made by the workers; meanwhile this process runs every check
    that needs nothing rendered and does the cache's bookkeeping."""
    site, plan = planned.assembled.site, planned.plan
    checked: list[Problem] = []  # all but rendering's: found while the workers render
    check = functools.partial(_check, checked, job, planned)
    counts = {
        "articles": len(site.every_article),
        "pages": len(planned.assembled.specs),
        "static": len(planned.assembled.static),
    }
    due = next_due((a.date for a in loaded.articles), job.now)
    remember = functools.partial(_remember, job.cache, inputs.signature, counts, due)
    bookkeeping = _bookkeeping(job.cache, plan, planned.memo, job.output_dir)
    meanwhile = job.scheduler.meanwhile(bookkeeping, check, lambda: remember(checked))
    with job.clock("render"):
        job.scheduler.before_forking(site.related)  # chosen by workers while planning
        pending = make_outdated(
            plan, previous, job.output_dir, planned.renderer.found, job.options.jobs, meanwhile
        )
    problems = sort_problems(checked + pending.problems) if pending.problems else checked
    return _Made(pending, problems, remember, counts, site)


def _publish(job: _Job, made: _Made, loaded: LoadResult) -> BuildReport:
    """Only if nothing is wrong: the output brought up to date, and the cache with it."""
    cache, problems = job.cache, made.problems
    if any(problem.is_error for problem in problems + cache.problems):
        made.pending.discard()
        raise ContentError(problems + cache.problems)  # the cache drops what it held
    with job.clock("write"):
        written, removed = made.pending.write()
        if made.pending.problems:  # rendering's warnings, not known when it was remembered
            made.remember(problems)
        cache.commit()  # the output's fingerprints and this build, held since rendering
    warnings = tuple(p for p in problems if not p.is_error)
    if cache.problems:  # about this build's cache only: not remembered
        warnings = tuple(sort_problems(warnings + tuple(cache.problems)))
    counts = made.counts
    return BuildReport(
        job.output_dir, counts["articles"], counts["pages"], counts["static"], warnings,
        dict(job.clock.seconds), loaded.parsed, written, removed, made.site,
    )  # fmt: skip


def _bookkeeping(
    cache: BuildCache, plan: Sequence[Output], memo: Mapping[str, bool], output_dir: Path
) -> Callable[[], None]:
    """What this process does while its workers render: work out the fingerprints a first
    build did not need to decide what to make (all of it), and hold them in the cache
    until the build is published."""

    def work() -> None:
        fingerprints = {output.path: output.fingerprint for output in plan}
        cache.store_template_memo(memo)  # filled in as fingerprints were worked out
        cache.catch_up()
        cache.store_outputs(output_dir, fingerprints)

    return work


def _remember(
    cache: BuildCache,
    signature: str,
    counts: Mapping[str, int],
    due: dt.datetime | None,
    problems: Sequence[Problem],
) -> None:
    """Hold in the cache what a rebuild with the same inputs reports again without doing
    anything: the counts and the warnings (the checks' while the workers render)."""
    warnings = encode_problems(p for p in problems if not p.is_error)
    cache.remember_build(signature, {**counts, "warnings": warnings}, due)


def _check(into: list[Problem], job: _Job, planned: _Planned) -> None:
    """Every problem of the build but rendering's, in file and line order, put `into` the
    list: these checks need nothing rendered, so they run while the workers render."""
    config, strict = job.config, job.options.strict
    assembled, plan = planned.assembled, planned.plan
    found = [*planned.problems, *page_clashes(assembled.pages), *static_clashes(plan)]
    found += link_problems(config.site_dir)
    found += missing_images(
        (*assembled.site.every_article, *assembled.site.every_page), assembled.static
    )
    found += config_warnings(config, strict=strict)
    outputs = {o.path for o in plan}
    found += menu_problems(config, outputs, strict=strict)
    found += redirect_problems(config.redirects, outputs, strict=strict)
    into.extend(sort_problems(found))
