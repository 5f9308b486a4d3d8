"""A WordPress export file (WXR 1.0-1.2, Tools -> Export) -> its authors and items.

Read as a stream with defusedxml, twice: once for the authors and media (small), then
item by item, so a 100 MB export imports in the memory of its largest post; an export that
declares entities (the "billion laughs" bomb) is refused, not expanded. Content stays HTML
(see content.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from sitegen.errors import ContentError, Location, error

# Namespaces by their shape, not one exact string: WordPress has written http and https,
# and /export/1.0/, 1.1/ and 1.2/, over the years -> the short names used below.
_NAMESPACES = (
    (re.compile(r"wordpress\.org/export/\d+\.\d+/excerpt/?"), "excerpt"),
    (re.compile(r"wordpress\.org/export/\d+\.\d+/?"), "wp"),
    (re.compile(r"purl\.org/rss/1\.0/modules/content/?"), "content"),
    (re.compile(r"purl\.org/dc/elements/1\.1/?"), "dc"),
    (re.compile(r"wellformedweb\.org/commentapi/?"), "wfw"),
    (re.compile(r"www\.w3\.org/2005/atom/?"), "atom"),
)
# Prefixes older exports use without declaring them (WordPress.com wrote `<atom:link>` in the
# channel of exports without `xmlns:atom`), with the namespace each stands for.
KNOWN_PREFIXES = {
    "atom": "http://www.w3.org/2005/Atom",
    "media": "http://search.yahoo.com/mrss/",
    "georss": "http://www.georss.org/georss",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}
_RSS_TAG = re.compile(rb"<rss(?=[\s>/])")
# A `]]>` that ends no CDATA section of the export itself: what follows it is not the end
# of an export element (`</content:encoded>`, `</title>`) nor WordPress's own escape
_STRAY_CDATA_END = re.compile(
    rb"\]\]>(?!\s*</(?:[a-z]+:[\w-]{1,40}|title|category|description|link|guid)>|<!\[CDATA\[)"
)
_MOST_DECLARED = 8  # undeclared prefixes the reader adds before it gives up


@dataclass(frozen=True)
class Term:
    """A category or tag of an item: its kind (`category`, `post_tag`), slug and name."""

    domain: str
    nicename: str
    name: str


@dataclass(frozen=True)
class Item:
    """One `<item>`: a post, page, attachment (media), menu entry..."""

    post_id: int
    post_type: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    date: str  # site-local "YYYY-MM-DD HH:MM:SS", as WordPress stores it
    date_gmt: str  # the same in UTC, or "0000-00-00 00:00:00" for unpublished drafts
    name: str  # the slug, percent-encoded when not ASCII
    status: str  # publish, draft, pending, future, private, trash, auto-draft, inherit
    password: str
    parent: int
    attachment_url: str
    terms: tuple[Term, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    menu_order: int = 0  # a menu item's place in its menu


@dataclass(frozen=True)
class Export:
    """What the import needs at hand; the posts and pages are read one by one (`items`)."""

    path: Path
    site_url: str  # the old site's address: wp:base_blog_url, else the channel's <link>
    authors: Mapping[str, str]  # login -> display name
    attachments: Mapping[int, Item]  # post id -> media item (featured images, galleries)
    terms: Mapping[int, Term] = field(default_factory=dict)  # term id -> category or tag
    also_at: tuple[str, ...] = ()  # other addresses of the same site (the channel's <link>)
    language: str = ""  # the channel's <language>, e.g. "fa-IR"
    declared: Mapping[str, str] = field(default_factory=dict)  # prefixes the reader declared
    repaired: int = 0  # `]]>` inside texts, which older WordPress wrote unescaped

    def items(self) -> Iterator[Item]:
        """Every item but attachments, in the export's order, each freed after use."""
        with _Source(self.path, self.declared, repair=self.repaired > 0) as source:
            for element in _elements(source):
                if _name(element.tag) == "item" and _text(element, "wp:post_type") != "attachment":
                    yield _item(element)


def read_export(path: Path, shown_as: PurePosixPath | None = None) -> Export:
    """Check the whole file and keep its authors and media; not a WXR export: ContentError.

    A prefix used without a declaration (older WordPress.com exports write `<atom:link>`
    so) is declared by the reader, which then reads the file again; `Export.declared`
    says which.
    """
    where = shown_as or PurePosixPath(str(path))
    declared: dict[str, str] = {}
    first_error: ParseError | None = None  # what is wrong if mending `]]>` does not help
    while True:
        try:
            return _read(path, declared, repair=first_error is not None)
        except ParseError as exc:
            prefix = _unbound_prefix(path, exc, declared)
            if prefix and len(declared) < _MOST_DECLARED:
                declared[prefix] = KNOWN_PREFIXES.get(prefix, f"urn:sitegen:undeclared:{prefix}")
                continue
            if first_error is None:
                first_error = exc
                continue
            raise _invalid(where, first_error) from first_error
        except DefusedXmlException as exc:
            message = (
                "the file declares XML entities or a DTD, which an export never does; refusing it"
            )
            problem = error(Location(where), f"{message} ({type(exc).__name__})")
            raise ContentError([problem]) from exc
        except OSError as exc:
            problem = error(Location(where), f"cannot read: {exc.strerror or exc}")
            raise ContentError([problem]) from exc
        except _NotAnExport as exc:
            raise ContentError([error(Location(where), str(exc))]) from exc


def _invalid(where: PurePosixPath, exc: ParseError) -> ContentError:
    line = exc.position[0] if exc.position else None
    message = str(exc).split(":")[0]  # "not well-formed (invalid token): line 3, column 4"
    return ContentError([error(Location(where, line), f"not a valid XML file: {message}")])


class _NotAnExport(Exception):
    pass


def _read(path: Path, declared: Mapping[str, str], repair: bool) -> Export:
    channel: dict[str, str] = {}  # the site's addresses and language
    authors: dict[str, str] = {}
    attachments: dict[int, Item] = {}
    terms: dict[int, Term] = {}
    items = wordpress = 0  # <item>s; those with a wp:post_id, or WXR's channel elements
    with _Source(path, declared, repair) as source:
        for element in _elements(source):
            _keep(element, channel, authors, attachments, terms)
            name = _name(element.tag)
            items += name == "item"
            wordpress += name.startswith("wp:") or bool(_text(element, "wp:post_id"))
    if not wordpress:
        raise _NotAnExport(
            "an RSS feed, not a WordPress export: it has no wp: elements (ids, statuses, "
            "pages); in WordPress, Tools -> Export -> All content writes one"
            if items
            else "no WordPress export in this file (expected <rss> with wp: elements)"
        )
    addresses = _addresses(channel)
    site_url = addresses[0] if addresses else ""
    language = channel.get("language", "")
    return Export(path, site_url, authors, attachments, terms, addresses[1:], language, declared,
                  source.repaired)  # fmt: skip


def _keep(element: Element, channel: dict[str, str], authors: dict[str, str],
          attachments: dict[int, Item], terms: dict[int, Term]) -> None:  # fmt: skip
    """What the import needs at hand from one child of <channel>."""
    name = _name(element.tag)
    if name == "item" and _text(element, "wp:post_type") == "attachment":
        attachment = _item(element)
        attachments[attachment.post_id] = attachment
    elif name == "wp:author":
        login = _text(element, "wp:author_login")
        authors[login] = _text(element, "wp:author_display_name") or login
    elif name == "wp:category":
        term = Term("category", _text(element, "wp:category_nicename"),
                    _text(element, "wp:cat_name"))  # fmt: skip
        terms[_integer(_text(element, "wp:term_id"))] = term
    elif name == "wp:tag":
        term = Term("post_tag", _text(element, "wp:tag_slug"), _text(element, "wp:tag_name"))
        terms[_integer(_text(element, "wp:term_id"))] = term
    elif name in ("wp:base_blog_url", "wp:base_site_url", "link", "language"):
        channel.setdefault(name, (element.text or "").strip())


def _addresses(channel: Mapping[str, str]) -> tuple[str, ...]:
    """The site's own addresses, its main one first: the blog's address, then the channel's
    link. `base_site_url` is the host's (`http://wordpress.com/` for every WordPress.com
    blog, the network's for a multisite), so it counts only when nothing else is given."""
    found = [channel.get("wp:base_blog_url", ""), channel.get("link", "")]
    found = [url for url in found if url.startswith(("http://", "https://"))]
    if not found and channel.get("wp:base_site_url"):
        found = [channel["wp:base_site_url"]]
    return tuple(dict.fromkeys(url.rstrip("/") for url in found))


def _unbound_prefix(path: Path, exc: ParseError, declared: Mapping[str, str]) -> str:
    """The prefix an "unbound prefix" error is about, read from the line it names."""
    if not str(exc).startswith("unbound prefix") or not exc.position:
        return ""
    line_number, column = exc.position
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if number == line_number:
                text = line.decode("utf-8", "replace")
                break
        else:
            return ""
    at_column = re.match(r"</?([A-Za-z_][\w.-]*):", text[column:])
    names = [at_column.group(1)] if at_column else re.findall(r"<([A-Za-z_][\w.-]*):", text)
    unknown = [name for name in names if name not in declared and name != "xml"]
    return unknown[0] if unknown else ""


class _Source:
    """The export's bytes for iterparse, mended as the reader decided: `xmlns:` declarations
    added to the `<rss>` tag, and (with `repair`) each `]]>` that ends no text of the export
    (WordPress 3.2 wrote a post's own `]]>` unescaped) made text. Line by line, so errors
    keep their lines and memory stays that of the longest line."""

    def __init__(self, path: Path, declared: Mapping[str, str], repair: bool = False) -> None:
        self._file = path.open("rb")
        self._declarations = "".join(
            f' xmlns:{prefix}="{uri}"' for prefix, uri in declared.items()
        ).encode()
        self._is_declared = not declared
        self._repair = repair
        self._pending = bytearray()
        self.repaired = 0  # how many `]]>` were made text

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            line = self._file.readline()
            if not line:
                break
            self._pending += self._mended(line)
        size = len(self._pending) if size < 0 else size
        chunk = bytes(self._pending[:size])
        del self._pending[:size]
        return chunk

    def _mended(self, line: bytes) -> bytes:
        if not self._is_declared and _RSS_TAG.search(line):
            line = _RSS_TAG.sub(lambda m: m.group() + self._declarations, line, count=1)
            self._is_declared = True
        if self._repair and b"]]>" in line:
            line, count = _STRAY_CDATA_END.subn(b"]]]]><![CDATA[>", line)
            self.repaired += count
        return line

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self._file.close()


def _elements(source: _Source) -> Iterator[Element]:
    """Each finished `<item>`, `<wp:author>` and site address, with finished items freed."""
    events: Any = iterparse(source, events=("start", "end"), forbid_dtd=False)
    channel: Element | None = None
    depth = 0
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 2:
                channel = element
            continue
        depth -= 1
        if depth == 2:  # a direct child of <channel>: yield it, then free it
            yield element
            if channel is not None:
                channel.remove(element)


def _item(element: Element) -> Item:
    meta: dict[str, str] = {}
    terms = []
    for child in element:
        name = _name(child.tag)
        if name == "wp:postmeta":
            meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
        elif name == "category":
            term = Term(child.get("domain", ""), child.get("nicename", ""), _plain(child))
            terms.append(term)
    return Item(
        post_id=_integer(_text(element, "wp:post_id")),
        post_type=_text(element, "wp:post_type") or "post",
        title=_text(element, "title"),
        link=_text(element, "link"),
        creator=_text(element, "dc:creator"),
        content=_text(element, "content:encoded", strip=False),
        excerpt=_text(element, "excerpt:encoded", strip=False),
        date=_text(element, "wp:post_date"),
        date_gmt=_text(element, "wp:post_date_gmt"),
        name=_text(element, "wp:post_name"),
        status=_text(element, "wp:status") or "publish",
        password=_text(element, "wp:post_password"),
        parent=_integer(_text(element, "wp:post_parent")),
        attachment_url=_text(element, "wp:attachment_url"),
        terms=tuple(terms),
        meta=meta,
        menu_order=_integer(_text(element, "wp:menu_order")),
    )


def _name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `wp:post_id` (any WXR version)."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    short = _short_name(uri)
    return f"{short}:{local}" if short else tag


@functools.lru_cache(maxsize=64)
def _short_name(uri: str) -> str:
    """The short name of a namespace WordPress uses, by its shape; else ""."""
    shape = re.sub(r"^https?://", "", uri.strip().lower())
    return next((short for pattern, short in _NAMESPACES if pattern.fullmatch(shape)), "")


def _text(element: Element, name: str, strip: bool = True) -> str:
    for child in element:
        if _name(child.tag) == name:
            text = _plain(child)
            return text.strip() if strip else text
    return ""


def _plain(element: Element) -> str:
    return element.text or ""


def _integer(text: str) -> int:
    return int(text) if text.isdigit() else 0
