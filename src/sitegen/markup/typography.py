"""Typographic quotes, dashes and ellipses (SmartyPants rules: "quotes" -> “quotes”,
it's -> it’s, '80s -> ’80s, -- -> –, --- -> —, ... -> …) for plain text: titles, summaries,
captions. Python-Markdown's tree gets the same rules from mdtypography.py; this module
imports no Markdown engine, so the fast one's builds never load Python-Markdown.
"""

from __future__ import annotations

import re

_DASHES = re.compile(r"(?<![-.])(---|--|\.\.\.)(?![-.])")
_DASH_FOR = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_OPENING_CONTEXT = frozenset(" \t\r\n\u00a0([{-\u2013\u2014\x00\x03")  # \x03 ends raw HTML
_DECADE = re.compile(r"\d\ds")
_QUOTE = re.compile("['\"]")
HOLE = "\x01"  # stands for skipped content (code) so quotes around it pair up


def smarten(text: str) -> str:
    """Apply the rules to plain text (used for whole blocks and in tests)."""
    return quotes(dashes(text))


def dashes(text: str) -> str:
    """-- -> –, --- -> —, ... -> …"""
    if "--" not in text and "..." not in text:
        return text
    return _DASHES.sub(lambda m: _DASH_FOR[m.group(1)], text)


def quotes(text: str) -> str:
    """Straight quotes -> typographic ones, each judged by what precedes and follows it."""
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
    is_word = next_char.isalnum() or next_char in ("_", HOLE, "\x02")  # \x02 starts raw HTML
    if char == "'":
        if not before.isalnum() and _DECADE.match(after):
            return "\u2019"  # '80s
        if opening and (is_word or next_char == '"'):
            return "\u2018"
        return "\u2019" if not opening or not next_char or next_char.isspace() else "\u2018"
    if opening and (is_word or next_char in ("'", "\u2018")):
        return "\u201c"
    return "\u201d" if not opening or not next_char or next_char.isspace() else "\u201c"
