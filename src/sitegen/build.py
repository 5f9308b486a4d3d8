"""Site folder -> output folder: the whole pipeline, one stage per line."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sitegen.assemble.redirects import alias_clashes, folders_of, redirect_specs
from sitegen.assemble.related import find_related, remembered_related
from sitegen.assemble.site import assemble_site
from sitegen.cache.codec import decode_problems, encode_problems
from sitegen.cache.store import BuildCache
from sitegen.config.settings import (
    Config,
    config_warnings,
    enable_search,
    load_config,
    menu_problems,
)
from sitegen.content.article import missing_images
from sitegen.content.images import image_sizes
from sitegen.content.loading import load_articles
from sitegen.content.manifest import next_due, survey_inputs
from sitegen.content.symlinks import link_problems
from sitegen.errors import ContentError, Location, OutputError, Problem, error, sort_problems
from sitegen.model import Site
from sitegen.publish.integrity import data_hash
from sitegen.publish.staging import (
    MARKER,
    Staging,
    check_output_dir,
    make_spare,
    output_error,
    publish,
    remove_leftovers,
    spare_dir,
)
from sitegen.render.outputs import Output, plan_outputs
from sitegen.render.pages import PageSpec, site_pages
from sitegen.render.search import search_outputs
from sitegen.render.templates import PageRenderer, compile_theme, compiled_folder, find_clashes
from sitegen.render.theme import Theme, collect_static, resolve_theme
from sitegen.runtime.pool import (
    PARALLEL_MIN,
    can_fork,
    job_count,
    make_all,
    settle,
    start_forked,
)

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
) -> BuildReport:
    """Build the site in memory; only if nothing is wrong, bring `output_dir` up to date.

    `base_url` replaces the configured one (the preview server passes its own address);
    `search` turns the search index on or off for this build whatever the config says
    (`sitegen build --search`; the preview and `check` leave it off, it is slow to make).
    `relative_urls` makes every internal link relative to its page (as the config can);
    `offline` also makes links to folders name their index.html, for `file://` copies.
    Unless `skip_unchanged` is off, a build whose inputs did not change since the last one
    returns at once, without the site (`report.site` is None).
    """
    output_dir = output_dir or site_dir / "build"
    clock = Stopwatch()
    config = load_config(site_dir)
    if base_url is not None:
        config = dataclasses.replace(config, base_url=base_url)
    if search:
        config = enable_search(config)
    elif search is False:
        config = dataclasses.replace(config, search=False)
    if relative_urls or offline:
        config = dataclasses.replace(config, relative_urls=True, explicit_index=offline)
    if output_problems := check_output_dir(output_dir, site_dir):
        raise OutputError(output_problems)
    remove_leftovers(output_dir)  # of a build that was killed
    theme = resolve_theme(site_dir)
    now = None if include_future else build_time()
    options = repr(
        (include_drafts, include_future, strict, base_url, config.search, config.relative_urls,
         config.explicit_index, str(output_dir.resolve()))
    )  # fmt: skip
    with contextlib.ExitStack() as stack:
        cache = stack.enter_context(contextlib.closing(BuildCache(site_dir, enabled=use_cache)))
        templates_made = _templates_meanwhile(config, theme, cache, jobs)
        stack.callback(templates_made)  # waited for however the build ends
        inputs = survey_inputs(site_dir, _input_folders(theme), options)
        built_before = (output_dir / MARKER).is_file()  # an output a build of ours made
        if (
            skip_unchanged
            and built_before
            and (summary := cache.unchanged_build(inputs.signature, now or build_time()))
        ):
            return _report_unchanged(output_dir, summary)
        previous = cache.outputs(output_dir) if built_before else {}
        spare_made = _spare_meanwhile(output_dir, previous, jobs)
        stack.callback(spare_made)  # waited for however the build ends
        lived = stack.enter_context(_LongLived())
        with clock("load"):
            loaded = load_articles(
                config, strict=strict, cache=cache, jobs=jobs, stamps=inputs.stamps, keep=lived.keep
            )
        lived.pause()  # from here to the workers' fork, this process makes what lasts
        with clock("assemble"):
            site, site_problems = assemble_site(
                config,
                loaded.articles,
                include_drafts=include_drafts,
                now=now,
                relate=remembered_related(cache, functools.partial(find_related, jobs=jobs)),
            )
            static = collect_static(theme)
            lead_images = (a.image.src for a in site.articles if a.image)
            site = dataclasses.replace(site, image_sizes=image_sizes(lead_images, static))
            pages = tuple(site_pages(site))
            specs = (*pages, *redirect_specs(site))
        with clock("render"):
            renderer = PageRenderer(site, theme, cache.compiled_templates_dir)
            memo = cache.template_memo()
            plan = plan_outputs(
                site, renderer.env, theme.template_dirs, specs, static, renderer, memo
            )
            plan += search_outputs(site, previous, output_dir)  # none unless search is on
            if clashes := alias_clashes(site, pages, plan):  # the build fails; make no redirect
                plan = [o for o in plan if o.kind != "redirect"]  # (a folder where a file is)
            blocked, in_the_way = folder_clashes(plan, pages)
            if blocked:  # the build fails; make none of the files in the way
                clashes += blocked
                plan = [o for o in plan if o.path not in in_the_way]
            checked: list[Problem] = []  # all but rendering's: found while workers render
            known = [*loaded.problems, *site_problems, *clashes]
            check = functools.partial(_check, checked, site, known, pages, plan, static, strict)
            counts = {"articles": len(site.articles), "pages": len(specs), "static": len(static)}
            due = next_due((a.date for a in loaded.articles), now)
            remember = functools.partial(_remember, cache, inputs.signature, counts, due)
            meanwhile = _in_turn(
                lived.pause,  # after the fork: the workers collect as usual
                _bookkeeping(cache, plan, memo, output_dir),
                check,
                lambda: remember(checked),
                lived.resume,
            )
            settle(site.related)  # chosen by workers while this process planned: before forking
            spare_made()  # before the output's spare is claimed
            templates_made()  # before the pages are rendered
            lived.resume()
            pending = _make_outdated(plan, previous, output_dir, renderer, jobs, meanwhile)
        problems = sort_problems(checked + pending.problems) if pending.problems else checked
        if any(problem.is_error for problem in problems + cache.problems):
            pending.discard()
            raise ContentError(problems + cache.problems)  # the cache drops what it held
        with clock("write"):
            written, removed = pending.write()
            if pending.problems:  # rendering's warnings, not known when it was remembered
                remember(problems)
            cache.commit()  # the output's fingerprints and this build, held since rendering
        warnings = tuple(p for p in problems if not p.is_error)
        if cache.problems:  # about this build's cache only: not remembered
            warnings = tuple(sort_problems(warnings + tuple(cache.problems)))
    return BuildReport(
        output_dir, counts["articles"], counts["pages"], counts["static"], warnings,
        dict(clock.seconds), loaded.parsed, written, removed, site,
    )  # fmt: skip


class _LongLived:
    """Python's collector walks every object made since its last pass once 200,000 have
    piled up (cli.GC_THRESHOLDS). The articles, listings, pages and outputs a build makes
    live to its end, so walking them frees nothing: at 50,000 articles, 13 passes of up
    to 0.15 s each, most while this process alone worked. So, for the `with` block: a
    gc.freeze (which costs nothing) where many long-lived objects were just made, and no
    collection at all while this process alone makes them; that also spares the forked
    workers' copies of their pages. All is given back to the collector when the block
    ends, failed or not (`serve` builds again and again). A caller that froze objects or
    turned the collector off itself is left alone: its heap, its choice."""

    def __init__(self) -> None:
        self._mine = not gc.get_freeze_count() and gc.isenabled()

    def __enter__(self) -> _LongLived:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mine:
            gc.unfreeze()
            gc.enable()

    def keep(self) -> None:
        """Put what this process made so far out of the collector's sight."""
        if self._mine:
            gc.freeze()

    def pause(self) -> None:
        """No collection until `resume`. Workers forked meanwhile inherit that: only for
        short-lived ones that make no cyclic garbage (related.find_related's)."""
        if self._mine:
            gc.disable()

    def resume(self) -> None:
        """Keep what was made while paused, and collect again."""
        if self._mine:
            gc.freeze()
            gc.enable()


def _input_folders(theme: Theme) -> list[Path]:
    return [*theme.template_dirs, *(folder for folder, _ in theme.static_dirs)]


def _report_unchanged(output_dir: Path, summary: dict[str, Any]) -> BuildReport:
    """Nothing changed since the last build: report it again, touching nothing."""
    warnings = tuple(decode_problems(summary["warnings"]))
    return BuildReport(
        output_dir, summary["articles"], summary["pages"], summary["static"], warnings
    )


def _templates_meanwhile(
    config: Config, theme: Theme, cache: BuildCache, jobs: int | None
) -> Callable[[], None]:
    """Have a forked process compile the theme's templates into the cache
    (render.compile_theme) while this one surveys the inputs and starts the parsing: on a
    core that would wait, where each rendering worker of a first build compiled them all
    itself, 60 ms before its first page. Returns what waits for it. Only when the cache
    holds no templates compiled for these URLs yet (after that, the few a change makes
    outdated are compiled where they are used)."""
    compiled_dir = cache.compiled_templates_dir
    if compiled_dir is None or not can_fork(job_count(jobs), 1, 1):
        return lambda: None
    if any(compiled_folder(config, compiled_dir).iterdir()):
        return lambda: None
    return start_forked(functools.partial(compile_theme, config, theme, compiled_dir))


def _spare_meanwhile(
    output_dir: Path, previous: Mapping[str, str], jobs: int | None
) -> Callable[[], None]:
    """Have a forked process make the output's spare if it has none (`make_spare`), while
    this one loads and plans; returns what waits for it. Only for a rebuild that will use
    the spare: one whose cache knows the output, big enough to be worth a process."""
    worth_it = can_fork(job_count(jobs), len(previous), PARALLEL_MIN)
    if not worth_it or spare_dir(output_dir).exists():
        return lambda: None
    return start_forked(functools.partial(make_spare, output_dir, list(previous)))


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


def _check(
    into: list[Problem],
    site: Site,
    known: list[Problem],
    pages: Sequence[PageSpec],
    plan: Sequence[Output],
    static: Mapping[str, Path],
    strict: bool,
) -> None:
    """Every problem of the build but rendering's, in file and line order, put `into` the
    list: these checks need nothing rendered, so they run while the workers render."""
    config = site.config
    found = [*known, *find_clashes(pages), *static_clashes(plan), *link_problems(config.site_dir)]
    found += missing_images((*site.articles, *site.pages), static.keys())
    found += config_warnings(config, strict=strict)
    found += menu_problems(config, {o.path for o in plan}, strict=strict)
    into.extend(sort_problems(found))


def _is_outdated(output: Output, previous: Mapping[str, str], output_dir: Path) -> bool:
    if output.path not in previous:
        return True
    if previous[output.path] != output.fingerprint:
        return True
    return not os.path.isfile(os.path.join(output_dir, output.path))  # deleted by hand since


@dataclass
class _Pending:
    """Outdated files, made but not yet in the output: either staged already (a first
    build, or one remaking most files) or held in memory until the site proved sound."""

    output_dir: Path
    plan: list[Output]
    outdated: list[Output]
    previous: Mapping[str, str]
    staging: Staging | None
    data: list[bytes]  # the outdated files' bytes; their SHA-256 if staged already
    problems: list[Problem]

    def discard(self) -> None:
        if self.staging:
            self.staging.discard()

    def write(self) -> tuple[int, int]:
        """Bring the output up to date; returns (files written, stale files removed)."""
        paths = [o.path for o in self.outdated]
        staging = self.staging
        if staging is None:  # a small rebuild: its few files waited in memory
            made = {
                path: data
                for path, data in zip(paths, self.data, strict=True)
                if not _holds(self.output_dir / path, data)  # remade, but the same bytes
            }
            remade = {path: data_hash(data) for path, data in made.items()}
            staging = Staging(self.output_dir, knows_output=bool(self.previous))
            staging.write_all(made)
        else:
            remade = {path: digest.decode() for path, digest in zip(paths, self.data, strict=True)}
        return publish(staging, (o.path for o in self.plan), remade, self.previous)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _make_outdated(
    plan: list[Output],
    previous: Mapping[str, str],
    output_dir: Path,
    renderer: PageRenderer,
    jobs: int | None,
    meanwhile: Callable[[], None],
) -> _Pending:
    """Make every outdated file. A first build, or one that remakes most files (a
    template edit, say), has the workers write straight into the staging folder; the
    few files of a small rebuild wait in memory, so a failed build touches no folder."""
    outdated = [o for o in plan if _is_outdated(o, previous, output_dir)]
    # The slowest (feeds) first, then listings newest to oldest, then the rest: workers
    # take long runs of listings that show the same articles, so each teaser is rendered
    # by one worker, not by all; the short last runs (articles' pages) even them out.
    outdated.sort(key=lambda o: (o.kind != "feed", -o.near))
    big = 2 * len(outdated) > len(plan)
    staging = Staging(output_dir, knows_output=bool(previous)) if big else None

    def stage(index: int, data: bytes) -> bytes:
        """Write a file where it is made; only its hash travels back, for SHA256SUMS."""
        assert staging is not None
        try:
            staging.write(outdated[index].path, data)
        except OSError as exc:  # a full disk, say: in a worker, so said here
            raise output_error(output_dir, exc) from exc
        return data_hash(data).encode()

    try:
        makers = [o.make for o in outdated]
        sink = stage if staging else None
        if staging:
            folders = functools.partial(staging.make_folders, [o.path for o in outdated])
            meanwhile = _in_turn(folders, meanwhile)
        data, problems = make_all(makers, renderer.found, jobs, sink, meanwhile)
    except BaseException:
        if staging:
            staging.discard()
        raise
    return _Pending(output_dir, plan, outdated, previous, staging, data, problems)


def _in_turn(*steps: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        for step in steps:
            step()

    return run


def build_time() -> dt.datetime:
    """Now, unless SOURCE_DATE_EPOCH pins it (reproducible builds); decides what is future."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def static_clashes(plan: Sequence[Output]) -> list[Problem]:
    """Two files whose paths differ at most in case would overwrite each other on macOS
    and Windows checkouts and on many hosts; a static file is the one that can move."""
    first: dict[str, Output] = {}
    problems = []
    for output in sorted(plan, key=lambda o: o.kind == "static"):  # generated files first
        other = first.setdefault(output.path.casefold(), output)
        if other is output:
            continue
        if output.kind != "static" or other.kind == "redirect":  # find_clashes, alias_clashes
            continue
        what = "a generated file" if other.kind != "static" else f"static/{other.path}"
        path = (
            "the path" if other.path == output.path else f"the path (but for case) {other.path!r}"
        )
        problems.append(
            error(
                Location(PurePosixPath("static", output.path)), f"has {path} of {what}; rename it"
            )
        )
    return problems


def folder_clashes(plan: list[Output], pages: Sequence[PageSpec]) -> tuple[list[Problem], set[str]]:
    """Files where another file's folder must go (a static file `about` and an article at
    /about/, say): neither could be written. Returns the problems and those files' paths."""
    if not _any_in_the_way({output.path for output in plan}):
        return [], set()  # (looked for cheaply first: every build asks, few have one)
    inside: dict[str, Output] = {}  # folder -> a file that needs it
    for output in plan:
        for folder in folders_of(output.path):
            inside.setdefault(folder, output)
    sources = {spec.output_path: spec.source for spec in pages}
    problems, in_the_way = [], set()
    for output in plan:
        needing = inside.get(output.path)
        if needing is None:
            continue
        in_the_way.add(output.path)
        if output.kind == "static":
            where = Location(PurePosixPath("static", output.path))
            message = f"is a file where the folder of {needing.path!r} goes; rename it"
        else:
            if needing.kind == "static":
                where = Location(PurePosixPath("static", needing.path))
            else:
                where = sources.get(needing.path) or Location(PurePosixPath("sitegen.yaml"))
            message = f"{needing.path!r} needs a folder where {output.path!r} goes; move it"
        problems.append(error(where, message))
    return problems, in_the_way


def _any_in_the_way(paths: set[str]) -> bool:
    """Whether any of `paths` is a folder of another: 'about' and 'about/index.html'."""
    for path in paths:
        end = path.rfind("/")
        while end > 0:
            if path[:end] in paths:
                return True
            end = path.rfind("/", 0, end)
    return False


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
