from __future__ import annotations

import json
import os
import random
import stat
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from sitegen.errors import OutputError
from sitegen.publish.integrity import data_hash
from sitegen.publish.staging import (
    BEHIND,
    MARKER,
    OWNER,
    Staging,
    check_output_dir,
    make_spare,
    publish,
    spare_dir,
)


def files_in(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    files = (
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "SHA256SUMS"
    )
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def publish_all(out: Path, files: Mapping[str, bytes]) -> None:
    """What a build does: write the files that differ, keep the rest, swap."""
    old = files_in(out)
    remade = {path: data for path, data in files.items() if old.get(path) != data}
    staging = Staging(out)
    staging.write_all(remade)
    publish(staging, files, {path: data_hash(data) for path, data in remade.items()}, old)


def test_publish_creates_output_with_marker(tmp_path: Path) -> None:
    publish_all(
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
    publish_all(out, {"old/index.html": b"old", "index.html": b"1"})
    publish_all(out, {"index.html": b"2"})
    assert not (out / "old").exists()
    assert (out / "index.html").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.spare", "out"]
    assert (spare_dir(out) / "old/index.html").read_bytes() == b"old"  # the previous output


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
    publish_all(tmp_path / "ours", {"index.html": b"x"})
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
    publish_all(out, {"index.html": b"good"})
    with pytest.raises(OutputError):
        publish_all(out, {"index.html": b"new", "index.html/x": b"cannot be under a file"})
    assert (out / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_series_of_small_changes_through_the_spare_gives_each_site_exactly(
    tmp_path: Path,
) -> None:
    """The spare lags one build behind and shares unchanged files with the output (hard
    links): bringing it up to date must never change the output's files, and must leave
    exactly the new site, whatever was added, changed or removed in the last two builds."""
    out, chooser = tmp_path / "out", random.Random(7)
    paths = ["index.html", "a/index.html", "a/b/index.html", "c/index.html", "css/s.css"]
    for version in range(40):
        site = {p: f"{p} v{chooser.randrange(3)}".encode() for p in paths if chooser.random() < 0.7}
        before = files_in(out)
        staging = Staging(out)
        assert (staging.path == spare_dir(out)) == (version >= 2)  # a spare from the 3rd build on
        remade = {p: d for p, d in site.items() if before.get(p) != d}
        staging.write_all(remade)
        staging.fill(site, set(remade), before)
        assert files_in(out) == before  # the output is untouched until the exchange
        staging.commit(changed=set(remade) | (set(before) - set(site)))  # as publish() does
        assert files_in(out) == site, version
        assert not (out / BEHIND).exists() and not (out / OWNER).exists()


def test_a_spare_made_from_the_output_serves_as_one_a_build_kept(tmp_path: Path) -> None:
    """A first build leaves no spare; make_spare links the output's files into one (a
    rebuild has it made while it loads): the next site goes through it exactly, and the
    output's own files are never changed through the links they share."""
    out = tmp_path / "out"
    first = {"index.html": b"1", "a/index.html": b"a", "a/b/index.html": b"b", "css/s.css": b"c"}
    publish_all(out, first)
    spare = spare_dir(out)
    assert not spare.exists()
    make_spare(out, [*first, "deleted/by-hand.html"])  # a file gone from the output: skipped
    assert files_in(spare) == first
    assert json.loads((spare / BEHIND).read_text()) == [] and not (spare / OWNER).exists()
    assert (spare / "a/b/index.html").stat().st_ino == (out / "a/b/index.html").stat().st_ino
    (spare / "kept").write_text("")
    make_spare(out, first)  # there is one already: left as it is
    assert (spare / "kept").exists()
    (spare / "kept").unlink()
    second = {"index.html": b"2", "a/index.html": b"a", "c/index.html": b"c"}
    publish_all(out, second)
    assert files_in(out) == second
    assert files_in(spare) == first  # the previous output, now the spare
    assert not [p.name for p in tmp_path.iterdir() if ".staging-" in p.name]


def test_a_spare_a_killed_build_was_filling_is_not_used(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for version in (b"1", b"2", b"3"):
        publish_all(out, {"index.html": version, "about/index.html": b"about"})
    spare = spare_dir(out)
    (spare / OWNER).write_text("999999999")  # no such process: killed while filling
    (spare / "about/index.html").unlink()  # and it had got this far
    publish_all(out, {"index.html": b"4", "about/index.html": b"about"})
    assert files_in(out) == {"index.html": b"4", "about/index.html": b"about"}
    assert files_in(spare) == {"index.html": b"3", "about/index.html": b"about"}  # a new one


@pytest.mark.parametrize("how", ["output deleted by hand", "cache deleted"])
def test_a_spare_the_build_cannot_trust_is_not_used(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `rm -rf build` (the spare stays) or without the cache (the build does not know
    what the output holds), the spare's old files must not come back."""
    import shutil as sh

    from sitegen.build import build as run_build
    from tests.conftest import article

    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("base_url: https://example.org/\n")
    for name in ("gone", "kept"):
        (site / f"content/{name}.md").write_text(article(name.title()))
    out = tmp_path / "out"
    run_build(site, out)
    (site / "content/kept.md").write_text(article("Kept, revised"))
    run_build(site, out)  # now the spare holds the first build, 'gone' included
    assert (spare_dir(out) / "gone/index.html").is_file()
    (site / "content/gone.md").unlink()
    if how == "output deleted by hand":
        sh.rmtree(out)
    else:
        sh.rmtree(site / ".sitegen-cache")
    run_build(site, out)
    reference = tmp_path / "reference"
    run_build(site, reference, use_cache=False)
    assert files_in(out) == files_in(reference)
    assert not (out / "gone").exists()
    wait_until_set_aside_removed(tmp_path)
    if how == "output deleted by hand":
        assert not spare_dir(out).exists()  # (else the output it replaced is the spare)


def test_a_spare_the_build_cannot_use_is_moved_aside_and_removed_by_another_process(
    tmp_path: Path,
) -> None:
    """After `rm -rf build` the old spare is moved aside at once and removed by a process
    of its own: removing it took seconds of a large cold build, with the caches cold."""
    import shutil as sh

    from sitegen.build import build as run_build
    from tests.conftest import article

    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("base_url: https://example.org/\n")
    (site / "content/a.md").write_text(article("A"))
    out = tmp_path / "out"
    run_build(site, out)
    (site / "content/a.md").write_text(article("A, revised"))
    run_build(site, out)
    assert spare_dir(out).is_dir()
    sh.rmtree(out)
    run_build(site, out)
    assert not spare_dir(out).exists() and (out / "a/index.html").is_file()
    wait_until_set_aside_removed(tmp_path)


def wait_until_set_aside_removed(folder: Path) -> None:
    """A spare set aside is removed by a process of its own, after the build returns."""
    deadline = time.monotonic() + 30
    while [p for p in folder.iterdir() if ".dropped-" in p.name]:
        assert time.monotonic() < deadline, "the spare set aside was not removed"
        time.sleep(0.05)


def test_the_remover_takes_only_a_folder_set_aside_and_names_it_after_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While it runs, its own pid is in the folder's name: a build meanwhile leaves it be."""
    from sitegen.publish import spare

    kept = tmp_path / "out"
    kept.mkdir()
    assert not spare.remove_set_aside(kept) and kept.is_dir()
    aside = tmp_path / ".out.dropped-1"
    (aside / "a").mkdir(parents=True)
    (aside / "a/index.html").write_text("old")
    seen: list[str] = []
    real = spare.remove_tree

    def spy(path: Path, *, ignore_errors: bool = False) -> None:
        seen.append(Path(path).name)
        real(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(spare, "remove_tree", spy)
    assert spare.remove_set_aside(aside)
    assert seen == [f".out.dropped-{os.getpid()}"] and not list(tmp_path.glob(".out.*"))


@pytest.mark.parametrize(
    ("umask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o002, 0o664, 0o775)]
)
def test_written_files_and_folders_follow_the_umask_as_other_tools_do(
    tmp_path: Path, umask: int, file_mode: int, folder_mode: int
) -> None:
    """A web server reading the output as another user needs the usual modes."""
    old = os.umask(umask)
    try:
        publish_all(tmp_path / "out", {"a/b/index.html": b"b", "index.html": b"i"})
    finally:
        os.umask(old)
    out = tmp_path / "out"
    for path in (out / "index.html", out / "a/b/index.html"):
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path
    for path in (out / "a", out / "a/b"):
        assert stat.S_IMODE(path.stat().st_mode) == folder_mode, path


def test_folders_made_by_another_process_while_files_are_written_give_the_same_site(
    tmp_path: Path,
) -> None:
    """A build's main process makes the folders while its workers write the files: whoever
    comes first makes a folder, and no file is lost or truncated either way."""
    files = {f"s{i}/index.html": b"page %d" % i for i in range(300)}
    files |= {"a/b/c/index.html": b"deep", "index.html": b"top", "a/b/index.html": b"b"}
    out = tmp_path / "out"
    staging = Staging(out)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            staging.make_folders(reversed(list(files)))  # meets the writer halfway
        finally:
            os._exit(0)
    staging.write_all(files)
    os.waitpid(child, 0)
    staging.make_folders(files)  # again, all there: harmless
    publish(staging, files, {path: data_hash(data) for path, data in files.items()}, {})
    assert files_in(out) == files


def test_a_folder_that_cannot_be_made_ahead_is_left_to_the_writer(tmp_path: Path) -> None:
    """Making folders ahead only saves time: where it fails (a file stands where a folder
    should be), writing that file fails as it would have, with the system's reason."""
    staging = Staging(tmp_path / "out")
    staging.write("taken", b"a file, not a folder")
    staging.make_folders(["taken/index.html", "free/index.html"])  # no exception
    assert (staging.path / "free").is_dir()
    with pytest.raises(NotADirectoryError):
        staging.write("taken/index.html", b"page")
    staging.discard()
