"""Typographic quotes, dashes and ellipses (SmartyPants rules: "quotes" -> “quotes”,
it's -> it’s, '80s -> ’80s, -- -> –, --- -> —, ... -> …) for plain text: titles, summaries,
captions. Python-Markdown's tree gets the same rules from pymd/typography.py; this module
imports no Markdown engine, so the fast one's builds never load Python-Markdown. Text inside
KEPT elements (code, scripts), whether Markdown or raw HTML made them, is left as written.
"""

from __future__ import annotations

import re

_DASHES = re.compile(r"(?<![-.])(---|--|\.\.\.)(?![-.])")
_DASH_FOR = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_OPENING_CONTEXT = frozenset(" \t\r\n\u00a0([{-\u2013\u2014\x00\x03")  # \x03 ends raw HTML
_DECADE = re.compile(r"\d\ds")
_QUOTE = re.compile("['\"]")
HOLE = "\x01"  # stands for skipped content (code) so quotes around it pair up
# Elements whose text is code or not prose: SmartyPants' list (pre, code, kbd, script,
# math) with smartypants.py's samp and style, plus svg and textarea. Not var: a variable's
# name is set in prose. (Python-Markdown's `smarty` changes text inside raw tags too.)
KEPT = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea"})
# Elements that are part of the prose around them (the rest are blocks of their own)
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "del", "dfn", "em", "i", "img", "ins", "mark",
    "q", "s", "small", "span", "strong", "sub", "sup", "u", "br", "wbr", "time", "var",
})  # fmt: skip
# A raw HTML start or end tag, as CommonMark defines one (so `a<b) x>` in a script is not)
RAW_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s+[a-zA-Z_:][a-zA-Z0-9_.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*(/?)>"""
)


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


class KeptElements:
    """Which raw HTML KEPT elements text is inside, told each tag in reading order. An end
    tag closes its element and any left open inside it; a stray one changes nothing."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self._counts = dict.fromkeys(KEPT, 0)  # of each name in `open`: stray end tags cost O(1)

    def see(self, tag: str) -> None:
        """Take note of one raw HTML tag (`<code class="x">`, `</CODE>`, `<br>`)."""
        match = RAW_TAG.fullmatch(tag)
        if match is None or match.group(3):  # not a tag, or self-closing: opens nothing
            return
        name = match.group(2).lower()
        if name not in KEPT:
            return
        if not match.group(1):
            self.open.append(name)
            self._counts[name] += 1
        elif self._counts[name]:
            while (closed := self.open.pop()) != name:
                self._counts[closed] -= 1
            self._counts[name] -= 1

    def close_all(self) -> None:
        """A block ends: so does every element opened in it."""
        self.open.clear()
        self._counts = dict.fromkeys(KEPT, 0)
