"""`raw_html: sanitize`: bodies keep only what Markdown makes (nh3), and say what went;
`raw_html: keep` (the default) leaves them as written."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.cli import cli
from sitegen.errors import SitegenError
from tests.conftest import REPO_ROOT, BuildSite, MakeSite, article, copy_site

pytest.importorskip("nh3")
NO_CMARK = importlib.util.find_spec("cmarkgfm") is None
ENGINES = ("markdown", pytest.param("cmark", marks=pytest.mark.skipif(NO_CMARK, reason="cmark")))

HOSTILE = """\
Intro with a [bad link](javascript:alert("x1")) and <span onclick="alert('x2')">a span</span>.

<script>alert("x3")</script>

<iframe src="https://video.example/embed/x4"></iframe>

<p style="position:fixed">x5 styled</p><style>body{display:none}</style>

<form action="https://evil.example/x6"><input name="q"><button>Go</button></form>

<img src="/images/a.jpg" alt="x7" onerror="alert('x7')">

<a href="JaVaScRiPt&#x3a;alert('x8')">x8 link</a> <a href="data:text/html,x9">x9 link</a>
"""
# What readers would otherwise run, load or see: each is gone under sanitize
REMOVED = (
    'alert("x1")', "alert('x2')", 'alert("x3")', "video.example/embed/x4", "position:fixed",
    "display:none", "evil.example/x6", "<input", "alert('x7')", "alert('x8')", "data:text/html",
)  # fmt: skip
# What the same body keeps: text, allowed elements, safe attributes
KEPT = ("Intro with a", "a span", "x5 styled", '<img src="/images/a.jpg" alt="x7">', "x8 link")

ORDINARY = """\
## Our "demands" -- now

Text with *em*, **strong**, `code`, a [link](https://example.org/a?b=1&c=2 "A title"),
a [local](/about/) one, <https://example.org/auto>, <press@example.org>, an image
![A march](/images/march.jpg "The march") and a line break\x20\x20
here. A footnote[^1] and another[^note]. It's "quoted"...

> A quote with *emphasis*

1. one
2. two

5. five
6. six

| Left | Center | Right | None |
|:-----|:------:|------:|------|
| a    | b      | c     | d    |

```python
print("hi") < 3 & 4
```

---

<figure>
<img src="/images/crowd.jpg" alt="The crowd" width="640" height="480" loading="lazy">
<figcaption>The crowd, <em>13 March</em></figcaption>
</figure>

<p dir="rtl" lang="fa">متن فارسی</p>

<abbr title="Non-governmental organisation">NGO</abbr> H<sub>2</sub>O x<sup>2</sup>
<del>old</del> <ins>new</ins>

<details><summary>More</summary>Hidden</details>

[^1]: The first footnote.
[^note]: Another, with a [link](https://example.org/).
"""


def sanitizing(engine: str = "markdown", raw_html: str = "sanitize") -> str:
    return f"base_url: https://example.org/\nmarkdown_engine: {engine}\nraw_html: {raw_html}\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_sanitize_removes_scripts_handlers_embeds_and_styles(
    make_site: MakeSite, build_site: BuildSite, engine: str
) -> None:
    root = make_site({"sitegen.yaml": sanitizing(engine), "content/a.md": article(body=HOSTILE)})
    out = build_site(root)
    page = (out / "a/index.html").read_text()
    feed = (out / "feed.xml").read_text() + (out / "atom.xml").read_text()
    teaser = (out / "index.html").read_text()
    for gone in REMOVED:
        assert gone not in page
        assert gone not in feed
        assert gone not in teaser
    assert "<iframe" not in page and "<form" not in page and "onclick" not in page
    for kept in KEPT:
        assert kept in page


@pytest.mark.parametrize("engine", ENGINES)
def test_keep_leaves_raw_html_as_written(make_site: MakeSite, tmp_path: Path, engine: str) -> None:
    root = make_site(
        {"sitegen.yaml": sanitizing(engine, "keep"), "content/a.md": article(body=HOSTILE)}
    )
    report = build(root, tmp_path / "out")
    page = (tmp_path / "out/a/index.html").read_text()
    # kept as written; only what it loads from another host is named (content/remote.py)
    assert [p.message.split(":")[0] for p in report.warnings] == ["<iframe>"]
    for written in ('alert("x3")', "video.example/embed/x4", "alert('x7')", "display:none"):
        assert written in page
    assert len(runnable(page)) == 5  # x1, x2, x3, x7, x8: the check below sees them


@pytest.mark.parametrize("engine", ENGINES)
def test_sanitize_keeps_ordinary_markdown_byte_for_byte(
    make_site: MakeSite, tmp_path: Path, engine: str
) -> None:
    root = make_site({"content/a.md": article(body=ORDINARY)})
    pages = {}
    for raw_html in ("keep", "sanitize"):
        (root / "sitegen.yaml").write_text(sanitizing(engine, raw_html), encoding="utf-8")
        report = build(root, tmp_path / raw_html, use_cache=False)
        assert report.warnings == ()
        pages[raw_html] = (tmp_path / raw_html / "a/index.html").read_text()
    assert pages["sanitize"] == pages["keep"]
    page = pages["sanitize"]  # what the allow-list keeps, checked on the page itself
    assert 'class="language-python"' in page and "<table>" in page
    assert 'style="text-align: center' in page and "<figcaption>" in page
    assert 'dir="rtl" lang="fa"' in page and 'href="#fn' in page and 'id="fnref' in page


@pytest.mark.parametrize("source", ["example archive", "golden site"])
@pytest.mark.parametrize("engine", ENGINES)
def test_sanitize_keeps_whole_sites_byte_for_byte(
    example_site: Path, tmp_path: Path, source: str, engine: str
) -> None:
    origin = example_site if source == "example archive" else REPO_ROOT / "tests/sites/basic/input"
    outputs = []
    for raw_html in ("keep", "sanitize"):
        site = copy_site(origin, tmp_path / f"{raw_html}-site")
        with (site / "sitegen.yaml").open("a", encoding="utf-8") as file:
            file.write(f"\nmarkdown_engine: {engine}\nraw_html: {raw_html}\n")
        report = build(site, tmp_path / raw_html, use_cache=False)
        outputs.append((tmp_path / raw_html, report.warnings))
    (keep_out, keep_warnings), (sanitized_out, sanitized_warnings) = outputs
    assert sanitized_warnings == keep_warnings
    files = sorted(p.relative_to(keep_out) for p in keep_out.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(sanitized_out) for p in sanitized_out.rglob("*") if p.is_file()
    )
    for name in files:
        assert (sanitized_out / name).read_bytes() == (keep_out / name).read_bytes(), name


@pytest.mark.parametrize("engine", ENGINES)
def test_sanitize_warns_naming_what_it_removed_at_its_line(
    make_site: MakeSite, tmp_path: Path, engine: str
) -> None:
    body = "First paragraph.\n\nSecond one.\n\n<script>alert(1)</script>\n\n<iframe></iframe>\n"
    root = make_site({"sitegen.yaml": sanitizing(engine), "content/a.md": article(body=body)})
    expected = [
        "content/a.md:9: warning: raw_html: removed <script>, <iframe>; "
        "`raw_html: sanitize` keeps only what Markdown makes"
    ]
    assert [str(problem) for problem in build(root, tmp_path / "out").warnings] == expected
    (root / "content/b.md").write_text(article("B"), encoding="utf-8")
    rebuilt = build(root, tmp_path / "out")  # a.md from the cache: its warning with it
    assert rebuilt.parsed == 1
    assert [str(problem) for problem in rebuilt.warnings] == expected


def test_sanitize_removal_is_an_error_under_strict(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {"sitegen.yaml": sanitizing(), "content/a.md": article(body='<a onclick="x()">x</a>')}
    )
    with pytest.raises(SitegenError) as failure:
        build(root, tmp_path / "out", strict=True)
    assert [str(p) for p in failure.value.problems] == [
        "content/a.md:5: raw_html: removed <a onclick>; "
        "`raw_html: sanitize` keeps only what Markdown makes"
    ]
    assert not (tmp_path / "out").exists()


def test_sanitize_toggled_with_the_cache_matches_builds_without_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    body = ORDINARY + "\n<script>alert(1)</script>\n\n[x](javascript:alert(2))\n"
    root = make_site({"content/a.md": article(body=body), "content/b.md": article("B")})
    out = tmp_path / "out"
    for step, raw_html in enumerate(("keep", "sanitize", "keep", "sanitize")):
        (root / "sitegen.yaml").write_text(sanitizing("markdown", raw_html), encoding="utf-8")
        cached = build(root, out)
        if step == 1:
            assert cached.parsed == 2  # the setting is part of each article's cache key
        fresh = build(root, tmp_path / f"fresh-{step}", use_cache=False)
        for name in ("a/index.html", "b/index.html", "feed.xml", "index.html"):
            assert (out / name).read_bytes() == (fresh.output_dir / name).read_bytes()
        assert ("alert(1)" in (out / "a/index.html").read_text()) is (raw_html == "keep")


def test_config_raw_html_unknown_value_names_line_and_choices(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"sitegen.yaml": "base_url: https://example.org/\nraw_html: strip\n"})
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == (
        "sitegen.yaml:2: raw_html: 'strip' is not one of 'keep', 'sanitize'\n"
        "error: build failed (1 problem)\n"
    )


def test_config_sanitize_without_nh3_says_how_to_install_it(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"sitegen.yaml": sanitizing(), "content/a.md": article()})
    monkeypatch.setitem(sys.modules, "nh3", None)  # `import nh3` now fails
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == (
        "sitegen.yaml:3: raw_html: 'sanitize' needs nh3, which is not installed; "
        "install it with: pip install 'sitegen[sanitize]'\n"
        "error: build failed (1 problem)\n"
    )
    assert not (tmp_path / "out").exists()


TRICKY = (
    "<div>\n<img src=x onerror=alert(1)",  # a tag cut off at the end: the page would finish it
    "<!-- a comment --!><script>alert(1)</script>",  # a comment closed the odd way
    '<svg><style><img src=x onerror="alert(1)"></style></svg>',  # foreign content
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<a href=\"java\tscript:alert(1)\">x</a> <a href=' javascript:alert(1)'>y</a>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<table><tr><td>cell<script>alert(1)</script></table>",
)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("body", TRICKY)
def test_sanitize_removes_scripts_hidden_in_odd_html(
    make_site: MakeSite, build_site: BuildSite, engine: str, body: str
) -> None:
    root = make_site({"sitegen.yaml": sanitizing(engine), "content/a.md": article(body=body)})
    page = (build_site(root) / "a/index.html").read_text()
    assert runnable(page) == []


URL_IGNORED = str.maketrans("", "", "\t\n\r")  # what URL parsing drops inside a URL


def runnable(page: str) -> list[str]:
    """What a browser would run in a page: handlers, javascript: URLs, scripts that alert."""
    found = []
    for element in html5lib.parse(page, namespaceHTMLElements=False).iter():
        for name, value in element.attrib.items():
            name = name if isinstance(name, str) else name[1]
            url = value.strip("".join(map(chr, range(33)))).translate(URL_IGNORED).lower()
            if name.startswith("on") or url.startswith("javascript:"):
                found.append(f"{element.tag} {name}={value!r}")
        if str(element.tag).endswith("script") and "alert" in (element.text or ""):
            found.append(f"script {element.text!r}")
    return found


def test_sanitize_cache_key_is_the_same_in_every_process() -> None:
    code = "from sitegen.markup.sanitize import fingerprint; print(fingerprint())"
    keys = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(keys) == 1
