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
from typing import TYPE_CHECKING

from sitegen.build.job import BuildOptions, Job
from sitegen.cache.store import MALFORMED, BuildCache
from sitegen.cache.warnings import StoredProblems, kept_warnings, printed, read_warnings
from sitegen.config.settings import load_config
from sitegen.content.manifest import Inputs, next_due, survey_inputs
from sitegen.errors import ContentError, OutputError, Problem, sort_problems
from sitegen.publish.spare import removing_set_aside, set_aside
from sitegen.publish.staging import (
    MARKER,
    check_output_dir,
    make_spare,
    remove_leftovers,
    spare_dir,
)
from sitegen.render.theme import resolve_theme
from sitegen.runtime.clock import build_time
from sitegen.runtime.scheduler import Scheduler

if TYPE_CHECKING:  # the stages are imported when there is something to build (job.py)
    from sitegen.build.stages import Planned
    from sitegen.content.loading import Held, LoadResult
    from sitegen.model import Site
    from sitegen.publish.pending import Pending
    from sitegen.render.outputs import Output

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did, and the warnings worth an editor's attention."""

    output_dir: Path
    articles: int
    pages: int
    static_files: int
    found: tuple[Problem, ...] | StoredProblems  # the warnings, see `warnings`
    seconds: Mapping[str, float] = dataclasses.field(default_factory=dict)
    parsed: int = 0  # articles converted (the others came from the cache)
    written: int = 0  # output files written (the others were already up to date)
    removed: int = 0  # stale output files deleted
    site: Site | None = None  # what was built (None when nothing changed and nothing was)
    words_only: bool = False  # only the pages showing changed words remade (build.quick)

    @functools.cached_property
    def warnings(self) -> tuple[Problem, ...]:
        """In file and line order; those remembered from the last build (nothing changed
        since) made only when asked for (StoredProblems)."""
        found = self.found
        return found if isinstance(found, tuple) else found.decoded()

    def printed_warnings(self) -> bytes:
        """The warnings as printed, one a line, in UTF-8 (remembered ones as they were kept:
        decoding and encoding 18 MB of them again was 20 ms of a build with nothing to do)."""
        found = self.found
        return printed(found) if isinstance(found, tuple) else found.printed


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
    held: Held | None = None,
) -> BuildReport:
    """Build the site in memory; only if nothing is wrong, bring `output_dir` up to date.

    `base_url` replaces the configured one (the preview server passes its own address);
    `search` turns the search index on or off for this build whatever the config says
    (`sitegen build --search`; the preview and `check` leave it off, it is slow to make).
    `relative_urls` makes every internal link relative to its page (as the config can);
    `offline` also makes links to folders name their index.html, for `file://` copies.
    Unless `skip_unchanged` is off, a build whose inputs did not change since the last one
    returns at once, without the site (`report.site` is None). `held`: what a long-lived
    caller (`serve --search`) keeps in memory from build to build (content.loading.Held):
    decoding 5,000 cached articles was a third of a preview's rebuild.
    """
    options = BuildOptions(
        include_drafts, include_future, strict, base_url, jobs, search, relative_urls, offline
    )
    output_dir = output_dir or site_dir / "build"
    config = options.applied_to(load_config(site_dir))
    _prepare_output(output_dir, site_dir)
    cache = BuildCache(site_dir, enabled=use_cache)
    with removing_set_aside(output_dir), contextlib.closing(cache), Scheduler(jobs) as scheduler:
        now = None if include_future else build_time()
        theme = resolve_theme(site_dir)
        job = Job(output_dir, options, config, theme, cache, scheduler, now, held)
        inputs = survey_inputs(site_dir, job.theme.folders, options.key(job))
        if skip_unchanged and (unchanged := _unchanged_build(job, inputs)):
            return unchanged
        if skip_unchanged and (quick := _word_only_build(job, inputs)):
            return quick
        from sitegen.build import stages  # noqa: PLC0415 - not for a build with nothing to do

        scheduler.helper(_theme_to_compile(job), 1, "helper")
        previous = _previous_output(job)
        loaded = stages.load(job, inputs)
        images = stages.images(job, loaded)
        assembled = stages.assemble(job, loaded, images)
        planned = stages.plan(job, assembled, previous, grouped=True)
        made = _render(job, planned, previous, inputs, loaded)
        return _publish(job, made, loaded)


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


def _theme_to_compile(job: Job) -> Callable[[], None] | None:
    """The theme's templates compiled into the cache (render.compile_theme), for a helper
    while this process surveys the inputs and starts the parsing: each rendering worker of
    a first build compiled them all itself, 60 ms before its first page. Only when the cache
    holds no templates compiled for these URLs yet (after that, the few a change makes
    outdated are compiled where they are used)."""
    from sitegen.render.templates import compile_theme, compiled_folder  # noqa: PLC0415

    compiled_dir = job.cache.compiled_templates_dir
    if compiled_dir is None or any(compiled_folder(job.config, compiled_dir).iterdir()):
        return None
    return functools.partial(compile_theme, job.config, job.theme, compiled_dir)


def _unchanged_build(job: Job, inputs: Inputs) -> BuildReport | None:
    """The last build's report again, if the output is ours and no input changed since."""
    if not (job.output_dir / MARKER).is_file():
        return None
    summary = job.cache.unchanged_build(inputs.signature, job.now or build_time())
    if summary is None:
        return None
    try:  # the cache is input: a summary of another shape means building after all
        warnings = read_warnings(job.cache, summary)
        counts = summary["articles"], summary["pages"], summary["static"]
    except MALFORMED:
        return None
    if not all(type(count) is int for count in counts):
        return None
    return BuildReport(job.output_dir, *counts, warnings)  # touching nothing


def _word_only_build(job: Job, inputs: Inputs) -> BuildReport | None:
    """Only articles' words changed: the pages that show them remade (build.quick)."""
    from sitegen.build.quick import quick_build  # noqa: PLC0415 - see build()

    done = quick_build(job, inputs)
    if done is None:
        return None
    return BuildReport(
        job.output_dir, done.articles, done.pages, done.static, done.warnings,
        dict(job.clock.seconds), done.parsed, done.written, words_only=True,
    )  # fmt: skip


def _previous_output(job: Job) -> dict[str, str]:
    """The output's files and fingerprints as the cache knows them (none if no build of
    ours made it). A rebuild writes into the output's spare: if there is none, a helper
    makes it while this process loads and plans (when the output is big enough). A spare
    of an output the build does not know (deleted by hand, say) cannot be used: it is
    moved aside, to be removed once the build has ended (see build())."""
    made = (job.output_dir / MARKER).is_file()
    previous = job.cache.outputs(job.output_dir) if made else {}
    if not previous:
        set_aside(job.output_dir)
        return previous
    if not spare_dir(job.output_dir).exists():
        from sitegen.publish.pending import previous_files  # noqa: PLC0415 - see build()

        make = functools.partial(make_spare, job.output_dir, previous_files(previous))
        job.scheduler.helper(make, len(previous), "render")
    return previous


def _render(
    job: Job, planned: Planned, previous: Mapping[str, str], inputs: Inputs,
    loaded: LoadResult,
) -> _Made:  # fmt: skip
    """The outdated files made by the workers; meanwhile this process runs every check
    that needs nothing rendered and does the cache's bookkeeping."""
    site, plan = planned.assembled.site, planned.plan
    checked: list[Problem] = []  # all but rendering's: found while the workers render
    from sitegen.build import stages  # noqa: PLC0415 - see build()
    from sitegen.build.record import record  # noqa: PLC0415
    from sitegen.publish.pending import make_outdated  # noqa: PLC0415

    check = functools.partial(stages.check, checked, job, planned)
    counts = {
        "articles": len(site.every_article),
        "pages": len(planned.assembled.specs),
        "static": planned.assembled.static_files,
    }
    due = next_due((a.date for a in loaded.articles), job.now)
    remember = functools.partial(_remember, job.cache, inputs.signature, counts, due)
    keep = functools.partial(
        record, job.cache, planned, loaded.articles, planned.trace, rest=inputs.rest,
        theme=job.theme,
    )  # fmt: skip
    bookkeeping = _bookkeeping(job.cache, plan, planned.memo, job.output_dir, keep)
    meanwhile = job.scheduler.meanwhile(bookkeeping, check, lambda: remember(checked))
    with job.clock("render"):
        job.scheduler.before_forking(site.related)  # chosen by workers while planning
        pending = make_outdated(
            plan, previous, job.output_dir, planned.renderer.found, job.options.jobs, meanwhile
        )
    problems = sort_problems(checked + pending.problems) if pending.problems else checked
    return _Made(pending, problems, remember, counts, site)


def _publish(job: Job, made: _Made, loaded: LoadResult) -> BuildReport:
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
    cache: BuildCache,
    plan: Sequence[Output],
    memo: Mapping[str, bool],
    output_dir: Path,
    keep: Callable[[Mapping[str, str]], None],
) -> Callable[[], None]:
    """What this process does while its workers render: work out the fingerprints a first
    build did not need to decide what to make (all of it), and hold them in the cache
    until the build is published, with what a word-only build reads (`keep`)."""

    def work() -> None:
        fingerprints = {output.path: output.fingerprint for output in plan}
        cache.store_template_memo(memo)  # filled in as fingerprints were worked out
        cache.catch_up()
        cache.store_outputs(output_dir, fingerprints)
        keep(fingerprints)

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
    fields, blobs = kept_warnings([p for p in problems if not p.is_error])
    cache.remember_build(signature, {**counts, **fields}, due, blobs)
