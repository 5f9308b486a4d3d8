"""typography.py's rules for Python-Markdown, in one pass over the tree.

Python-Markdown's own `smarty` extension does this with a second inline-pattern pass that
doubles the cost of converting an article; this does the same job by walking each block's
text once. Code, preformatted text and raw HTML are left alone.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from sitegen.markup.typography import HOLE, dashes, quotes

SKIPPED = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea"})
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "del", "dfn", "em", "i", "img", "ins", "mark",
    "q", "s", "small", "span", "strong", "sub", "sup", "u", "br", "wbr", "time", "var",
})  # fmt: skip


class _Segments:
    """The text pieces of one block in reading order: (element, 'text' or 'tail')."""

    def __init__(self) -> None:
        self.places: list[tuple[etree.Element, str]] = []
        self.parts: list[str] = []

    def add(self, element: etree.Element, attribute: str) -> None:
        value = getattr(element, attribute)
        if value and not isinstance(value, AtomicString):
            self.places.append((element, attribute))
            self.parts.append(value)
        elif value:
            self.hole(element)  # atomic text (a code span): context only

    def hole(self, element: etree.Element) -> None:
        self.parts.append(HOLE)
        self.places.append((element, ""))

    def apply(self) -> None:
        """Dashes per piece, then quotes over the whole block (a quote's partner may sit
        in another element), then each piece back where it came from."""
        whole = "".join(self.parts)
        if "'" not in whole and '"' not in whole and "--" not in whole and "..." not in whole:
            return  # nothing to change (most blocks): leave every piece as it is
        pieces = [
            dashes(part) if attribute else part
            for part, (_, attribute) in zip(self.parts, self.places, strict=True)
        ]
        quoted = quotes("".join(pieces))
        start = 0
        for (element, attribute), piece in zip(self.places, pieces, strict=True):
            if attribute:
                setattr(element, attribute, quoted[start : start + len(piece)])
            start += len(piece)


class TypographyProcessor(Treeprocessor):
    """Each block's text (its inline elements included) as one piece of prose. Walks
    with explicit stacks, not recursion, so any depth of nesting the parser produced is
    fine. Blocks touch disjoint text, so the order they are done in does not matter."""

    def run(self, root: etree.Element) -> None:
        blocks = [root]
        while blocks:
            segments = _Segments()
            _collect(blocks.pop(), segments, blocks)
            segments.apply()


def _collect(block: etree.Element, segments: _Segments, blocks: list[etree.Element]) -> None:
    """The block's text pieces in reading order into `segments`; the blocks inside it
    onto `blocks`, to be done on their own."""
    segments.add(block, "text")
    stack = [(block, iter(block))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:  # an inline element is done: its tail follows it
                segments.add(element, "tail")
        elif child.tag in SKIPPED:
            if child.tag in ("code", "kbd", "samp") and element.tag != "pre":
                segments.hole(child)
            segments.add(child, "tail")
        elif child.tag in INLINE:
            segments.add(child, "text")
            stack.append((child, iter(child)))
        else:
            blocks.append(child)
            segments.add(child, "tail")


class TypographyExtension(Extension):
    """Register as `typography`: smart quotes, dashes and ellipses."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TypographyProcessor(md), "typography", 6)
