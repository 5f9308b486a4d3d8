"""The trigger-checked inline pass must produce exactly Python-Markdown's own HTML."""

from pathlib import Path

import markdown
import pytest

from sitegen.content.frontmatter import parse_document
from sitegen.markup.pymd.inline import TriggeredInlineExtension, TriggeredInlineProcessor
from sitegen.markup.pymd.typography import TypographyExtension

ROOT = Path(__file__).resolve().parent.parent

SNIPPETS = [
    "a  \nb *c* _d_ **e** `x` \\* [l](u) ![i](s) <http://x.y> <a@b.c> &amp; &copy; <b>h</b>",
    "***strong em*** and __b__ and *a **b** c* and snake_case_name and 2*3*4",
    "[ref][] and [ref] and ![img][ref] and ![ref]\n\n[ref]: http://x.org/ 'Title'",
    "x<y & z>w, AT&T, 5 > 3, <notatag and a lone ` backtick",
    "Footnote[^n] and [^missing] and [not a link]\n\n[^n]: The *note* with `code`.",
    "*[HTML]: Hyper Text Markup Language\n\nHTML in text and <abbr>HTML</abbr>",
    "Term\n: Definition with `code`, *em* and [a link](/x/)",
    "| a | b |\n|---|---|\n| `c|d` | *e* |\n| [f](/g/) | &lt; |",
    '<div markdown="1">*inside* [link](/x/)</div>\n\n<div>*raw* stays</div>',
    "# Heading with *em* {#custom .klass}\n\nParagraph {: .lead }",
    "```\ncode *not em* [not link]\n```\n\n    indented *code*\n\nafter `tick`",
    "Escapes: \\[not link\\] \\*not em\\* \\`not code\\` \\\\ backslash",
    "`` code with ` tick `` and ```triple```",
    "Emphasis _inside_words_ and *multiple* *stars* **and** __under__ scores_",
    "Line one  \nline two   \nline three\\\nline four",
    "<span>*em inside inline html*</span> and <!-- comment *x* --> after",
    "[link *with em* and `code`](http://example.org/a_b*c) [![img](/i.png)](/l/)",
    "\"Quotes\" and 'single' -- dashes --- and... ellipses <em>'tagged'</em>",
]


def converter(*extra: markdown.extensions.Extension) -> markdown.Markdown:
    """Python-Markdown with sitegen's extensions and typography, plus `extra` ones."""
    return markdown.Markdown(
        extensions=["extra", "toc", "sane_lists", TypographyExtension(), *extra],
        output_format="html",
    )


def _renderers() -> tuple[markdown.Markdown, markdown.Markdown]:
    return converter(), converter(TriggeredInlineExtension())


def _example_bodies() -> list[str]:
    bodies = []
    for path in sorted((ROOT / "content").rglob("*.md")):
        document, _ = parse_document(path.read_text(encoding="utf-8"), path)
        assert document is not None
        bodies.append(document.body)
    return bodies


@pytest.mark.parametrize("text", SNIPPETS + _example_bodies())
def test_same_html_as_python_markdown(text: str) -> None:
    plain, fast = _renderers()
    assert fast.convert(text) == plain.convert(text)


def test_replaces_the_inline_processor() -> None:
    _, fast = _renderers()
    assert isinstance(fast.treeprocessors["inline"], TriggeredInlineProcessor)
    assert "<em>x</em>" in fast.convert("*x*")


def test_pattern_from_another_extension_always_runs() -> None:
    """An unknown inline pattern has no trigger entry, so it is never skipped."""
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    class Mark(markdown.extensions.Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
            md.inlinePatterns.register(SimpleTagInlineProcessor(r"(==)(.+?)==", "mark"), "mark", 65)

    fast = markdown.Markdown(extensions=[Mark(), TriggeredInlineExtension()])
    assert fast.convert("a ==marked== b") == "<p>a <mark>marked</mark> b</p>"


def test_every_default_pattern_is_trigger_checked() -> None:
    """After a Python-Markdown upgrade that changes a pattern, the speed-up would quietly
    stop for it; this says which one to look at."""
    _, fast = _renderers()
    fast.convert("x")
    processor = fast.treeprocessors["inline"]
    unchecked = [p for p, t in zip(processor._patterns, processor._triggers, strict=True) if not t]
    assert len(processor._patterns) == 15
    assert unchecked == []


def test_changed_pattern_is_never_skipped() -> None:
    """A pattern registered under a known name with another regex gets no trigger."""
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    class Strike(markdown.extensions.Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
            md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "html", 90)

    fast = markdown.Markdown(extensions=[Strike(), TriggeredInlineExtension()])
    assert fast.convert("a ~~gone~~ b") == "<p>a <del>gone</del> b</p>"


def test_patterns_registered_between_documents_are_checked_by_their_own_triggers() -> None:
    """Triggers are worked out once per set of patterns: one registered in front of the
    others between two documents moves every pattern, and each keeps its own trigger."""
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    plain, fast = _renderers()
    text = "`code`, *em*, [link](/x/), <b>tag</b> and ++inserted++ text"
    assert fast.convert(text) == plain.convert(text)
    for converter in (plain, fast):
        pattern = SimpleTagInlineProcessor(r"(\+\+)(.+?)\+\+", "ins")
        converter.inlinePatterns.register(pattern, "ins", 1000)
    assert "<ins>inserted</ins>" in plain.reset().convert(text)
    assert fast.reset().convert(text) == plain.reset().convert(text)
