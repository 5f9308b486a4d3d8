"""Symbolic links as whole folders (content/, static/, templates/, the output), and links
added after a good build, which the no-op shortcut must not hide (issue 25, part 5)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MakeSite, article

from sitegen.cli import cli


def _build(root: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), "-q"])
    return result.exit_code, result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("name", ["content", "static", "templates"])
def test_root_folder_linked_outside_the_site_is_an_error_and_never_read(
    make_site: MakeSite, tmp_path: Path, name: str
) -> None:
    root = make_site({"content/a.md": article("Kept")})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text(article("Private notes"))
    (outside / "secret.txt").write_text("root:x:0:0\n")
    (outside / "base.html").write_text("{{ secret }}")
    if name == "content":
        shutil.copy(root / "content/a.md", outside / "a.md")
    shutil.rmtree(root / name, ignore_errors=True)
    os.symlink(outside, root / name)
    out = tmp_path / "out"
    code, err = _build(root, out)
    assert code == 1
    assert err == (
        f"{name}: is a symbolic link to {str(outside.resolve())!r}, outside the site; "
        "copy the folder into the site instead\nerror: build failed (1 problem)\n"
    )
    assert not out.exists()


def test_root_folder_linked_nowhere_is_an_error(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article()})
    os.symlink(tmp_path / "missing", root / "static")
    code, err = _build(root, tmp_path / "out")
    assert code == 1
    assert err.splitlines()[0] == (
        "static: is a broken or looping symbolic link; remove it or point it at a folder"
    )
    assert not (tmp_path / "out").exists()


def test_root_folder_linked_inside_the_site_is_published(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"archive/2024/a.md": article("Kept"), "assets/x.css": "body{}\n"})
    (root / "content").rmdir()
    os.symlink("archive/2024", root / "content")
    os.symlink(root / "assets", root / "static")
    out = tmp_path / "out"
    assert _build(root, out) == (0, "")
    assert (out / "a/index.html").is_file()
    assert (out / "x.css").read_text() == "body{}\n"


def test_output_folder_that_is_a_symlink_is_refused_and_untouched(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article()})
    real = tmp_path / "real"
    real.mkdir()
    out = tmp_path / "out"
    os.symlink(real, out)
    code, err = _build(root, out)
    assert code == 1
    assert err == (
        f"{out}: is a symbolic link to {str(real.resolve())!r}; sitegen replaces the output "
        "folder whole; give the folder itself instead\nerror: build failed (1 problem)\n"
    )
    assert out.is_symlink() and list(real.iterdir()) == []
    assert not (tmp_path / ".out.spare").exists()


def test_output_folder_made_a_symlink_after_a_build_is_refused(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article()})
    real = tmp_path / "real"
    assert _build(root, real) == (0, "")
    before = _files(real)
    os.symlink(real, tmp_path / "out")
    (root / "content/b.md").write_text(article("New"))
    code, err = _build(root, tmp_path / "out")
    assert code == 1 and "is a symbolic link to" in err
    assert _files(real) == before and (tmp_path / "out").is_symlink()


@pytest.mark.parametrize("kind", ["file", "retarget", "root"])
def test_noop_shortcut_a_link_added_after_a_good_build_is_reported(
    make_site: MakeSite, tmp_path: Path, kind: str
) -> None:
    root = make_site({"content/a.md": article(), "static/ok.txt": "fine\n"})
    out = tmp_path / "out"
    outside = tmp_path / "hostname"
    outside.write_text("fine\n")  # same size as ok.txt
    if kind == "retarget":
        os.symlink(root / "static/ok.txt", root / "static/leak")
    assert _build(root, out) == (0, "")
    before = _files(out)
    if kind == "root":
        shutil.rmtree(root / "static")
        (tmp_path / "empty").mkdir()
        os.symlink(tmp_path / "empty", root / "static")
        where, target = "static", tmp_path / "empty"
    else:
        if kind == "retarget":
            (root / "static/leak").unlink()
            os.utime(outside, ns=(0, os.stat(root / "static/ok.txt").st_mtime_ns))
        os.symlink(outside, root / "static/leak")
        where, target = "static/leak", outside
    code, err = _build(root, out)
    assert code == 1
    assert err.startswith(f"{where}: is a symbolic link to {str(target.resolve())!r}, outside")
    assert _files(out) == before


def test_noop_shortcut_leak_to_etc_hostname_is_reported(
    make_site: MakeSite, tmp_path: Path
) -> None:
    if not Path("/etc/hostname").is_file():
        pytest.skip("no /etc/hostname")
    root = make_site({"content/a.md": article()})
    out = tmp_path / "out"
    assert _build(root, out) == (0, "")
    (root / "static").mkdir()
    os.symlink("/etc/hostname", root / "static/leak")
    code, err = _build(root, out)
    assert (code, err) == (
        1,
        f"static/leak: is a symbolic link to {str(Path('/etc/hostname').resolve())!r}, "
        "outside the site; copy the file into the site instead\n"
        "error: build failed (1 problem)\n",
    )
    assert not (out / "leak").exists()
