"""An offline copy of the site as one zip: opens from `file://` with no server.

The site is built with every internal link relative and naming its `index.html` (browsers
do not open a folder's index on file://) into the cache, so the next bundle only remakes
what changed, then zipped deterministically: sorted entries, fixed times and permissions,
so two bundles of the same site are byte-identical and their checksums can be published.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sitegen.build import build
from sitegen.cache.store import CACHE_DIR
from sitegen.content.manifest import walk_folders
from sitegen.errors import Location, OutputError, error

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time in the file


@dataclass(frozen=True)
class BundleReport:
    path: Path
    files: int
    size: int  # bytes


def make_bundle(site_dir: Path, target: Path, *, include_drafts: bool = False) -> BundleReport:
    """Build SITE_DIR for offline reading and write it to `target` (a .zip)."""
    folder = site_dir / CACHE_DIR / "bundle"
    build(site_dir, folder, include_drafts=include_drafts, offline=True, skip_unchanged=False)
    files = sorted(  # as rglob("*"), without its recursion (static/ nested a thousand deep)
        Path(root, name).relative_to(folder).as_posix()
        for root, names in walk_folders(str(folder))
        for name in names
        if not name.startswith(".") and Path(root, name).is_file()
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        with os.fdopen(handle, "wb") as raw:
            _zip(raw, folder, files, target.stem or "site")
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _cannot_write(target, exc) from exc
    return BundleReport(target, len(files), target.stat().st_size)


def _zip(raw: BinaryIO, folder: Path, files: list[str], top: str) -> None:
    """Everything under one folder named like the zip, so unzipping makes one folder."""
    with zipfile.ZipFile(raw, "w") as archive:
        for name in files:
            entry = zipfile.ZipInfo(f"{top}/{name}", date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, (folder / name).read_bytes(), compresslevel=6)


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    where = Location(PurePosixPath(str(target)))
    return OutputError([error(where, f"cannot write: {exc.strerror or exc}")])
