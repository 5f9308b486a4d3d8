"""Taking out the processors a document cannot use must give exactly Python-Markdown's
own HTML, for every document, in any order through one reused converter."""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.markup.engine import MarkdownRenderer
from sitegen.markup.pymd.blocks import NEEDS, SkipUnneededBlocksExtension
from sitegen.markup.pymd.converter import SPEEDUPS, engine
from sitegen.markup.pymd.inline import TriggeredInlineExtension
from tests.test_inline import SNIPPETS, _example_bodies, converter

EDGES = [
    "Term\n: Definition",
    "Term\n:\tDefinition after a tab",
    "Term\r: Definition after a bare carriage return",
    "[a]\x02: /x/\n\n*\x03[HTML]: Hyper Text\n\nSee [a] in HTML, once control characters go.",
    "> Quoted term\n> : Quoted definition",
    "- item\n\n    Term\n    : Definition in a list",
    "1. Term\n   : Definition after a number",
    "Text[^1]\n\n[^1]: Term\n    : Definition in a footnote",
    "Term\n\n:   Definition\n\n        indented more\n\n    continued",
    "Not a definition: it only has a colon",
    "| a | b |\n|---|---|\n| c | d |",
    "a | b\n--|--\nc | d",
    "```\n| not | a | table |\n```",
    "[a]: /x/\n\n[b]:\n    /y/ 'Title'\n\nSee [a] and [b][].",
    "*[WHO]: World Health Organization\n\nThe WHO said.",
    '<div MARKDOWN="1">*em* in HTML</div>',
    '<section markdown="block">\nTerm\n: Definition\n</section>',
    "## Heading {#own .klass}\n\nParagraph\n{: .lead }",
    "A paragraph with {braces} but no attribute list",
    "Plain prose, nothing special at all.\n\nTwo paragraphs.",
    "Numeric references without a tag: &#169 &#x41 &#12; AT&T &copy",
    "~~~\ntilde fence\n~~~\n\n````\nlong fence\n````",
    "<p>raw block</p>\n\ntext with an inline <b>tag</b>",
    "> quote\n> more\n\nText\n> a quote after a line of text\n\na > b, not a quote",
    "Text\n# A heading inside a block\n\n#No space\n\nIssue #5 and \\# escaped\n\n### Closed ###",
    "Title\n=====\n\nSubtitle\n--\n\nLine one\nline two\n===\n\nText\n- a list, not a title",
    "---\n\n- - -\n\n*  *  *\n\n___\n\nText\n***\nmore\n\n   ---\n\n    --- code",
    "- item\n\n    ---\n\n> ---\n\nNot a rule: a - b - c, a--b, **bold**\n\n--\t-\n\n-\t-\t-",
]


def _converters() -> tuple[markdown.Markdown, markdown.Markdown]:
    inline = TriggeredInlineExtension
    return converter(inline()), converter(inline(), SkipUnneededBlocksExtension())


def _same(documents: list[str]) -> None:
    plain, fast = _converters()
    for document in documents:
        assert fast.reset().convert(document) == plain.reset().convert(document), document


def test_same_html_as_python_markdown_in_any_order() -> None:
    documents = SNIPPETS + EDGES + _example_bodies()
    _same(documents)
    _same(list(reversed(documents)))
    _same([d for pair in zip(EDGES, reversed(EDGES), strict=True) for d in pair])


@given(st.lists(st.sampled_from(SNIPPETS + EDGES), min_size=1, max_size=6), st.booleans())
def test_same_html_for_documents_made_of_any_pieces(pieces: list[str], blank: bool) -> None:
    _same(["\n\n".join(pieces) if blank else "\n".join(pieces), *pieces])


@pytest.mark.skipif(not SPEEDUPS.is_on, reason="speed-ups off in this process")
def test_sitegen_converts_with_it_and_skips_the_unneeded() -> None:
    converter = engine()  # what MarkdownRenderer("markdown") converts with
    renderer = MarkdownRenderer("markdown")
    assert renderer.render(EDGES[0]) == converter.convert(EDGES[0])
    converter.reset().convert("Plain prose.")
    names = {p.__class__.__name__ for p in converter.parser.blockprocessors}
    assert not names & {"TableProcessor", "DefListProcessor", "ReferenceProcessor"}
    assert "| a |" not in converter.reset().convert("| a | b |\n|---|---|\n| c | d |")
    names = {p.__class__.__name__ for p in converter.parser.blockprocessors}
    assert "TableProcessor" in names
    assert converter.reset().convert("&#169") == "<p>&#169;</p>"  # the HTML pass still ran


def test_a_processor_of_another_kind_under_a_known_name_is_never_taken_out() -> None:
    class OwnTable(markdown.blockprocessors.BlockProcessor):
        def test(self, parent: object, block: str) -> bool:
            return block.startswith("TABLE")

        def run(self, parent: object, blocks: list[str]) -> None:
            etree.SubElement(parent, "table").text = blocks.pop(0)  # type: ignore[arg-type]

    converter = markdown.Markdown(extensions=[SkipUnneededBlocksExtension()])
    converter.parser.blockprocessors.register(OwnTable(converter.parser), "table", 75)
    assert converter.convert("TABLE without pipes") == "<table>TABLE without pipes</table>"
    assert ("block", "table") in NEEDS
