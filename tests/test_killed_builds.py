"""Builds killed at random moments (SIGKILL: no clean-up code runs) lose nothing.

Every rebuild fills a folder beside the output (the spare, or a new folder when there is
no spare) and exchanges it with the output in one atomic step, so after a kill the output
is the complete old site or the complete new one, whether the rebuild remade every page
or one. The next build cleans up what the killed one left and produces exactly the new site.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.check.links import broken_links
from tests.conftest import article

ARTICLES = 200
DELAYS = (0.1, 0.3, 0.5, 0.7, 0.9)  # fractions of an uninterrupted build


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_site(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "sitegen.yaml").write_text("base_url: https://example.org/\nper_page: 5\n")
    body = "\n\n".join(f"Paragraph {n} about the vigil and the trial." for n in range(30))
    for number in range(ARTICLES):
        day = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"
        tags = f"[Tag {number % 7}, Tag {number % 11}]"
        (root / f"content/a{number:03d}.md").write_text(
            article(f"Article {number}", date=day, body=body, tags=tags)
        )
    return root


def sitegen(site: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def finished(site: Path, out: Path) -> float:
    started = time.perf_counter()
    assert sitegen(site, out).wait() == 0
    return time.perf_counter() - started


def leftovers(out: Path) -> list[str]:
    """Files of a killed build; the spare (the previous output, kept) is not one."""
    spare = f".{out.name}.spare"
    beside = [
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith(f".{out.name}.") and p.name != spare
    ]
    inside = [p.name for p in out.rglob(".*") if p.name != ".sitegen-output"]
    return beside + inside


@pytest.fixture(params=["with a spare", "first rebuild"])
def sites(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(site, saved copy of the site with its cache, saved old output and spare): after
    two builds, so a spare is there to be brought up to date, or after the first only."""
    site = make_site(tmp_path / "site")
    out = tmp_path / "out"
    finished(site, out)
    if request.param == "with a spare":
        (site / "content/a199.md").write_text(article("Article 199, revised", date="2024-08-20"))
        finished(site, out)
        assert (tmp_path / ".out.spare").is_dir()
    shutil.copytree(site, tmp_path / "saved-site")
    (tmp_path / "saved").mkdir()
    for path in out.parent.glob("*out*"):
        if path.is_dir() and path.name in ("out", ".out.spare"):
            shutil.copytree(path, tmp_path / "saved" / path.name)
    return site, tmp_path / "saved-site", tmp_path / "saved" / "out"


def restore(site: Path, saved_site: Path, out: Path, saved_out: Path) -> None:
    """Back to the old site, output, spare and build cache (which knows the old output)."""
    shutil.rmtree(site)
    shutil.copytree(saved_site, site)
    shutil.rmtree(out, ignore_errors=True)
    for path in out.parent.glob(f".{out.name}.*"):
        shutil.rmtree(path)
    for saved in saved_out.parent.iterdir():
        shutil.copytree(saved, out.parent / saved.name)


# Runs `sitegen build SITE -o OUT` and kills it (SIGKILL, from inside) as it begins its
# Nth file-system change: writing a file, linking, renaming or removing one. N = 0 only
# counts them, printing the count last. Only the build's own process counts: a forked
# worker that killed itself at the parent's count once left the build waiting for ever.
KILL_AT_CHANGE = """
import atexit, os, pathlib, signal, sys
at, count, main = int(sys.argv[1]), 0, os.getpid()
def counted(function):
    def run(*args, **kwargs):
        global count
        if os.getpid() != main:
            return function(*args, **kwargs)
        count += 1
        if count == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return run
pathlib.Path.write_bytes = counted(pathlib.Path.write_bytes)
for name in ("link", "replace", "rename", "unlink"):
    setattr(os, name, counted(getattr(os, name)))
if at == 0:
    atexit.register(lambda: print(count, file=sys.stderr))
from sitegen.cli import cli
cli(["build", sys.argv[2], "-o", sys.argv[3], "-q"])
"""


def killed_at_change(site: Path, out: Path, at: int) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", KILL_AT_CHANGE, str(at), str(site), str(out)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def kill_after(seconds: float) -> Callable[[Path, Path], bool]:
    """A kill of a build `seconds` after it started; True if it was still running."""

    def kill(site: Path, out: Path) -> bool:
        build = sitegen(site, out)
        time.sleep(seconds)
        running = build.poll() is None
        if running:
            os.kill(build.pid, signal.SIGKILL)
        build.wait()
        return running

    return kill


def kill_at_change(at: int) -> Callable[[Path, Path], bool]:
    """A kill of a build as it makes its `at`th file-system change."""

    def kill(site: Path, out: Path) -> bool:
        return killed_at_change(site, out, at).returncode == -signal.SIGKILL

    return kill


def run_killed(change, sites, tmp_path: Path, check_state, kills=None) -> int:  # type: ignore[no-untyped-def]
    """Kill a build in each way of `kills` (default: after each of DELAYS) and check the
    output; returns how many kills landed while the build was still running."""
    site, saved_site, saved_out = sites
    out = tmp_path / "out"
    change(site)
    reference = tmp_path / "reference"
    copy = tmp_path / "reference-site"
    shutil.copytree(site, copy)
    shutil.rmtree(copy / ".sitegen-cache")
    finished(copy, reference)
    new = tree(reference)
    restore(site, saved_site, out, saved_out)
    change(site)
    duration = finished(site, out)
    landed = 0
    for kill in kills or [kill_after(duration * fraction) for fraction in DELAYS]:
        restore(site, saved_site, out, saved_out)
        change(site)
        landed += kill(site, out)
        check_state(tree(out), tree(saved_out), new, out)
        assert sitegen(site, out).wait() == 0  # the next build repairs everything
        assert tree(out) == new
        assert leftovers(out) == []
    return landed


def test_killed_full_rebuild_leaves_the_old_site_or_the_new_one(
    sites: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    def change(site: Path) -> None:  # a template edit: every page changes
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}Gone{% endblock %}\n"
        )
        (site / "sitegen.yaml").write_text("base_url: https://example.org/\nper_page: 6\n")

    def check(
        state: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], out: Path
    ) -> None:
        assert state in (old, new)

    landed = run_killed(change, sites, tmp_path, check)
    assert landed >= 1, "no kill landed during a build: the site is too small for this machine"


def test_killed_small_rebuild_leaves_the_old_site_or_the_new_one(
    sites: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    def change(site: Path) -> None:  # one article edited and retagged, one deleted
        (site / "content/a010.md").write_text(
            article("Article 10, corrected", date="2024-11-11", tags="[Tag 3, New tag]")
        )
        (site / "content/a020.md").unlink()

    def check(
        state: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], out: Path
    ) -> None:
        assert state in (old, new)
        assert broken_links(out, "https://example.org/") == []

    # A small rebuild is over in a moment: kill it at file-system changes spread over the
    # whole build, from the first to the last (the writes come at its very end).
    site, saved_site, saved_out = sites
    restore(site, saved_site, tmp_path / "out", saved_out)
    change(site)
    counted = killed_at_change(site, tmp_path / "out", 0)
    assert counted.returncode == 0, counted.stderr
    total = int(counted.stderr.split()[-1])
    restore(site, saved_site, tmp_path / "out", saved_out)
    points = sorted({1, total // 4, total // 2, 3 * total // 4, total - 1})
    landed = run_killed(change, sites, tmp_path, check, [kill_at_change(n) for n in points])
    assert landed == len(points)
