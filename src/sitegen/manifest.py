"""A cheap signature of a build's inputs, to recognise a rebuild with nothing to do.

It hashes the name, size and modification time (in nanoseconds) of every input file,
the build options and the output folder: when all are as they were after the last good
build, and no scheduled article has come due since, the output is already right.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

from sitegen import __version__
from sitegen.cache import digest
from sitegen.config import CONFIG_NAME


def file_stamp(path: str | Path) -> str:
    """'size:mtime_ns' of a file: what changes when it is saved, cheaper than its bytes."""
    status = os.stat(path)
    return f"{status.st_size}:{status.st_mtime_ns}"


def _stamp(path: str) -> str:
    try:
        return file_stamp(path)
    except OSError:  # a broken link, say: the build reports it
        return "unreadable"


def input_signature(site_dir: Path, folders: Iterable[Path], options: str) -> str:
    """Hash of every input file's path, size and mtime, the options and the version."""
    parts: list[str] = [__version__, options]
    for folder in sorted({site_dir / "content", *folders}):
        for root, subfolders, names in os.walk(folder):
            subfolders.sort()
            parts += [f"{root}/{name} {_stamp(os.path.join(root, name))}" for name in sorted(names)]
    config = site_dir / CONFIG_NAME
    if config.is_file():
        parts.append(f"{config} {file_stamp(config)}")
    return digest(*parts)


def next_due(dates: Iterable[dt.datetime], now: dt.datetime | None) -> dt.datetime | None:
    """The earliest date after `now` (a scheduled article that a later build will add)."""
    if now is None:
        return None
    return min((d for d in dates if d > now), default=None)
