"""Python-Markdown's block parsing, minus the processors that cannot match.

Python-Markdown offers every block of a document to each of its ~17 block processors in
turn, and some of them do real work for each block whatever it holds: the table
processor splits every multi-line block into cells, the abbreviation and reference
processors run a regular expression over every block. A document without a '|' has no
table, one without ']:' no reference definition, and so on; taking those processors out
for such a document (and attr_list's pass over every element without a '{', the raw-HTML
and fenced-code passes without '<' or a fence) made converting the benchmark archive a
tenth faster. Four processors whose test searches every block with a regular expression
(block quotes, '#' and underlined headings, rules) first check for a character their
pattern cannot do without: converting was a further seventh faster. Everything else is
Python-Markdown's own code, so the output is the same HTML (tests compare the two on the
example archive and edge cases, in any order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.util import Registry

# A definition list needs a line that, once quote markers, list markers and indentation
# are stripped, starts with ':' and a space: a ': ' after nothing but such marks.
_COLON = re.compile(r":[ \t]")
_MARKS = re.compile(r"[ \t>*+\-0-9.]*")

_ANYTHING = "markdown"  # md_in_html re-parses raw HTML that holds markdown="1": keep all


def _definitions(text: str) -> bool:
    if "[^" in text:
        return True
    for colon in _COLON.finditer(text):  # a few per article ("said: ..."), quickly found
        line_start = text.rfind("\n", 0, colon.start()) + 1
        if _MARKS.fullmatch(text, line_start, colon.start()):
            return True
    return False


Needed = Callable[[str], bool]  # document text -> may the processor match in it?
# (registry, registered name) -> (exact class, the test). A processor that differs (another
# extension's, or a future version's) is never taken out: skipping must not change output.
NEEDS: dict[tuple[str, str], tuple[str, Needed]] = {
    ("block", "table"): ("TableProcessor", lambda text: "|" in text),
    ("block", "reference"): ("ReferenceProcessor", lambda text: "]:" in text),
    ("block", "abbr"): ("AbbrBlockprocessor", lambda text: "*[" in text),
    ("block", "footnote"): ("FootnoteBlockProcessor", lambda text: "[^" in text),
    # a footnote's first line loses its '[^1]: ' before it is parsed, so any footnote
    # could start a definition list
    ("block", "deflist"): ("DefListProcessor", _definitions),
    ("block", "defindent"): ("DefListIndentProcessor", _definitions),
    # only raw HTML with a markdown="1" attribute (md_in_html) leaves it something to do
    ("block", "markdown_block"): ("MarkdownInHtmlProcessor", lambda text: _ANYTHING in text),
    # looks for '{: ...}' in the text of every element
    ("tree", "attr_list"): ("AttrListTreeprocessor", lambda text: "{" in text),
}


def _normalized(text: str) -> str:
    """The text as Python-Markdown's first pass leaves it for the others (tabs aside)."""
    text = text.replace(util.STX, "").replace(util.ETX, "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _SkipUnneeded(Preprocessor):
    """Runs first, on the document as written: takes out the processors it cannot use,
    after putting back those the previous document did without."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._out: list[tuple[Registry[Any], Any, str, float]] = []

    def run(self, lines: list[str]) -> list[str]:
        for registry, processor, name, priority in self._out:
            registry.register(processor, name, priority)
        self._out = []
        text = _normalized("\n".join(lines))
        if _ANYTHING in text.casefold():
            return lines
        registries: dict[str, Registry[Any]] = {
            "block": self.md.parser.blockprocessors,
            "tree": self.md.treeprocessors,
        }
        for (where, name), (kind, needed) in NEEDS.items():
            registry = registries[where]
            if name not in registry or type(registry[name]).__name__ != kind or needed(text):
                continue
            priorities = _priorities(registry)
            priority = priorities[name]
            if list(priorities.values()).count(priority) > 1:
                continue  # put back, it could land on the other side of its equal
            self._out.append((registry, registry[name], name, priority))
            registry.deregister(name)
        return lines


def _setext_underline(block: str) -> bool:
    """SetextHeaderProcessor's pattern, '^.*?\\n(?:=+|-+)', anchored at the block's start."""
    first_end = block.find("\n")
    return first_end >= 0 and block.startswith(("=", "-"), first_end + 1)


# Any three of a rule's characters with at most two spaces between: every horizontal rule
# (HRProcessor: '---', '* * *', '_  _  _') has them.
_RULE_RUN = re.compile(r"([-_*]) {0,2}\1 {0,2}\1")

# Block processors whose test searches a whole block with a regular expression, for every
# block of every document: name -> (exact class, a quick test the block must pass first,
# one that every block their own pattern matches passes).
BLOCK_NEEDS: dict[str, tuple[str, Needed]] = {
    "quote": ("BlockQuoteProcessor", lambda block: ">" in block),
    "hashheader": ("HashHeaderProcessor", lambda block: "#" in block),
    "setextheader": ("SetextHeaderProcessor", _setext_underline),
    "hr": ("HRProcessor", lambda block: _RULE_RUN.search(block) is not None),
}


def _test_first(processor: Any, needed: Needed) -> None:
    """Give `processor` a test that tries `needed` on the block before its own."""
    own_test = processor.test

    def test(parent: Any, block: str) -> bool:
        return needed(block) and bool(own_test(parent, block))

    setattr(processor, "test", test)  # noqa: B010 (this instance only, not the class)


# Preprocessors run from a list made before the first one starts, so these are wrapped
# instead: name -> (exact class, the test).
PRE_NEEDS: dict[str, tuple[str, Needed]] = {
    # md_in_html's raw HTML pass; it also completes '&#12' to '&#12;'
    "html_block": ("HtmlBlockPreprocessor", lambda text: "<" in text or "&#" in text),
    "fenced_code_block": ("FencedBlockPreprocessor", lambda text: "```" in text or "~~~" in text),
}


def _priorities(registry: Registry[Any]) -> dict[str, float]:
    """Each item's priority by name (Registry has no public getter; its order may be stale)."""
    return {item.name: float(item.priority) for item in registry._priority}  # type: ignore[attr-defined]


class _Unless(Preprocessor):
    """A preprocessor that runs only on a document it may change."""

    def __init__(self, md: Markdown, inner: Preprocessor, needed: Needed) -> None:
        super().__init__(md)
        self.inner, self.needed = inner, needed

    def run(self, lines: list[str]) -> list[str]:
        return self.inner.run(lines) if self.needed("\n".join(lines)) else lines


class SkipUnneededBlocksExtension(Extension):
    """Register last, so every other extension's processors are known."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        registry = md.preprocessors
        for name, (kind, needed) in PRE_NEEDS.items():
            if name in registry and type(registry[name]).__name__ == kind:
                wrapped = _Unless(md, registry[name], needed)
                registry.register(wrapped, name, _priorities(registry)[name])
        registry.register(_SkipUnneeded(md), "skip_unneeded_blocks", 1000)
        blocks = md.parser.blockprocessors
        for name, (kind, needed) in BLOCK_NEEDS.items():
            if name in blocks and type(blocks[name]).__name__ == kind:
                _test_first(blocks[name], needed)
