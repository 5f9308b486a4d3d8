"""Typographic quotes, dashes and ellipses for Python-Markdown, in one pass over the tree.

Python-Markdown's own `smarty` extension does this with a second inline-pattern pass that
doubles the cost of converting an article; this does the same job (SmartyPants rules:
"quotes" -> “quotes”, it's -> it’s, '80s -> ’80s, -- -> –, --- -> —, ... -> …) by walking
each block's text once. Code, preformatted text and raw HTML are left alone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

SKIPPED = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea"})
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "del", "dfn", "em", "i", "img", "ins", "mark",
    "q", "s", "small", "span", "strong", "sub", "sup", "u", "br", "wbr", "time", "var",
})  # fmt: skip
_DASHES = re.compile(r"(?<![-.])(---|--|\.\.\.)(?![-.])")
_DASH_FOR = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_OPENING_CONTEXT = frozenset(" \t\r\n\u00a0([{-\u2013\u2014\x00\x03")  # \x03 ends raw HTML
_DECADE = re.compile(r"\d\ds")
_QUOTE = re.compile("['\"]")
_HOLE = "\x01"  # stands for skipped content (code) so quotes around it pair up


def smarten(text: str) -> str:
    """Apply the rules to plain text (used for whole blocks and in tests)."""
    return _quotes(_dashes(text))


def _dashes(text: str) -> str:
    if "--" not in text and "..." not in text:
        return text
    return _DASHES.sub(lambda m: _DASH_FOR[m.group(1)], text)


def _quotes(text: str) -> str:
    if "'" not in text and '"' not in text:
        return text
    pieces: list[str] = []
    start = 0
    previous = "\x00"  # what came before, as already converted (a quote sees its partner)
    for match in _QUOTE.finditer(text):
        index = match.start()
        if index > start:
            pieces.append(text[start:index])
            previous = text[index - 1]
        previous = _quote(text[index], previous, text[index + 1 : index + 4])
        pieces.append(previous)
        start = index + 1
    pieces.append(text[start:])
    return "".join(pieces)


def _quote(char: str, before: str, after: str) -> str:
    opening = before in _OPENING_CONTEXT or before in "\u2018\u201c"
    next_char = after[:1]
    is_word = next_char.isalnum() or next_char in ("_", _HOLE, "\x02")  # \x02 starts raw HTML
    if char == "'":
        if not before.isalnum() and _DECADE.match(after):
            return "\u2019"  # '80s
        if opening and (is_word or next_char == '"'):
            return "\u2018"
        return "\u2019" if not opening or not next_char or next_char.isspace() else "\u2018"
    if opening and (is_word or next_char in ("'", "\u2018")):
        return "\u201c"
    return "\u201d" if not opening or not next_char or next_char.isspace() else "\u201c"


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
        self.parts.append(_HOLE)
        self.places.append((element, ""))

    def apply(self) -> None:
        """Dashes per piece, then quotes over the whole block (a quote's partner may sit
        in another element), then each piece back where it came from."""
        whole = "".join(self.parts)
        if "'" not in whole and '"' not in whole and "--" not in whole and "..." not in whole:
            return  # nothing to change (most blocks): leave every piece as it is
        pieces = [
            _dashes(part) if attribute else part
            for part, (_, attribute) in zip(self.parts, self.places, strict=True)
        ]
        quoted = _quotes("".join(pieces))
        start = 0
        for (element, attribute), piece in zip(self.places, pieces, strict=True):
            if attribute:
                setattr(element, attribute, quoted[start : start + len(piece)])
            start += len(piece)


class TypographyProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self._block(root)

    def _block(self, block: etree.Element) -> None:
        segments = _Segments()
        self._collect(block, segments)
        segments.apply()

    def _collect(self, element: etree.Element, segments: _Segments) -> None:
        segments.add(element, "text")
        for child in element:
            if child.tag in SKIPPED:
                if child.tag in ("code", "kbd", "samp") and element.tag != "pre":
                    segments.hole(child)
            elif child.tag in INLINE:
                self._collect(child, segments)
            else:
                self._block(child)
            segments.add(child, "tail")


class TypographyExtension(Extension):
    """Register as `typography`: smart quotes, dashes and ellipses."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TypographyProcessor(md), "typography", 6)
