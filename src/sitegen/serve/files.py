"""Where the preview server's files come from: a folder on disk (the output of a build,
`serve --search`), or the site planned in memory (live.py). The server and the query
redirects read both through `Files.read`, by output path."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Files(Protocol):
    """The files of a site, by output path ('/'-separated, relative, normalized)."""

    def read(self, path: str) -> bytes | None:
        """The bytes of the file at `path`, or None if there is none."""


class FolderFiles:
    """The files of a folder on disk. Never a file outside it: links out are refused
    (the server's request_path has refused '..' and the like already)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, path: str) -> bytes | None:
        found = _inside(self.root, self.root / path) if path else None
        if found is None:
            return None
        try:
            return found.read_bytes()
        except OSError:  # gone since it was found (a rebuild), or not a file
            return None


def _inside(root: Path, candidate: Path) -> Path | None:
    """`candidate` with its links followed, if that is a file inside `root`."""
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() and real.is_relative_to(root.resolve()) else None
