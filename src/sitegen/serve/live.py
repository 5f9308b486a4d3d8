"""The preview's site in memory: planned by the build's own stages, each page made when a
browser asks for it.

A save changes the plan: in place when it changes only articles' words (serve.patch),
where the saved articles are when it moves them (serve.restructure: new, deleted,
re-tagged articles), or by planning the site again (changed files re-parsed, the rest
held from the last time). It renders nothing: the open page, asked for again when it
reloads, is made then; every other page when it is visited, or by the catch-up that runs
while the editor reads. Nothing is written to disk on the way to the browser. A page is
remade only when its fingerprint (render.outputs: what it is made of) changed, so what
the browser gets is byte for byte what `sitegen build` writes, as
tests/test_serve_edits.py checks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.assemble.site import published
from sitegen.build import stages
from sitegen.build.job import BuildOptions, Job
from sitegen.build.stages import Memo
from sitegen.cache.store import BuildCache
from sitegen.config.settings import Config, load_config
from sitegen.content.loading import Held
from sitegen.content.manifest import next_due, survey_inputs
from sitegen.errors import ContentError, Problem, sort_problems
from sitegen.model import Article, Site
from sitegen.render.outputs import Output, OutputMaker
from sitegen.render.templates import PageRenderer
from sitegen.render.theme import Theme, resolve_theme
from sitegen.runtime.clock import build_time
from sitegen.runtime.collector import Paused, keep_heap, release_heap
from sitegen.runtime.scheduler import Scheduler
from sitegen.serve.basis import Basis, PlanOutputs, basis_of
from sitegen.serve.patch import (
    Parse,
    Warnings,
    apply,
    changed_sources,
    in_place,
    index_sources,
    saved_parses,
)
from sitegen.serve.restructure import restructure

KEPT_PAGES = 256  # pages whose bytes are kept (the ones visited last); others are remade
KEPT_PLANS = 8  # plans kept out of the collector's passes before it looks at them all
ORDER = {"page": 0, "feed": 1, "redirect": 2, "index": 3, "search": 4, "static": 5}


@dataclass(frozen=True)
class Refreshed:
    """What one refresh found: its warnings, and what it did, for the terminal."""

    found: tuple[Problem, ...] | Warnings  # every warning (see `warnings`)
    done: str  # e.g. "1 article read again"
    # a save applied in place: its files' warnings now and before (the others are as
    # they were); None: any warning may have changed
    replaced: tuple[tuple[Problem, ...], tuple[Problem, ...]] | None = None

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Every warning of the site, in file and line order (put together when asked: a
        save applied to the plan is reported by `replaced`)."""
        return self.found if isinstance(self.found, tuple) else self.found.all()


@dataclass(frozen=True)
class _Planned:
    """One good plan of the site: every output file by path, and what renders its pages;
    what it was planned from, and its warnings (a save applied in place changes those)."""

    outputs: Mapping[str, Output]
    site: Site
    static: Mapping[str, Path]
    renderer: PageRenderer
    forget: Callable[[Collection[Article]], None]  # see stages.Planned.forget
    config: Config
    warnings: Warnings
    making: _Making
    # path -> fingerprint, as worked out (a save applied in place clears it), and the
    # site's articles by file (serve.patch): both shared by the plans a save makes of it
    fingerprints: dict[str, str] = dataclasses.field(default_factory=dict)
    sources: dict[str, tuple[Article, ...]] = dataclasses.field(default_factory=dict)
    # what structural saves are applied to (serve.restructure), once worked out: by the
    # catch-up of a whole plan ([None]: a site they are not applied to), or by the save
    basis: list[Basis | None] = dataclasses.field(default_factory=list)
    make_basis: Callable[[], Basis | None] = lambda: None

    def fingerprint(self, output: Output) -> str:
        found = self.fingerprints.get(output.path)
        if found is None:
            found = self.fingerprints[output.path] = output.key()
        return found


class LiveSite:
    """The site as its last good refresh planned it; `read` makes a file when asked.

    `refresh` runs in one thread (the preview's loop), `read` in the server's threads
    and `catch_up` in one more: a refresh swaps in a whole new plan at once, and a read
    uses the plan it started with. Two threads may make the same page at once: the
    same bytes, and the last one kept."""

    def __init__(self, site_dir: Path, options: BuildOptions, keep_heap: bool = False) -> None:
        self.site_dir = site_dir
        self.options = options
        # the plan kept out of the collector's passes (runtime.collector.keep_heap): the
        # server's choice (its process holds nothing else), not a test's; and how many
        # plans were kept since the collector last looked at all of them
        self._keep_heap, self._plans_kept = keep_heap, 0
        self.held = Held()  # parse results and file hashes, from refresh to refresh
        self.memo = Memo()  # what plans have worked out, from refresh to refresh
        self._planned: _Planned | None = None
        # the inputs' signature the plan was made from, and when a scheduled article is due
        self._planned_from: tuple[str, dt.datetime | None] | None = None
        self._generation = 0  # see `generation`
        self._lock = threading.Lock()
        self._quiet = threading.Event()  # set but while a refresh runs: the catch-up waits
        self._quiet.set()
        self._kept: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # path -> (fp, bytes)
        self._sound: dict[str, str] = {}  # path -> fingerprint of its last good rendering
        self.on_problems: Callable[[list[Problem]], None] | None = None  # rendering's, as found

    def refresh(self, saved: Collection[Path] = ()) -> Refreshed | None:
        """Plan the site again; raises ContentError, keeping the last good plan, when
        anything is wrong (the problems a build would report, but rendering's). None when
        no input changed since the last good plan and no article came due (one save's
        events seen as two batches, say): there is nothing to reload. `saved`: the files
        the watcher saw change; when they change only articles' words, the plan takes
        them in place (serve.patch), and when they move articles the plan is changed where
        those are (serve.restructure), instead. The catch-up waits meanwhile, and
        (for the server) the collector."""
        self._quiet.clear()
        try:
            return self._refresh(saved)
        finally:
            self._quiet.set()

    def _refresh(self, saved: Collection[Path]) -> Refreshed | None:
        with Paused(self._keep_heap):  # (planning whole has its own: Scheduler, LongLived)
            applied, refreshed = self._in_place(saved)
        if applied:
            return refreshed
        if self._keep_heap:  # the plan may go: the collector looks at it again, and
            release_heap()  # the build's own handling of it applies while planning
            self._plans_kept = 0
        refreshed = self._plan()
        self._kept_now()
        return refreshed

    def _plan(self) -> Refreshed | None:
        """Plan the whole site again (see `refresh`)."""
        options = self.options
        config = options.applied_to(load_config(self.site_dir))
        cache = BuildCache(self.site_dir)
        with contextlib.closing(cache), Scheduler(options.jobs) as scheduler:
            now = None if options.include_future else build_time()
            theme = resolve_theme(self.site_dir)
            output_dir = self.site_dir / "build"  # named in the inputs' key only: not written
            job = Job(output_dir, options, config, theme, cache, scheduler, now, self.held)
            inputs = survey_inputs(self.site_dir, theme.folders, options.key(job))
            if self._unchanged(inputs.signature, now):
                return None
            self._generation += 1  # (a catch-up of the last plan stops)
            self._planned_from = None  # until this plan is good
            loaded = stages.load(job, inputs)
            images = stages.images(job, loaded)
            assembled = stages.assemble(job, loaded, images, self.memo)
            planned = stages.plan(job, assembled, {}, self.memo)
            found: list[Problem] = []
            stages.check(found, job, planned)
            problems = sort_problems(found + cache.problems) if cache.problems else found
            if any(problem.is_error for problem in problems):
                self._planned_from = None  # the next save plans again, to clear the problems
                raise ContentError(problems)
            cache.commit()
            making = _Making(theme, cache.compiled_templates_dir)  # (None once closed)
        outputs = {output.path: output for output in planned.plan}
        warnings = tuple(problem for problem in problems if not problem.is_error)
        site = assembled.site
        self._planned = _Planned(
            outputs, site, assembled.static, planned.renderer, planned.forget, config,
            Warnings(warnings), making, make_basis=lambda: basis_of(assembled, outputs),
        )  # fmt: skip
        self._planned_from = inputs.signature, next_due((a.date for a in loaded.articles), now)
        parsed = loaded.parsed
        done = f"{parsed} article{'' if parsed == 1 else 's'} read again" if parsed else ""
        return Refreshed(warnings, done or "no article read again")

    def _in_place(self, saved: Collection[Path]) -> tuple[bool, Refreshed | None]:
        """Whether the saves were applied to the last good plan in place, and what that
        did (None: they changed nothing)."""
        planned, planned_from = self._planned, self._planned_from
        if not saved or planned is None or planned_from is None:
            return False, None
        if _came_due(planned_from[1], None if self.options.include_future else build_time()):
            return False, None
        changed = changed_sources(self.site_dir, saved)
        if changed is None:
            return False, None
        held, warnings, site = self.held, planned.warnings, planned.site
        parse = saved_parses(planned.config)  # (each saved file parsed once, either way)
        found = in_place(
            planned.config, site, planned.static, planned.sources, held, warnings, changed, parse
        )
        if found is None:
            return self._restructured(planned, changed, parse)
        if not found.changes:  # saved as they were
            return True, None
        self._generation += 1  # (a catch-up of the plan stops while it changes)
        apply(found, planned.forget, held)
        planned.fingerprints.clear()  # each worked out again when it is next asked for
        count = len(found.changes)
        self._planned = dataclasses.replace(planned, warnings=found.warnings)
        done = f"{count} article{'' if count == 1 else 's'} read again (its pages only)"
        replaced = tuple(p for rel in changed for p in found.warnings.at(rel))
        before = tuple(p for rel in changed for p in warnings.at(rel))
        return True, Refreshed(found.warnings, done, (replaced, before))

    def _restructured(
        self, planned: _Planned, changed: list[str], parse: Parse
    ) -> tuple[bool, Refreshed | None]:
        """Whether the saves were applied as a change of the site's structure (a new or
        deleted article, tags: serve.restructure), and what that did."""
        basis = planned.basis[0] if planned.basis else None
        if basis is None:
            return False, None
        options, held, warnings = self.options, self.held, planned.warnings
        now = None if options.include_future else build_time()
        on_site = functools.partial(published, include_drafts=options.include_drafts, now=now)
        found = restructure(
            basis, planned.config, held, warnings, planned.sources, changed, on_site, parse
        )
        if found is None:
            return False, None
        if not found.read:  # saved as they were
            return True, None
        self._generation += 1  # (a catch-up of the last plan stops)
        site, making = found.basis.site, planned.making
        renderer = PageRenderer(site, making.theme, making.compiled_dir)
        memo, dirs = self.memo, making.theme.template_dirs
        maker = OutputMaker(site, renderer.env, dirs, renderer, memo.templates, memo.articles)
        forgets = (renderer.forget, *maker.forgets)

        def forget(changed: Collection[Article]) -> None:
            for each in forgets:
                each(changed)

        self._planned = _Planned(
            PlanOutputs(found.basis, maker), site, basis.static, renderer, forget,
            planned.config, found.warnings, making, sources=found.sources, basis=[found.basis],
        )  # fmt: skip
        self._kept_now()
        count = found.read
        done = f"{count} article{'' if count == 1 else 's'} read again (their listings only)"
        replaced = tuple(p for rel in changed for p in found.warnings.at(rel))
        before = tuple(p for rel in changed for p in warnings.at(rel))
        return True, Refreshed(found.warnings, done, (replaced, before))

    def _unchanged(self, signature: str, now: dt.datetime | None) -> bool:
        """Whether the last plan was good and made of these very inputs, and still holds."""
        if self._planned_from is None:
            return False
        planned, due = self._planned_from
        return signature == planned and not _came_due(due, now)

    def read(self, path: str) -> bytes | None:
        """The bytes of the output file at `path` ('/'-separated, relative), or None when
        the site has no such file. A page that fails to render (its problem goes to
        `on_problems`) is served as it last rendered well, or as empty bytes."""
        planned = self._planned
        output = planned.outputs.get(path) if planned else None
        if planned is None or output is None:
            return None
        if output.kind == "static":
            return output.make()  # the file itself, read again: nothing worth keeping
        fingerprint = planned.fingerprint(output)
        with self._lock:
            kept = self._kept.get(path)
            if kept is not None and kept[0] == fingerprint:
                self._kept.move_to_end(path)
                return kept[1]
        data = self._make(planned, output, fingerprint)
        with self._lock:
            if data is None:  # a problem, shown over the page: the last good bytes meanwhile
                return kept[1] if kept else b""
            self._kept[path] = (fingerprint, data)
            while len(self._kept) > KEPT_PAGES:
                self._kept.popitem(last=False)
        return data

    @property
    def generation(self) -> int:
        """Counts refreshes, each counted as it starts (a catch-up stops at the next)."""
        return self._generation

    def close(self) -> None:
        """Nothing written to clean up; the heap given back to the collector."""
        if self._keep_heap:
            release_heap()

    def _kept_now(self) -> None:
        """Keep the plan just made out of the collector's passes (with the build's own
        settings they held the interpreter up to 0.7 s in the middle of a save)."""
        if self._keep_heap:
            keep_heap()
            self._plans_kept += 1

    def paths(self) -> list[str]:
        """Every file the site has, as `read` takes their paths."""
        return sorted(self._planned.outputs) if self._planned else []

    def catch_up(self, should_stop: Callable[[], bool]) -> None:
        """Render every page whose fingerprint changed since it last rendered well, as a
        build would, so that problems on pages nobody opened are found too (they go to
        `on_problems`); the bytes are not kept. Stops when told: at a newer refresh (see
        `generation`), or at the preview's end."""
        planned = self._planned
        if planned is None or should_stop():
            return
        index_sources(planned.site, planned.sources)  # for the next save (serve.patch)
        if self._plans_kept >= KEPT_PLANS:  # their cyclic garbage, frozen with them, collected
            self._plans_kept = 0
            release_heap(collect=True)  # (1-1.5 s at 50,000 articles, while the editor reads)
        if not planned.basis:  # for the next structural save (serve.restructure)
            planned.basis.append(planned.make_basis())
        outputs = sorted(planned.outputs.values(), key=lambda o: ORDER.get(o.kind, 9))
        for output in outputs:
            self._quiet.wait()  # (a save is being applied: it goes first)
            if should_stop():
                return
            if output.kind != "static":
                fingerprint = planned.fingerprint(output)
                if self._sound.get(output.path) != fingerprint:
                    self._make(planned, output, fingerprint)

    def _make(self, planned: _Planned, output: Output, fingerprint: str) -> bytes | None:
        """Render one file; None if rendering found a problem (nothing is remembered)."""
        before = planned.renderer.failures
        data = output.make()
        if planned.renderer.failures != before:
            if self.on_problems and planned is self._planned:  # (not a replaced plan's)
                self.on_problems(planned.renderer.found())
            return None
        self._sound[output.path] = fingerprint
        return data


@dataclass(frozen=True)
class _Making:
    """What pages are made with, besides the site: the theme, and where Jinja keeps
    compiled templates (a structural save makes a new renderer with them)."""

    theme: Theme
    compiled_dir: Path | None


def _came_due(due: dt.datetime | None, now: dt.datetime | None) -> bool:
    """Whether the article the plan left out as scheduled (`due`) is published by `now`
    (None: every date is published, with --future): the plan no longer holds then."""
    return due is not None and now is not None and now >= due
