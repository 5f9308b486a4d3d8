"""Issue 25 part 3: whatever one file holds, the build ends in `path:line: message`
problems reported together (exit 1), never `internal error` or a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import stages as build_module
from sitegen.cli import cli
from sitegen.config.settings import KNOWN_KEYS
from sitegen.content import article, loading
from sitegen.content.manifest import remove_tree
from sitegen.markup.engine import MarkdownRenderer
from sitegen.serve.preview import Preview
from sitegen.serve.server import BuildState
from tests.conftest import MakeSite, running_preview, wait_for
from tests.served import page_text
from tests.test_fuzz_input import EXAMPLES, yaml_value

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
    "html in a markdown block": '<div markdown="1">\n\n' + "<div>" * 3000 + "x" + "</div>" * 3001,
    "definition lists": "".join("    " * n + "a\n" + "    " * n + ":   x\n\n" for n in range(600)),
    "quotes": "> " * 2000 + "x\n",
    "raw html": "<p>" + "<span>" * 3000 + "x" + "</span>" * 3000 + "</p>\n",
    "emphasis in raw code": "x <code>" + "*" * 3000 + '"y"' + "*" * 3000 + '</code> "z"\n',
    "raw code elements": '"q" ' + "<kbd>" * 3000 + '"x" --' + "</kbd>" * 3000 + ' "z"\n',
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


def write_named(folder: Path, name: bytes, data: bytes) -> None:
    """A file whose name is bytes, as a disk from another system may hold."""
    os.makedirs(os.path.dirname(os.path.join(os.fsencode(folder), name)), exist_ok=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as file:
        file.write(data)


def test_file_names_that_are_not_utf8_are_errors(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/good.md": HEAD + "Fine\n"})
    write_named(root, b"content/caf\xe9.md", HEAD.encode() + b"Body\n")
    write_named(root, b"content/\xffnews/a.md", HEAD.encode() + b"Body\n")
    write_named(root, b"static/\xe9.css", b"p{}")
    for _ in range(2):  # the second time through the cache
        code, output = run_build(root, tmp_path / "out")
        assert code == 1
        assert output.splitlines() == [
            "content/\\xffnews:1: file name is not UTF-8 text; rename it",
            "content/caf\\xe9.md:1: file name is not UTF-8 text; rename it",
            "static/\\xe9.css:1: file name is not UTF-8 text; rename it",
            "error: build failed (3 problems)",
        ]


def test_serve_survives_hostile_saves(preview: tuple[Preview, Path]) -> None:
    """Deep nesting, a name that is not UTF-8, and a bug (simulated) in a rebuild: each is
    shown over the last good site, and the next good save is served."""
    running, root = preview
    (root / "content/a.md").write_text(HEAD + "*" * 3000 + "deep" + "*" * 3000 + "\n")
    wait_for(lambda: running.server.state.epoch == 2)
    assert "deep" in page_text(running, "/a/")
    write_named(root, b"content/caf\xe9.md", HEAD.encode() + b"Body\n")
    wait_for(lambda: running.server.state.problems != ())
    assert running.server.state.problems[0] == (
        "content/caf\\xe9.md:1: file name is not UTF-8 text; rename it"
    )
    os.remove(os.path.join(os.fsencode(root), b"content/caf\xe9.md"))
    wait_for(lambda: running.server.state == BuildState(3, ()))
    real = running.source.refresh

    def broken(saved: object = ()) -> object:
        raise RuntimeError("bug\udce9")

    running.source.refresh = broken  # type: ignore[method-assign,assignment]
    (root / "content/a.md").write_text(HEAD + "Again\n")
    wait_for(lambda: running.server.state.problems != ())
    assert running.server.state.problems == (
        "error: internal error: RuntimeError: bug\\udce9; please report it",
    )
    assert "deep" in page_text(running, "/a/")  # the last good site is still served
    running.source.refresh = real  # type: ignore[method-assign]
    (root / "content/a.md").write_text(HEAD + "Fixed\n")
    wait_for(lambda: running.server.state == BuildState(4, ()))
    assert "Fixed" in page_text(running, "/a/")


LONG = "a" * 300
CUT = "'" + "a" * 78 + "…"
TOO_LONG = "is longer than 255 bytes, the most a file or folder name may have"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (f"slug: {LONG}", f"content/x.md:4: slug: {CUT} {TOO_LONG}; choose a shorter one"),
        (
            f"tags: [Ok, {LONG}]",
            f"content/x.md:4: tags: tag {CUT} gives a URL name that {TOO_LONG}; shorten it",
        ),
        (
            f"byline: {LONG}",
            f"content/x.md:4: byline: {CUT} gives a URL name that {TOO_LONG}; shorten it",
        ),
        (
            f"aliases: [/old/{'é' * 128}/]",
            "content/x.md:4: aliases: '/old/" + "é" * 73 + "… has a part (between '/'s) "
            f"that {TOO_LONG}; shorten it",
        ),
    ],
    ids=["slug", "tag", "byline", "alias"],
)
def test_names_too_long_for_a_file_system_are_errors_at_their_line(
    make_site: MakeSite, tmp_path: Path, field: str, expected: str
) -> None:
    root = make_site({"content/x.md": f"---\ntitle: A\ndate: 2025-01-01\n{field}\n---\nx\n"})
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert output.splitlines() == [expected, "error: build failed (1 problem)"]


def test_new_with_a_very_long_title_makes_a_shorter_file_name(make_site: MakeSite) -> None:
    root = make_site({})
    runner = CliRunner()
    words = runner.invoke(cli, ["new", "Word " * 60, "--site", str(root)])
    assert words.exit_code == 0, words.output
    one = runner.invoke(cli, ["new", LONG, "--site", str(root)])
    assert one.exit_code == 0, one.output
    names = sorted(p.name for p in (root / "content").iterdir())
    assert names == ["a" * 80 + ".md", "-".join(["word"] * 16) + ".md"]
    code, output = run_build(root, root.parent / "out")
    assert code == 0, output


def test_markdown_blocks_nested_too_deep_are_kept_as_raw_html(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """md_in_html recurses once per level and gave up near 330: a markdown="1" block
    with more than 50 levels inside is kept as the raw HTML it is written as, whatever
    the depth, and the blocks beside it are still Markdown."""
    deep = '<div markdown="1">\n\n' * 1000 + "*deep*" + "\n\n</div>\n\n" * 1000
    shallow = '<div markdown="1">\n\n' * 50 + "*fine*" + "\n\n</div>\n\n" * 50
    root = make_site({"content/x.md": HEAD + deep + shallow})
    code, output = run_build(root, tmp_path / "out")
    assert code == 0, output
    page = (tmp_path / "out/x/index.html").read_text()
    assert "*deep*" in page and "<em>fine</em>" in page
    assert 'markdown="1"' not in page.split("*deep*")[1]


def test_markdown_depth_limits_are_fixed_numbers() -> None:
    """Not the stack's depth: the same text gives the same HTML in a worker, in
    `sitegen serve` or deep in a call stack."""
    renderer = MarkdownRenderer("markdown")

    def blocks(levels: int) -> str:
        return '<div markdown="1">\n\n' * levels + "*x*\n\n" + "</div>\n\n" * levels

    assert "<em>x</em>" in renderer.render(blocks(50))
    assert "*x*" in renderer.render(blocks(51))
    definitions = "".join(
        "    " * level + "a\n" + "    " * level + ":   b\n\n" for level in range(400)
    )

    def nested(levels: int) -> str:
        return renderer.render(definitions) if levels == 0 else nested(levels - 1)

    assert nested(0) == nested(300)
    assert nested(0).count("<dd>") == 100  # two elements a level: 200 deep, then text


def test_a_file_the_safety_net_caught_is_not_cached(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Such a failure may depend on more than the file (the stack's depth in a worker or
    in `serve`, sitegen's code): the next build tries the file again."""

    def boom(summary: str, body: str) -> tuple[str, str]:
        raise RecursionError("maximum recursion depth exceeded")

    root = make_site({"content/x.md": HEAD + "Body\n"})
    command = ["build", str(root), "-o", str(tmp_path / "out")]
    with monkeypatch.context() as patch:
        patch.setattr(article, "excerpt_and_text", boom)
        failed = CliRunner().invoke(cli, command)
    assert failed.exit_code == 1 and "cannot be converted" in failed.output
    built = CliRunner().invoke(cli, command)
    assert built.exit_code == 0, built.output
    assert "Body" in (tmp_path / "out/x/index.html").read_text()


def test_folders_nested_a_thousand_deep_build_and_check(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """os.walk (Python 3.11), rglob and os.makedirs recurse per level: sitegen's walks do not."""
    root = make_site({})
    (root / "static").mkdir()
    (root / "templates").mkdir()
    content, static, templates = (str(root / name) for name in ("content", "static", "templates"))
    for _ in range(1100):
        content, static = os.path.join(content, "d"), os.path.join(static, "s")
        templates = os.path.join(templates, "t")
        for folder in (content, static, templates):
            os.mkdir(folder)
    Path(content, "x.md").write_text(HEAD + "Deep\n")
    Path(static, "x.css").write_text("p{}")
    Path(templates, "unused.html").write_text("{{ x }}")
    try:
        for _ in range(2):
            code, output = run_build(root, tmp_path / "out")
            assert code == 0, output
        assert "Deep" in (tmp_path / "out/x/index.html").read_text()
        assert Path(str(tmp_path / "out"), *["s"] * 1100, "x.css").read_text() == "p{}"
        checked = CliRunner().invoke(cli, ["check", str(root)])
        assert "Traceback" not in checked.output and "internal error" not in checked.output
        bundled = CliRunner().invoke(cli, ["bundle", str(root), "-o", str(tmp_path / "b.zip")])
        assert bundled.exit_code == 0, bundled.output
        # watchdog recurses per level too: serve starts, serves, and removes its output
        with running_preview(root) as running:
            wait_for(lambda: running.watcher.observer.is_alive())
            assert running.server.state == BuildState(1, ())
    finally:  # shutil.rmtree (pytest's clean-up) recurses per level too
        remove_tree(tmp_path)


PLACEHOLDER = "has a placeholder with '!' or ':'; use {day}, {month}, {slug}, {year}"
ONLY = "may only hold a-z, 0-9, '-', '_' and placeholders between its '/'s"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/{slug!r}/", PLACEHOLDER),
        ("/{slug!z}/", PLACEHOLDER),
        ("/{slug:x}/", PLACEHOLDER),
        ("/{year:%Y}/{slug}/", PLACEHOLDER),
        ("/{slug:>999999999}/", PLACEHOLDER),  # formatting it would take a gigabyte
        ("/{slug:0>99999999999999999999}/", PLACEHOLDER),
        ("/{slug:{}}/", PLACEHOLDER),
        ("/{slug[0]}/", "unknown placeholder 'slug[0]'"),
        ("/{slug.x}/", "unknown placeholder 'slug.x'"),
        ("/{0}/", "unknown placeholder '0'"),
        ("/{}/", "unknown placeholder ''"),
        ("/{slug", "is not a valid pattern (expected '}' before end of string)"),
        ("/{slug}}/", "is not a valid pattern (Single '}' encountered in format string)"),
        ("{year}{slug}", "must start and end with '/'"),
        ("//{slug}/", "must start and end with '/'"),
        ("/é/{slug}/", ONLY),
        ("/%/{slug}/", ONLY),
        ("/../{slug}/", ONLY),
        ("/ {slug}/", ONLY),
        ("/" + "a" * 300 + "/{slug}/", "has a part (between '/'s) longer than 255 bytes"),
    ],
)
def test_permalink_patterns_that_cannot_work_are_errors_at_their_line(
    make_site: MakeSite, tmp_path: Path, pattern: str, expected: str
) -> None:
    root = make_site({"sitegen.yaml": f"title: T\npermalink: {json.dumps(pattern)}\n"})
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    [problem, summary] = output.splitlines()
    assert problem.startswith("sitegen.yaml:2: permalink: ") and expected in problem
    assert summary == "error: build failed (1 problem)"


def test_a_slug_the_permalink_makes_too_long_is_that_files_error(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "sitegen.yaml": f"base_url: https://e.org/\npermalink: /{{year}}-{{slug}}-{'a' * 200}/\n",
            "content/short.md": HEAD + "Fine\n",
            "content/x.md": "---\ntitle: A\ndate: 2025-01-01\nslug: " + "b" * 60 + "\n---\nx\n",
        }
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert output.splitlines() == [
        f"content/x.md:4: slug: '{'b' * 60}' in the permalink pattern gives a URL part that "
        f"{TOO_LONG}; choose a shorter one",
        "error: build failed (1 problem)",
    ]


MAIN = "{% extends 'base.html' %}\n{% block main %}\n"


def special_file(path: Path, kind: str) -> None:
    if kind == "folder":
        path.mkdir()
    elif kind == "link":
        path.symlink_to(path.with_name("nowhere.html"))
    else:
        os.mkfifo(path)  # Jinja would skip it; reading it would wait for ever


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "article.html",
            MAIN.encode() + b"caf\xe9\n",
            "templates/article.html:3: not valid UTF-8 text (byte 46: b'\\xe9'); "
            "save the file as UTF-8",
        ),
        (
            "_teaser.html",  # included from the default theme's listing
            b"\xff\xfe<p>",
            "templates/_teaser.html:1: not valid UTF-8 text (byte 0: b'\\xff'; the file is "
            "UTF-16, as Windows saves 'Unicode' text); save the file as UTF-8",
        ),
        (
            "article.html",
            MAIN.encode() + b"{{ x }\n",
            "templates/article.html:3: unexpected '}' (template syntax error)",
        ),
        (
            "article.html",
            MAIN.encode() + b"{{ article.nope }}\n{% endblock %}\n",
            "templates/article.html:3: 'sitegen.model.Article object' has no attribute 'nope' "
            "(template error)",
        ),
        ("article.html", "folder", "templates/article.html: is not a file; remove or rename it"),
        (
            "article.html",
            "link",
            "templates/article.html: is a link to nowhere; remove or rename it",
        ),
        ("base.html", "fifo", "templates/base.html: is not a file; remove or rename it"),
    ],
    ids=["not-utf8", "not-utf8-included", "syntax", "undefined", "folder", "link", "fifo"],
)
def test_a_template_that_cannot_be_read_or_run_is_an_error_at_its_line(
    make_site: MakeSite, tmp_path: Path, name: str, data: bytes | str, expected: str
) -> None:
    root = make_site({"content/a.md": HEAD + "x\n", "templates/.keep": ""})
    path = root / "templates" / name
    special_file(path, data) if isinstance(data, str) else path.write_bytes(data)
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert expected in output.splitlines()
    assert "Traceback" not in output and "internal error" not in output


def test_serve_shows_a_broken_template_and_goes_on(preview: tuple[Preview, Path]) -> None:
    running, root = preview
    assert "First title" in page_text(running, "/a/")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_bytes(MAIN.encode() + b"caf\xe9\n{% endblock %}\n")
    wait_for(lambda: running.server.state.problems != ())
    assert running.server.state.problems[0].startswith(
        "templates/article.html:3: not valid UTF-8 text (byte 46: b'\\xe9')"
    )
    (root / "templates/article.html").write_text(MAIN + "{{ article.nope }}\n{% endblock %}\n")
    wait_for(lambda: "has no attribute 'nope'" in str(running.server.state.problems))
    assert "First title" in page_text(running, "/a/")  # the last good page is still served
    (root / "templates/article.html").write_text(
        MAIN + "Fixed {{ article.title }}\n{% endblock %}\n"
    )
    wait_for(lambda: running.server.state.problems == ())
    assert "Fixed" in page_text(running, "/a/")


def test_files_that_cannot_be_read_are_their_errors_reported_together(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removed between listing and reading (simulated: listed but not there), or
    unreadable (tests run as root, for whom chmod 000 blocks nothing): each such file is
    `path: cannot read: ...`, with every other problem of the build, never an internal
    error; the next build, the file back, builds."""
    root = make_site(
        {
            "content/a.md": HEAD + "Fine\n",
            "content/b.md": HEAD.replace("2025-01-01", "2025-13-45") + "Bad date\n",
            "static/site.css": "p{}",
            "templates/article.html": MAIN + "{{ article.title }}\n{% endblock %}\n",
        }
    )
    real_sources, real_static = loading.find_sources, build_module.collect_static
    gone = ["content/gone.md", "content/gone2.md"]
    monkeypatch.setattr(loading, "find_sources", lambda site: [*real_sources(site), *gone])
    monkeypatch.setattr(
        build_module,
        "collect_static",
        lambda theme: {**real_static(theme), "gone.css": root / "static/gone.css"},
    )
    for cached in (False, True):
        command = [
            "build",
            str(root),
            "-o",
            str(tmp_path / "out"),
            *([] if cached else ["--no-cache"]),
        ]
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert result.output.splitlines() == [
            "content/b.md:3: date: cannot read this value (month must be in 1..12)",
            "content/gone.md: cannot read: No such file or directory",
            "content/gone2.md: cannot read: No such file or directory",
            "static/gone.css: cannot read: No such file or directory",
            "error: build failed (4 problems)",
        ]

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.undo()
    (root / "content/b.md").write_text(HEAD + "Fixed\n")
    (root / "templates/article.html").write_text(MAIN + "{{ article.date }}\n{% endblock %}\n")
    site_template = str(root / "templates/article.html")
    monkeypatch.setattr(
        "jinja2.loaders.open",
        lambda name, **kwargs: denied() if name == site_template else open(name, **kwargs),
        raising=False,
    )
    code, output = run_build(root, tmp_path / "out")
    assert output.splitlines() == [
        "templates/article.html: cannot read: Permission denied",
        "error: build failed (1 problem)",
    ]
    monkeypatch.undo()
    real_bytes = Path.read_bytes
    monkeypatch.setattr(
        Path,
        "read_bytes",
        lambda path: denied() if path.name == "sitegen.yaml" else real_bytes(path),
    )
    code, output = run_build(root, tmp_path / "out")
    assert output.splitlines() == [
        "sitegen.yaml: cannot read: Permission denied",
        "error: build failed (1 problem)",
    ]
    monkeypatch.undo()
    code, output = run_build(root, tmp_path / "out")
    assert code == 0, output


def deep_tree(top: Path, depth: int = 1100) -> str:
    """`top`/d/d/.../d (`depth` of them) with a file at the bottom; the deepest folder."""
    top.mkdir(exist_ok=True)
    folder = str(top)
    for _ in range(depth):
        folder = os.path.join(folder, "d")
        os.mkdir(folder)
    Path(folder, "x.css").write_text("p{}")
    return folder


def test_remove_tree_removes_a_thousand_levels_and_follows_no_link(tmp_path: Path) -> None:
    """shutil.rmtree (Python 3.11) raises RecursionError there, even with ignore_errors."""
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "file").write_text("keep")
    bottom = deep_tree(tmp_path / "tree")
    os.symlink(kept, os.path.join(bottom, "link"))
    with pytest.raises(RecursionError):
        shutil.rmtree(tmp_path / "tree", ignore_errors=True)
    remove_tree(tmp_path / "tree")
    assert not (tmp_path / "tree").exists()
    assert (kept / "file").read_text() == "keep"
    remove_tree(tmp_path / "tree", ignore_errors=True)  # gone already: nothing to do
    with pytest.raises(FileNotFoundError):
        remove_tree(tmp_path / "tree")


HOSTILE = st.sampled_from([
    "10000000000000000000000000000000", "-1", "0", "1e309", ".nan", "-.inf", "2025-01-01",
    "2025-01-01T10:00:00+25:00", "null", "~", "''", "[]", "{}", "[[[[]]]]", "{a: {b: [1]}}",
    "[{name: x, url: /a/}, {name: 1}]", "[{name: x, url: 'javascript:alert(1)'}]",
    "[{name: x, url: //evil.org/}]", "[{name: x, url: /" + "a" * 300 + "/}]",
    "[{name: '', url: ''}]", "[{}]", "https://", "http://[::1", "https://e.org:0/",
    "https://e.org/x y/", "ftp://e.org/", "/{slug}/", "/{year}/{month}/{day}/{slug}/",
    "Europe/Nowhere", "UTC", "../../etc/passwd", "Etc/GMT+14", "posix/../UTC", "full",
    "summary", "cmark", "markdown", "yes", "no", "on", "true", "'" + "é" * 300 + "'",
    "'   '", "'---'", "con", "'" + "a" * 300 + "'", "10000000000000000000000000000000000",
    "\"\\u202e\\u2028\\0\"", "!!binary aGk=", "!!python/name:os.system", "&a [*a, *a]",
])  # fmt: skip
CONFIG_VALUES = st.one_of(HOSTILE, yaml_value())


@settings(
    max_examples=EXAMPLES or 40,
    deadline=None,  # a build each: the property is "no internal error", not speed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    entries=st.lists(
        st.tuples(st.sampled_from(sorted(KNOWN_KEYS)), CONFIG_VALUES), min_size=1, max_size=3
    )
)
def test_hostile_settings_build_or_fail_with_sitegen_yaml_lines(
    make_site: MakeSite, tmp_path: Path, entries: list[tuple[str, str]]
) -> None:
    """Whatever a setting holds, the build either works or fails with `sitegen.yaml:LINE:`
    problems (exit 1), never an internal error or a traceback."""
    yaml = "".join(f"{key}: {value}\n" for key, value in entries)
    root = make_site({"content/a.md": HEAD + "Body\n"})
    (root / "sitegen.yaml").write_text(yaml, errors="surrogatepass")
    out = tmp_path / "out"
    remove_tree(out, ignore_errors=True)
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), "--no-cache"])
    assert "internal error" not in result.output and "Traceback" not in result.output, yaml
    assert result.exception is None or isinstance(result.exception, SystemExit), yaml
    assert result.exit_code in (0, 1), (yaml, result.output)
    if result.exit_code == 1:
        problems = [line for line in result.output.splitlines() if not line.startswith("error:")]
        assert problems and all(line.startswith("sitegen.yaml:") for line in problems), (
            yaml,
            result.output,
        )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("title: ''", "sitegen.yaml:2: title: is empty; give the site's name, e.g. 'News Archive'"),
        (
            "default_byline: '---'",
            "sitegen.yaml:2: default_byline: '---' has no letters or digits to make a URL from",
        ),
        (
            "default_byline: Con",
            "sitegen.yaml:2: default_byline: 'Con' gives the URL name 'con', which Windows "
            "reserves (CON, NUL...); change it",
        ),
    ],
)
def test_settings_the_hostile_settings_test_found(
    make_site: MakeSite, tmp_path: Path, setting: str, expected: str
) -> None:
    """An empty title was an internal error (feedgen refuses a feed without one); a bad
    default byline was an error for every article, not for sitegen.yaml."""
    root = make_site(
        {
            "sitegen.yaml": f"base_url: https://e.org/\n{setting}\n",
            "content/a.md": HEAD + "x\n",
            "content/b.md": HEAD.replace("A", "B") + "y\n",
        }
    )
    code, output = run_build(root, tmp_path / "out")
    assert code == 1
    assert output.splitlines() == [expected, "error: build failed (1 problem)"]
