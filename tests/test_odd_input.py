"""Odd files and broken templates: each builds as an editor would expect, or fails with
one clear `path:line: message` and exit status 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.cli import cli
from tests.conftest import MakeSite

HEAD = "---\ntitle: {title}\ndate: 2025-01-0{day}\n---\n"


def write(root: Path, name: str, data: bytes) -> None:
    (root / "content" / name).write_bytes(data)


def run_build(root: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out)])
    return result.exit_code, result.output


def test_bom_crlf_and_old_mac_line_endings_build_like_plain_files(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({})
    write(root, "bom.md", b"\xef\xbb\xbf" + HEAD.format(title="BOM", day=1).encode() + b"Bom.\n")
    crlf = HEAD.format(title="CRLF", day=2) + "One\n\nTwo\n"
    write(root, "crlf.md", crlf.replace("\n", "\r\n").encode())
    write(root, "cr.md", (HEAD.format(title="CR", day=3) + "Mac\n").replace("\n", "\r").encode())
    build(root, tmp_path / "out")
    assert "<p>Bom.</p>" in (tmp_path / "out/bom/index.html").read_text()
    assert "<p>One</p>\n<p>Two</p>" in (tmp_path / "out/crlf/index.html").read_text()
    assert "<p>Mac</p>" in (tmp_path / "out/cr/index.html").read_text()
    assert "\r" not in (tmp_path / "out/crlf/index.html").read_text()


def test_front_matter_only_is_an_article_with_an_empty_body(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({})
    write(root, "brief.md", HEAD.format(title="Brief", day=4).encode())
    build(root, tmp_path / "out")
    assert "<h1>Brief</h1>" in (tmp_path / "out/brief/index.html").read_text()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "content/x.md:1: the file is empty; start it with front matter (see sitegen's docs/writing-articles.md) or remove it"),
        (b" \n\n", "content/x.md:1: the file is empty; start it with front matter (see sitegen's docs/writing-articles.md) or remove it"),
        (b"Just text\n", "content/x.md:1: missing front matter; the file must start with a line '---'"),
        (b"---\ntitle: A\ndate: 2025-01-01\nBody\n", "content/x.md:1: front matter is not closed; add a line '---' after the last field"),
        (b"---\ntitle: A\ndate: 2025-01-01\n---\nline\ncaf\xe9 au lait\n", "content/x.md:6: not valid UTF-8 text (byte 42: b'\\xe9'); save the file as UTF-8"),
        (b"---\ntitle: [unclosed\ndate: 2025-01-01\n---\n", "content/x.md:"),
        # the byte is counted from the file's start, a UTF-8 BOM included, as `xxd` shows it
        (b"\xef\xbb\xbf---\ntitle: A\n---\n\xe9\n", "content/x.md:4: not valid UTF-8 text (byte 20: b'\\xe9'); save the file as UTF-8"),
        # lines end in a lone CR in files from old Mac editors
        (b"---\rtitle: A\rdate: 2025-01-01\r---\rline\rcaf\xe9\r", "content/x.md:6: not valid UTF-8 text"),
        # Windows Notepad's "Unicode": the message says what happened
        ("---\ntitle: A\n---\n".encode("utf-16"), "content/x.md:1: not valid UTF-8 text (byte 0: b'\\xff'; the file is UTF-16, as Windows saves 'Unicode' text); save the file as UTF-8"),
        # a line separator pasted from a word processor is not a line break for the editor
        ("---\ntitle: A\u2028B\ndate: 2025-13-45\n---\n".encode(), "content/x.md:3: date: cannot read this value"),
        # found by test_fuzz_input: YAML reads this as a date, which Python refuses
        (b"---\ntitle: A\ndate: 2025-13-45\n---\n", "content/x.md:3: date: cannot read this value (month must be in 1..12)"),
    ],
)  # fmt: skip
def test_broken_files_are_one_clear_error(
    make_site: MakeSite, tmp_path: Path, data: bytes, expected: str
) -> None:
    root = make_site({"content/ok.md": HEAD.format(title="Fine", day=5)})
    out = tmp_path / "out"
    assert run_build(root, out)[0] == 0
    before = (out / "ok/index.html").read_bytes()
    write(root, "x.md", data)
    code, output = run_build(root, out)
    assert code == 1
    errors = [line for line in output.splitlines() if line.startswith("content/")]
    assert len(errors) == 1 and errors[0].startswith(expected), output
    assert "Traceback" not in output
    assert (out / "ok/index.html").read_bytes() == before


def test_hidden_files_and_editor_leftovers_are_ignored(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": HEAD.format(title="A", day=1)})
    for name in ("a.md~", "#a.md#", ".a.md.swp", "a.md.bak", "4913", ".hidden.md", ".#a.md"):
        write(root, name, b"not an article")
    (root / "content/.git").mkdir()
    write(root, ".git/b.md", b"not an article either")
    report = build(root, tmp_path / "out")
    assert report.articles == 1 and report.warnings == ()


def test_raw_html_in_markdown_is_kept_as_written(make_site: MakeSite, tmp_path: Path) -> None:
    body = '<div class="callout">Read <em>this</em></div>\n\n<iframe src="/map.html"></iframe>\n'
    root = make_site({"content/a.md": HEAD.format(title="A", day=1) + body})
    build(root, tmp_path / "out")
    page = (tmp_path / "out/a/index.html").read_text()
    assert '<div class="callout">Read <em>this</em></div>' in page
    assert '<iframe src="/map.html"></iframe>' in page


def test_a_10_mb_article_builds(make_site: MakeSite, tmp_path: Path) -> None:
    paragraph = "Testimony " * 100 + "\n\n"
    body = paragraph * (10 * 1024 * 1024 // len(paragraph))
    root = make_site({"content/long.md": HEAD.format(title="Long", day=1) + body})
    report = build(root, tmp_path / "out")
    page = tmp_path / "out/long/index.html"
    assert report.articles == 1 and page.stat().st_size > 10 * 1024 * 1024
    assert page.read_text().count("<p>Testimony") == body.count("\n\n")


# template errors -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% extends 'base.html' %}\n{% block main %}\n{{ article.title }\n{% endblock %}\n",
         "templates/article.html:3: unexpected '}' (template syntax error)"),
        ("{% extends 'base.html' %}\n{% block main %}\n<p>\n{{ article.subtitle }}\n{% endblock %}\n",
         "templates/article.html:4: 'sitegen.model.Article object' has no attribute 'subtitle' (template error)"),
        ("{% extends 'base.html' %}\n{% block main %}\n{% include 'part.html' %}\n{% endblock %}\n",
         "templates/article.html:3: template 'part.html' not found in "),
        ("{% extends 'frame.html' %}\n", "templates/article.html:1: template 'frame.html' not found in "),
    ],
)  # fmt: skip
def test_template_errors_name_the_template_and_line(
    make_site: MakeSite, tmp_path: Path, template: str, expected: str
) -> None:
    root = make_site(
        {"content/a.md": HEAD.format(title="A", day=1), "templates/article.html": template}
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert output.splitlines()[0].startswith(expected), output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


LAUGHS = "".join(
    f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10) if n else ', '.join(['lol'] * 10)}]\n"
    for n in range(9)
)  # nine levels of ten: a billion "lol"s in under 500 bytes


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/x.md": f"---\ntitle: A\ndate: 2025-01-01\nextra:\n{LAUGHS}---\nBody\n"},
            "content/x.md:4: extra: YAML aliases (*name) here stand for more than 10,000 items written out; write the value without them",
        ),
        (
            {
                "content/x.md": "---\ntitle: A\ndate: 2025-01-01\n---\n",
                "sitegen.yaml": f"title: S\nmenu:\n{LAUGHS}",
            },
            "sitegen.yaml:2: menu: YAML aliases (*name) here stand for more than 10,000 items written out; write the value without them",
        ),
        (
            {"content/x.md": "---\ntitle: A\ndate: 2025-01-01\nextra: &me\n  again: *me\n---\n"},
            "content/x.md:4: extra: a YAML alias (*name) here is inside the value it names; remove it",
        ),
    ],
    ids=["front matter", "sitegen.yaml", "alias inside itself"],
)
def test_yaml_alias_bombs_are_one_clear_error(
    make_site: MakeSite, tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    """A few hundred bytes of nested aliases would be written out in full by the cache and
    by messages that show the value: gigabytes. They are refused at their line instead."""
    root = make_site(files)
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert expected in output.splitlines()
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_yaml_aliases_of_a_sensible_size_still_work(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/x.md": "---\ntitle: A\ndate: 2025-01-01\ntags: &t [Vigils, Courts]\nextra:\n  topics: *t\n---\nBody\n"
        }
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 0, output
    assert (tmp_path / "out/tag/courts/index.html").is_file()


def test_messages_show_long_values_cut_short(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {"content/x.md": f"---\ntitle: A\ndate: 2025-01-01\ntags: {'word ' * 400}\n---\n"}
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    (line,) = [line for line in output.splitlines() if line.startswith("content/x.md:4: tags:")]
    assert line.startswith("content/x.md:4: tags: expected a list, got text 'word word")
    assert len(line) < 250 and "…" in line
