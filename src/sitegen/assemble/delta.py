"""A site with a few articles taken out and put in -> the Site assemble_site would make of
the result, without looking at the rest of the archive.

The preview plans a 50,000-article site in 4-8 s; a save that changes an article's tags,
date or slug, adds one or deletes one changes only the listings that article is in. So the
articles are kept in site order with each change put in its place, only the home listing
and those of the tags, bylines, years and months the changed articles are (or were) in are
paginated again, and related articles are chosen from the updated tag index one page at a
time (related.TermRelated). Changes this does not follow are the caller's to assemble
whole (`changed_site` says None): another language, a `related:` list that names or is
one of them, a name spelt another way, a standalone page.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sitegen import urls
from sitegen.assemble.related import TermRelated
from sitegen.assemble.site import index_periods, make_listings
from sitegen.model import Article, Listing, Site, Term

T = TypeVar("T", bound=Term)
Period = tuple[int, int | None]


@dataclass(frozen=True)
class Shape:
    """What a change is checked against, worked out once from a whole site and carried
    from change to change: every tag's and byline's spelling (None: some name is spelt two
    ways, which only a whole assembly shows as it should), the slugs `related:` lists name,
    and what those lists chose."""

    names: Mapping[str, str] | None  # "tag:<slug>" / "author:<slug>" -> its one spelling
    related_slugs: frozenset[str]
    listed: Mapping[str, tuple[Article, ...]]


def shape_of(site: Site) -> Shape:
    """The site's Shape: one pass over its articles."""
    names: dict[str, str] | None = {}
    for article in site.articles:
        names = _spelt(names, article)
        if names is None:
            break
    slugs = frozenset(s for a in site.articles for s in a.related_slugs)
    listed = {a.url: site.related[a.url] for a in site.articles if a.related_slugs}
    return Shape(names, slugs, listed)


def _spelt(names: dict[str, str] | None, article: Article) -> dict[str, str] | None:
    """`names` with the article's names added; None if one is spelt another way there."""
    if names is None:
        return None
    terms = [(f"tag:{t.slug}", t.name) for t in article.tags]
    for key, name in (*terms, (f"author:{article.author.slug}", article.author.name)):
        if names.setdefault(key, name) != name:
            return None
    return names


def changed_site(
    site: Site, shape: Shape, removed: Sequence[Article], added: Sequence[Article]
) -> tuple[Site, Shape] | None:
    """`site` with the articles `removed` (its own objects) taken out and the published
    articles `added` put in, and its Shape then; None when this cannot follow the change
    (see the module's docstring)."""
    changed = (*removed, *added)
    if site.editions or site.config.languages or shape.names is None:
        return None
    if any(a.is_page or a.related_slugs or a.slug in shape.related_slugs for a in changed):
        return None
    names: dict[str, str] | None = dict(shape.names)
    for article in added:
        names = _spelt(names, article)
    if names is None:
        return None
    articles = _updated(site.articles, removed, added)
    if len(articles) != len(site.articles) - len(removed) + len(added):
        return None  # one of `removed` was not the site's
    tags = _updated_terms(site.tags, removed, added, lambda a: a.tags)
    authors = _updated_terms(site.authors, removed, added, lambda a: (a.author,))
    periods = {_period(a, month) for a in changed for month in (False, True)}
    by_period = _periods_of(site.listings)
    for period in periods:
        items = _updated(by_period.get(period, ()), removed, [a for a in added if _in(a, period)])
        by_period[period] = items
        if not items:
            del by_period[period]
    touched = {site.home.url} | {t.url for a in changed for t in (*a.tags, a.author)}
    touched |= {urls.period_url(*period) for period in periods}
    kept = {listing.url: listing for listing in site.listings if listing.url not in touched}
    listings = make_listings(site.config, articles, tags, authors, by_period, kept=kept)
    related = TermRelated(articles, tags, shape.listed, site.config.related_count)
    new = dataclasses.replace(
        site, articles=tuple(articles), tags=tags, authors=authors, listings=listings,
        periods=index_periods(by_period), related=related,
    )  # fmt: skip
    return new, dataclasses.replace(shape, names=names)


class _Place:
    """An article's place in site order: newest first, ties by slug, URL and file (as
    site._in_site_order sorts), for bisect."""

    __slots__ = ("article",)

    def __init__(self, article: Article) -> None:
        self.article = article

    def __lt__(self, other: _Place) -> bool:
        a, b = self.article, other.article
        if a.date != b.date:
            return a.date > b.date
        return (a.slug, a.url, a.source) < (b.slug, b.url, b.source)


def _updated(
    items: Sequence[Article], removed: Sequence[Article], added: Iterable[Article]
) -> list[Article]:
    """`items` (in site order) without those of the `removed` articles it has, with
    `added` put in their places: found by binary search, not by a pass over 50,000."""
    kept = list(items)
    for article in removed:
        where = bisect.bisect_left(kept, _Place(article), key=_Place)
        if where < len(kept) and kept[where] is article:
            del kept[where]
    for article in added:
        bisect.insort(kept, article, key=_Place)
    return kept


def _updated_terms(
    index: Mapping[T, tuple[Article, ...]],
    removed: Sequence[Article],
    added: Sequence[Article],
    terms_of: Callable[[Article], Iterable[T]],
) -> dict[T, tuple[Article, ...]]:
    """site.index_terms after the change, from the index before it: only the terms of the
    articles removed and added are looked at."""
    touched = dict.fromkeys(t for a in (*removed, *added) for t in terms_of(a))
    new = dict(index)
    for term in touched:
        items = _updated(index.get(term, ()), removed, [a for a in added if term in terms_of(a)])
        if items:
            new[term] = tuple(items)  # (an existing key keeps its object: the same name)
        else:
            new.pop(term, None)
    if new.keys() == index.keys():
        return new
    return {term: new[term] for term in sorted(new, key=lambda t: t.slug)}


def _period(article: Article, month: bool) -> Period:
    return (article.date.year, article.date.month if month else None)


def _in(article: Article, period: Period) -> bool:
    return _period(article, period[1] is not None) == period


def _periods_of(listings: Sequence[Listing]) -> dict[Period, Sequence[Article]]:
    """Each year's and month's articles, as the site's listings of them hold them."""
    found: dict[Period, Sequence[Article]] = {}
    for listing in listings:
        if listing.kind in ("year", "month") and listing.pages[0].items:
            items = tuple(itertools.chain.from_iterable(page.items for page in listing.pages))
            found[_period(items[0], listing.kind == "month")] = items
    return found


def position(site: Site, article: Article) -> int:
    """Where the site's own `article` is in `site.articles` (a binary search)."""
    found = bisect.bisect_left(site.articles, _Place(article), key=_Place)
    if found < len(site.articles) and site.articles[found] is article:
        return found
    raise ValueError(f"not an article of this site: {article.url}")
