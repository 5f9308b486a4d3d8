"""A cheap signature of a build's inputs, to recognise a rebuild with nothing to do.

It hashes the name, size and modification time (in nanoseconds) of every input file,
where each symbolic link among them (and content/, static/, templates/ themselves) points,
the build options and the output folder: when all are as they were after the last good
build, and no scheduled article has come due since, the output is already right. (A link
added or pointed elsewhere must make the next build a real one, which checks it.)
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.cache.store import digest
from sitegen.cache.version import code_version
from sitegen.config.settings import CONFIG_NAME
from sitegen.content.symlinks import ROOT_FOLDERS


def file_stamp(path: str | Path, folder: int | None = None) -> str:
    """'size:mtime_ns' of a file: what changes when it is saved, cheaper than its bytes.
    With `folder` (an open folder's descriptor), `path` is relative to that folder."""
    return _stamp_of(os.stat(path, dir_fd=folder))


def _stamp_of(status: os.stat_result) -> str:
    return f"{status.st_size}:{status.st_mtime_ns}"


UNREADABLE = "unreadable"


def stamp_or_unreadable(path: str | Path) -> str:
    """file_stamp, or UNREADABLE for a file gone since it was listed (reading it reports
    that, as the problem of that file)."""
    try:
        return file_stamp(path)
    except OSError:
        return UNREADABLE


def _stamps(folder: str, names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The file_stamp of each file in one folder (in the order of `names`), and where each
    link among them points (name -> target), looked up from the folder (not by their
    whole paths: 5,000 articles are 5,000 look-ups before a build can start). One loop
    without a call per file: at 50,000 articles, each call, tuple or string more per file
    was a tenth of a rebuild with nothing to do."""
    try:
        descriptor: int | None = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        paths = names
    except OSError:
        descriptor, paths = None, [os.path.join(folder, name) for name in names]
    stamps: list[str] = []
    targets: dict[str, str] = {}
    append, lookup = stamps.append, os.stat
    try:
        for path in paths:
            try:
                status = lookup(path, dir_fd=descriptor, follow_symlinks=False)
            except OSError:
                append(UNREADABLE)
                continue
            if status.st_mode & _KIND != stat.S_IFLNK:
                append(f"{status.st_size}:{status.st_mtime_ns}")
            else:
                stamp, targets[os.path.basename(path)] = _linked_stamp(path, descriptor)
                append(stamp)
    finally:
        if descriptor is not None:
            os.close(descriptor)
    return stamps, targets


_KIND = 0o170000  # the bits of st_mode that say what kind of file (stat.S_IFMT)


def _linked_stamp(path: str, folder: int | None) -> tuple[str, str]:
    """The file_stamp of the file the link `path` points to, and where it points."""
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
class _Listed:
    """The files of one folder under content/ and their stamps (in the same order)."""

    under: str  # the folder, relative to the site ('content/news')
    names: list[str]
    stamps: list[str]
    targets: dict[str, str]  # link -> where it points


@dataclass(frozen=True)
class Inputs:
    """The inputs of a build as it starts, before any is read. Only `signature` is worked
    out at once: a build with nothing to do needs nothing else."""

    signature: str  # of every input file's path, size and mtime, the options and the version
    listed: list[_Listed]
    unstamped: list[str]  # the signature's parts without the content files' stamps

    @functools.cached_property
    def stamps(self) -> Mapping[str, str]:
        """Each file under content/ ('content/news/a.md') -> its file_stamp: what
        loading.py would otherwise ask the file system for once more."""
        return {
            f"{folder.under}/{name}": stamp
            for folder in self.listed
            for name, stamp in zip(folder.names, folder.stamps, strict=True)
            if stamp != UNREADABLE
        }

    @functools.cached_property
    def rest(self) -> str:
        """The signature without the content files' stamps (their names are in it): the
        same when only articles were saved, which a word-only build (build.quick) looks at."""
        return digest(*self.unstamped)


def survey_inputs(site_dir: Path, folders: Iterable[Path], options: str) -> Inputs:
    """The signature of the build's inputs, and the stamps of the content files."""
    content = site_dir / "content"
    links = (f"{name} {_link_target(site_dir / name)}" for name in ROOT_FOLDERS)
    parts: list[str] = [code_version(), options, *links]
    unstamped = parts.copy()  # the parts but the content files' stamps
    listed: list[_Listed] = []
    for folder in sorted({content, *folders}):
        for root, names, linked in walk_folders_and_links(str(folder)):
            stamps, targets = _stamps(root, names)
            # a few parts per folder, not per file (hashing 50,000 parts cost as much as the
            # stat calls); NUL is in no name, link target or stamp: parts cannot run together
            here = [
                f"{root}/",  # (a new folder, empty yet, is a change too: serve)
                "\0".join(names),
                "\0".join(f"{name} {target}" for name, target in targets.items()),
                "\0".join(f"{name} {_link_target(os.path.join(root, name))}" for name in linked),
            ]
            parts += [*here, "\0".join(stamps)]
            unstamped += here if folder == content else parts[-5:]
            if folder == content:
                under = Path(root).relative_to(site_dir).as_posix()
                listed.append(_Listed(under, names, stamps, targets))
    config = site_dir / CONFIG_NAME
    if config.is_file():
        parts.append(f"{config} {file_stamp(config)}")
        unstamped.append(parts[-1])
    return Inputs(digest(*parts), listed, unstamped)


def walk_folders(top: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, its files' names, sorted) for `top` and every folder below it, in the
    order of os.walk with sorted folders, and like it not into linked folders; a stack,
    not os.walk's recursion (Python 3.11), so folders nested a thousand deep are fine."""
    for root, names, _ in walk_folders_and_links(top):
        yield root, names


def walk_folders_and_links(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """As walk_folders, with each folder's links to folders too (listed, never entered)."""
    stack = [top]
    while stack:
        root = stack.pop()
        folders: list[str] = []
        names: list[str] = []
        linked: list[str] = []
        try:  # (each entry let go as it is read: 50,000 at once were 14 MB and 10 ms more)
            with os.scandir(root) as listing:
                for entry in listing:
                    try:
                        is_folder = entry.is_dir()
                    except OSError:
                        is_folder = False
                    if not is_folder:
                        names.append(entry.name)
                    elif entry.is_symlink():
                        linked.append(entry.name)
                    else:
                        folders.append(entry.name)
        except OSError:  # gone, or not a folder: as os.walk, nothing from it
            continue
        names.sort()
        linked.sort()
        yield root, names, linked
        stack += [os.path.join(root, name) for name in sorted(folders, reverse=True)]


def make_folder_tree(folder: str) -> None:
    """os.makedirs(folder, exist_ok=True), safe when processes race, without its recursion
    (a folder nested a thousand deep in static/ is one too in the output)."""
    missing = []
    while folder and not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:  # another process made it, or a file is there
            if not os.path.isdir(path):
                raise


def remove_tree(top: str | Path, *, ignore_errors: bool = False) -> None:
    """shutil.rmtree, which walks with a descriptor per folder and never follows a link,
    for every tree it can walk. Python 3.11's recurses once per level and keeps each
    level's folder open: a tree nested a thousand deep raised RecursionError (even with
    ignore_errors) or ran out of file descriptors. What it leaves then is removed with a
    stack of paths instead."""
    errors: list[BaseException] = []
    try:
        shutil.rmtree(top, onerror=lambda function, path, info: errors.append(info[1]))
        is_deep = any(getattr(error, "errno", None) == errno.EMFILE for error in errors)
    except RecursionError:
        is_deep = True
    if is_deep:
        errors = [*_remove_with_a_stack(os.fspath(top))]
    if errors and not ignore_errors:
        raise errors[0]


def _remove_with_a_stack(top: str) -> list[OSError]:
    """Every file and link under `top`, then its folders deepest first; the errors met."""
    errors: list[OSError] = []
    folders, stack = [], [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(exc)
            continue
        folders.append(folder)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError as exc:
                errors.append(exc)
    for folder in reversed(folders):  # each after every folder inside it
        try:
            os.rmdir(folder)
        except OSError as exc:
            errors.append(exc)
    return errors


def next_due(dates: Iterable[dt.datetime], now: dt.datetime | None) -> dt.datetime | None:
    """The earliest date after `now` (a scheduled article that a later build will add)."""
    if now is None:
        return None
    return min((d for d in dates if d > now), default=None)
