"""SHA256SUMS: what every file of a build holds, so anyone can check a mirror or a copy.

The file is in the format `sha256sum -c` reads; `sitegen verify` reads it too and also
reports files that are not listed. A file this build did not change keeps the hash the
previous SHA256SUMS gave it, and a file this build made is hashed where its bytes were
made (by the worker that wrote it), so no file is read back to be hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SUMS = "SHA256SUMS"


def sums_text(folder: Path, paths: Iterable[str], known: Mapping[str, str]) -> bytes:
    """SHA256SUMS for `paths` in `folder`; `known` hashes are trusted (unchanged files)."""
    lines = [f"{known.get(path) or file_hash(folder / path)}  {path}\n" for path in sorted(paths)]
    return "".join(lines).encode("utf-8")


def write_sums(
    folder: Path,
    previous: Path,
    paths: Collection[str],
    changed: set[str],
    fresh: Mapping[str, str],
) -> None:
    """Write SHA256SUMS into `folder` (the next output): `fresh` hashes of files this build
    made, `previous`'s hashes of the unchanged ones; any other file is read and hashed."""
    old = read_sums(previous / SUMS)
    known = {path: old[path] for path in paths if path in old and path not in changed}
    known.update(fresh)
    data = sums_text(folder, paths, known)
    target = folder / SUMS
    target.unlink(missing_ok=True)  # may be a hard link to the output's copy
    target.write_bytes(data)


def read_sums(path: Path) -> dict[str, str]:
    """{file: hex digest} from a SHA256SUMS file; {} if there is none or it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            sums[name] = digest
    return sums


def data_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@dataclass(frozen=True)
class Verification:
    missing: tuple[str, ...]
    altered: tuple[str, ...]
    extra: tuple[str, ...]  # present but not listed

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.extra)


def verify(folder: Path) -> Verification:
    """Compare a copy of a site with its SHA256SUMS (which must exist)."""
    sums = read_sums(folder / SUMS)
    present = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }
    missing = [name for name in sums if name not in present]
    altered = [n for n in sums if n in present and file_hash(folder / n) != sums[n]]
    extra = [name for name in present - sums.keys() if not _unlisted(name)]
    return Verification(tuple(sorted(missing)), tuple(sorted(altered)), tuple(sorted(extra)))


def _unlisted(name: str) -> bool:
    """SHA256SUMS itself, and sitegen's marker file, which no copy needs."""
    return name in (SUMS, ".sitegen-output")
