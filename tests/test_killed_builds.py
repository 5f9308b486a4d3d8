"""Builds killed at random moments (SIGKILL: no clean-up code runs) lose nothing.

A full rebuild is staged beside the output and swapped in with one atomic exchange, so
after a kill the output is the complete old site or the complete new one. A small
rebuild replaces the changed files one by one, each atomically, pages before the
listings and feeds that link to them: after a kill each file is whole (old or new), and
a link can only lead nowhere if it leads to a page of the new site not yet written (a
new tag page and its feed link to each other, so no order avoids that). Either way the next build cleans up what the killed one left and
produces exactly the new site.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.linkcheck import broken_links
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
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.rglob(".*") if p.name != ".sitegen-output"]
    return beside + inside


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(site, saved copy of the site with its cache, saved old output)."""
    site = make_site(tmp_path / "site")
    out = tmp_path / "out"
    finished(site, out)
    shutil.copytree(site, tmp_path / "saved-site")
    shutil.copytree(out, tmp_path / "saved-out")
    return site, tmp_path / "saved-site", tmp_path / "saved-out"


def restore(site: Path, saved_site: Path, out: Path, saved_out: Path) -> None:
    """Back to the old site, output and build cache (which knows the old output)."""
    shutil.rmtree(site)
    shutil.copytree(saved_site, site)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(saved_out, out)
    for path in out.parent.glob(f".{out.name}.*"):
        shutil.rmtree(path)


def run_killed(change, sites, tmp_path: Path, check_state) -> int:  # type: ignore[no-untyped-def]
    """Kill a build after each delay and check the output; returns how many kills landed
    while the build was still running."""
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
    for fraction in DELAYS:
        restore(site, saved_site, out, saved_out)
        change(site)
        build = sitegen(site, out)
        time.sleep(duration * fraction)
        if build.poll() is None:
            landed += 1
            os.kill(build.pid, signal.SIGKILL)
        build.wait()
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


def test_killed_small_rebuild_leaves_whole_files_and_working_links(
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
        visible = {
            path: data for path, data in state.items() if not path.split("/")[-1].startswith(".")
        }
        for path, data in visible.items():
            assert data in (old.get(path), new.get(path)), path  # never a part of a file
        for broken in broken_links(out, "https://example.org/"):
            # only a link to a page of the new site that was not written yet (a new tag
            # page and its feed link to each other: no order avoids that for a moment)
            target = broken.link.removeprefix("https://example.org/").lstrip("/")
            target = target.split("#")[0]
            target = target + "index.html" if target.endswith("/") or not target else target
            assert target in new and target not in old, broken

    run_killed(change, sites, tmp_path, check)
