"""File-system events -> rebuild signals. `classify` decides what a changed path means
(pure, tested alone); `Watcher` is the thin watchdog wiring around it."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from sitegen.config.settings import CONFIG_NAME

WATCHED_DIRS = ("content", "templates", "static")
_EDITOR_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", "~")
_EDITOR_NAMES = {"4913", "__pycache__", ".DS_Store"}


class ChangeKind(enum.Enum):
    CONTENT = "content"
    TEMPLATES = "templates"
    STATIC = "static"
    CONFIG = "config"


def classify(path: PurePath, site_dir: PurePath) -> ChangeKind | None:
    """What a change to `path` means for the site, or None for files that do not matter
    (editor swap, backup and lock files, hidden files, anything outside the inputs)."""
    try:
        parts = path.relative_to(site_dir).parts
    except ValueError:
        return None
    if not parts or any(_is_editor_noise(part) for part in parts):
        return None
    if parts == (CONFIG_NAME,):
        return ChangeKind.CONFIG
    if parts[0] == "content":
        return ChangeKind.CONTENT if parts[-1].endswith(".md") or "." not in parts[-1] else None
    if parts[0] == "templates":
        return ChangeKind.TEMPLATES
    if parts[0] == "static":
        return ChangeKind.STATIC
    return None


def _is_editor_noise(name: str) -> bool:
    return name.startswith(".") or name.endswith(_EDITOR_SUFFIXES) or name in _EDITOR_NAMES


class ChangeCollector:
    """Gathers changes from watcher threads; `wait` returns a batch once events stop coming
    for `quiet` seconds, so a save through temp file + rename is one rebuild, not three."""

    def __init__(self, quiet: float = 0.05) -> None:
        self.quiet = quiet
        self._changes: dict[Path, ChangeKind] = {}
        self._last = 0.0
        self._condition = threading.Condition()

    def add(self, path: Path, kind: ChangeKind) -> None:
        with self._condition:
            self._changes[path] = kind
            self._last = time.monotonic()
            self._condition.notify_all()

    def wait(self, timeout: float) -> dict[Path, ChangeKind]:
        """Block until a quiet batch is ready (or `timeout`); empty dict on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                now = time.monotonic()
                if self._changes and now - self._last >= self.quiet:
                    batch, self._changes = self._changes, {}
                    return batch
                if now >= deadline:
                    return {}
                wake = self._last + self.quiet if self._changes else deadline
                self._condition.wait(max(0.01, min(wake, deadline) - now))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed: that file has its own event
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.watcher.changed(Path(raw.decode() if isinstance(raw, bytes) else raw))


class Watcher:
    """Watches the site's inputs (never its output) and reports classified changes."""

    def __init__(self, site_dir: Path, on_change: Callable[[Path, ChangeKind], None]) -> None:
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.observer = Observer()
        self.handler = _Handler(self)
        self.watched: set[Path] = set()
        # the site folder itself only flat (sitegen.yaml, input folders appearing): its
        # build/ output can hold thousands of folders that must not be watched
        self.observer.schedule(self.handler, str(self.site_dir), recursive=False)
        for folder in _existing(self.site_dir / name for name in WATCHED_DIRS):
            self._watch(folder)

    def changed(self, path: Path) -> None:
        kind = classify(path, self.site_dir)
        if kind is None:
            return
        if path.parent == self.site_dir and path.is_dir() and path not in self.watched:
            self._watch(path)  # content/, templates/ or static/ created after start
        self.on_change(path, kind)

    def _watch(self, folder: Path) -> str | None:
        """Watch `folder` and everything in it; if it cannot be (see `start`), why not."""
        self.watched.add(folder)
        try:
            self.observer.schedule(self.handler, str(folder), recursive=True)
        except (RecursionError, OSError) as exc:
            return _not_watched(folder, exc)
        return None

    def start(self) -> list[str]:
        """Start watching. watchdog walks a folder to watch by recursing once per level
        (RecursionError at a thousand), and the system limits inotify watches (OSError):
        a folder it cannot watch is left out, named in the returned warnings, and the
        others are watched still."""
        try:
            self.observer.start()
            return []
        except (RecursionError, OSError):
            self.observer.stop()  # the emitters it started; its own thread never ran
        self.observer = Observer()
        self.observer.schedule(self.handler, str(self.site_dir), recursive=False)
        self.observer.start()
        return [why for folder in sorted(self.watched) if (why := self._watch(folder))]

    def stop(self) -> None:
        # watchdog (7.x) may log this race while its threads stop; harmless, and not for editors
        logging.getLogger("watchdog.observers.inotify").addFilter(_not_the_stop_race)
        self.observer.stop()
        self.observer.join(timeout=5)


def _not_watched(folder: Path, exc: BaseException) -> str:
    reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
    return (
        f"warning: {folder.name}/: changes are not seen ({reason}); "
        "restart `sitegen serve` after changing it"
    )


def _not_the_stop_race(record: logging.LogRecord) -> bool:
    return "called when the thread is inactive" not in record.getMessage()


def _existing(folders: Iterable[Path]) -> list[Path]:
    return [folder for folder in folders if folder.is_dir()]
