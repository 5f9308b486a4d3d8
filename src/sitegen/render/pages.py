"""Site -> the list of pages to render: which template, at which URL, with what context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen import urls
from sitegen.errors import Location
from sitegen.model import Article, Listing, Site, newest
from sitegen.render.counterparts import listing_groups


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


@dataclass(frozen=True)
class Alternate:
    """One language's version of a page, for hreflang links and the language switcher."""

    lang: str
    url: str
    name: str  # the language's own name ('فارسی', 'français')


def site_pages(site: Site) -> Iterator[PageSpec]:
    """Every page of the site, articles first, in a stable order; a multilingual site's
    other languages after the default's. Each page's context has `lang` (its language),
    `home_url` (its language's home) and `alternates` (its versions in every language)."""
    names = autonyms(site) if site.editions else {}
    language = {a.url: e.lang for e in site.editions for a in (*e.articles, *e.pages)}
    versions = {
        url: tuple(
            Alternate(lang := language.get(v.url, site.lang), v.url, names[lang]) for v in group
        )
        for url, group in site.translations.items()
    }
    listings = {
        url: tuple(Alternate(lang, other, names[lang]) for lang, other in group)
        for url, group in (listing_groups(site) if site.editions else {}).items()
    }
    for edition in site.all_editions:
        yield from _edition_pages(site, edition, names, {**versions, **listings})


def _edition_pages(
    root: Site,
    site: Site,
    names: Mapping[str, str],
    versions: Mapping[str, tuple[Alternate, ...]],
) -> Iterator[PageSpec]:
    """One language's pages."""
    own = edition_values(root, site)

    def alternates_of(path: str) -> tuple[Alternate, ...]:
        if not root.editions:
            return ()
        return tuple(Alternate(e.lang, e.home.url + path, names[e.lang]) for e in root.all_editions)

    articles = site.articles
    for index in range(len(articles)):
        yield article_page(site, index, own, versions)
    for standalone in site.pages:
        dated = "date" in standalone.field_lines
        lastmod = standalone.updated or (standalone.date if dated else None)
        values = {**own, "page": standalone, "url": standalone.url}
        values["lang"] = standalone.lang or site.lang
        values["alternates"] = versions.get(standalone.url, ())
        yield PageSpec(standalone.url, ("page.html",), values, standalone.source, lastmod)
    for listing in site.listings:
        yield from listing_pages(listing, own, alternates_of(""), versions)
    yield from closing_pages(root, site, own, alternates_of)


def edition_values(root: Site, site: Site) -> dict[str, Any]:
    """What every page of one language's `site` has in its context: its language, its home,
    and on an edition's pages its own `site` and `config`."""
    own: dict[str, Any] = {"lang": site.lang, "home_url": site.home.url}
    if site is not root:
        own.update(site=site, config=site.config)
    return own


def article_page(
    site: Site,
    index: int,
    own: Mapping[str, Any],
    versions: Mapping[str, tuple[Alternate, ...]],
) -> PageSpec:
    """The page of the article at `index` of `site.articles`, between its neighbours."""
    articles = site.articles
    article = articles[index]
    newer = articles[index - 1] if index > 0 else None
    older = articles[index + 1] if index + 1 < len(articles) else None
    values = {**own, "lang": article.lang or site.lang}  # (a language not listed)
    values["alternates"] = versions.get(article.url, ())
    context = _ArticleContext(site, article, newer, older, values)
    return PageSpec(article.url, ("article.html",), context, article.source, article.modified)


def listing_pages(
    listing: Listing,
    own: Mapping[str, Any],
    home_alternates: tuple[Alternate, ...],
    versions: Mapping[str, tuple[Alternate, ...]],
) -> Iterator[PageSpec]:
    """The pages of one listing: `home_alternates`, the home page's versions."""
    for index in range(len(listing.pages)):
        yield listing_page(listing, index, own, home_alternates, versions)


def listing_page(
    listing: Listing,
    index: int,
    own: Mapping[str, Any],
    home_alternates: tuple[Alternate, ...] = (),
    versions: Mapping[str, tuple[Alternate, ...]] | None = None,
) -> PageSpec:
    """The page at `index` of one listing (see `listing_pages`)."""
    page = listing.pages[index]
    values = {**own, "listing": listing, "listing_page": page, "url": page.url}
    is_home = listing.kind == "home" and page.number == 1
    first = page.number == 1  # (a tag's page 2 has no counterpart: pages differ)
    values["alternates"] = (
        home_alternates if is_home else (versions or {}).get(page.url, ()) if first else ()
    )
    templates = (f"{listing.kind}.html", "listing.html")
    return PageSpec(page.url, templates, values, lastmod=newest(page.items))


def closing_pages(
    root: Site,
    site: Site,
    own: Mapping[str, Any],
    alternates_of: Callable[[str], tuple[Alternate, ...]],
) -> Iterator[PageSpec]:
    """The tag index, the archive, the 404 page (one per domain) and the search page."""
    home = site.home.url
    latest = newest(site.articles)
    for path, template in ((urls.TAGS_URL, "tags.html"), (urls.ARCHIVE_URL, "archive.html")):
        url = home + path[1:]
        values = {**own, "url": url, "alternates": alternates_of(path[1:])}
        yield PageSpec(url, (template,), values, lastmod=latest)
    if site is root or urls.host_of(home, root.config.hosts)[0]:  # one per domain
        url = home[:-1] + urls.NOT_FOUND_URL
        values = {**own, "url": url, "alternates": ()}
        yield PageSpec(url, ("404.html",), values, in_sitemap=False)
    if site.config.search:  # the page that queries the index (search.py makes the index)
        url = home + urls.SEARCH_URL[1:]
        search = {**own, "url": url, "alternates": alternates_of(urls.SEARCH_URL[1:])}
        yield PageSpec(url, ("search.html",), search, in_sitemap=False)


def autonyms(site: Site) -> dict[str, str]:
    """Each language's name in itself ('fa' -> 'فارسی'), from the CLDR through Babel."""
    from babel import Locale  # only multilingual sites need it

    names = {}
    for edition in site.all_editions:
        name = Locale.parse(edition.lang, sep="-").get_display_name() or edition.lang
        names[edition.lang] = name[:1].upper() + name[1:]
    return names


class _ArticleContext(Mapping[str, Any]):
    """An article page's variables: `article`, `newer`, `older`, `related`, `url`.
    `related` is looked up in the site when read, as the page is rendered or its
    fingerprint worked out: while the pages are planned, forked workers may still be
    choosing the related articles (related.find_related)."""

    _KEYS = ("article", "newer", "older", "related", "url")

    def __init__(
        self,
        site: Site,
        article: Article,
        newer: Article | None,
        older: Article | None,
        values: Mapping[str, Any],
    ):
        self._site, self._article, self._newer, self._older = site, article, newer, older
        self._values = values
        self._keys = (*self._KEYS, *values)

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
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
