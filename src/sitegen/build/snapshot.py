"""What an output is made from (a page's templates and context, a feed's spec) <-> bytes,
with each article, listing, site and config written as a reference, not whole.

A word-only build (build.quick) remakes a few pages without the archive: it reads what
those pages were made from, kept by the last full build (build.record), and gets only
the articles they show (each from the cache when first read: `LazyArticle`). Pickle, with
the classes it may make limited to sitegen's data classes and a few of the standard
library's (`Reader.find_class`): the cache is input, and an unpickler that makes whatever
a file names would run code from a forged cache. Each blob is checksummed (cache.snapshots).
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import json
import pickle
from collections.abc import Callable
from typing import Any

from sitegen.config.settings import Config
from sitegen.model import Article, Listing, ListingPage, Site

# What a snapshot may make besides sitegen's data classes (dates, paths, time zones).
_ALLOWED = {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"),
    ("datetime", "timedelta"), ("pathlib", "PurePosixPath"), ("pathlib", "PosixPath"),
    ("zoneinfo", "ZoneInfo._unpickle"), ("copyreg", "_reconstructor"),
    ("builtins", "object"), ("builtins", "frozenset"), ("builtins", "set"),
    ("types", "MappingProxyType"),
}  # fmt: skip
Resolve = Callable[[str, str], Any]


def _ref(kind: str, key: str, head: tuple[Any, ...] = ()) -> Any:
    """A reference in a snapshot ("a": an article by its source file; "l": a listing by
    its URL, with its fields but its pages (`head`); "u": a listing's pages' URLs; "s"
    and "c": a language's site and config); Reader.find_class resolves it."""
    raise pickle.UnpicklingError(f"unresolved reference {kind} {key}")


class _PageUrls:
    """Stands for a listing's `page_urls` in its pages' snapshots: written whole in each
    of the home listing's 5,000 pages, they would be 500 MB."""

    def __init__(self, url: str) -> None:
        self.url = url


_HEAD = tuple(f.name for f in dataclasses.fields(Listing) if f.name != "pages")
_PAGE = tuple(f.name for f in dataclasses.fields(ListingPage))


class UnsafeSnapshot(Exception):
    """An object a snapshot cannot refer to (an article other than the one loaded from its
    file, say a respelled copy): the site is not kept for word-only builds."""


class Writer:
    """Pickles outputs' makings for one site; articles must be the loaded ones."""

    def __init__(self, site: Site, loaded: set[int]) -> None:
        self._loaded = loaded
        self._sites = {id(e): e.lang for e in site.all_editions}
        self._configs = {id(e.config): e.lang for e in site.all_editions}
        self._listings = {
            id(page): listing.url
            for edition in site.all_editions
            for listing in edition.listings
            for page in listing.pages
        }
        self._inline: dict[type, Any] = dict(copyreg.dispatch_table)
        self._inline.update(
            {Article: self._article, Listing: self._listing, Site: self._site, Config: self._config}
        )
        table = {**self._inline, ListingPage: self._page, _PageUrls: self._page_urls}
        self._picklers = {pages: _pickler(self._inline if pages else table) for pages in (0, 1)}

    def dumps(self, value: object, *, pages: bool = False) -> bytes:
        """`value` pickled; with `pages`, listing pages whole (a listing's own snapshot when
        a page of it has none). One pickler each way, its memo cleared between values: a
        new one for each output took 15 % more time."""
        pickler, buffer = self._picklers[pages]
        buffer.seek(0)
        buffer.truncate()
        pickler.clear_memo()
        pickler.dump(value)
        return buffer.getvalue()

    def _page(self, page: ListingPage) -> tuple[Any, ...]:
        url = self._listings.get(id(page))
        if url is None:
            return page.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # type: ignore[return-value]
        values = [getattr(page, name) for name in _PAGE]
        values[_PAGE.index("page_urls")] = _PageUrls(url)
        return ListingPage, tuple(values)

    def _page_urls(self, urls: _PageUrls) -> tuple[Any, ...]:
        return _ref, ("u", urls.url)

    def _article(self, article: Article) -> tuple[Any, ...]:
        # (made each time: made once for each of 50,000 articles, they stayed in the
        # build's peak memory, and the main process's is the largest)
        if id(article) not in self._loaded:
            raise UnsafeSnapshot(str(article.source))
        return _ref, ("a", str(article.source.path))

    def _listing(self, listing: Listing) -> tuple[Any, ...]:
        return _ref, ("l", listing.url, tuple(getattr(listing, name) for name in _HEAD))

    def _site(self, site: Site) -> tuple[Any, ...]:
        if id(site) not in self._sites:
            raise UnsafeSnapshot("a site of no language")
        return _ref, ("s", self._sites[id(site)])

    def _config(self, config: Config) -> tuple[Any, ...]:
        lang = self._configs.get(id(config))
        if lang is None:
            return config.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # type: ignore[return-value]
        return _ref, ("c", lang)


def _pickler(table: dict[type, Any]) -> tuple[pickle.Pickler, io.BytesIO]:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    return pickler, buffer


def page_urls(listing: Listing) -> tuple[str, ...]:
    """The URLs of a listing's pages, which each of them holds."""
    found = {page.page_urls for page in listing.pages}
    if len(found) > 1:
        raise UnsafeSnapshot(f"listing {listing.url}: pages that differ")
    return found.pop() if found else ()


def plain_dumps(value: object) -> bytes:
    """A snapshot of something holding no article (the light site)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Reader(pickle.Unpickler):
    """Makes a snapshot's objects again; references go to `resolve`."""

    def __init__(self, data: bytes, resolve: Resolve) -> None:
        super().__init__(io.BytesIO(data))
        self._resolve = resolve

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_ref"):
            return self._resolve
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith("sitegen.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"a snapshot may not make {module}.{name}")


def loads(data: bytes, resolve: Resolve) -> Any:
    return Reader(data, resolve).load()


class LazyArticle(Article):
    """An article a snapshot refers to, read from the cache when one of its fields is
    first read; it then becomes the Article itself (its class too)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: every field
        if name.startswith("__"):
            raise AttributeError(name)
        load: Callable[[], Article] = self.__dict__.pop("_load")
        real = load()
        self.__dict__.update(real.__dict__)
        object.__setattr__(self, "__class__", Article)
        return getattr(self, name)


def lazy_article(load: Callable[[], Article]) -> Article:
    """An Article whose fields are `load()`'s, read when first needed."""
    article = object.__new__(LazyArticle)
    article.__dict__["_load"] = load
    return article


class LazyListing(Listing):
    """A listing a snapshot refers to: its pages (every article of the home listing)
    read when first needed; it then becomes the Listing itself."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: its pages
        if name.startswith("__"):
            raise AttributeError(name)
        load: Callable[[], tuple[ListingPage, ...]] = self.__dict__.pop("_load")
        self.__dict__["pages"] = load()
        object.__setattr__(self, "__class__", Listing)
        return getattr(self, name)


def lazy_listing(head: tuple[Any, ...], load: Callable[[], tuple[ListingPage, ...]]) -> Listing:
    """A Listing of these fields (all but its pages) whose pages are `load()`'s."""
    listing = object.__new__(LazyListing)
    listing.__dict__.update(zip(_HEAD, head, strict=True))
    listing.__dict__["_load"] = load
    return listing


def pages_key(url: str) -> str:
    return f"u {url}"


RECORD = "quick"  # the cache's meta key
SITE = "site"  # the light site's snapshot key


def output_key(path: str) -> str:
    return f"o {path}"


def listing_key(url: str) -> str:
    return f"l {url}"


def as_record(data: str | None) -> dict[str, Any] | None:
    """The record kept, if it is of the shape `record` writes."""
    try:
        found = json.loads(data) if data else None
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("rest"), str):
        return None
    reads = found.get("reads")
    if not isinstance(reads, dict) or not all(
        isinstance(paths, list) and all(isinstance(p, str) for p in paths)
        for paths in reads.values()
    ):
        return None
    return found
