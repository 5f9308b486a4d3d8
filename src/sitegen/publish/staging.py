"""Rendered pages + static files -> the output directory, swapped in whole.

Every build writes the next output into a folder beside the current one and exchanges the
two in one atomic step, so a reader, or a build killed at any moment, sees the complete
old site or the complete new one, and a failed build leaves the output untouched. The
folder beside is the previous output, kept as a "spare" with the list of paths where it
is behind: bringing it up to date costs only those files and this build's changes, so a
one-article edit stays as cheap as writing in place.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from sitegen import urls
from sitegen.content.manifest import remove_tree
from sitegen.errors import Location, OutputError, Problem, error
from sitegen.publish import catchup
from sitegen.publish.integrity import SUMS, write_sums
from sitegen.publish.spare import (
    BEHIND,
    OWNER,
    Folders,
    claim,
    drop,
    dropped_prefix,
    new_folder,
    number,
    owner_pid,
    previous_prefix,
    remove_empty_parents,
    running,
    staging_prefix,
    stop_catch_up,
)
from sitegen.publish.spare import make_spare as make_spare  # the recipe's, from here
from sitegen.publish.spare import spare_dir as spare_dir  # the recipe's and clean's

log = logging.getLogger(__name__)
# Every name sitegen writes into the output itself is one urls.sitegen_name knows, so
# that no static file or alias can take it (render/clashes.py refuses them).
MARKER = urls.MARKER_PATH
MARKER_TEXT = b"This folder is written by sitegen; every build replaces it whole.\n"


def check_output_dir(output_dir: Path, site_dir: Path) -> list[Problem]:
    """Refuse an output folder whose replacement would destroy something that is not ours,
    or that is a link (the swap would replace the link and leave its target stale)."""
    where = Location(PurePosixPath(str(output_dir)))
    if output_dir.is_symlink():
        target = os.path.realpath(output_dir)
        why = "sitegen replaces the output folder whole; give the folder itself instead"
        return [error(where, f"is a symbolic link to {target!r}; {why}")]
    output, site = output_dir.resolve(), site_dir.resolve()
    if output == site or output in site.parents:
        return [error(where, "output directory contains the site itself; choose e.g. 'build'")]
    for source in ("content", "templates", "static"):
        if output.is_relative_to(site / source):
            return [error(where, f"output directory is inside {source}/; choose e.g. 'build'")]
    if output_dir.exists() and not output_dir.is_dir():
        return [error(where, "exists and is not a directory")]
    if output_dir.is_dir() and not _is_empty(output_dir) and not (output_dir / MARKER).is_file():
        message = (
            f"refusing to replace a directory that is not empty and was not written by sitegen "
            f"(no {MARKER} file); choose an empty or new directory"
        )
        return [error(where, message)]
    return []


def _is_empty(folder: Path) -> bool:
    """Without listing it all (Path.iterdir does: 50,000 names, a quarter of a rebuild
    with nothing to do)."""
    with os.scandir(folder) as entries:
        return next(entries, None) is None


class Staging:
    """The next output, filled (from any process: forked workers write their own files)
    and then exchanged with the output in one step.

    It is the spare when there is a usable one; otherwise (a first build, after a killed
    one, or while another build holds the spare) a new folder, into which every unchanged
    file is hard-linked.
    """

    def __init__(self, output_dir: Path, *, knows_output: bool = True) -> None:
        """`knows_output`: the build knows which files the output holds (its cache says);
        only then can the spare be brought up to date, else it is dropped."""
        self.output_dir = output_dir.absolute()
        try:
            self.output_dir.parent.mkdir(parents=True, exist_ok=True)
            stop_catch_up(self.output_dir)  # before anything here can change the output
            spare = spare_dir(self.output_dir)
            if not knows_output:
                drop(spare)
            self.behind = claim(spare) if knows_output else None
            if self.behind is not None:
                self.path = spare_dir(self.output_dir)
            else:
                self.path = new_folder(self.output_dir)
        except OSError as exc:
            raise output_error(self.output_dir, exc) from exc
        self._root, self._output = str(self.path), str(self.output_dir)
        self._folders = Folders(self._root)

    def write(self, rel: str, data: bytes) -> None:
        """Called once per output file, in every worker."""
        target = os.path.join(self._root, rel)
        if self.behind is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # may be a hard link to the output's file
        try:
            _write_file(target, data)
        except FileNotFoundError:  # its folder is not made yet
            self._folders.make(os.path.dirname(target))
            _write_file(target, data)

    def make_folders(self, rels: Iterable[str]) -> None:
        """Make the folders of files about to be written, from a process that has time
        to wait: after the page cache was dropped, a new folder waits for the disk (its
        inode table), and a worker waiting there leaves a core idle. Best effort: a folder
        that cannot be made is left to the writer of the file, which reports why."""
        for rel in rels:
            with contextlib.suppress(OSError):
                self._folders.target(rel)

    def write_all(self, files: Mapping[str, bytes]) -> None:
        """Write several files; on failure the staging folder is gone and the error says so."""
        try:
            for rel, data in files.items():
                self.write(rel, data)
        except OSError as exc:
            self.discard()
            raise output_error(self.output_dir, exc) from exc

    def fill(self, current: Iterable[str], remade: set[str], previous: Iterable[str]) -> None:
        """Make every file of `current` not `remade` by this build what the output holds
        (hard links when possible), and remove what the new site no longer has."""
        current = set(current)
        if self.behind is None:
            for rel in sorted(current - remade):
                self._link(rel, self._folders.target(rel))
            return
        for rel in sorted(self.behind - remade):  # the spare's own lag
            if rel in current:
                target = self._folders.target(rel)
                folder, name = os.path.split(target)
                temporary = os.path.join(folder, f".{name}{urls.OWN_PREFIX}{os.getpid()}")
                self._link(rel, temporary)
                os.replace(temporary, target)
        for rel in sorted((set(previous) | self.behind) - current):
            stale = self.path / rel
            if stale.is_file():
                stale.unlink()
            if stale.parent.is_dir():  # (a killed catch-up may have made it, and no file)
                remove_empty_parents(stale.parent, self.path)

    def _link(self, rel: str, target: str) -> None:
        source = os.path.join(self._output, rel)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def commit(self, changed: Iterable[str] = ()) -> None:
        """Swap the staged site in. The previous output becomes the spare, behind the new
        one at the `changed` paths (written or removed by this build)."""
        try:
            (self.path / MARKER).write_bytes(MARKER_TEXT)
            (self.path / OWNER).unlink()
            self.path.chmod(0o755)
            previous = _swap_in(self.path, self.output_dir)
        except OSError as exc:
            self.discard()
            raise output_error(self.output_dir, exc) from exc
        if previous is not None:
            _keep_as_spare(previous, spare_dir(self.output_dir), changed)

    def discard(self) -> None:
        remove_tree(self.path, ignore_errors=True)


def _write_file(path: str, data: bytes) -> None:
    """open() + write() with the three system calls it needs: a build writes thousands of
    files, and Python's file objects add four more calls (and their own work) to each."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # as open() does
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def publish(
    staging: Staging,
    current: Iterable[str],
    remade: Mapping[str, str],
    previous: Iterable[str],
) -> tuple[int, int]:
    """Swap in the site whose files are `current`: `remade` ones ({path: SHA-256}) written
    to `staging` already, the others as the output holds them now (`previous`: the
    output's files). Returns (files written, files removed)."""
    current, written, previous = set(current), set(remade), set(previous)
    stale = previous - current
    try:
        if previous:
            staging.fill(current, written, previous)
        write_sums(staging.path, staging.output_dir, current, written, remade)
    except OSError as exc:
        staging.discard()
        raise output_error(staging.output_dir, exc) from exc
    staging.commit(changed=written | stale | {SUMS})
    catchup.start_if_far_behind(staging.output_dir, len(written | stale))
    return len(written), len(stale)


def output_error(output_dir: Path, exc: OSError) -> OutputError:
    where = Location(PurePosixPath(str(output_dir)))
    return OutputError([error(where, f"cannot write output: {exc.strerror or exc}")])


def _swap_in(staging: Path, output_dir: Path) -> Path | None:
    """Put `staging` at `output_dir`; returns where the previous output now is, if any."""
    if not output_dir.exists():
        staging.rename(output_dir)
        return None
    if _exchange(staging, output_dir):
        return staging  # now holds the previous output
    # No atomic exchange on this system: two renames, the gap between them is tiny.
    previous = output_dir.with_name(f".{output_dir.name}.previous-{os.getpid()}")
    output_dir.rename(previous)
    staging.rename(output_dir)
    return previous


def _keep_as_spare(previous: Path, spare: Path, changed: Iterable[str]) -> None:
    """The previous output, ready to be the next build's staging folder: moved to the
    spare's place (unless another build holds that) and told where it is behind."""
    try:
        if previous != spare:
            if spare.exists():
                remove_tree(previous, ignore_errors=True)  # another build's spare: keep it
                return
            previous.rename(spare)
        (spare / BEHIND).write_text(json.dumps(sorted(set(changed))))  # names may hold \n
    except OSError:
        remove_tree(previous, ignore_errors=True)  # no spare: the next build makes a folder


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported.
    The C library is the one Python runs on (CDLL(None)): ctypes.util.find_library runs
    `ldconfig -p` to find it. ctypes is imported here, not by a build with nothing to do."""
    import ctypes  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def remove_leftovers(output_dir: Path) -> None:
    """What a build killed half-way left beside the output: a staging folder, the previous
    output of an exchange without a spare to become, or a spare set aside to be removed.
    Those of a build that is still running (its pid is alive) are left alone; a spare is
    checked when claimed."""
    output_dir = output_dir.absolute()
    staging = staging_prefix(output_dir)
    named = (previous_prefix(output_dir), dropped_prefix(output_dir))  # pid in the name
    if output_dir.parent.is_dir():
        for entry in os.scandir(output_dir.parent):
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith(staging):
                pid = owner_pid(Path(entry.path) / OWNER)
            elif entry.name.startswith(named):
                pid = number(entry.name.rpartition("-")[2])
            else:
                continue
            if not running(pid):
                remove_tree(entry.path, ignore_errors=True)
