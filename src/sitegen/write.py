"""Rendered pages + static files -> the output directory, swapped in whole.

Everything is written to a staging folder beside the output first; only then is it
exchanged with the old output, so a reader never sees half a site and a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from sitegen.errors import Location, OutputError, Problem, error

MARKER = ".sitegen-output"
MARKER_TEXT = b"This folder is written by sitegen; every build replaces it whole.\n"


def check_output_dir(output_dir: Path, site_dir: Path) -> list[Problem]:
    """Refuse an output folder whose replacement would destroy something that is not ours."""
    where = Location(PurePosixPath(str(output_dir)))
    output, site = output_dir.resolve(), site_dir.resolve()
    if output == site or output in site.parents:
        return [error(where, "output directory contains the site itself; choose e.g. 'build'")]
    for source in ("content", "templates", "static"):
        if output.is_relative_to(site / source):
            return [error(where, f"output directory is inside {source}/; choose e.g. 'build'")]
    if output_dir.exists() and not output_dir.is_dir():
        return [error(where, "exists and is not a directory")]
    if output_dir.is_dir() and any(output_dir.iterdir()) and not (output_dir / MARKER).is_file():
        message = (
            f"refusing to replace a directory that is not empty and was not written by sitegen "
            f"(no {MARKER} file); choose an empty or new directory"
        )
        return [error(where, message)]
    return []


def publish(output_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write everything into a staging folder, then swap it in for `output_dir`."""
    output_dir = output_dir.absolute()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    try:
        made: set[Path] = {staging}
        for rel, data in files.items():
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
        (staging / MARKER).write_bytes(MARKER_TEXT)
        staging.chmod(0o755)
        _swap_in(staging, output_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        where = Location(PurePosixPath(str(output_dir)))
        raise OutputError([error(where, f"cannot write output: {exc.strerror or exc}")]) from exc


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    if _exchange(staging, output_dir):
        shutil.rmtree(staging)  # now holds the previous output
        return
    # No atomic exchange on this system: two renames, the gap between them is tiny.
    previous = output_dir.with_name(f".{output_dir.name}.previous-{os.getpid()}")
    output_dir.rename(previous)
    staging.rename(output_dir)
    shutil.rmtree(previous)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def update_in_place(
    output_dir: Path, changed: Mapping[str, bytes], stale: Iterable[str]
) -> tuple[int, int]:
    """Bring a previous output up to date: write the files whose bytes differ, each
    replaced atomically (a reader gets the old file or the new one, never a part), in the
    given order (static files, pages, then the feeds and indexes that point at them), and
    remove stale files last. Returns (files written, files removed)."""
    written = removed = 0
    try:
        for rel, data in changed.items():
            target = output_dir / rel
            if (
                target.is_file()
                and target.stat().st_size == len(data)
                and target.read_bytes() == data
            ):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.sitegen-{os.getpid()}")
            temporary.write_bytes(data)
            os.replace(temporary, target)
            written += 1
        for rel in stale:
            target = output_dir / rel
            if target.is_file():
                target.unlink()
                removed += 1
                _remove_empty_parents(target.parent, output_dir)
    except OSError as exc:
        where = Location(PurePosixPath(str(output_dir)))
        raise OutputError([error(where, f"cannot write output: {exc.strerror or exc}")]) from exc
    return written, removed


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
