"""typography.py's rules for Python-Markdown, in one pass over the tree.

Python-Markdown's own `smarty` extension does this with a second inline-pattern pass that
doubles the cost of converting an article; this does the same job by walking each block's
text once. Code, preformatted text and raw HTML are left alone, and so is the text inside
raw HTML code elements (`Text <code>"x"</code>`), which Python-Markdown parses as Markdown
between the two tags it keeps as written.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator, Sequence

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, STX, AtomicString

from sitegen.markup.typography import HOLE, INLINE, KEPT, KeptElements, dashes, quotes

Span = tuple[int, int]  # [start, end) in a block's text


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

    def apply(self, stash: Sequence[object]) -> None:
        """Dashes per piece, then quotes over the whole block (a quote's partner may sit
        in another element), then each piece back where it came from. `stash` is
        Python-Markdown's raw HTML, which the block's text holds placeholders for."""
        whole = "".join(self.parts)
        if "'" not in whole and '"' not in whole and "--" not in whole and "..." not in whole:
            return  # nothing to change (most blocks): leave every piece as it is
        if STX in whole and (kept := _kept_spans(whole, stash)):
            self._apply_around(kept)
            return
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

    def _apply_around(self, kept: list[Span]) -> None:
        """As `apply`, leaving the `kept` spans of the block's text as they are: quotes
        see them as holes, so the text around them reads as it would without them."""
        chunks: list[tuple[int, str, bool]] = []  # (part index, text, is_prose)
        for index, start, end, is_prose in _cut(self.parts, kept):
            text = self.parts[index][start:end]
            is_prose = is_prose and bool(self.places[index][1])  # not a hole
            chunks.append((index, dashes(text) if is_prose else text, is_prose))
        quoted = quotes(
            "".join(text if is_prose else HOLE * len(text) for _, text, is_prose in chunks)
        )
        results: list[list[str]] = [[] for _ in self.parts]
        position = 0
        for index, text, is_prose in chunks:
            results[index].append(quoted[position : position + len(text)] if is_prose else text)
            position += len(text)
        for (element, attribute), result in zip(self.places, results, strict=True):
            if attribute:
                setattr(element, attribute, "".join(result))


def _kept_spans(whole: str, stash: Sequence[object]) -> list[Span]:
    """The spans of a block's text inside raw HTML KEPT elements: from the placeholder of
    `<code>` to that of `</code>`, or to the block's end when it is not closed there."""
    spans: list[Span] = []
    elements = KeptElements()
    start = 0
    for match in HTML_PLACEHOLDER_RE.finditer(whole):
        index = int(match.group(1))
        raw = stash[index] if index < len(stash) else None
        if not isinstance(raw, str) or not raw.startswith("<"):
            continue  # an entity, or HTML the parser made into elements
        was_inside = bool(elements.open)
        elements.see(raw)
        if not was_inside and elements.open:
            start = match.end()
        elif was_inside and not elements.open:
            spans.append((start, match.start()))
    if elements.open:
        spans.append((start, len(whole)))
    return spans


def _cut(parts: list[str], kept: list[Span]) -> Iterator[tuple[int, int, int, bool]]:
    """The parts cut at the edges of the `kept` spans of their concatenation, in order:
    (part index, start, end within the part, is_prose). One pass over both lists."""
    span = 0
    offset = 0  # where the part starts in the concatenation
    for index, part in enumerate(parts):
        end = offset + len(part)
        position = offset
        while span < len(kept) and kept[span][0] < end:
            kept_start, kept_end = kept[span]
            if kept_start > position:
                yield index, position - offset, kept_start - offset, True
            stop = min(end, kept_end)
            if stop > max(position, kept_start):
                yield index, max(position, kept_start) - offset, stop - offset, False
            position = max(position, stop)
            if kept_end > end:
                break
            span += 1
        if position < end:
            yield index, position - offset, end - offset, True
        offset = end


class TypographyProcessor(Treeprocessor):
    """Each block's text (its inline elements included) as one piece of prose. Walks
    with explicit stacks, not recursion, so any depth of nesting the parser produced is
    fine. Blocks touch disjoint text, so the order they are done in does not matter."""

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        blocks = [root]
        while blocks:
            segments = _Segments()
            _collect(blocks.pop(), segments, blocks)
            segments.apply(stash)


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
        elif child.tag in KEPT:
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
