from __future__ import annotations

import pytest

from sitegen.markup import MarkdownRenderer
from sitegen.typography import smarten


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
