"""What a build reads back from its own bookkeeping (the build cache, the spare's list of
changed files) is input like any other: a CI cache restored from elsewhere may hold
anything. A path there that leads outside the output is discarded, never used to write,
link or delete a file, and the site comes out as a clean build makes it."""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sitegen.build import BuildReport, build
from sitegen.publish.staging import BEHIND, spare_dir
from tests.conftest import MakeSite, article

CACHE = ".sitegen-cache/cache.sqlite"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def site_and_victim(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A site built twice (so it has a cache and a spare), and a file beside the output
    that no build may touch."""
    root = make_site(
        {f"content/a{i}.md": article(f"A{i}", aliases=f'["/old-a{i}/"]') for i in range(3)}
    )
    out = tmp_path / "out"
    build(root, out)
    (root / "content/a1.md").write_text(article("A1, edited"))
    build(root, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    return root, out, victim


def edited_and_rebuilt(root: Path, out: Path, tmp_path: Path) -> BuildReport:
    """One article edited and the site rebuilt, which must equal a clean build."""
    (root / "content/a2.md").write_text(article("A2, edited"))
    report = build(root, out)
    build(root, tmp_path / "clean", use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    return report


def test_bookkeeping_spare_list_leading_outside_is_discarded(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out, victim = site_and_victim(make_site, tmp_path)
    (spare_dir(out) / BEHIND).write_text(json.dumps(["../victim.txt", "/etc/hostname"]))
    edited_and_rebuilt(root, out, tmp_path)
    assert victim.read_text() == "not yours"


def test_bookkeeping_cached_output_path_leading_outside_is_discarded(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out, victim = site_and_victim(make_site, tmp_path)
    with contextlib.closing(sqlite3.connect(root / CACHE)) as db, db:
        db.execute("INSERT INTO outputs VALUES ('../victim.txt', 'x')")
    report = edited_and_rebuilt(root, out, tmp_path)
    assert victim.read_text() == "not yours"
    assert any("discarded and rebuilt" in str(w) for w in report.warnings)


def test_bookkeeping_cached_article_placed_outside_is_parsed_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out, victim = site_and_victim(make_site, tmp_path)
    with contextlib.closing(sqlite3.connect(root / CACHE)) as db, db:
        for key, value in db.execute("SELECT key, value FROM articles").fetchall():
            data = json.loads(value)
            data["article"]["output_path"] = "../escaped/index.html"
            data["article"]["aliases"] = ["/../../escaped-alias/"]
            db.execute("UPDATE articles SET value = ? WHERE key = ?", (json.dumps(data), key))
    edited_and_rebuilt(root, out, tmp_path)
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped-alias").exists()
    assert victim.read_text() == "not yours"


def test_bookkeeping_damaged_compiled_templates_are_compiled_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Jinja reads compiled templates with marshal and runs them: one flipped byte past
    their header crashed about half of the builds that read them (SIGSEGV, no message).
    The builds run in a subprocess here, so a crash fails the test, not pytest."""
    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(3)})
    out = tmp_path / "out"
    build(root, tmp_path / "clean", use_cache=False)

    def sitegen_build() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "sitegen", "build", str(root), "-o", str(out), "-j1"]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert sitegen_build().returncode == 0
    rng = random.Random(25)
    for _ in range(6):
        compiled = [p for p in (root / ".sitegen-cache/templates").rglob("*") if p.is_file()]
        assert len(compiled) >= 5  # base, article, listing... one file each
        for path in compiled:
            data = bytearray(path.read_bytes())
            data[rng.randrange(64, len(data))] ^= 1 << rng.randrange(8)
            path.write_bytes(bytes(data))
        shutil.rmtree(out)  # every page rendered, with every template
        done = sitegen_build()
        assert done.returncode == 0, done.stderr
        assert tree(out) == tree(tmp_path / "clean")


def test_bookkeeping_cached_article_without_a_body_is_parsed_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out, _ = site_and_victim(make_site, tmp_path)
    with contextlib.closing(sqlite3.connect(root / CACHE)) as db, db:
        db.execute("UPDATE articles SET body = NULL")
    edited_and_rebuilt(root, out, tmp_path)
    assert "Body text." in (out / "a0/index.html").read_text()
