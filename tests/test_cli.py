from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sitegen import __version__
from sitegen.cli import cli
from tests.conftest import MakeSite, article


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_version_and_help() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"sitegen, version {__version__}\n")
    code, out, _ = run("build", "--help")
    assert code == 0
    for option in ("-o, --output", "--drafts", "--strict", "-q, --quiet"):
        assert option in out


def test_cli_build_without_warnings_prints_summary(make_site: MakeSite, tmp_path: Path) -> None:
    """The summary once came only after warnings: a clean build printed nothing."""
    root = make_site({"content/a.md": article("A")})
    code, out, err = run("build", str(root), "-o", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    assert out == f"built 1 article: 8 pages and 1 static file in {tmp_path / 'out'}\n"


def test_cli_build_success_prints_summary(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B", titel="x")})
    code, out, err = run("build", str(root), "-o", str(tmp_path / "out"))
    assert code == 0
    assert out == f"built 2 articles: 9 pages and 1 static file in {tmp_path / 'out'}\n"
    assert err == "content/b.md:4: warning: unknown key 'titel'; did you mean 'title'?\n"
    assert (tmp_path / "out/a/index.html").is_file()


def test_cli_prints_warnings_in_file_and_line_order(make_site: MakeSite, tmp_path: Path) -> None:
    """Loading, the site-wide checks and the lead-image check each find some of these; the
    editor reads them as one list, file by file, line by line."""
    root = make_site(
        {
            "content/b.md": article("B", titel="x", image="/missing.jpg"),
            "content/a.md": article("A", image="/gone.jpg", image_alt="Gone"),
        }
    )
    code, _, err = run("build", str(root), "-o", str(tmp_path / "out"))
    assert code == 0
    assert [line.split(": warning: ")[0] for line in err.splitlines()] == [
        "content/a.md:4",
        "content/b.md:4",
        "content/b.md:5",
        "content/b.md:5",
    ]
    assert "image: '/missing.jpg' not found" in err.splitlines()[2] + err.splitlines()[3]


def test_cli_build_quiet_prints_nothing_on_success(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A", titel="x")})
    assert run("build", str(root), "-q", "-o", str(tmp_path / "out")) == (0, "", "")


def test_cli_build_errors_go_to_stderr_with_exit_1(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/a.md": "---\ntitle: A\ndate: nope\n---\n",
            "content/b.md": "---\ntitle: B\n",
        }
    )
    code, out, err = run("build", str(root), "-o", str(tmp_path / "out"))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "content/a.md:3: date: cannot parse 'nope'; use YYYY-MM-DD or ISO 8601 (2024-03-01T18:30:00+01:00)",
        "content/b.md:1: front matter is not closed; add a line '---' after the last field",
        "error: build failed (2 problems)",
    ]
    assert "Traceback" not in err


def test_cli_build_strict_turns_unknown_keys_into_errors(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("A", titel="x")})
    code, _, err = run("build", str(root), "--strict", "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[0] == "content/a.md:4: unknown key 'titel'; did you mean 'title'?"


def test_cli_usage_error_exits_2() -> None:
    code, _, err = run("build", "--no-such-option")
    assert code == 2
    assert "No such option" in err


def test_cli_refuses_foreign_output_dir(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article()})
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/cv.txt").write_text("mine")
    code, _, err = run("build", str(root), "-o", str(tmp_path / "docs"))
    assert code == 1
    assert err.startswith(f"{tmp_path / 'docs'}: refusing to replace a directory that is not empty")


def test_cli_internal_error_has_no_traceback(
    make_site: MakeSite, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("sitegen.build.build", explode)
    code, _, err = run("build", str(make_site({})), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err == "Error: internal error: RuntimeError: boom; rerun with --debug and report it\n"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout == f"sitegen, version {__version__}\n"


def test_cli_build_stats_and_no_cache(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    out = str(tmp_path / "out")
    code, stdout, _ = run("build", str(root), "-o", out, "--stats", "-q")
    assert code == 0
    assert stdout.startswith("articles: 2 parsed, 0 from cache; files: ")
    assert "time: load " in stdout
    code, stdout, _ = run("build", str(root), "-o", out, "--stats", "-q")
    assert stdout == "nothing changed since the last build: no file read, made or written\n"
    code, stdout, _ = run("build", str(root), "-o", out, "--stats", "-q", "--no-cache")
    assert stdout.startswith("articles: 2 parsed, 0 from cache;")


def test_cli_build_future(make_site: MakeSite, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    root = make_site({"content/later.md": article("Later", "2030-01-01")})
    run("build", str(root), "-o", str(tmp_path / "a"))
    assert not (tmp_path / "a/later").exists()
    run("build", str(root), "-o", str(tmp_path / "b"), "--future")
    assert (tmp_path / "b/later/index.html").is_file()


def test_cli_clean_removes_cache_and_output_but_nothing_foreign(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("A")})
    assert run("build", str(root), "-q") == (0, "", "")
    assert (root / ".sitegen-cache").is_dir() and (root / "build/index.html").is_file()
    code, out, _ = run("clean", str(root))
    assert (code, out) == (0, f"removed {root / '.sitegen-cache'}, {root / 'build'}\n")
    assert not (root / "build").exists() and not (root / ".sitegen-cache").exists()
    for title in ("A", "A, revised"):  # a rebuild keeps the previous output beside
        (root / "content/a.md").write_text(article(title))
        assert run("build", str(root), "-q")[0] == 0
    assert (root / ".build.spare/index.html").is_file()
    code, out, _ = run("clean", str(root))
    assert out.endswith(f"{root / 'build'}, {root / '.build.spare'}\n")
    assert sorted(p.name for p in root.iterdir()) == ["content", "sitegen.yaml"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.txt").write_text("keep")
    code, _, err = run("clean", str(root), "-o", str(tmp_path / "mine"))
    assert code == 1 and "not removed, it was not written by sitegen" in err
    assert (tmp_path / "mine/thesis.txt").is_file()


def test_cli_clean_refuses_an_output_that_is_a_symbolic_link(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Removing the link's target would reach outside the site; removing nothing and saying
    so, before the cache goes, leaves the user to decide."""
    root = make_site({"content/a.md": article("A")})
    assert run("build", str(root), "-q", "-o", str(tmp_path / "real"))[0] == 0
    (root / "build").symlink_to(tmp_path / "real")
    code, _, err = run("clean", str(root))
    assert code == 1
    assert f"{root / 'build'}: not removed, it is a symbolic link; remove the link itself" in err
    assert "Traceback" not in err
    assert (tmp_path / "real/index.html").is_file() and (root / ".sitegen-cache").is_dir()


def test_cli_missing_site_folder_is_a_usage_error_that_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-site"
    for command in (["build"], ["check"], ["serve"], ["bundle"], ["clean"], ["new", "T", "-s"]):
        code, _, err = run(*command, str(missing))
        assert code == 2, command
        assert "no-such-site' does not exist" in err, command
    assert not missing.exists()


def test_cli_prints_every_warning_and_exits_with_the_build_status(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Run as editors and CI do: the installed command in a process of its own (which
    leaves without tearing down its heap, so the streams must still arrive whole)."""
    files = {f"content/a{i}.md": article(f"A{i}", titel="x") for i in range(300)}
    root = make_site(files)
    command = [sys.executable, "-m", "sitegen", "build", str(root), "-o", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr.count("warning: unknown key 'titel'") == 300
    assert done.stdout.startswith("built 300 articles")
    (root / "content/a0.md").write_text("---\ntitle: [broken\n---\n")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "content/a0.md:3: invalid YAML" in done.stderr
    assert done.stderr.endswith("error: build failed (1 problem)\n")


def test_cli_prints_thousands_of_warnings_a_line_each_then_the_same_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """More warnings than are printed in one part (cache.warnings): each whole, on its
    own line, in line order; a rebuild with nothing to do prints the same bytes."""
    keys = "".join(f"k{i}: x\n" for i in range(1200))
    root = make_site({"content/a.md": f"---\ntitle: A\ndate: 2024-01-01\n{keys}---\nBody\n"})
    command = [sys.executable, "-m", "sitegen", "build", str(root), "-o", str(tmp_path / "out")]
    first = subprocess.run(command, capture_output=True, check=True)
    expected = "".join(f"content/a.md:{i + 4}: warning: unknown key 'k{i}'\n" for i in range(1200))
    assert first.stderr.decode() == expected
    assert first.stdout.startswith(b"built 1 article")
    again = subprocess.run(command, capture_output=True, check=True)
    assert (again.stderr, again.stdout) == (first.stderr, first.stdout)


def test_debug_says_why_a_build_was_a_full_one(make_site: MakeSite, tmp_path: Path) -> None:
    """In a process of its own: the log handler is made once per process."""
    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(3)})
    command = [sys.executable, "-m", "sitegen", "--debug", "build", str(root), "-o"]
    command.append(str(tmp_path / "out"))
    subprocess.run(command, check=True, capture_output=True)
    (root / "content/new.md").write_text(article("New"))
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    assert "a full build: " in done.stderr
    (root / "content/newer.md").write_text(article("Newer"))
    plain = subprocess.run(command[:3] + command[4:], check=True, capture_output=True, text=True)
    assert "a full build" not in plain.stderr and "built 5 articles" in plain.stdout
