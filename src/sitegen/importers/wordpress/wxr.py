"""A WordPress export file (WXR 1.0-1.2, Tools -> Export) -> its authors and items.

Read as a stream with defusedxml, twice: once for the authors and media (small), then
item by item, so a 100 MB export imports in the memory of its largest post; an export that
declares entities (the "billion laughs" bomb) is refused, not expanded. Content stays HTML
(see wpcontent.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from sitegen.errors import ContentError, Location, error

# Namespace URI prefixes -> the short names used below ("wp:post_id", "content:encoded").
NAMESPACES = (
    ("http://wordpress.org/export/", "wp"),  # /1.0/, /1.1/, /1.2/; /excerpt/ is below
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
)


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
    site_url: str  # wp:base_blog_url, the address of the old site
    authors: Mapping[str, str]  # login -> display name
    attachments: Mapping[int, Item]  # post id -> media item (featured images, galleries)
    terms: Mapping[int, Term] = field(default_factory=dict)  # term id -> category or tag

    def items(self) -> Iterator[Item]:
        """Every item but attachments, in the export's order, each freed after use."""
        for element in _elements(self.path):
            if _name(element.tag) == "item" and _text(element, "wp:post_type") != "attachment":
                yield _item(element)


def read_export(path: Path, shown_as: PurePosixPath | None = None) -> Export:
    """Check the whole file and keep its authors and media; not a WXR export: ContentError."""
    where = shown_as or PurePosixPath(str(path))
    site_url, authors, attachments, items = "", {}, {}, 0
    terms: dict[int, Term] = {}
    try:
        for element in _elements(path):
            name = _name(element.tag)
            if name == "item":
                items += 1
                if _text(element, "wp:post_type") == "attachment":
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
                term = Term(
                    "post_tag", _text(element, "wp:tag_slug"), _text(element, "wp:tag_name")
                )
                terms[_integer(_text(element, "wp:term_id"))] = term
            elif name in ("wp:base_blog_url", "wp:base_site_url") and not site_url:
                site_url = (element.text or "").strip()
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        message = str(exc).split(":")[0]  # "not well-formed (invalid token): line 3, column 4"
        problem = error(Location(where, line), f"not a valid XML file: {message}")
        raise ContentError([problem]) from exc
    except DefusedXmlException as exc:
        message = "the file declares XML entities or a DTD, which an export never does; refusing it"
        raise ContentError([error(Location(where), f"{message} ({type(exc).__name__})")]) from exc
    except OSError as exc:
        raise ContentError([error(Location(where), f"cannot read: {exc.strerror or exc}")]) from exc
    if not site_url and not items and not authors:
        message = "no WordPress export in this file (expected <rss> with wp: elements)"
        raise ContentError([error(Location(where), message)])
    return Export(path, site_url, authors, attachments, terms)


def _elements(path: Path) -> Iterator[Element]:
    """Each finished `<item>`, `<wp:author>` and site address, with finished items freed."""
    events: Any = iterparse(str(path), events=("start", "end"), forbid_dtd=False)
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
    if uri.startswith("http://wordpress.org/export/") and uri.rstrip("/").endswith("excerpt"):
        return f"excerpt:{local}"
    for prefix, short in NAMESPACES:
        if uri.startswith(prefix):
            return f"{short}:{local}"
    return local


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
