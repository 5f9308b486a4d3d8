"""A cheap signature of a build's inputs, to recognise a rebuild with nothing to do.

It hashes the name, size and modification time (in nanoseconds) of every input file,
where each symbolic link among them (and content/, static/, templates/ themselves) points,
the build options and the output folder: when all are as they were after the last good
build, and no scheduled article has come due since, the output is already right. (A link
added or pointed elsewhere must make the next build a real one, which checks it.)
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen import __version__
from sitegen.cache.store import digest
from sitegen.config.settings import CONFIG_NAME
from sitegen.content.symlinks import ROOT_FOLDERS


def file_stamp(path: str | Path, folder: int | None = None) -> str:
    """'size:mtime_ns' of a file: what changes when it is saved, cheaper than its bytes.
    With `folder` (an open folder's descriptor), `path` is relative to that folder."""
    status = os.stat(path, dir_fd=folder)
    return f"{status.st_size}:{status.st_mtime_ns}"


UNREADABLE = "unreadable"


def _stamps(folder: str, names: list[str]) -> list[tuple[str, str, str]]:
    """(name, file_stamp, link target or '') of files in one folder, looked up from the
    folder (not by their whole paths: 5,000 articles are 5,000 look-ups before a build can
    start)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return [(name, *_stamp(os.path.join(folder, name))) for name in names]
    try:
        return [(name, *_stamp(name, descriptor)) for name in names]
    finally:
        os.close(descriptor)


def _stamp(path: str, folder: int | None = None) -> tuple[str, str]:
    """The file_stamp of `path` and, for a link, where it points ('' for a plain file):
    one look-up for a plain file, as file_stamp alone would make."""
    try:
        status = os.stat(path, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return UNREADABLE, ""
    if not stat.S_ISLNK(status.st_mode):
        return f"{status.st_size}:{status.st_mtime_ns}", ""
    target = _link_target(path, folder)
    try:
        return file_stamp(path, folder), target
    except OSError:  # a broken link, say: the build reports it
        return UNREADABLE, target


def _link_target(path: str | Path, folder: int | None = None) -> str:
    """Where the link `path` points, as written in it; '' if it is no link."""
    try:
        return f"-> {os.readlink(path, dir_fd=folder)}"
    except OSError:  # not a link
        return ""


@dataclass(frozen=True)
class Inputs:
    """The inputs of a build as it starts, before any is read."""

    signature: str  # of every input file's path, size and mtime, the options and the version
    # each file under content/ ('content/news/a.md') -> its file_stamp: what loading.py
    # would otherwise ask the file system for once more
    stamps: Mapping[str, str]


def survey_inputs(site_dir: Path, folders: Iterable[Path], options: str) -> Inputs:
    """The signature of the build's inputs, and the stamps of the content files."""
    parts: list[str] = [__version__, options]
    content = site_dir / "content"
    stamps: dict[str, str] = {}
    parts += [f"{name} {_link_target(site_dir / name)}" for name in ROOT_FOLDERS]
    for folder in sorted({content, *folders}):
        for root, subfolders, names in os.walk(folder):
            subfolders.sort()
            found = _stamps(root, sorted(names))
            parts += [f"{root}/{name} {stamp} {target}" for name, stamp, target in found]
            parts += [  # links to folders, which os.walk lists but does not enter
                f"{root}/{name}/ {target}"
                for name in subfolders
                if (target := _link_target(os.path.join(root, name)))
            ]
            if folder == content:
                under = Path(root).relative_to(site_dir).as_posix()
                stamps.update((f"{under}/{name}", s) for name, s, _ in found if s != UNREADABLE)
    config = site_dir / CONFIG_NAME
    if config.is_file():
        parts.append(f"{config} {file_stamp(config)}")
    return Inputs(digest(*parts), stamps)


def next_due(dates: Iterable[dt.datetime], now: dt.datetime | None) -> dt.datetime | None:
    """The earliest date after `now` (a scheduled article that a later build will add)."""
    if now is None:
        return None
    return min((d for d in dates if d > now), default=None)
