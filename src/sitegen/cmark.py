"""The opt-in fast engine: cmark (GitHub's C CommonMark, through cmarkgfm), with a light
pass that makes its HTML match Python-Markdown's where readers or links would notice.

cmark does the typography itself (its "smart" option follows the same SmartyPants
rules); this pass adds heading ids exactly as Python-Markdown's `toc` makes them, and
writes void elements the HTML way (`<br>`, not `<br />`). Only headings cmark made get
ids: when the text holds raw HTML headings, cmark is asked for source positions, which
its own headings carry and raw HTML does not (else every heading is cmark's, and the
positions, on every block, would only cost time to remove).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import cmarkgfm
from cmarkgfm.cmark import Options
from markdown.extensions.toc import slugify, unique

EXTENSIONS = ["table", "strikethrough", "autolink"]
OPTIONS = (
    Options.CMARK_OPT_UNSAFE  # raw HTML is kept, as Python-Markdown keeps it
    | Options.CMARK_OPT_SMART  # “quotes”, dashes and ellipses
    | Options.CMARK_OPT_FOOTNOTES
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # "~30 people" is prose
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES  # text-align as Python-Markdown has it
)
POSITIONS = Options.CMARK_OPT_SOURCEPOS  # marks what cmark made, to tell it from raw HTML
_RAW_HEADING = re.compile(r"<h[1-6]", re.IGNORECASE)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_PLACED_HEADING = re.compile(r'<h([1-6]) data-sourcepos="[^"]*">(.*?)</h\1>', re.DOTALL)
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_SELF_CLOSING = re.compile(r"<(br|hr|img)\b([^>]*?) ?/>")
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_FOOTNOTE_ID = re.compile(r'id="(fn(?:ref)?-[^"]*)"')
_ALT = re.compile(r'(<img src="[^"]*" alt=")([^"]*)"')
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": "&quot;", "\u201d": "&quot;"})
_PLAIN_DASHES = {"\u2014": "---", "\u2013": "--", "\u2026": "..."}


def cmark_converter() -> Callable[[str], str]:
    """Markdown text -> HTML fragment."""
    convert = cmarkgfm.markdown_to_html_with_extensions

    def render(text: str) -> str:
        if _RAW_HEADING.search(text):
            return tidy(str(convert(text, OPTIONS | POSITIONS, EXTENSIONS)), positions=True)
        return tidy(str(convert(text, OPTIONS, EXTENSIONS)))

    return render


def tidy(fragment: str, *, positions: bool = False) -> str:
    """Heading ids, no source positions, HTML-style void elements, no trailing newline.
    With `positions` (cmark's source positions asked for), only headings carrying one
    are cmark's."""
    if "<h" in fragment:
        used = set(_FOOTNOTE_ID.findall(fragment)) if "data-footnote" in fragment else set()
        heading = _PLACED_HEADING if positions else _HEADING
        fragment = heading.sub(lambda m: _heading(m, used), fragment)
    if positions:
        fragment = _SOURCEPOS.sub("", fragment)
    if "<img" in fragment:  # alt text stays as typed, as with the default engine
        fragment = _ALT.sub(_plain_alt, fragment)
    if "/>" in fragment:
        fragment = _SELF_CLOSING.sub(r"<\1\2>", fragment)
    return fragment.rstrip("\n")  # as the default engine ends


def _heading(match: re.Match[str], used: set[str]) -> str:
    level, inner = match.group(1), match.group(2)
    text = " ".join(_TAG.sub("", _FOOTNOTE_REF.sub("", inner)).split())
    anchor = unique(slugify(html.unescape(text), "-"), used)
    return f'<h{level} id="{anchor}">{inner}</h{level}>'


def _plain_alt(match: re.Match[str]) -> str:
    alt = match.group(2).translate(_PLAIN)
    for typographic, typed in _PLAIN_DASHES.items():
        alt = alt.replace(typographic, typed)
    return f'{match.group(1)}{alt}"'
