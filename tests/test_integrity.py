"""SHA256SUMS and `sitegen verify` (issue 25, part 6): odd file names in `sha256sum`'s
escaped format, names sitegen writes itself refused as input, and every entry of a copy
that differs reported, whatever its type, without following links or opening FIFOs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sitegen import urls
from sitegen.cli import cli
from sitegen.publish import integrity
from sitegen.publish.integrity import SUMS, read_sums, sums_line, verify
from sitegen.publish.staging import BEHIND, MARKER, OWNER
from tests.conftest import BuildSite, MakeSite, article

ODD = {
    "new\nline.txt": "a",
    "back\\slash.txt": "b",
    "carriage\rreturn.txt": "c",
    "form\ffeed.txt": "d",
    "line\u2028separator.txt": "e",
    "caf\u00e9 menu.txt": "f",
}
DIGEST = "ab" * 32


def run_verify(folder: Path) -> subprocess.CompletedProcess[str]:
    """`sitegen verify` in a process of its own, so a hang fails the test instead."""
    command = [sys.executable, "-m", "sitegen", "verify", str(folder)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_sums_line_escapes_names_as_sha256sum_does() -> None:
    assert sums_line(DIGEST, "a/index.html") == f"{DIGEST}  a/index.html\n"
    assert sums_line(DIGEST, "new\nline") == f"\\{DIGEST}  new\\nline\n"
    assert sums_line(DIGEST, "back\\slash") == f"\\{DIGEST}  back\\\\slash\n"
    assert sums_line(DIGEST, "cr\rx") == f"\\{DIGEST}  cr\\rx\n"
    assert sums_line(DIGEST, "form\ffeed") == f"{DIGEST}  form\ffeed\n"  # not escaped


def test_sums_of_thousands_of_files_are_written_line_by_line_as_sha256sum_does() -> None:
    """Written a thousand lines at a time (publish.integrity): names sorted, an odd name
    escaped in whichever part it falls, and no other name escaped with it."""
    names = [f"p{i:04}.html" for i in range(2500)] + ["p1500\nodd.html", "p2400\\b.html"]
    known = {name: f"{i % 10}" * 64 for i, name in enumerate(names)}
    written = b"".join(integrity.sums_parts(Path("/nonexistent"), names, known))
    expected = "".join(sums_line(known[name], name) for name in sorted(names))
    assert written == expected.encode()
    marked = [line for line in written.splitlines() if line.startswith(b"\\")]
    assert len(written.splitlines()) == len(names) and len(marked) == 2


def test_read_sums_reads_back_every_name_it_wrote(tmp_path: Path) -> None:
    names = [*ODD, "a/index.html", "\\", "\\n", "x\\\nx"]
    (tmp_path / SUMS).write_text("".join(sums_line(DIGEST, name) for name in names))
    assert read_sums(tmp_path / SUMS) == dict.fromkeys(names, DIGEST)


def test_read_sums_skips_lines_sha256sum_would_refuse(tmp_path: Path) -> None:
    lines = [
        f"\\{DIGEST}  bad\\xescape",  # an escape sha256sum never writes
        f"\\{DIGEST}  trailing\\",
        f"{DIGEST[:-1]}  short",
        f"{DIGEST} one-space",
        f"{DIGEST.upper()}  upper",
        f"{DIGEST} *binary",
    ]
    (tmp_path / SUMS).write_text("\n".join(lines) + "\n")
    assert read_sums(tmp_path / SUMS) == {"upper": DIGEST, "binary": DIGEST}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils is not installed")
def test_sums_with_odd_names_pass_sha256sum_and_verify(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article("A")})
    for name, text in ODD.items():
        (root / "static" / name).parent.mkdir(exist_ok=True)
        (root / "static" / name).write_text(text)
    out = build_site(root)
    assert {name for name in ODD if (out / name).is_file()} == set(ODD)
    (root / "content/a.md").write_text(article("A, corrected"))
    for again in (False, True):  # a rebuild takes the unchanged files' hashes from SUMS
        check = ["sha256sum", "--check", "--strict", "--quiet", SUMS]
        subprocess.run(check, cwd=out, check=True, timeout=60)
        result = run_verify(out)
        assert result.returncode == 0, result.stderr
        assert read_sums(out / SUMS).keys() >= ODD.keys()
        if not again:
            build_site(root, out)


@pytest.fixture
def copy(make_site: MakeSite, build_site: BuildSite, tmp_path: Path) -> Path:
    """A verified copy of a small site."""
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    copy = shutil.copytree(build_site(root), tmp_path / "copy", symlinks=True)
    assert verify(copy).ok
    return copy


def test_verify_reports_every_added_missing_or_changed_entry(copy: Path) -> None:
    (copy / "a/index.html").write_text("<p>Altered by a censor</p>")
    (copy / "feed.xml").unlink()
    (copy / "b/extra.js").write_text("track()")
    (copy / "zero").symlink_to("/dev/zero")
    os.mkfifo(copy / "pipe")
    (copy / "empty").mkdir()
    (copy / "sitemap.xml").unlink()
    (copy / "sitemap.xml").symlink_to("/dev/zero")  # a listed file, now a symlink
    (copy / "b/index.html").unlink()
    os.mkfifo(copy / "b/index.html")  # and one now a FIFO
    result = run_verify(copy)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{copy}/a/index.html: altered",
        f"{copy}/b/extra.js: not in SHA256SUMS",
        f"{copy}/b/index.html: a FIFO, not a regular file",
        f"{copy}/empty: not in SHA256SUMS (an empty folder)",
        f"{copy}/feed.xml: missing",
        f"{copy}/pipe: not in SHA256SUMS (a FIFO)",
        f"{copy}/sitemap.xml: a symlink, not a regular file",
        f"{copy}/zero: not in SHA256SUMS (a symlink)",
        f"Error: {copy}: 8 files differ from SHA256SUMS",
    ]


def test_verify_reports_a_socket_and_a_symlinked_folder(copy: Path) -> None:
    shutil.move(copy / "a", copy.parent / "a-elsewhere")
    (copy / "a").symlink_to(copy.parent / "a-elsewhere")  # the same files, through a link
    with socket.socket(socket.AF_UNIX) as listener:
        try:
            listener.bind(str(copy / "s"))
        except OSError:  # a path too long for a socket's address
            pytest.skip("no socket at this path")
        differences = {d.name: d.what for d in verify(copy).differences}
    assert differences == {
        "a": "not in SHA256SUMS (a symlink)",
        "a/index.html": "missing",
        "s": "not in SHA256SUMS (a socket)",
    }


def test_verify_reports_sitegen_names_that_are_not_its_own_files(copy: Path) -> None:
    (copy / MARKER).unlink()  # no copy needs the marker: not a difference
    (copy / ".sitegen-extra.js").write_text("track()")  # only the marker is left out
    assert [(d.name, d.what) for d in verify(copy).differences] == [
        (".sitegen-extra.js", "not in SHA256SUMS")
    ]


def test_reserved_names_cover_every_file_sitegen_writes_into_the_output() -> None:
    temporary = f".index.html{urls.OWN_PREFIX}{os.getpid()}"  # Staging.fill's
    for name in (SUMS, MARKER, OWNER, BEHIND, f"a/{temporary}", "sha256sums/index.html"):
        assert urls.sitegen_name(name), name
    for name in ("sha256sums.txt", "a/SHA256SUMS", "sitegen-output", "a/b.sitegen-1"):
        assert urls.sitegen_name(name) is None, name


def test_reserved_names_from_static_pages_or_aliases_are_refused(
    make_site: MakeSite, tmp_path: Path
) -> None:
    aliases = '["/SHA256SUMS", "/.sitegen-output", "/.sitegen-owner", "/x/.a.sitegen-1.html"]'
    root = make_site(
        {
            "content/a.md": article("A", aliases=aliases),
            "content/b.md": article("B", slug="sha256sums"),
            "static/SHA256SUMS": "not the sums",
            "static/ok.txt": "fine",
        }
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out)])
    assert result.exit_code == 1
    own = "which sitegen keeps for its own files (names with '.sitegen-'); remove it"
    sums = "which sitegen keeps for its checksum file"
    assert result.output.splitlines() == [
        f"content/a.md:4: aliases: '/.sitegen-output' takes the name '.sitegen-output', {own}",
        f"content/a.md:4: aliases: '/.sitegen-owner' takes the name '.sitegen-owner', {own}",
        f"content/a.md:4: aliases: '/SHA256SUMS' takes the name 'SHA256SUMS', {sums}; remove it",
        f"content/a.md:4: aliases: '/x/.a.sitegen-1.html' takes the name '.a.sitegen-1.html', "
        f"{own}",
        f"content/b.md:4: URL '/sha256sums/' takes the name 'sha256sums', {sums}; "
        "choose another 'slug'",
        f"static/SHA256SUMS: takes the name 'SHA256SUMS', {sums}; rename it",
        "error: build failed (6 problems)",
    ]
    assert not out.exists()  # nothing written


def test_verify_reports_a_folder_it_cannot_read(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(chmod cannot show it to a test running as root, so the listing fails instead)"""
    scandir = os.scandir

    def refusing(path: str) -> Any:
        if Path(path) == copy / "a":
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(integrity.os, "scandir", refusing)
    assert [(d.name, d.what) for d in verify(copy).differences] == [
        ("a", "cannot be read"),
        ("a/index.html", "missing"),
    ]


def test_verify_reports_lines_of_sha256sums_sha256sum_would_refuse(copy: Path) -> None:
    lines = (copy / SUMS).read_text().splitlines(keepends=True)
    (copy / SUMS).write_text("".join([lines[0], "not a line\n", *lines[1:], lines[0]]))
    name = lines[0].split("  ", 1)[1].strip()
    assert [(d.name, d.what) for d in verify(copy).differences] == [
        (SUMS, "line 2 is not in sha256sum's format"),
        (SUMS, f"line {len(lines) + 2} lists {name!r} a second time"),
    ]
