from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.markup.engine import MarkdownRenderer
from sitegen.markup.typography import INLINE, KEPT, smarten
from tests.conftest import BuildSite, MakeSite, article, tiny_png


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Hello," she said.', "“Hello,” she said."),
        ("It's the '80s.", "It’s the ’80s."),
        ("1990--2000 -- or --- not...", "1990–2000 – or — not…"),
        ("He said, \"'Quoted' words.\"", "He said, “‘Quoted’ words.”"),
        ("(\"quoted\") ['x']", "(“quoted”) [‘x’]"),
        ("the students' union", "the students’ union"),
        ("----", "----"),  # a rule of dashes is not a dash
    ],
)
def test_smarten(text: str, expected: str) -> None:
    assert smarten(text) == expected


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ('"*Quoted* words"', "<p>“<em>Quoted</em> words”</p>"),
        ('"`code`" -- "[link](/x/)"', '<p>“<code>code</code>” – “<a href="/x/">link</a>”</p>'),
        ('`"not" -- touched`', '<p><code>"not" -- touched</code></p>'),
        ('    "code" -- block', '<pre><code>"code" -- block\n</code></pre>'),
        ('<span title="a -- b">"raw"</span>', '<p><span title="a -- b">“raw”</span></p>'),
        ('## "Heading"', '<h2 id="heading">“Heading”</h2>'),
        ("- it's\n- 'twas", "<ul>\n<li>it’s</li>\n<li>‘twas</li>\n</ul>"),
    ],
)
def test_typography_in_markdown(markdown: str, html: str) -> None:
    assert MarkdownRenderer().render(markdown) == html


def test_titles_summaries_and_captions_get_the_same_typography(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article(
                'They said "never" -- and meant it...',
                summary=json.dumps("It's the '80s again"),
                image="/i.png",
                image_alt=json.dumps('A "typed" alt'),
                image_caption=json.dumps('"Free them" -- a banner'),
            ),
            "static/i.png": tiny_png(),
        }
    )
    page = (build_site(root) / "a/index.html").read_text()
    assert "<h1>They said “never” – and meant it…</h1>" in page
    assert "<figcaption>“Free them” – a banner</figcaption>" in page
    assert 'alt="A &#34;typed&#34; alt"' in page  # alt text stays as typed
    assert "It’s the ’80s again" in (build_site(root) / "index.html").read_text()


ENGINES = ("markdown", "cmark")

# Raw HTML elements whose text is code or not prose keep it as typed, in a paragraph as
# in a block of their own; the text around them still gets typography. (Markdown: the
# HTML both engines give, or the pieces of it that differ only in blank lines.)
KEPT_AS_TYPED = {
    "code in a paragraph": (
        'Text <code>"x" -- y</code> more "q" -- z',
        ['<p>Text <code>"x" -- y</code> more “q” – z</p>'],
    ),
    "kbd, samp, and var as prose": (
        '<kbd>"k" -- k</kbd> <samp>"s" ... s</samp> <var>"v"</var> "q"',
        ['<p><kbd>"k" -- k</kbd> <samp>"s" ... s</samp> <var>“v”</var> “q”</p>'],
    ),
    "script, style, math, textarea in a paragraph": (
        'A <script>f("a" -- b)</script> <style>p:after{content:"--"}</style> '
        '<math>"m"</math> <textarea>it\'s</textarea> "q"',
        [
            '<p>A <script>f("a" -- b)</script> <style>p:after{content:"--"}</style> '
            '<math>"m"</math> <textarea>it\'s</textarea> “q”</p>'
        ],
    ),
    "upper case and attributes": (
        '<CODE class="x" title="it\'s">"x" -- y</CODE> and <SCRIPT>f("a")</SCRIPT> "q"',
        ['<p><CODE class="x" title="it\'s">"x" -- y</CODE> and <SCRIPT>f("a")</SCRIPT> “q”</p>'],
    ),
    "pre and code nested in a paragraph": (
        'Para <pre><code>"p" -- q</code></pre> after "q"',
        ['<p>Para <pre><code>"p" -- q</code></pre> after “q”</p>'],
    ),
    "emphasis inside code": (
        'A <code>*"x"* -- y</code> "q"',
        ['<p>A <code><em>"x"</em> -- y</code> “q”</p>'],
    ),
    "image in code": (
        '<code>![a "b" -- c](/i.png) "d"</code> "q"',
        ['alt="a &quot;b&quot; -- c"', '> "d"</code> “q”</p>'],
    ),
    "quotes around code": (
        "\"<code>x</code>\" -- '<kbd>y</kbd>'",
        ["<p>“<code>x</code>” – ‘<kbd>y</kbd>’</p>"],
    ),
    "code left open ends with its paragraph": (
        'Un <code>"x" -- y\n\nNext "q"',
        ['<p>Un <code>"x" -- y</p>', "<p>Next “q”</p>"],
    ),
    "code in a list, heading, table and quote": (
        '- i <code>"a"</code> "q"\n\n## H <kbd>"b"</kbd> "q"\n\n'
        '| t |\n|---|\n| <code>"c"</code> "q" |\n\n> <samp>"d"</samp> "q"',
        [
            '<li>i <code>"a"</code> “q”</li>',
            '<h2 id="h-b-q">H <kbd>"b"</kbd> “q”</h2>',
            '<td><code>"c"</code> “q”</td>',
            '<p><samp>"d"</samp> “q”</p>',
        ],
    ),
    "script block": (
        '<script>\nvar s = "a" -- b;\n</script>\n\nAfter "q" -- z',
        ['<script>\nvar s = "a" -- b;\n</script>\n', "<p>After “q” – z</p>"],
    ),
    "upper-case script and style blocks": (
        "<SCRIPT>var s = 'a' -- b;</SCRIPT>\n\n<style>\np:after { content: \"--\"; }\n</style>",
        ["<SCRIPT>var s = 'a' -- b;</SCRIPT>\n", '<style>\np:after { content: "--"; }\n</style>'],
    ),
    "pre blocks": (
        '<pre>"p" -- q\n\n"r"...</pre>\n\n<pre><code>"c" -- d</code></pre>\n\n"q"',
        ['<pre>"p" -- q\n\n"r"...</pre>\n', '<pre><code>"c" -- d</code></pre>\n', "<p>“q”</p>"],
    ),
    "comments and attribute values": (
        'Para <!-- "c" -- x --> <a title="it\'s -- x" href="/y">"link"</a> "q"\n\n'
        '<!-- "d" -- y -->',
        [
            '<p>Para <!-- "c" -- x --> <a title="it\'s -- x" href="/y">“link”</a> “q”</p>',
            '<!-- "d" -- y -->',
        ],
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("markdown", "pieces"), KEPT_AS_TYPED.values(), ids=KEPT_AS_TYPED.keys())
def test_typography_leaves_raw_code_elements_as_typed(
    engine: str, markdown: str, pieces: list[str]
) -> None:
    html = MarkdownRenderer(engine).render(markdown)
    for piece in pieces:
        assert piece in html


@pytest.mark.parametrize("engine", ENGINES)
def test_typography_keeps_json_ld_and_raw_code_in_the_built_article(
    make_site: MakeSite, build_site: BuildSite, engine: str
) -> None:
    ld = '{"@type": "NewsArticle", "headline": "It\'s -- here...", "name": "\\"x\\""}'
    body = (
        f'Run <code>make "all" -- fast</code> or <kbd>Ctrl</kbd> -- it\'s "quick".\n\n'
        f'<script type="application/ld+json">\n{ld}\n</script>\n\n'
        'The "end" -- really...'
    )
    root = make_site(
        {
            "sitegen.yaml": f"base_url: https://example.org/\nmarkdown_engine: {engine}\n",
            "content/a.md": article(body=body),
        }
    )
    out = build_site(root)
    page = (out / "a/index.html").read_text()
    typed = '<p>Run <code>make "all" -- fast</code> or <kbd>Ctrl</kbd> – it’s “quick”.</p>'
    assert typed in page
    assert f'<script type="application/ld+json">\n{ld}\n</script>' in page
    embeds = [part.split("</script>")[0] for part in page.split('application/ld+json">')[1:]]
    assert len(embeds) >= 2  # the theme's own and the article's
    assert {"It's -- here..."} <= {json.loads(embed)["headline"] for embed in embeds}
    assert "<p>The “end” – really…</p>" in page
    excerpt = '<p>Run <code>make "all" -- fast</code> or Ctrl – it’s “quick”.</p>'
    assert excerpt in (out / "index.html").read_text()  # the listing's excerpt keeps code


class _KeptText(HTMLParser):
    """The text inside KEPT elements, each ending with its block (as sitegen reads them,
    script and style included: a browser would run on into the next paragraph)."""

    CDATA_CONTENT_ELEMENTS = ()

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.kept: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in KEPT:
            self.open.append(tag)
        elif tag not in INLINE:
            self.open.clear()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        elif tag not in INLINE and tag not in KEPT:
            self.open.clear()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.kept.append(data)


PIECES = [
    '"', "'", "--", "---", "...", "-", " ", "\n", "\n\n", "x", "*", "_", "`", "> ", "- ",
    "<code>", "</code>", "<KBD>", "</kbd>", "<pre>", "</pre>", "<script>", "</script>",
    '<samp title="it\'s">', "</samp>", "<var>", "</var>", "<!-- ", " -->", "[l](/x)",
]  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@given(markdown=st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_typography_never_changes_text_in_raw_code_elements(engine: str, markdown: str) -> None:
    reader = _KeptText()
    reader.feed(MarkdownRenderer(engine).render(markdown))
    reader.close()
    assert not any(
        char in "".join(reader.kept) for char in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"
    )
