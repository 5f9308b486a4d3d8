"""`sitegen serve`: plan the site in memory, serve it, plan again on every save.

Pages are made when they are asked for (serve.live), so a save is visible as soon as the
site is planned again; with `--search` the site is built into a private folder instead,
since Pagefind indexes files. The loop never exits on a bad edit: a failed rebuild keeps
the last good site online and shows the problems in the terminal and over the open pages
until the next good save.
"""

from __future__ import annotations

import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sitegen.build import build
from sitegen.build.job import BuildOptions
from sitegen.content.loading import Held
from sitegen.content.manifest import remove_tree
from sitegen.errors import Problem, SitegenError
from sitegen.publish.staging import MARKER
from sitegen.serve.files import Files, FolderFiles
from sitegen.serve.live import LiveSite, Refreshed
from sitegen.serve.server import BuildState, DevServer
from sitegen.serve.watch import ChangeCollector, ChangeKind, Watcher

Report = Callable[[str], None]
CATCH_UP_DELAY = 0.5  # seconds after a rebuild before the other pages are made


@dataclass(frozen=True)
class PreviewOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    include_drafts: bool = False
    include_future: bool = False
    open_browser: bool = False
    search: bool = False  # the index takes seconds per 1,000 articles: only when asked


class Source(Files, Protocol):
    """What the preview serves: planned in memory (LiveSite), or built to disk (_Built)."""

    def refresh(self, saved: Collection[Path] = ()) -> Refreshed | None:
        """None: nothing changed since the last good refresh. `saved`: the files the
        watcher saw change (none: look at every input)."""

    def close(self) -> None: ...


class _Built:
    """The site built into a private folder by `build()`, for `serve --search`."""

    def __init__(self, site_dir: Path, options: BuildOptions) -> None:
        self.site_dir, self.options = site_dir, options
        folder = Path(tempfile.mkdtemp(prefix="sitegen-serve-")) / "site"
        folder.mkdir()
        self.files = FolderFiles(folder)
        self.held = Held()  # parse results and file hashes, from rebuild to rebuild
        self.good = False  # whether the last rebuild succeeded

    def refresh(self, saved: Collection[Path] = ()) -> Refreshed | None:
        options, good, self.good = self.options, self.good, False
        report = build(
            self.site_dir, self.files.root, include_drafts=options.include_drafts,
            include_future=options.include_future, base_url=options.base_url, search=True,
            held=self.held,
        )  # fmt: skip
        self.good = True
        if report.site is None and good:  # no input changed: build() touched nothing
            return None
        done = _files_done(report.written, report.removed)
        return Refreshed(report.warnings, done)

    def read(self, path: str) -> bytes | None:
        return self.files.read(path)

    def close(self) -> None:
        remove_tree(self.files.root.parent, ignore_errors=True)


class Preview:
    """One running preview: server, watcher and the rebuild loop that connects them."""

    def __init__(self, site_dir: Path, options: PreviewOptions, report: Report) -> None:
        self.site_dir = site_dir
        self.options = options
        self.report = report
        self.server = DevServer(_NOTHING, options.host, options.port)
        build_options = BuildOptions(
            options.include_drafts, options.include_future, strict=False,
            base_url=self.server.url, jobs=None, search=False, relative_urls=False,
            offline=False,
        )  # fmt: skip
        self.source: Source
        if options.search:
            self.source = _Built(site_dir, build_options)
        else:
            self.source = live = LiveSite(site_dir, build_options, keep_heap=True)
            live.on_problems = self._rendering_failed
        self.server.files = self.source
        self.changes = ChangeCollector()
        self.warned: set[str] = set()  # the last build's warnings, shown already
        self.watcher = Watcher(site_dir, self.changes.add)
        self.stop_event = threading.Event()
        self._catching_up: threading.Thread | None = None

    def run(self) -> None:
        """Serve until stop() or Ctrl-C; always cleans up its threads and folder."""
        try:
            for warning in self.watcher.start():  # before the first build: no save is missed
                self.report(warning)
            if (built := self._last_build()) is not None:  # answer at once, a big archive's
                self.server.files = built  # plan takes seconds (until _build_and_publish)
                self._start_serving(f" (its last build, {built.root.name}/, until planned)")
            self._build_and_publish(changed=(), css_only=False, saved=())
            if built is None:
                self._start_serving("")
            while not self.stop_event.is_set():
                batch = self.changes.wait(timeout=0.5)
                if batch:
                    css_only = all(
                        k is ChangeKind.STATIC and p.suffix == ".css" for p, k in batch.items()
                    )
                    names = sorted(self._shown(path) for path in batch)
                    self._build_and_publish(changed=names, css_only=css_only, saved=batch)
        finally:
            self.stop_event.set()  # (a catch-up stops at its next page)
            self.watcher.stop()
            self.server.stop()
            if self._catching_up is not None:
                self._catching_up.join(timeout=10)
            self.source.close()

    def stop(self) -> None:
        self.stop_event.set()

    def _start_serving(self, what: str) -> None:
        self.server.start()
        if self.server.port != self.options.port and self.options.port != 0:
            self.report(f"port {self.options.port} is in use; using {self.server.port} instead")
        self.report(f"serving {self.site_dir}{what} at {self.server.url} (Ctrl-C to stop)")
        if self.options.open_browser:
            webbrowser.open(self.server.url)

    def _last_build(self) -> FolderFiles | None:
        """The site's build/ folder, if a build of sitegen's is there (not for --search,
        whose own build is quick to serve anyway)."""
        folder = self.site_dir / "build"
        if self.options.search or not (folder / MARKER).is_file():
            return None
        return FolderFiles(folder)

    def _failed(self, previous: BuildState, lines: tuple[str, ...]) -> None:
        """Keep the last good site online; show the problems here and over its pages."""
        for line in lines:
            self.report(line)
        self.server.publish(BuildState(previous.epoch, lines))

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.watcher.site_dir).as_posix()
        except ValueError:
            return str(path)

    def _build_and_publish(
        self, changed: Sequence[str], css_only: bool, saved: Collection[Path]
    ) -> None:
        previous = self.server.state
        started = time.monotonic()
        try:
            result = self.source.refresh(saved)
        except SitegenError as exc:
            self._failed(previous, (*(str(p) for p in exc.problems), f"error: {exc.message}"))
            return
        except MemoryError:
            raise
        except Exception as exc:  # a bug hit by some file: a problem too, never the end
            text = f"{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace").decode()
            self._failed(previous, (f"error: internal error: {text}; please report it",))
            return
        if result is None:  # the rest of a save already shown (a second batch of its events)
            return
        self.server.files = self.source  # (the last build until the first plan)
        self.server.publish(BuildState(previous.epoch + 1, (), css_only and not previous.problems))
        # The open pages reload first; then the terminal hears of warnings it has not shown
        # yet (all of them once): an archive with 10,000 reprinted them on every save.
        if result.replaced is None:
            lines = [str(problem) for problem in result.warnings]
            self._report_new(lines)
            self.warned = set(lines)
        else:  # a save applied in place: only its files' warnings changed
            now, before = ([str(problem) for problem in found] for found in result.replaced)
            self._report_new(now)
            self.warned.difference_update(before)
            self.warned.update(now)
        if previous.epoch:
            self.report(rebuilt_line(changed, result.done, time.monotonic() - started))
        if isinstance(self.source, LiveSite):
            self._catch_up(self.source)

    def _report_new(self, lines: Sequence[str]) -> None:
        for line in lines:
            if line not in self.warned:
                self.report(line)

    def _catch_up(self, live: LiveSite) -> None:
        """Make the pages nobody has opened yet, in the background, as a build would: a
        template error on a page no browser shows is reported all the same."""
        generation = live.generation  # a save meanwhile stops it, even while it waits

        def work() -> None:
            if not self.stop_event.wait(CATCH_UP_DELAY):
                live.catch_up(lambda: self.stop_event.is_set() or live.generation != generation)

        self._catching_up = threading.Thread(target=work, name="sitegen-catch-up", daemon=True)
        self._catching_up.start()

    def _rendering_failed(self, problems: list[Problem]) -> None:
        """A page could not be made (a template error): as a failed rebuild, the problems
        show in the terminal and over the open pages, until the next good save."""
        state = self.server.state
        lines = tuple(str(problem) for problem in problems)
        if state.problems != lines:
            for line in lines:
                if line not in state.problems:
                    self.report(line)
            self.server.publish(BuildState(state.epoch, lines))


SHOWN_CHANGES = 3  # file names in a rebuild's line; more are counted


def rebuilt_line(changed: Sequence[str], done: str, seconds: float) -> str:
    """What one rebuild did, for the terminal: the saved files and what was made of them,
    not site totals (which read as if a one-article edit had rebuilt everything)."""
    if len(changed) == 1:
        cause = f"a change to {changed[0]}"
    else:
        names = ", ".join(changed[:SHOWN_CHANGES])
        more = len(changed) - SHOWN_CHANGES
        cause = f"{len(changed)} changes ({names}{f' and {more} more' if more > 0 else ''})"
    return f"rebuilt after {cause}: {done} ({seconds:.2f} s)"


def _files_done(written: int, removed: int) -> str:
    if written or removed:
        done = f"{written} file{'' if written == 1 else 's'} written"
        return done + (f", {removed} removed" if removed else "")
    return "no output file changed"


class _Nothing:
    """What the server answers before the first plan: nothing."""

    def read(self, path: str) -> bytes | None:
        return None


_NOTHING: Files = _Nothing()
