"""A plan of a one-language site kept by output path (a Basis), as structural saves
change it (serve.restructure): every file of the site by its path, the article pages'
and the listing pages' apart, each made into an output when it is asked for (an
article's page from its place in the site, a listing's from the listing), so that a
save that moves articles changes dict entries, not 100,000 outputs.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen import urls
from sitegen.assemble.delta import Shape, position, shape_of
from sitegen.build.stages import Assembled
from sitegen.config.redirects import redirect_problems
from sitegen.config.settings import Config, menu_problems
from sitegen.errors import Problem
from sitegen.model import Article, Listing, Site
from sitegen.render.feeds import FeedSpec, feed_specs
from sitegen.render.outputs import Output, OutputMaker, sitemap_entries
from sitegen.render.pages import PageSpec, article_page, edition_values, listing_page
from sitegen.render.redirects import NETLIFY, NGINX, OldAddresses, old_addresses
from sitegen.render.sitemap import SitemapEntry, sitemap_paths


@dataclass(frozen=True)
class Basis:
    """A good plan of a one-language site as structural saves change it: its files by
    output path, the article pages' apart (made from their place when asked for)."""

    site: Site
    shape: Shape
    static: Mapping[str, Path]  # the static files as published (the image stage's)
    static_outputs: Mapping[str, Output]
    articles: Mapping[str, Article]  # output path of an article's page -> the article
    listed: Mapping[str, tuple[Listing, int]]  # a listing page's path -> it, its index
    specs: Mapping[str, PageSpec]  # every other page and redirect, by output path
    standalone: tuple[PageSpec, ...]  # the standalone pages' (for the sitemap's order)
    closing: tuple[PageSpec, ...]  # the tag index's, the archive's, the 404 page's
    feeds: Mapping[str, FeedSpec]
    folded: frozenset[str]  # every output path, case folded (two would clash)
    rules: frozenset[str]  # the redirect maps' paths, if the site has any
    aliased: int  # pages with old addresses (the maps are made while there is one)
    requests: frozenset[str]  # old addresses with a query, case folded (two would clash)
    link_problems: tuple[Problem, ...]  # of menus and redirects, which name outputs


def basis_of(assembled: Assembled, outputs: Mapping[str, Output]) -> Basis | None:
    """The Basis of a whole plan (its pages as render.pages.site_pages made them): 0.3 s
    at 50,000 articles, so the preview's catch-up works it out while the editor reads.
    None for a site this does not follow."""
    site, pages, specs, static = assembled.site, assembled.pages, assembled.specs, assembled.static
    config = site.config
    if site.editions or config.languages or config.search or config.hosts:
        return None
    articles = len(site.articles)
    listed = articles + len(site.pages) + sum(len(listing.pages) for listing in site.listings)
    standalone, closing = tuple(pages[articles : articles + len(site.pages)]), tuple(pages[listed:])
    others = itertools.chain(standalone, closing, specs[len(pages) :])
    return Basis(
        site=site,
        shape=shape_of(site),
        static=static,
        static_outputs={path: o for path, o in outputs.items() if o.kind == "static"},
        articles={a.output_path: a for a in site.articles},
        listed=listed_pages(site.listings),
        specs={spec.output_path: spec for spec in others},
        standalone=standalone,
        closing=closing,
        feeds={feed.path: feed for feed in feed_specs(site)},
        folded=frozenset(path.casefold() for path in outputs),
        rules=frozenset(outputs.keys() & {NETLIFY, NGINX}),
        aliased=len(addresses := old_addresses(site)),
        requests=frozenset(key for old in addresses for key in query_addresses(old)),
        link_problems=tuple(link_problems(config, outputs)),
    )


def link_problems(config: Config, outputs: Collection[str]) -> list[Problem]:
    return [*menu_problems(config, outputs), *redirect_problems(config.redirects, outputs)]


class PlanOutputs(Mapping[str, Output]):
    """A Basis's files as outputs, each made into one when asked for (an article's page
    from its place in the site). Not kept: made again costs microseconds, while 100,000
    kept outputs were 100,000 more objects for every pass of the collector."""

    def __init__(self, basis: Basis, maker: OutputMaker) -> None:
        self.basis, self._maker = basis, maker
        self._own = edition_values(basis.site, basis.site)

    @functools.cached_property
    def _indexes(self) -> dict[str, Output]:
        """The sitemaps, robots.txt and redirect maps (their entries: 0.1 s at 50,000)."""
        return {output.path: output for output in self._maker.indexes(_entries(self.basis))}

    def __getitem__(self, path: str) -> Output:
        basis, maker = self.basis, self._maker
        if (found := basis.static_outputs.get(path)) is not None:
            return found
        if (article := basis.articles.get(path)) is not None:
            site = basis.site
            return maker.page(article_page(site, position(site, article), self._own, {}))
        if (listed := basis.listed.get(path)) is not None:
            return maker.page(listing_page(*listed, self._own))
        if (spec := basis.specs.get(path)) is not None:
            return maker.page(spec)
        if (feed := basis.feeds.get(path)) is not None:
            return maker.feed(feed)
        if path in self._index_paths:
            return self._indexes[path]
        raise KeyError(path)

    @functools.cached_property
    def _index_paths(self) -> frozenset[str]:
        """The paths of `_indexes`, known without working those out."""
        basis = self.basis
        count = len(basis.articles) + len(basis.listed)  # (every one in the sitemap)
        count += sum(spec.in_sitemap for spec in (*basis.standalone, *basis.closing))
        return frozenset(sitemap_paths(count)) | basis.rules

    def __contains__(self, path: object) -> bool:
        return any(path in part for part in _parts(self.basis)) or path in self._index_paths

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable((*_parts(self.basis), self._index_paths))

    def __len__(self) -> int:
        return sum(map(len, (*_parts(self.basis), self._index_paths)))


def _parts(basis: Basis) -> tuple[Mapping[str, object], ...]:
    """A Basis's files by path, the sitemaps and redirect maps aside."""
    return (basis.static_outputs, basis.articles, basis.listed, basis.specs, basis.feeds)


def _entries(basis: Basis) -> list[SitemapEntry]:
    """The sitemap's entries in site_pages' order; an article's as its page's spec has it."""
    site, own = basis.site, edition_values(basis.site, basis.site)
    entries = [SitemapEntry(a.url, a.modified) for a in site.articles]
    entries += sitemap_entries(basis.standalone)
    entries += sitemap_entries(
        listing_page(listing, index, own)
        for listing in site.listings
        for index in range(len(listing.pages))
    )
    return entries + sitemap_entries(basis.closing)


def listed_pages(listings: Iterable[Listing]) -> dict[str, tuple[Listing, int]]:
    return {
        page.output_path: (listing, index)
        for listing in listings
        for index, page in enumerate(listing.pages)
    }


class Paths(Collection[str]):
    """A Basis's output paths, for `in` (menus and redirects name outputs), sitemaps aside:
    no menu links to those."""

    def __init__(self, basis: Basis) -> None:
        self._parts = _parts(basis)

    def __contains__(self, path: object) -> bool:
        return any(path in part for part in self._parts)

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._parts)

    def __len__(self) -> int:
        return sum(map(len, self._parts))


def query_addresses(old: OldAddresses) -> set[str]:
    """Old addresses with a query ('/?p=12'), as the server compares them (no case)."""
    return {urls.alias_request(a).casefold() for a in old.aliases if urls.alias_url(a) is None}
