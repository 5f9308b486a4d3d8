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
import ctypes
import ctypes.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from sitegen import urls
from sitegen.content.manifest import make_folder_tree, remove_tree
from sitegen.errors import Location, OutputError, Problem, error
from sitegen.publish.integrity import SUMS, write_sums

log = logging.getLogger(__name__)
# Every name sitegen writes into the output itself is one urls.sitegen_name knows, so
# that no static file or alias can take it (render/clashes.py refuses them).
MARKER = urls.MARKER_PATH
OWNER = f"{urls.OWN_PREFIX}owner"  # in a staging folder or spare being written: the build's pid
BEHIND = f"{urls.OWN_PREFIX}behind"  # in a spare ready for use: the paths where it differs
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
    if output_dir.is_dir() and any(output_dir.iterdir()) and not (output_dir / MARKER).is_file():
        message = (
            f"refusing to replace a directory that is not empty and was not written by sitegen "
            f"(no {MARKER} file); choose an empty or new directory"
        )
        return [error(where, message)]
    return []


def spare_dir(output_dir: Path) -> Path:
    """The previous output, kept beside the output for the next build to bring up to date."""
    return output_dir.with_name(f".{output_dir.name}.spare")


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
            spare = spare_dir(self.output_dir)
            if not knows_output:
                _drop(spare)
            self.behind = _claim(spare) if knows_output else None
            if self.behind is not None:
                self.path = spare_dir(self.output_dir)
            else:
                self.path = _new_folder(self.output_dir)
        except OSError as exc:
            raise output_error(self.output_dir, exc) from exc
        self._root, self._output = str(self.path), str(self.output_dir)
        self._folders = _Folders(self._root)

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
                _remove_empty_parents(stale.parent, self.path)

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


class _Folders:
    """The folders of files about to be written under `root`, each made once."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._made = {root}

    def target(self, rel: str) -> str:
        """Where `rel` goes, its folder made. Plain `os` paths: this runs for every file
        of a build, and pathlib's own work was a fifth of the time spent writing them."""
        target = os.path.join(self.root, rel)
        self.make(os.path.dirname(target))
        return target

    def make(self, folder: str) -> None:
        if folder not in self._made:
            try:
                os.mkdir(folder)  # its parent is there most of the time: try the one call
            except FileExistsError:  # another process made it
                pass
            except FileNotFoundError:
                make_folder_tree(folder)  # safe when processes race
            self._made.add(folder)


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


def _new_folder(output_dir: Path) -> Path:
    """A new folder beside the output, owned by this process until it is swapped in or
    moved: if the process is killed first, `remove_leftovers` removes it."""
    folder = Path(tempfile.mkdtemp(prefix=_staging_prefix(output_dir), dir=output_dir.parent))
    (folder / OWNER).write_text(str(os.getpid()))
    return folder


def _staging_prefix(output_dir: Path) -> str:
    return f".{output_dir.name}.staging-"


def make_spare(output_dir: Path, files: Iterable[str]) -> None:
    """Make the output's spare when it has none (after a first build, or a killed one): a
    copy in hard links of its `files` (the paths the cache says it holds). Run in a process
    of its own while a rebuild loads and plans, this spares the rebuild making a new folder
    of links to every unchanged file after rendering (0.4 s of a one-article rebuild at
    5,000 articles, the other core idle). Files are found by name, not by listing folders
    (listing 5,000 folders reads them from disk once the page cache was dropped). The copy
    is made aside and moved into place whole, so no build can claim half of one."""
    output_dir = output_dir.absolute()
    spare = spare_dir(output_dir)
    if spare.exists():
        return
    try:
        folder = _new_folder(output_dir)
    except OSError:
        return
    try:
        copy, source = _Folders(str(folder)), str(output_dir)
        for rel in files:
            with contextlib.suppress(FileNotFoundError):  # deleted by hand: the build remakes it
                os.link(os.path.join(source, rel), copy.target(rel), follow_symlinks=False)
        (folder / BEHIND).write_text("[]")  # the same files as the output
        (folder / OWNER).unlink()
        folder.rename(spare)  # fails if another build made a spare meanwhile
    except OSError:
        remove_tree(folder, ignore_errors=True)


def _drop(spare: Path) -> None:
    """Remove a spare that cannot be used (the output it lags was deleted, or is unknown
    to the build), unless another build is filling it."""
    owner = spare / OWNER
    if spare.is_dir() and not (owner.exists() and _running(_owner(owner))):
        remove_tree(spare, ignore_errors=True)


def _claim(spare: Path) -> set[str] | None:
    """Take the spare for this build; the paths where it is behind the output, or None if
    there is no usable spare (one left by a killed build is removed here)."""
    try:
        descriptor = os.open(spare / OWNER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        return None  # no spare
    except FileExistsError:
        if not _running(_owner(spare / OWNER)):
            remove_tree(spare, ignore_errors=True)  # a killed build was filling it
        return None  # otherwise another build is filling it
    with os.fdopen(descriptor, "w") as owner:
        owner.write(str(os.getpid()))
    try:
        behind = json.loads((spare / BEHIND).read_text(encoding="utf-8"))
        (spare / BEHIND).unlink()  # from here on, only this build knows what it holds
    except (OSError, ValueError):
        remove_tree(spare, ignore_errors=True)  # killed before it was told
        return None
    if not isinstance(behind, list) or not all(map(urls.is_output_path, behind)):
        log.warning("%s: damaged (a path outside the output); removed", spare / BEHIND)
        remove_tree(spare, ignore_errors=True)
        return None
    return set(behind)


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


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def remove_leftovers(output_dir: Path) -> None:
    """What a build killed half-way left beside the output: a staging folder, or the
    previous output of an exchange without a spare to become. Those of a build that is
    still running (its pid is alive) are left alone; a spare is checked when claimed."""
    output_dir = output_dir.absolute()
    staging, previous = _staging_prefix(output_dir), f".{output_dir.name}.previous-"
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
                remove_tree(entry.path, ignore_errors=True)


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
