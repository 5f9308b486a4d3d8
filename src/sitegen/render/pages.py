"""Site -> the list of pages to render: which template, at which URL, with what context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen import urls
from sitegen.errors import Location
from sitegen.model import Article, Site, newest


@dataclass(frozen=True)
class PageSpec:
    """One output page before rendering; `templates` are tried in order."""

    url: str
    templates: tuple[str, ...]
    context: Mapping[str, Any]
    source: Location | None = None  # the article that asked for this URL, if any
    lastmod: dt.datetime | None = None
    in_sitemap: bool = True
    kind: str = "page"  # or "redirect": an old address of an article (redirects.py)

    @property
    def output_path(self) -> str:
        return urls.output_path(self.url)

    @property
    def owner(self) -> str:
        return str(self.source) if self.source else f"the {self.templates[0][:-5]} page"


def site_pages(site: Site) -> Iterator[PageSpec]:
    """Every page of the site, articles first, in a stable order."""
    articles = site.articles
    for index, article in enumerate(articles):
        newer = articles[index - 1] if index > 0 else None
        older = articles[index + 1] if index + 1 < len(articles) else None
        context = _ArticleContext(site, article, newer, older)
        yield PageSpec(article.url, ("article.html",), context, article.source, article.modified)
    for standalone in site.pages:
        dated = "date" in standalone.field_lines
        lastmod = standalone.updated or (standalone.date if dated else None)
        values = {"page": standalone, "url": standalone.url}
        yield PageSpec(standalone.url, ("page.html",), values, standalone.source, lastmod)
    for listing in site.listings:
        for page in listing.pages:
            values = {"listing": listing, "listing_page": page, "url": page.url}
            templates = (f"{listing.kind}.html", "listing.html")
            yield PageSpec(page.url, templates, values, lastmod=newest(page.items))
    latest = newest(articles)
    yield PageSpec(urls.TAGS_URL, ("tags.html",), {"url": urls.TAGS_URL}, lastmod=latest)
    yield PageSpec(urls.ARCHIVE_URL, ("archive.html",), {"url": urls.ARCHIVE_URL}, lastmod=latest)
    yield PageSpec(urls.NOT_FOUND_URL, ("404.html",), {"url": urls.NOT_FOUND_URL}, in_sitemap=False)
    if site.config.search:  # the page that queries the index (search.py makes the index)
        search = {"url": urls.SEARCH_URL}
        yield PageSpec(urls.SEARCH_URL, ("search.html",), search, in_sitemap=False)


class _ArticleContext(Mapping[str, Any]):
    """An article page's variables: `article`, `newer`, `older`, `related`, `url`.
    `related` is looked up in the site when read, as the page is rendered or its
    fingerprint worked out: while the pages are planned, forked workers may still be
    choosing the related articles (related.find_related)."""

    _KEYS = ("article", "newer", "older", "related", "url")

    def __init__(self, site: Site, article: Article, newer: Article | None, older: Article | None):
        self._site, self._article, self._newer, self._older = site, article, newer, older

    def __getitem__(self, key: str) -> Any:
        if key == "article":
            return self._article
        if key == "newer":
            return self._newer
        if key == "older":
            return self._older
        if key == "related":
            return self._site.related.get(self._article.url, ())
        if key == "url":
            return self._article.url
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)
