from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import OutputError
from sitegen.write import MARKER, check_output_dir, publish


def test_publish_creates_output_with_marker(tmp_path: Path) -> None:
    publish(
        tmp_path / "out",
        {"index.html": b"<p>hi</p>", "a/b/index.html": b"b", "css/s.css": b"body{}"},
    )
    out = tmp_path / "out"
    assert (out / "index.html").read_bytes() == b"<p>hi</p>"
    assert (out / "a/b/index.html").read_bytes() == b"b"
    assert (out / "css/s.css").read_text() == "body{}"
    assert (out / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_publish_replaces_previous_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, {"old/index.html": b"old", "index.html": b"1"})
    publish(out, {"index.html": b"2"})
    assert not (out / "old").exists()
    assert (out / "index.html").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_check_output_dir_refuses_foreign_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.doc").write_text("years of work")
    problems = check_output_dir(home, tmp_path / "site")
    assert [p.message for p in problems] == [
        "refusing to replace a directory that is not empty and was not written by sitegen "
        f"(no {MARKER} file); choose an empty or new directory"
    ]


def test_check_output_dir_accepts_new_empty_and_previous_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert check_output_dir(tmp_path / "new", site) == []
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty", site) == []
    publish(tmp_path / "ours", {"index.html": b"x"})
    assert check_output_dir(tmp_path / "ours", site) == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (".", "output directory contains the site itself; choose e.g. 'build'"),
        ("..", "output directory contains the site itself; choose e.g. 'build'"),
        ("content/out", "output directory is inside content/; choose e.g. 'build'"),
        ("static", "output directory is inside static/; choose e.g. 'build'"),
    ],
)
def test_check_output_dir_refuses_site_folders(tmp_path: Path, output: str, message: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    problems = check_output_dir(site / output, site)
    assert [p.message for p in problems] == [message]


def test_check_output_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    assert [p.message for p in check_output_dir(tmp_path / "out", tmp_path / "s")] == [
        "exists and is not a directory"
    ]


def test_publish_failure_leaves_previous_output_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, {"index.html": b"good"})
    with pytest.raises(OutputError):
        publish(out, {"index.html": b"new", "index.html/x": b"cannot be under a file"})
    assert (out / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
