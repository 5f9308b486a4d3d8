"""Bring the output's spare up to date after a build, in a process of its own, so that the
next build does not have to.

After a build that rewrote everything (a first build, a template edit), the spare (the
previous output) is behind the output at every path, and the next build, however small,
had to link every file of the archive into it first: 97,752 files, 23 s at 50,000
articles. A build that leaves the spare that far behind starts `python -m
sitegen.publish.catchup OUTPUT`, detached, at the lowest priority; it links the output's
files into the spare (or makes the spare, when there is none) while nobody waits. It
never touches the output, only shortens the spare's BEHIND list (spare.py), and stops
when a build asks: whatever moment it stops or is killed at, the spare is ready for the
next build, behind at the paths it did not reach.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from pathlib import Path

from sitegen.publish.integrity import SUMS, read_sums
from sitegen.publish.spare import (
    BEHIND,
    CATCHING_UP,
    OWNER,
    SAVING,
    STOP,
    Folders,
    new_folder,
    remove_empty_parents,
    spare_dir,
)
from sitegen.runtime.pool import start_detached
from sitegen.urls import MARKER_PATH, is_output_path

# A build leaving the spare behind at fewer paths than this leaves them to the next build:
# linking a thousand files costs it about 0.1 s, less than starting a process for them.
CATCH_UP_FROM = 1000
BATCH = 100  # files linked between two looks for a build's STOP
SAVE_EVERY = 10_000  # files linked between two saves of BEHIND (a kill loses no more)


def start_if_far_behind(output_dir: Path, behind: int) -> None:
    """Start a catch-up of the output's spare, if it is behind at `behind` paths or more,
    at the lowest priority; `sitegen build` ends at once."""
    if behind >= CATCH_UP_FROM:
        start_detached("sitegen.publish.catchup", os.fspath(output_dir))


def catch_up(output_dir: Path) -> int:
    """Link into the spare every file of the output where it is behind (making the spare
    from SHA256SUMS's list if there is none), until done or a build asks it to stop;
    returns how many paths it is still behind at."""
    output_dir = output_dir.absolute()
    spare = spare_dir(output_dir)
    behind = _take(output_dir, spare)
    if behind is None:
        return 0
    root, source, left = str(spare), str(output_dir), []
    folders = Folders(root)
    done = 0
    while done < len(behind) and not os.path.lexists(spare / STOP):
        for rel in behind[done : done + BATCH]:
            if not _relink(rel, source, root, folders):
                left.append(rel)
        done = min(done + BATCH, len(behind))
        if done % SAVE_EVERY < BATCH:
            _save(spare, [*left, *behind[done:]])
    left += behind[done:]
    _save(spare, left)
    with contextlib.suppress(FileNotFoundError):
        (spare / STOP).unlink()
    (spare / OWNER).unlink()  # last: a build waiting for the spare takes it from here
    return len(left)


def _take(output_dir: Path, spare: Path) -> list[str] | None:
    """The spare, held for this process; the paths where it is behind, in order."""
    mark = f"{os.getpid()}\n{CATCHING_UP}"
    try:
        descriptor = os.open(spare / OWNER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return None  # a build (or another catch-up) has it
    except FileNotFoundError:
        return _make(output_dir, spare, mark)
    with os.fdopen(descriptor, "w") as owner:
        owner.write(mark)
    try:
        behind = json.loads((spare / BEHIND).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        behind = None
    if not isinstance(behind, list) or not all(map(is_output_path, behind)):
        (spare / OWNER).unlink()  # a build finds it unusable and removes it
        return None
    return sorted(behind)


def _make(output_dir: Path, spare: Path, mark: str) -> list[str] | None:
    """A spare where there is none: an empty folder, behind at every file of the output
    (as its SHA256SUMS lists them), moved into place at once, then filled like any."""
    listed = read_sums(output_dir / SUMS)
    if not listed or not all(map(is_output_path, listed)):
        return None
    files = sorted({*listed, SUMS, MARKER_PATH})  # the marker first: `clean` knows it by it
    try:
        folder = new_folder(output_dir, f"\n{CATCHING_UP}")
    except OSError:
        return None
    try:
        (folder / BEHIND).write_text(json.dumps(files))
        folder.rename(spare)  # fails if a build made one meanwhile
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return files if (spare / OWNER).read_text() == mark else None


def _relink(rel: str, source_root: str, root: str, folders: Folders) -> bool:
    """Make the spare hold at `rel` what the output holds (its file, or nothing); False if
    that failed (the path stays behind, for the next build)."""
    source, target = os.path.join(source_root, rel), os.path.join(root, rel)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # no temporary name: a kill must leave nothing of its own
        try:
            os.link(source, target, follow_symlinks=False)
        except FileNotFoundError:
            if not os.path.lexists(source):  # gone from the output: gone from the spare
                if os.path.isdir(os.path.dirname(target)):
                    remove_empty_parents(Path(target).parent, Path(root))
                return True
            if not os.path.isdir(root):
                return False  # the spare itself went (`sitegen clean`): make nothing
            os.link(source, folders.target(rel), follow_symlinks=False)
    except OSError:
        return False
    return True


def _save(spare: Path, behind: list[str]) -> None:
    """Replace BEHIND in one step: a kill leaves the old list or the new one."""
    (spare / SAVING).write_text(json.dumps(behind))
    os.replace(spare / SAVING, spare / BEHIND)


def main(arguments: list[str]) -> int:
    """`python -m sitegen.publish.catchup OUTPUT`: started by a build, not by hand."""
    with contextlib.suppress(OSError):
        os.nice(19)  # after everything else on the machine
    try:
        catch_up(Path(arguments[0]))
    except OSError:
        return 1  # the spare is ready, or a build will find it unusable and remove it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
