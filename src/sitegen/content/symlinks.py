"""Symbolic links in content/ and static/: followed only when they stay inside the site.

A link to a file elsewhere (`static/passwd -> /etc/passwd`) would publish that file; a
broken or looping link would fail half-way. Such files are left out and reported. Links
to folders are never followed (walking them could loop), which is reported too.

The folders themselves (`content/`, `static/`, `templates/`) may be links to a folder
inside the site (`content -> archive/2024`); a link to a folder outside it, or nowhere,
is an error, and nothing in it is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from sitegen.errors import Location, Problem, error, warning

CHECKED_FOLDERS = ("content", "static")
ROOT_FOLDERS = ("content", "static", "templates")  # each may be a link inside the site


def link_problem(path: Path, site_dir: Path, kind: str = "file") -> str | None:
    """Why the symbolic link `path` must not be followed; None for a safe link or a file.
    `kind` ('file' or 'folder') is what the message tells the user to copy or point at."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop
        return f"is a broken or looping symbolic link; remove it or point it at a {kind}"
    if not target.is_relative_to(site_dir.resolve()):
        return (
            f"is a symbolic link to {str(target)!r}, outside the site; "
            f"copy the {kind} into the site instead"
        )
    return None


def root_problem(site_dir: Path, name: str) -> str | None:
    """Why the site's folder `name` (content, static, templates) must not be read: it is
    a link that leads outside the site or nowhere. None for a real folder or a safe link."""
    return link_problem(site_dir / name, site_dir, "folder")


def is_text(name: str) -> bool:
    """Whether a name from the file system was valid UTF-8 (else os.fsdecode gave it lone
    surrogates, which cannot be written into a page, a URL or the terminal)."""
    return name.isascii() or not any("\ud800" <= char <= "\udfff" for char in name)


def shown_name(name: str) -> str:
    """A file name for messages: bytes that are not UTF-8 shown as \\xe9."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def link_problems(site_dir: Path) -> list[Problem]:
    """Every unsafe link, every linked folder and every name that is not UTF-8 text, in the
    site's content/ and static/, and the folders content/, static/ and templates/
    themselves when they are unsafe links."""
    problems = []
    for name in ROOT_FOLDERS:
        if reason := root_problem(site_dir, name):
            problems.append(error(Location(PurePosixPath(name)), reason))
    for name in CHECKED_FOLDERS:
        if root_problem(site_dir, name):
            continue  # never read
        for rel, entry in walk(site_dir / name):
            if not is_text(entry.name):
                if is_text(rel[: -len(entry.name)]):  # once, for its top-most such folder
                    where = Location(PurePosixPath(name, shown_name(rel)), 1)
                    problems.append(error(where, "file name is not UTF-8 text; rename it"))
                continue
            if not entry.is_symlink():
                continue
            where = Location(PurePosixPath(name, rel))
            if reason := link_problem(Path(entry.path), site_dir):  # first: it may loop
                problems.append(error(where, reason))
            elif entry.is_dir():
                problems.append(
                    warning(where, "is a symbolic link to a folder, which is not followed")
                )
    return problems


def walk(root: Path, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(POSIX path under `root`, entry) for everything below `root` but hidden names, in
    name order; linked folders are listed, never entered (they could loop). A stack, not
    recursion: folders nested a thousand deep are walked too."""
    stack = [(prefix, iter(_listed(root)))]
    while stack:
        under, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        rel = f"{under}{entry.name}"
        yield rel, entry
        if entry.is_dir(follow_symlinks=False):
            stack.append((f"{rel}/", iter(_listed(Path(entry.path)))))


def _listed(folder: Path) -> list[os.DirEntry[str]]:
    """The folder's entries but hidden ones, by name; none if it cannot be listed."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:  # no such folder
        return []
    return [entry for entry in entries if not entry.name.startswith(".")]
