"""The spare brought up to date after a build, in a process of its own (publish/catchup.py).

After a build that rewrote every file, the next build had to link every file of the
archive into the spare before writing its own few. A catch-up does that while nobody
waits; it may be stopped by a build or killed at any moment, and the next build must then
still produce exactly its site, the old output untouched until the swap.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.publish import catchup, spare
from sitegen.publish.integrity import verify
from sitegen.publish.spare import BEHIND, CATCHING_UP, OWNER, STOP, spare_dir
from sitegen.publish.staging import Staging, remove_leftovers
from tests.test_write import files_in, publish_all

FILES = 40


def version(number: int) -> dict[str, bytes]:
    """A site of FILES pages in nested folders; each version rewrites every page, and
    drops one page and adds another."""
    pages = {f"p{n % 5}/{n}/index.html": f"{number}:{n}".encode() for n in range(FILES)}
    del pages[f"p{number % 5}/{number}/index.html"]
    pages[f"new{number}/index.html"] = b"new"
    return pages


def linked_alike(out: Path) -> bool:
    """Whether the spare holds exactly the output's files, as hard links to them."""
    folder = spare_dir(out)
    names = set(files_in(out))
    return set(files_in(folder)) == names and all(
        (folder / name).stat().st_ino == (out / name).stat().st_ino for name in names
    )


def behind(out: Path) -> list[str]:
    return list(json.loads((spare_dir(out) / BEHIND).read_text()))


def test_after_a_full_rewrite_the_catch_up_leaves_the_next_build_nothing_to_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    publish_all(out, version(1))
    assert not spare_dir(out).exists()
    assert catchup.catch_up(out) == 0  # no spare yet: made from SHA256SUMS
    assert linked_alike(out) and behind(out) == []
    publish_all(out, version(2))  # every page rewritten: the spare is behind everywhere
    assert len(behind(out)) > FILES
    assert catchup.catch_up(out) == 0
    assert linked_alike(out) and behind(out) == []
    assert not (spare_dir(out) / OWNER).exists()
    links = []
    monkeypatch.setattr(os, "link", lambda *a, **k: links.append(a))
    changed = {**version(2), "p0/5/index.html": b"edited"}
    publish_all(out, changed)
    assert files_in(out) == changed and links == []  # one file written, none linked
    assert verify(out).ok


def test_a_catch_up_stopped_half_way_leaves_a_spare_the_next_build_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    publish_all(out, version(1))
    publish_all(out, version(2))
    publish_all(out, version(3))
    monkeypatch.setattr(catchup, "BATCH", 4)
    real_link, count = os.link, [0]

    def link(*args: object, **kwargs: object) -> None:
        count[0] += 1
        if count[0] == 10:  # a build asks for the spare
            (spare_dir(out) / STOP).touch()
        real_link(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    left = catchup.catch_up(out)
    assert 0 < left < FILES and len(behind(out)) == left
    assert not (spare_dir(out) / STOP).exists() and not (spare_dir(out) / OWNER).exists()
    monkeypatch.undo()
    publish_all(out, version(4))
    assert files_in(out) == version(4) and verify(out).ok
    assert files_in(spare_dir(out)) == version(3)


# Runs catch_up(OUT) and kills it (SIGKILL, from inside) as it begins its Nth file-system
# change; N = 0 only counts them, printing the count.
KILL_AT_CHANGE = """
import os, pathlib, signal, sys
at, count = int(sys.argv[1]), 0
def counted(function):
    def run(*args, **kwargs):
        global count
        count += 1
        if count == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return run
pathlib.Path.write_text = counted(pathlib.Path.write_text)
for name in ("link", "replace", "rename", "unlink", "mkdir", "rmdir"):
    setattr(os, name, counted(getattr(os, name)))
from sitegen.publish import catchup
catchup.BATCH, catchup.SAVE_EVERY = 3, 9
catchup.catch_up(pathlib.Path(sys.argv[2]))
print(count)
"""


# A catch-up of OUT that takes 100 ms per file it links.
SLOW_CATCH_UP = """
import os, pathlib, time
link = os.link
os.link = lambda *a, **k: (time.sleep(0.1), link(*a, **k))
from sitegen.publish import catchup
catchup.catch_up(pathlib.Path(r'%s'))
"""


def slow_catch_up(out: Path) -> subprocess.Popen[bytes]:
    """A catch-up of `out`'s spare in its own process, once it owns the spare and has
    linked a few files."""
    process = subprocess.Popen([sys.executable, "-c", SLOW_CATCH_UP % out])
    deadline = time.monotonic() + 20
    while not (spare_dir(out) / OWNER).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # a few files linked
    return process


@pytest.mark.parametrize("made", [False, True], ids=["spare behind everywhere", "no spare"])
def test_a_catch_up_killed_at_any_change_loses_nothing(tmp_path: Path, made: bool) -> None:
    def prepare(out: Path) -> None:
        if out.parent.exists():
            subprocess.run(["rm", "-rf", str(out.parent)], check=True)
        out.parent.mkdir()
        publish_all(out, version(1))
        if not made:
            publish_all(out, version(2))
            publish_all(out, version(3))  # the spare holds 2, behind at every path

    def killed_at(at: int, out: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", KILL_AT_CHANGE, str(at), str(out)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    out = tmp_path / "run" / "out"
    prepare(out)
    counted = killed_at(0, out)
    assert counted.returncode == 0, counted.stderr
    changes = int(counted.stdout)
    assert changes > 2 * FILES
    old = files_in(out)
    for at in range(1, changes + 1, 7):
        prepare(out)
        assert killed_at(at, out).returncode == -signal.SIGKILL
        assert files_in(out) == old  # the output is never touched
        remove_leftovers(out)
        publish_all(out, version(9))
        assert files_in(out) == version(9), at
        assert verify(out).ok, (at, verify(out).differences)
        assert not [p for p in out.parent.iterdir() if p.name not in ("out", ".out.spare")]


def test_a_build_stops_a_running_catch_up_and_takes_the_spare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    publish_all(out, version(1))
    publish_all(out, version(2))
    process = slow_catch_up(out)
    started = time.monotonic()
    publish_all(out, version(3))
    assert time.monotonic() - started < 5  # stopped within a batch, not run to the end
    assert process.wait(timeout=20) == 0
    assert files_in(out) == version(3) and verify(out).ok
    assert files_in(spare_dir(out)) == version(2)


def test_a_catch_up_that_does_not_stop_has_its_spare_set_aside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish_all(out, version(1))
    publish_all(out, version(2))
    stuck = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (spare_dir(out) / OWNER).write_text(f"{stuck.pid}\n{CATCHING_UP}")
        spare.stop_catch_up(out.absolute(), wait=0.2)
        aside = tmp_path / f".out.previous-{stuck.pid}"
        assert aside.is_dir() and not spare_dir(out).exists()
        publish_all(out, version(3))
        assert files_in(out) == version(3) and verify(out).ok
    finally:
        stuck.kill()
        stuck.wait()
    Staging(out).discard()  # a build: its clean-up goes first
    remove_leftovers(out)
    assert not aside.exists()


def test_a_build_that_rewrites_much_starts_a_catch_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catchup, "CATCH_UP_FROM", FILES // 2)
    out = tmp_path / "out"
    publish_all(out, version(1))  # a first build: the catch-up makes the spare
    deadline = time.monotonic() + 30
    while not linked_alike(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert linked_alike(out)
    publish_all(out, version(2))
    while (behind(out) if (spare_dir(out) / BEHIND).exists() else [1]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert linked_alike(out) and behind(out) == []
    publish_all(out, {**version(2), "extra.html": b"x"})  # a small one: none started
    assert len(behind(out)) == 2  # extra.html and SHA256SUMS, for the next build


def test_clean_stops_a_running_catch_up_and_nothing_comes_back(tmp_path: Path) -> None:
    from sitegen.commands.clean import clean_site

    out = tmp_path / "out"
    publish_all(out, version(1))
    publish_all(out, version(2))
    process = slow_catch_up(out)
    clean_site(tmp_path, out)
    assert process.wait(timeout=3) == 0  # stopped first: it had seconds of work left
    assert sorted(p.name for p in tmp_path.iterdir()) == []
