"""Symbolic links in content/ and static/: followed only when they stay inside the site.

A link to a file elsewhere (`static/passwd -> /etc/passwd`) would publish that file; a
broken or looping link would fail half-way. Such files are left out and reported. Links
to folders are never followed (walking them could loop), which is reported too.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from sitegen.errors import Location, Problem, error, warning

CHECKED_FOLDERS = ("content", "static")


def link_problem(path: Path, site_dir: Path) -> str | None:
    """Why the symbolic link `path` must not be followed; None for a safe link or a file."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop
        return "is a broken or looping symbolic link; remove it or point it at a file"
    if not target.is_relative_to(site_dir.resolve()):
        return (
            f"is a symbolic link to {str(target)!r}, outside the site; "
            "copy the file into the site instead"
        )
    return None


def link_problems(site_dir: Path) -> list[Problem]:
    """Every unsafe link, and every linked folder, in the site's content/ and static/."""
    problems = []
    for name in CHECKED_FOLDERS:
        root = site_dir / name
        for folder, subfolders, files in os.walk(root, followlinks=False):
            here = Path(folder)
            for entry in sorted(subfolders):
                if (here / entry).is_symlink():
                    where = _location(site_dir, here / entry)
                    problems.append(
                        warning(where, "is a symbolic link to a folder, which is not followed")
                    )
            for entry in sorted(files):
                reason = link_problem(here / entry, site_dir)
                if reason:
                    problems.append(error(_location(site_dir, here / entry), reason))
    return problems


def _location(site_dir: Path, path: Path) -> Location:
    return Location(PurePosixPath(path.relative_to(site_dir).as_posix()))
