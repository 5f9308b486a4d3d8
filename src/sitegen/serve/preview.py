"""`sitegen serve`: build into a private folder, serve it, rebuild on every save.

The loop never exits on a bad edit: a failed rebuild keeps the last good site online and
shows the problems in the terminal and over the open pages until the next good save.
"""

from __future__ import annotations

import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.build import BuildReport, build
from sitegen.cache.codec import Loaded
from sitegen.content.manifest import remove_tree
from sitegen.errors import SitegenError
from sitegen.serve.server import BuildState, DevServer
from sitegen.serve.watch import ChangeCollector, ChangeKind, Watcher

Report = Callable[[str], None]


@dataclass(frozen=True)
class PreviewOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    include_drafts: bool = False
    include_future: bool = False
    open_browser: bool = False
    search: bool = False  # the index takes seconds per 1,000 articles: only when asked


class Preview:
    """One running preview: server, watcher and the rebuild loop that connects them."""

    def __init__(self, site_dir: Path, options: PreviewOptions, report: Report) -> None:
        self.site_dir = site_dir
        self.options = options
        self.report = report
        self.output_dir = Path(tempfile.mkdtemp(prefix="sitegen-serve-")) / "site"
        try:
            self.server = DevServer(self.output_dir, options.host, options.port)
        except BaseException:  # cannot listen: run() will never clean the folder up
            remove_tree(self.output_dir.parent, ignore_errors=True)
            raise
        self.changes = ChangeCollector()
        self.warned: set[str] = set()  # the last build's warnings, shown already
        self.held: dict[str, Loaded] = {}  # parse results, from rebuild to rebuild
        self.watcher = Watcher(site_dir, self.changes.add)
        self.stop_event = threading.Event()

    def rebuild(self) -> BuildReport:
        return build(
            self.site_dir,
            self.output_dir,
            include_drafts=self.options.include_drafts,
            include_future=self.options.include_future,
            base_url=self.server.url,
            search=self.options.search,
            held=self.held,
        )

    def run(self) -> None:
        """Serve until stop() or Ctrl-C; always cleans up its threads and folder."""
        try:
            self.output_dir.mkdir()
            self._build_and_publish(changed=(), css_only=False)
            self.server.start()
            for warning in self.watcher.start():
                self.report(warning)
            if self.server.port != self.options.port and self.options.port != 0:
                self.report(f"port {self.options.port} is in use; using {self.server.port} instead")
            self.report(f"serving {self.site_dir} at {self.server.url} (Ctrl-C to stop)")
            if self.options.open_browser:
                webbrowser.open(self.server.url)
            while not self.stop_event.is_set():
                batch = self.changes.wait(timeout=0.5)
                if batch:
                    css_only = all(
                        k is ChangeKind.STATIC and p.suffix == ".css" for p, k in batch.items()
                    )
                    names = sorted(self._shown(path) for path in batch)
                    self._build_and_publish(changed=names, css_only=css_only)
        finally:
            self.watcher.stop()
            self.server.stop()
            remove_tree(self.output_dir.parent, ignore_errors=True)

    def stop(self) -> None:
        self.stop_event.set()

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

    def _build_and_publish(self, changed: Sequence[str], css_only: bool) -> None:
        previous = self.server.state
        started = time.monotonic()
        try:
            result = self.rebuild()
        except SitegenError as exc:
            self._failed(previous, (*(str(p) for p in exc.problems), f"error: {exc.message}"))
            return
        except MemoryError:
            raise
        except Exception as exc:  # a bug hit by some file: a problem too, never the end
            text = f"{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace").decode()
            self._failed(previous, (f"error: internal error: {text}; please report it",))
            return
        self.server.publish(BuildState(previous.epoch + 1, (), css_only and not previous.problems))
        # The open pages reload first; then the terminal hears of warnings it has not shown
        # yet (all of them once): an archive with 10,000 reprinted them on every save.
        lines = [str(problem) for problem in result.warnings]
        for line in lines:
            if line not in self.warned:
                self.report(line)
        self.warned = set(lines)
        if previous.epoch:
            self.report(rebuilt_line(changed, result, time.monotonic() - started))


SHOWN_CHANGES = 3  # file names in a rebuild's line; more are counted


def rebuilt_line(changed: Sequence[str], report: BuildReport, seconds: float) -> str:
    """What one rebuild did, for the terminal: the saved files and the output files written,
    not site totals (which read as if a one-article edit had rebuilt everything)."""
    if len(changed) == 1:
        cause = f"a change to {changed[0]}"
    else:
        names = ", ".join(changed[:SHOWN_CHANGES])
        more = len(changed) - SHOWN_CHANGES
        cause = f"{len(changed)} changes ({names}{f' and {more} more' if more > 0 else ''})"
    if report.written or report.removed:
        done = f"{report.written} file{'' if report.written == 1 else 's'} written"
        done += f", {report.removed} removed" if report.removed else ""
    else:
        done = "no output file changed"
    return f"rebuilt after {cause}: {done} ({seconds:.2f} s)"
