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


def _stamps(folder: str, names: list[str]) -> list[tuple[str, str, str]]:
    """(name, file_stamp, link target or '') of files in one folder, looked up from the
    folder (not by their whole paths: 5,000 articles are 5,000 look-ups before a build can
    start). One loop without a call per file: at 50,000 articles, each call and tuple
    more was a tenth of a rebuild with nothing to do."""
    try:
        descriptor: int | None = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        paths = names
    except OSError:
        descriptor, paths = None, [os.path.join(folder, name) for name in names]
    found = []
    try:
        for name, path in zip(names, paths, strict=True):
            try:
                status = os.stat(path, dir_fd=descriptor, follow_symlinks=False)
            except OSError:
                found.append((name, UNREADABLE, ""))
                continue
            if status.st_mode & _KIND != stat.S_IFLNK:
                found.append((name, f"{status.st_size}:{status.st_mtime_ns}", ""))
            else:
                found.append((name, *_linked_stamp(path, descriptor)))
    finally:
        if descriptor is not None:
            os.close(descriptor)
    return found


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
class Inputs:
    """The inputs of a build as it starts, before any is read."""

    signature: str  # of every input file's path, size and mtime, the options and the version
    # each file under content/ ('content/news/a.md') -> its file_stamp: what loading.py
    # would otherwise ask the file system for once more
    stamps: Mapping[str, str]
    # the signature without the content files' stamps (their names are in it): the same
    # when only articles were saved, which a word-only build (build.quick) looks at
    rest: str = ""


def survey_inputs(site_dir: Path, folders: Iterable[Path], options: str) -> Inputs:
    """The signature of the build's inputs, and the stamps of the content files."""
    parts: list[str] = [code_version(), options]
    content = site_dir / "content"
    stamps: dict[str, str] = {}
    listed: list[str] = []  # the content files' names and links, for `rest`
    stamped: set[int] = set()  # the indexes of the parts that hold content files' stamps
    parts += [f"{name} {_link_target(site_dir / name)}" for name in ROOT_FOLDERS]
    for folder in sorted({content, *folders}):
        for root, names, linked in walk_folders_and_links(str(folder)):
            parts.append(f"{root}/")  # (a new folder, empty yet, is a change too: serve)
            found = _stamps(root, names)
            # one part per folder, not per file (hashing 50,000 parts cost as much as the
            # stat calls); NUL is in no name, link target or stamp: parts cannot run together
            parts.append("\0".join(f"{name} {stamp} {target}" for name, stamp, target in found))
            if folder == content:
                stamped.add(len(parts) - 1)
            parts += [f"{root}/{name}/ {_link_target(os.path.join(root, name))}" for name in linked]
            if folder == content:
                listed.append(f"{root}/\0" + "\0".join(f"{n} {t}" for n, _, t in found))
                under = Path(root).relative_to(site_dir).as_posix()
                stamps.update((f"{under}/{name}", s) for name, s, _ in found if s != UNREADABLE)
    config = site_dir / CONFIG_NAME
    if config.is_file():
        parts.append(f"{config} {file_stamp(config)}")
    rest = digest(*(part for i, part in enumerate(parts) if i not in stamped), *listed)
    return Inputs(digest(*parts), stamps, rest)


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
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError:  # gone, or not a folder: as os.walk, nothing from it
            continue
        folders, names, linked = [], [], []
        for entry in entries:
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
        yield root, sorted(names), sorted(linked)
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
