"""Body HTML -> the same HTML with only what Markdown makes (`raw_html: sanitize`): nh3
(the Rust ammonia sanitizer) with an allow-list, plus a short account of what it removed.

The engine's own bytes are kept whenever the sanitizer changed nothing but the spelling of
characters (`&#160;` or `&nbsp;`), so ordinary Markdown comes out exactly as under `keep`.
Anything else (an element or attribute removed, broken HTML repaired) gives nh3's output.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sitegen.errors import Location, Problem, error, warning

# What Python-Markdown (extra, toc, sane_lists) and cmark-gfm (tables, footnotes,
# strikethrough, autolinks) make, and the plain HTML editors write for prose and pictures.
TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
})  # fmt: skip
# Removed with everything inside: their content is code, styling or a stand-in for an embed.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "noembed", "noframes", "noscript", "template", "textarea",
    "title", "xmp",
})  # fmt: skip
# ids: heading anchors and footnotes; class: footnotes, code languages, `{: .lead }`;
# dir and lang: right-to-left passages; title: tooltips (abbreviations, links, images)
GENERIC_ATTRIBUTES = frozenset({"id", "class", "dir", "lang", "title", "aria-label"})
ATTRIBUTES = {
    "a": {"href", "hreflang", "rel", "name"}  # name: old anchors, as imported archives have
    | {"data-footnote-ref", "data-footnote-backref", "data-footnote-backref-idx"},  # cmark
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "decoding"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "th": {"align", "colspan", "rowspan", "headers", "scope"},
    "td": {"align", "colspan", "rowspan", "headers"},
    "col": {"span"},
    "colgroup": {"span"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "details": {"open"},
    "section": {"data-footnotes"},  # cmark's footnotes
}
# Table cells: the alignments the engines write (Python-Markdown ends with ';'), no other style
_ALIGNED = {f"text-align: {side}{end}" for side in ("left", "center", "right") for end in ("", ";")}
ATTRIBUTE_VALUES = {cell: {"style": _ALIGNED} for cell in ("th", "td")}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
REMOVED_SHOWN = 4  # items named in the warning, then "and N more"


def sanitize_body(
    body_html: str, markdown: str, start: Location, *, strict: bool
) -> tuple[str, list[Problem]]:
    """A body's HTML -> the sanitized HTML, and a warning (an error if `strict`) naming
    what was removed, at its line in the Markdown (`start` is where the body begins)."""
    clean, removed = sanitized(body_html)
    if not removed:
        return clean, []
    where = Location(start.path, (start.line or 1) + removal_line(markdown, removed))
    return clean, [(error if strict else warning)(where, removal_message(removed))]


def sanitized(body_html: str) -> tuple[str, list[str]]:
    """The body with only allowed elements, attributes and URLs, and what was removed
    (`<script>`, `<a onclick>`; empty when nothing was)."""
    cleaned = _cleaner()(body_html)
    if cleaned == body_html or _spelled_alike(cleaned) == _spelled_alike(body_html):
        return body_html, []  # the same text and markup: keep the engine's spelling
    return cleaned, _removed(body_html, cleaned)


def removal_message(removed: list[str]) -> str:
    """The warning for an article that lost something to the sanitizer."""
    shown = ", ".join(removed[:REMOVED_SHOWN])
    more = f" and {len(removed) - REMOVED_SHOWN} more" if len(removed) > REMOVED_SHOWN else ""
    return f"raw_html: removed {shown}{more}; `raw_html: sanitize` keeps only what Markdown makes"


def removal_line(body: str, removed: list[str]) -> int:
    """The body line (0-based) of the first thing removed, as far as the Markdown shows it
    (the line of `<script`, `onclick` or `javascript:`; else the body's first line)."""
    found = -1
    if removed and (item := _ITEM.fullmatch(removed[0])):
        tag, attribute, scheme = item.groups()
        needle = f"{scheme}:" if scheme else attribute or f"<{tag}"
        found = body.lower().find(needle.lower())
    return body.count("\n", 0, found) if found >= 0 else 0


def fingerprint() -> str:
    """What the sanitizer's output depends on besides the HTML: nh3's version, the lists."""
    import nh3

    lists = [TAGS, DROPPED_WITH_CONTENT, GENERIC_ATTRIBUTES, _ALIGNED, URL_SCHEMES]
    per_tag = [f"{tag}: {sorted(names)}" for tag, names in sorted(ATTRIBUTES.items())]
    # sorted: a set's order changes from one process to the next (string hashing)
    return f"nh3 {getattr(nh3, '__version__', '?')}: {[sorted(x) for x in lists]} {per_tag}"


@functools.cache
def _cleaner() -> Callable[[str], str]:
    import nh3  # optional (sitegen[sanitize]); config/settings.py checks it is there

    return functools.partial(
        nh3.clean,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"*": set(GENERIC_ATTRIBUTES), **ATTRIBUTES},
        tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=set(URL_SCHEMES),
        strip_comments=False,  # `<!--more-->` marks where the excerpt ends
        link_rel=None,  # no rel added to every link: target is not allowed, so none opens a tab
    )


_EMPTY_VALUE = re.compile(r'( [a-z][a-z0-9-]*)=""(?=[ />])')


def _spelled_alike(text: str) -> str:
    """HTML with its character references decoded and `name=""` written `name`: what
    differs only in these is the same document (nh3 spells both its own way)."""
    return _EMPTY_VALUE.sub(r"\1", html.unescape(text))


_ITEM = re.compile(r'<([^ >]+)(?: ([^=>]+)(?:="([^"]*):")?)?>')
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


def _removed(before: str, after: str) -> list[str]:
    """Elements and attributes in `before` that `after` lacks, in the order first seen;
    an element's attributes are not named when the element itself went."""
    had, kept = _Inventory.of(before), _Inventory.of(after)
    lost = had.counts - kept.counts
    gone = [item for item in had.order if item in lost]
    return [item for item in gone if " " not in item or item.split(" ")[0] + ">" not in lost]


class _Inventory(HTMLParser):
    """Each element (`<p>`) and attribute (`<a href>`, `<a href="javascript:">` for a URL
    with a scheme) of some HTML, counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()
        self.order: dict[str, None] = {}

    @classmethod
    def of(cls, text: str) -> _Inventory:
        inventory = cls()
        inventory.feed(text)
        inventory.close()
        return inventory

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(f"<{tag}>")
        for name, value in attrs:
            scheme = urlsplit(value or "").scheme if name in _URL_ATTRIBUTES else ""
            self._count(f'<{tag} {name}="{scheme}:">' if scheme else f"<{tag} {name}>")

    def _count(self, item: str) -> None:
        self.counts[item] += 1
        self.order.setdefault(item)
