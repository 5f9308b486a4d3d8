"""Issue 25 part 3: whatever one file holds, the build ends in `path:line: message`
problems reported together (exit 1), never `internal error` or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import cli
from sitegen.content import article
from tests.conftest import MakeSite

HEAD = "---\ntitle: A\ndate: 2025-01-01\n---\n"


def run_build(root: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), "--no-cache"])
    return result.exit_code, result.output


@pytest.mark.parametrize("failure", [RecursionError, ValueError, OSError, KeyError])
def test_an_exception_inside_one_file_is_that_files_error(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type
) -> None:
    real = article.excerpt_and_text

    def boom(summary: str, body: str) -> tuple[str, str]:
        if "BOOM" in body:
            raise failure("went\nwrong")
        return real(summary, body)

    monkeypatch.setattr(article, "excerpt_and_text", boom)
    root = make_site(
        {
            "content/bad.md": HEAD + "BOOM\n",
            "content/other.md": "---\ntitle: B\ndate: 2025-13-45\n---\nFine\n",
            "content/good.md": HEAD.replace("A", "C") + "Fine\n",
        }
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    shown = "'went\\nwrong'" if failure is KeyError else "went wrong"  # KeyError shows a repr
    detail = f"{failure.__name__}: {shown}"
    assert (
        f"content/bad.md:1: cannot be converted ({detail}); simplify the file (deep nesting?) "
        "or report this with the file"
    ) in output.splitlines()
    assert any(line.startswith("content/other.md:3: date:") for line in output.splitlines())
    assert "error: build failed (2 problems)" in output
    assert "Traceback" not in output and "internal error" not in output


def test_memory_errors_are_not_swallowed(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(summary: str, body: str) -> tuple[str, str]:
        raise MemoryError

    monkeypatch.setattr(article, "excerpt_and_text", boom)
    root = make_site({"content/bad.md": HEAD + "Body\n"})
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "cannot be converted" not in result.output


NESTED = {
    "emphasis": "*" * 3000 + "x" + "*" * 3000 + "\n",
    "lists": "".join("  " * depth + "- a\n" for depth in range(500)),
    "markdown blocks": '<div markdown="1">\n\n' * 300 + "*x*\n\n" + "</div>\n\n" * 300,
    "quotes": "> " * 2000 + "x\n",
    "raw html": "<p>" + "<span>" * 3000 + "x" + "</span>" * 3000 + "</p>\n",
}


@pytest.mark.parametrize("engine", ["markdown", "cmark"])
@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_markdown_builds(
    make_site: MakeSite, tmp_path: Path, engine: str, body: str
) -> None:
    """Legal input, however deep: the engines bound their own nesting, and sitegen's
    passes over the result (typography, excerpt, links) do not recurse."""
    root = make_site(
        {
            "sitegen.yaml": f"base_url: https://example.org/\nmarkdown_engine: {engine}\n",
            "content/x.md": HEAD + body,
        }
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 0, output
    assert "x" in (tmp_path / "out/x/index.html").read_text()
