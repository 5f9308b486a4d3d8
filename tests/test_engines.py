"""The two Markdown engines (`markdown_engine: markdown | cmark`) give readers the same
article: headings and their ids, links, images, text, typography, excerpts."""

from __future__ import annotations

import dataclasses
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.cli import cli
from sitegen.config.settings import load_config
from sitegen.content.loading import load_articles
from sitegen.markup.engine import MarkdownRenderer
from sitegen.model import Article
from tests.conftest import (
    REPO_ROOT,
    BuildSite,
    MakeSite,
    article,
    copy_site,
    excerpt_html,
    plain_text,
)

ENGINES = ("markdown", "cmark")
Archives = dict[str, dict[str, Article]]  # {engine: {slug: article}}

# Markdown that both engines support, added to the example archive so that every kind of
# fact below (inline images in particular, which the archive lacks) is compared.
COMMON_GROUND = """\
---
title: "Common ground"
date: 2025-01-15
---
Opening paragraph with *emphasis*, **strong**, `code "as is"` and a "quote around
*emphasis*" -- plus 'single' quotes, the '90s, an ellipsis... and an em dash --- here.
AT&amp;T, 5 < 6 and a raw<br>line break.

<!--more-->

## Links and images

An [inline link](/a/ "Title"), a [reference link][ref], an autolink <https://example.org/x>
and an image: ![A "quoted" alt text](/images/one.jpg "One").

![Reference image][img]

[ref]: https://example.org/ref
[img]: /images/two.png

## Links and images

> A blockquote with a [link](/quoted/) and "quotes".

1. first item
2. second item with `code`

- a bullet
- another bullet

| Column "one" | Column two |
|:---|---:|
| cell -- dash | [cell link](/cell/) |

```python
print("straight quotes -- kept")
```

<figure>
<img src="/images/raw.jpg" alt="Raw HTML image">
<figcaption>Raw "HTML" is left as written</figcaption>
</figure>

Raw <code>"code" -- as typed</code>, <kbd>"keys"</kbd> and <samp>'out'...</samp> -- then "prose".

### Kraków: “Solidarity” & more?

A footnote reference[^note] in text.

[^note]: The footnote's text, with a [link](/note/).
"""


class _Facts(HTMLParser):
    """What a reader gets from an article: headings, links, images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str | None, str]] = []
        self.links: list[str | None] = []
        self.images: list[tuple[str | None, str | None]] = []
        self._heading: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag, values.get("id") or "", ""]
        elif tag == "a":
            self.links.append(_footnote_href(values.get("href")))
        elif tag == "img":
            self.images.append((values.get("src"), values.get("alt")))

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == self._heading[0]:
            self.headings.append((self._heading[0], self._heading[1], self._heading[2]))
            self._heading = []

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._heading[2] += data


def _footnote_href(href: str | None) -> str | None:
    """Footnote anchors are the one documented difference: `#fn:1` against `#fn-1`."""
    return re.sub(r"^#(fn|fnref):", r"#\1-", href) if href else href


def facts(html: str) -> _Facts:
    parser = _Facts()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Archives:
    """The example archive plus COMMON_GROUND, loaded with each engine."""
    site = copy_site(REPO_ROOT, tmp_path_factory.mktemp("engines") / "site")
    (site / "content/common-ground.md").write_text(COMMON_GROUND, encoding="utf-8")
    loaded = {}
    for engine in ENGINES:
        config = dataclasses.replace(load_config(site), markdown_engine=engine)
        result = load_articles(config)
        assert result.problems == []
        loaded[engine] = {a.slug: a for a in result.articles}
    assert len(loaded["cmark"]) >= 17
    return loaded


def _compare(archives: Archives, fact: str) -> dict[str, Any]:
    """{slug: fact} from each engine; they must agree."""
    found = {
        engine: {slug: getattr(facts(a.body_html), fact) for slug, a in articles.items()}
        for engine, articles in archives.items()
    }
    assert found["cmark"] == found["markdown"]
    return found["cmark"]


def test_engines_give_same_headings_and_ids(archives: Archives) -> None:
    headings = _compare(archives, "headings")
    assert headings["common-ground"] == [
        ("h2", "links-and-images", "Links and images"),
        ("h2", "links-and-images_1", "Links and images"),
        ("h3", "krakow-solidarity-more", "Kraków: “Solidarity” & more?"),
    ]
    assert sum(len(h) for h in headings.values()) > 40  # the archive's own headings too


def test_engines_give_same_links(archives: Archives) -> None:
    links = _compare(archives, "links")
    assert links["common-ground"] == [
        "/a/", "https://example.org/ref", "https://example.org/x", "/quoted/", "/cell/",
        "#fn-note", "/note/", "#fnref-note",
    ]  # fmt: skip


def test_engines_give_same_images(archives: Archives) -> None:
    images = _compare(archives, "images")
    assert images["common-ground"] == [
        ("/images/one.jpg", 'A "quoted" alt text'),
        ("/images/two.png", "Reference image"),
        ("/images/raw.jpg", "Raw HTML image"),
    ]


def test_engines_give_same_text_excerpt_and_description(archives: Archives) -> None:
    def read(article: Article) -> tuple[str, str, str]:
        return plain_text(article.body_html), article.excerpt_html, article.description

    texts = {e: {slug: read(a) for slug, a in arts.items()} for e, arts in archives.items()}
    assert texts["cmark"] == texts["markdown"]
    body, excerpt, _ = texts["cmark"]["common-ground"]
    assert "a “quote around emphasis” – plus ‘single’ quotes, the ’90s, an ellipsis…" in body
    assert 'print("straight quotes -- kept")' in body
    assert 'Raw "HTML" is left as written' in body
    assert 'Raw "code" -- as typed, "keys" and \'out\'... – then “prose”.' in body
    assert excerpt.startswith("<p>Opening paragraph") and "Links" not in excerpt  # <!--more-->


@pytest.mark.parametrize(
    ("source", "default_html", "cmark_html"),
    [
        # each row is a difference docs/writing-articles.md lists under "Markdown engines"
        ("~~gone~~, ~30", "<p>~~gone~~, ~30</p>", "<p><del>gone</del>, ~30</p>"),
        (
            "See https://example.org",
            "<p>See https://example.org</p>",
            '<p>See <a href="https://example.org">https://example.org</a></p>',
        ),
        ("Items:\n- one", "<p>Items:\n- one</p>", "<p>Items:</p>\n<ul>\n<li>one</li>\n</ul>"),
        (
            "- a\n  - b",
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
            "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>",
        ),
        ("1) one", "<p>1) one</p>", "<ol>\n<li>one</li>\n</ol>"),
        ("a\\\nb", "<p>a\\\nb</p>", "<p>a<br>\nb</p>"),
        ("#Title", '<h1 id="title">Title</h1>', "<p>#Title</p>"),
        ("## Title {#own}", '<h2 id="own">Title</h2>', '<h2 id="title-own">Title {#own}</h2>'),
        (
            "Term\n: definition",
            "<dl>\n<dt>Term</dt>\n<dd>definition</dd>\n</dl>",
            "<p>Term\n: definition</p>",
        ),
        (
            "The WHO.\n\n*[WHO]: World Health Organization",
            '<p>The <abbr title="World Health Organization">WHO</abbr>.</p>',
            "<p>The WHO.</p>\n<p>*[WHO]: World Health Organization</p>",
        ),
        ("<div>\n\n*a*\n\n</div>", "<div>\n\n*a*\n\n</div>", "<div>\n<p><em>a</em></p>\n</div>"),
        (
            "[TOC]\n\n# A",
            '<div class="toc">\n<ul>\n<li><a href="#a">A</a></li>\n</ul>\n</div>\n<h1 id="a">A</h1>',
            '<p>[TOC]</p>\n<h1 id="a">A</h1>',
        ),
    ],
)
def test_engines_differ_only_as_documented(source: str, default_html: str, cmark_html: str) -> None:
    assert MarkdownRenderer("markdown").render(source) == default_html
    assert MarkdownRenderer("cmark").render(source) == cmark_html


def test_cmark_keeps_raw_html_and_the_more_marker() -> None:
    source = (
        'Teaser "one".\n\n<!--more-->\n\n<script>let a = "b" -- 1;</script>\n\n'
        '<iframe src="https://video.example/embed/1"></iframe>\n\nRest.\n'
    )
    html = MarkdownRenderer("cmark").render(source)
    assert '<script>let a = "b" -- 1;</script>' in html
    assert '<iframe src="https://video.example/embed/1"></iframe>' in html
    assert excerpt_html("", html) == "<p>Teaser “one”.</p>"


def test_build_with_cmark_engine_makes_the_same_site(
    example_site: Path, tmp_path: Path, build_site: BuildSite
) -> None:
    site = copy_site(example_site, tmp_path / "cmark-site")
    with (site / "sitegen.yaml").open("a", encoding="utf-8") as file:
        file.write("markdown_engine: cmark\n")
    default_out = build_site(example_site, tmp_path / "default")
    report = build(site, tmp_path / "cmark")
    assert report.warnings == ()
    files = sorted(p.relative_to(default_out) for p in default_out.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(tmp_path / "cmark") for p in (tmp_path / "cmark").rglob("*") if p.is_file()
    )
    page = (tmp_path / "cmark/interview-exiled-editor-anouk-seravi/index.html").read_text()
    assert '<h2 id="rebuilding-from-a-suitcase">Rebuilding from a suitcase</h2>' in page
    assert "I don’t know when I’ll be back" in page
    home = "index.html"
    assert (tmp_path / "cmark" / home).read_bytes() == (default_out / home).read_bytes()


def test_build_after_switching_engine_converts_articles_again(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("A", slug="a", body="~~withdrawn~~ statement")})
    out = build_site(root)
    assert "<p>~~withdrawn~~ statement</p>" in (out / "a/index.html").read_text()
    (root / "sitegen.yaml").write_text(
        "base_url: https://example.org/\nmarkdown_engine: cmark\n", encoding="utf-8"
    )
    report = build(root, out)  # the build cache holds the default engine's conversion
    assert report.parsed == 1
    assert "<p><del>withdrawn</del> statement</p>" in (out / "a/index.html").read_text()


def test_cli_without_cmarkgfm_explains_how_to_install_it(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nmarkdown_engine: cmark\n",
            "content/a.md": article("A"),
        }
    )
    monkeypatch.setitem(sys.modules, "cmarkgfm", None)  # `import cmarkgfm` now fails
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == (
        "sitegen.yaml:2: markdown_engine: 'cmark' needs cmarkgfm, which is not installed; "
        "install it with: pip install 'sitegen[fast]'\n"
        "error: build failed (1 problem)\n"
    )
    assert not (tmp_path / "out").exists()


def test_table_of_contents_only_where_asked_for_by_a_reused_renderer() -> None:
    """One renderer converts every article: a [TOC] in one must not leak into the next."""
    renderer = MarkdownRenderer("markdown")
    with_toc = "[TOC]\n\n## Why\n\n## How\n"
    first = renderer.render(with_toc)
    assert '<div class="toc">' in first and '<a href="#how">How</a>' in first
    assert renderer.render("## Why\n\nNo table here.\n") == (
        '<h2 id="why">Why</h2>\n<p>No table here.</p>'
    )
    assert renderer.render(with_toc) == first


HEADINGS = [
    "# Café & “quotes”\n\n## Café & “quotes”\n\n## Café & “quotes”_1\n",
    "## A *stressed* `code` [link](/x/) heading\n\n### &amp; &lt;tag&gt; &#169;\n",
    "## Footnoted[^1] title\n\n[^1]: The note.\n",
    '## Given {#own-id}\n\n## Given\n\n<h2 id="given_1">raw</h2>\n\n## Given\n',
    '## Labelled {data-toc-label="Short"}\n\n## ---\n\n## 123\n\n##  \n',
    "> ## Quoted\n\n- item\n\n    ## Not a heading in code\n\nSetext\n======\n\nTwo\n---\n",
    "## اعدام‌ها در ایران\n\n## Ελληνικά\n\n## <em>raw</em> html\n",
]


def _stock_toc_renderer() -> Any:
    """Python-Markdown with its own toc (and the rest of sitegen's extensions)."""
    import markdown
    from markdown.extensions.toc import TocExtension

    from sitegen.markup.engine import EXTENSIONS
    from sitegen.markup.pymd.inline import TriggeredInlineExtension
    from sitegen.markup.pymd.typography import TypographyExtension

    extensions = [name for name in EXTENSIONS if name != "toc"]
    return markdown.Markdown(
        extensions=[
            *extensions,
            TocExtension(permalink=False),
            TypographyExtension(),
            TriggeredInlineExtension(),
        ],
        output_format="html",
    )


def test_heading_ids_are_toc_s_own_without_a_table() -> None:
    """sitegen skips toc's table-building for documents without [TOC], but the ids (and
    everything else) must be exactly what toc makes: links to #anchors depend on them."""
    ours, stock = MarkdownRenderer("markdown"), _stock_toc_renderer()
    sources = HEADINGS + [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for path in sorted((REPO_ROOT / "content").rglob("*.md"))
    ]
    for source in sources:
        assert ours.render(source) == str(stock.reset().convert(source)), source
    assert 'id="cafe-quotes_2"' in ours.render(HEADINGS[0])


def test_cmark_ids_only_its_own_headings_with_or_without_source_positions() -> None:
    """cmark is asked for source positions only when raw HTML headings must be told from
    its own; a document converts the same either way, and a raw heading gets no id."""
    import cmarkgfm

    from sitegen.markup.cmark import EXTENSIONS as CMARK_EXTENSIONS
    from sitegen.markup.cmark import OPTIONS, POSITIONS, tidy

    renderer = MarkdownRenderer("cmark")
    raw = "## Given\n\n<h2>Given</h2>\n\n## Given\n"
    assert renderer.render(raw) == (
        '<h2 id="given">Given</h2>\n<h2>Given</h2>\n<h2 id="given_1">Given</h2>'
    )
    sources = HEADINGS + [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for path in sorted((REPO_ROOT / "content").rglob("*.md"))
    ]
    for source in sources:
        placed = cmarkgfm.markdown_to_html_with_extensions(
            source, OPTIONS | POSITIONS, CMARK_EXTENSIONS
        )
        assert renderer.render(source) == tidy(str(placed), positions=True), source


def test_cmark_converts_as_cmarkgfm_does_without_keeping_memory() -> None:
    """cmarkgfm's own function frees neither the document tree nor the HTML (27 KiB an
    article: a `serve` that grew with every edit, parse workers of a big archive holding
    hundreds of MiB); ours frees both and converts the same."""
    import cmarkgfm

    from sitegen.markup.cmark import EXTENSIONS as CMARK_EXTENSIONS
    from sitegen.markup.cmark import OPTIONS, POSITIONS, _Converter

    convert = _Converter()
    sources = HEADINGS + [
        path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "content").rglob("*.md"))
    ]
    sources += [
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~gone~~ www.example.org[^n]\n\n[^n]: Note.",
        "",
    ]
    for options in (OPTIONS, OPTIONS | POSITIONS):
        for source in sources:
            expected = cmarkgfm.markdown_to_html_with_extensions(source, options, CMARK_EXTENSIONS)
            assert convert(source, options, CMARK_EXTENSIONS) == expected, source
    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("resident memory is read from /proc (Linux)")
    longest = max(sources, key=len)

    def resident() -> int:
        return int(statm.read_text().split()[1]) * 4096

    convert(longest, OPTIONS, CMARK_EXTENSIONS)
    before = resident()
    for _ in range(2000):
        convert(longest, OPTIONS, CMARK_EXTENSIONS)
    assert resident() - before < 4 * 2**20  # cmarkgfm's own: 2000 x 27 KiB and more
