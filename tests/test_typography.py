from __future__ import annotations

import json

import pytest

from sitegen.markup.engine import MarkdownRenderer
from sitegen.markup.typography import smarten
from tests.conftest import BuildSite, MakeSite, article


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
            "static/i.png": "x",
        }
    )
    page = (build_site(root) / "a/index.html").read_text()
    assert "<h1>They said “never” – and meant it…</h1>" in page
    assert "<figcaption>“Free them” – a banner</figcaption>" in page
    assert 'alt="A &#34;typed&#34; alt"' in page  # alt text stays as typed
    assert "It’s the ’80s again" in (build_site(root) / "index.html").read_text()
