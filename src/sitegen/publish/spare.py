"""The output's spare: the previous output, kept beside it for the next build to write into.

A spare is ready for use when it holds BEHIND, the list of paths where it may differ from
the output; at every other path it holds the output's file (the same inode). A build
claims it by creating OWNER (its pid) and removing BEHIND; from then on only that build
knows what it holds, and a spare found with OWNER but no BEHIND (its build was killed) is
removed. A catch-up (catchup.py) brings a spare up to date without claiming it whole: it
marks OWNER as its own, and only ever shortens BEHIND, so whenever it stops, even killed,
the spare is ready again. A build that wants the spare asks it to stop (STOP) and waits.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from sitegen import urls
from sitegen.content.manifest import make_folder_tree, remove_tree
from sitegen.runtime.pool import start_detached

log = logging.getLogger(__name__)
OWNER = f"{urls.OWN_PREFIX}owner"  # in a staging folder or spare being written: the build's pid
BEHIND = f"{urls.OWN_PREFIX}behind"  # in a spare ready for use: the paths where it differs
STOP = f"{urls.OWN_PREFIX}stop"  # in a spare being caught up: a build wants it
SAVING = f"{BEHIND}.new"  # a catch-up's next BEHIND, before it replaces the last
CATCHING_UP = "catch-up"  # OWNER's second line when a catch-up holds the spare
STOP_WAIT = 30.0  # seconds a build waits for a catch-up to stop (it checks every few ms)


def spare_dir(output_dir: Path) -> Path:
    """The previous output, kept beside the output for the next build to bring up to date."""
    return output_dir.with_name(f".{output_dir.name}.spare")


class Folders:
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


def new_folder(output_dir: Path, mark: str = "") -> Path:
    """A new folder beside the output, owned by this process until it is swapped in or
    moved: if the process is killed first, `remove_leftovers` removes it."""
    folder = Path(tempfile.mkdtemp(prefix=staging_prefix(output_dir), dir=output_dir.parent))
    (folder / OWNER).write_text(f"{os.getpid()}{mark}")
    return folder


def staging_prefix(output_dir: Path) -> str:
    return f".{output_dir.name}.staging-"


def previous_prefix(output_dir: Path) -> str:
    """Of a folder set aside by the process whose pid follows (removed once it ended)."""
    return f".{output_dir.name}.previous-"


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
        folder = new_folder(output_dir)
    except OSError:
        return
    try:
        copy, source = Folders(str(folder)), str(output_dir)
        for rel in files:
            with contextlib.suppress(FileNotFoundError):  # deleted by hand: the build remakes it
                os.link(os.path.join(source, rel), copy.target(rel), follow_symlinks=False)
        (folder / BEHIND).write_text("[]")  # the same files as the output
        (folder / OWNER).unlink()
        folder.rename(spare)  # fails if another build made a spare meanwhile
    except OSError:
        remove_tree(folder, ignore_errors=True)


def drop(spare: Path) -> None:
    """Remove a spare that cannot be used (the output it lags was deleted, or is unknown
    to the build), unless another build is filling it."""
    if _unused(spare):
        remove_tree(spare, ignore_errors=True)


@contextlib.contextmanager
def removing_set_aside(output_dir: Path) -> Iterator[None]:
    """Around a build: the spare it set aside (`set_aside`), if any, removed once it has
    ended, in a process of its own at the lowest priority. After `rm -rf build`, removing
    the old spare took 2.5-3 s of a 5,000-article cold build (caches cold), and as much in
    another process while the build ran (kernel time, and the disk, that the build needs)."""
    try:
        yield
    finally:
        aside = _aside(output_dir)
        if aside.is_dir() and not start_detached(__name__, os.fspath(aside)):
            remove_tree(aside, ignore_errors=True)


def set_aside(output_dir: Path) -> Path | None:
    """Move the output's spare out of the way at once (a rename), for a build that cannot
    use it (as `drop`), unless another build fills it: removed when the build has ended
    (`removing_set_aside`). Its new name holds this process's pid (`remove_leftovers`
    leaves it alone while the process runs); None if nothing was moved."""
    spare, aside = spare_dir(output_dir.absolute()), _aside(output_dir)
    if not _unused(spare):
        return None
    try:
        spare.rename(aside)
    except OSError:  # (one set aside before by this pid, not yet removed: `drop` then)
        return None
    return aside


def _aside(output_dir: Path) -> Path:
    """Where this process sets the output's spare aside (`set_aside`)."""
    output_dir = output_dir.absolute()
    return output_dir.with_name(f"{dropped_prefix(output_dir)}{os.getpid()}")


def dropped_prefix(output_dir: Path) -> str:
    """Of a spare set aside to be removed by the process whose pid follows (`set_aside`)."""
    return f".{output_dir.name}.dropped-"


def _unused(spare: Path) -> bool:
    """Whether there is a spare and no other build is filling it."""
    owner = spare / OWNER
    return spare.is_dir() and not (owner.exists() and running(owner_pid(owner)))


def claim(spare: Path) -> set[str] | None:
    """Take the spare for this build; the paths where it is behind the output, or None if
    there is no usable spare (one left by a killed build is removed here)."""
    try:
        descriptor = os.open(spare / OWNER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        return None  # no spare
    except FileExistsError:
        pid, mark = owner_of(spare / OWNER)
        if running(pid):
            return None  # another build is filling it
        if mark != CATCHING_UP or not (spare / BEHIND).is_file():
            remove_tree(spare, ignore_errors=True)  # a killed build was filling it
            return None
        # a catch-up was killed: BEHIND says what it did not do
        with contextlib.suppress(FileNotFoundError):
            (spare / OWNER).unlink()
        return claim(spare) if not (spare / OWNER).exists() else None
    with os.fdopen(descriptor, "w") as owner:
        owner.write(str(os.getpid()))
    try:
        behind = json.loads((spare / BEHIND).read_text(encoding="utf-8"))
        (spare / BEHIND).unlink()  # from here on, only this build knows what it holds
        for leftover in (STOP, SAVING):  # of a catch-up: no file of the site
            if os.path.lexists(spare / leftover):
                (spare / leftover).unlink()
    except (OSError, ValueError):
        remove_tree(spare, ignore_errors=True)  # killed before it was told
        return None
    if not isinstance(behind, list) or not all(map(urls.is_output_path, behind)):
        log.warning("%s: damaged (a path outside the output); removed", spare / BEHIND)
        remove_tree(spare, ignore_errors=True)
        return None
    return set(behind)


def stop_catch_up(output_dir: Path, wait: float = STOP_WAIT) -> None:
    """Before a build changes the output or takes its spare: have a catch-up of the spare
    stop (it leaves the spare ready, with what it did), and wait until it has. One that
    does not answer in time (stopped by hand, say) has its spare set aside, with its pid
    in the name: it would go on bringing that spare up to date with an output that is
    about to change, and no build may use it; `remove_leftovers` removes it once it ends."""
    spare = spare_dir(output_dir)
    pid, mark = owner_of(spare / OWNER)
    if mark != CATCHING_UP or not running(pid):
        return
    with contextlib.suppress(OSError):
        (spare / STOP).touch()
    deadline = time.monotonic() + wait
    while (spare / OWNER).exists() and running(pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    if (spare / OWNER).exists() and running(pid):
        log.warning("%s: a catch-up (pid %s) did not stop; set aside", spare, pid)
        with contextlib.suppress(OSError):
            spare.rename(output_dir.with_name(f"{previous_prefix(output_dir)}{pid}"))


def owner_of(path: Path) -> tuple[int | None, str]:
    """(pid, mark) from an OWNER file: the mark is CATCHING_UP for a catch-up, else ''."""
    try:
        pid, _, mark = path.read_text().partition("\n")
    except OSError:
        return None, ""
    return number(pid), mark.strip()


def owner_pid(path: Path) -> int | None:
    return owner_of(path)[0]


def number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def running(pid: int | None) -> bool:
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


def remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def main(arguments: list[str]) -> int:
    """`python -m sitegen.publish.spare FOLDER`: a spare set aside (`set_aside`) removed,
    at the lowest priority."""
    with contextlib.suppress(OSError):
        os.nice(19)  # after everything else on the machine
    return 0 if remove_set_aside(Path(arguments[0])) else 1


def remove_set_aside(folder: Path) -> bool:
    """Remove a folder `set_aside` made, renamed after this process first: `remove_leftovers`
    leaves it alone while this runs, and finishes the job should this be killed. False if
    it is not one, or is gone (a build found the process that set it aside ended)."""
    stem, _, _ = folder.name.rpartition("-")
    if not stem.endswith(".dropped"):
        return False
    own = folder.with_name(f"{stem}-{os.getpid()}")
    try:
        folder.rename(own)
    except OSError:
        return False
    remove_tree(own, ignore_errors=True)
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
