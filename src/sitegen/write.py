"""Rendered pages + static files -> the output directory, swapped in whole.

Everything is written to a staging folder beside the output first; only then is it
exchanged with the old output, so a reader never sees half a site and a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from sitegen.errors import Location, OutputError, Problem, error

MARKER = ".sitegen-output"
OWNER = ".sitegen-owner"  # in a staging folder, or the output while updated: the build's pid
_TEMPORARY = re.compile(r"^\..+\.sitegen-(\d+)$")  # a file being replaced in place
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


class Staging:
    """A folder beside the output that a full build fills (from any process: forked
    workers write their own files) and then swaps in for the output in one step."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir.absolute()
        try:
            self.output_dir.parent.mkdir(parents=True, exist_ok=True)
            prefix = f".{self.output_dir.name}.staging-"
            self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.output_dir.parent))
            (self.path / OWNER).write_text(str(os.getpid()))
        except OSError as exc:
            raise _output_error(self.output_dir, exc) from exc
        self._folders: set[Path] = {self.path}

    def write(self, rel: str, data: bytes) -> None:
        self._target(rel).write_bytes(data)

    def adopt(self, output_dir: Path, paths: Iterable[str]) -> None:
        """Bring unchanged files over from the current output (hard links when possible)."""
        for rel in paths:
            target = self._target(rel)
            try:
                os.link(output_dir / rel, target)
            except OSError:
                shutil.copyfile(output_dir / rel, target)

    def _target(self, rel: str) -> Path:
        target = self.path / rel
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)  # safe when workers race
            self._folders.add(target.parent)
        return target

    def commit(self) -> None:
        """Swap the staged site in; the previous output disappears with it."""
        try:
            (self.path / MARKER).write_bytes(MARKER_TEXT)
            (self.path / OWNER).unlink()
            self.path.chmod(0o755)
            _swap_in(self.path, self.output_dir)
        except OSError as exc:
            self.discard()
            raise _output_error(self.output_dir, exc) from exc

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def publish(output_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write everything into a staging folder, then swap it in for `output_dir`."""
    staging = Staging(output_dir)
    try:
        for rel, data in files.items():
            staging.write(rel, data)
    except OSError as exc:
        staging.discard()
        raise _output_error(output_dir, exc) from exc
    staging.commit()


def _output_error(output_dir: Path, exc: OSError) -> OutputError:
    where = Location(PurePosixPath(str(output_dir)))
    return OutputError([error(where, f"cannot write output: {exc.strerror or exc}")])


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
    owner = output_dir / OWNER  # says "being updated" until done: see remove_leftovers
    try:
        owner.write_text(str(os.getpid()))
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
        owner.unlink()
    except OSError as exc:
        raise _output_error(output_dir, exc) from exc
    return written, removed


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def remove_leftovers(output_dir: Path) -> None:
    """What a build killed half-way left behind: its staging folder beside the output, or,
    inside an output it was updating in place, its temporary files. Folders and files of a
    build that is still running (its pid is alive) are left alone."""
    output_dir = output_dir.absolute()
    staging, previous = f".{output_dir.name}.staging-", f".{output_dir.name}.previous-"
    if output_dir.parent.is_dir():
        for entry in os.scandir(output_dir.parent):
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith(staging):
                pid = _owner(Path(entry.path) / OWNER)
            elif entry.name.startswith(previous):
                pid = _number(entry.name[len(previous) :])
            else:
                continue
            if not _running(pid):
                shutil.rmtree(entry.path, ignore_errors=True)
    owner = output_dir / OWNER
    if owner.is_file() and not _running(_owner(owner)):
        for root, _, names in os.walk(output_dir):
            for name in names:
                if (match := _TEMPORARY.match(name)) and not _running(_number(match.group(1))):
                    os.unlink(os.path.join(root, name))
        owner.unlink()


def _owner(path: Path) -> int | None:
    try:
        return _number(path.read_text())
    except OSError:
        return None


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _running(pid: int | None) -> bool:
    """Whether the build with this pid is still running (None: nobody recorded it)."""
    if pid is None or pid == os.getpid():
        return False  # this build: whatever is there is from an earlier one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True
