"""Saves that move articles (a new or deleted article, its tags, date, slug or byline
changed): applied to the planned site without planning it again.

Planning a 50,000-article site again took 4-8 s for such a save. Here the Site is
changed where the saved articles are (assemble.delta), and the plan's files are kept by
output path (a Basis): an article's page is made from its place in the site when it is
asked for; the listings the change touched get their pages anew, every other listing
keeps its own; feeds and the tag index, archive and 404 page are planned again (a few
hundred specs), the sitemaps when they are asked for. Whatever this does not follow (a
standalone page, another language, search, images to make, an address another file may
hold, a warning not the saved files' own) is left to planning the whole site again.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from sitegen import urls
from sitegen.assemble.delta import Shape, changed_site
from sitegen.config.settings import Config
from sitegen.content.images import image_sizes
from sitegen.content.loading import Held
from sitegen.content.symlinks import is_text
from sitegen.errors import Problem
from sitegen.images.formats import is_rewritten
from sitegen.images.stage import shown_images
from sitegen.model import Article, Site
from sitegen.render.clashes import folders_of
from sitegen.render.feeds import feed_specs
from sitegen.render.pages import PageSpec, closing_pages, edition_values
from sitegen.render.redirects import article_addresses, redirect_pages
from sitegen.serve.basis import Basis, Paths, link_problems, listed_pages, query_addresses
from sitegen.serve.patch import Parse, Warnings, warnings_after

Sources = dict[str, tuple[Article, ...]]  # file -> its article (serve.patch)


@dataclass(frozen=True)
class Restructured:
    """A structural save applied: the new Basis, and the saved files' warnings replaced."""

    basis: Basis
    warnings: Warnings
    sources: Sources
    read: int  # files read again


@dataclass(frozen=True)
class _Saved:
    path: str
    old: Article | None  # on the site before
    new: Article | None  # on the site after
    problems: list[Problem]


def restructure(
    basis: Basis,
    config: Config,
    held: Held,
    warnings: Warnings,
    sources: Sources,
    changed: Collection[str],
    on_site: Callable[[Article], bool],
    parse: Parse,
) -> Restructured | None:
    """The saves of `changed` (site-relative paths) applied to `basis`; None when this does
    not follow them (see the module's docstring). `on_site`: whether an article is on the
    site (assemble.site.published, with the time of the plan: an article scheduled for
    later is not followed, the plan knows when it comes due); `parse`: a saved file's key
    and parse (serve.patch.saved_parses). Changes nothing given; the new parses go to
    `held`."""
    saved = _read_saved(basis, config, held, sources, changed, on_site, parse)
    if saved is None:
        return None
    if not saved:
        return Restructured(basis, warnings, sources, 0)
    site = basis.site
    removed = [s.old for s in saved if s.old is not None]
    added = [s.new for s in saved if s.new is not None]
    found = changed_site(site, basis.shape, removed, added)
    if found is None:
        return None
    new_site, shape = found
    leads = [a.image.src for a in added if a.image and a.image.src not in site.pictures]
    if sizes := image_sizes((src for src in leads if src not in site.image_sizes), basis.static):
        new_site = _with_sizes(new_site, sizes)
    new = _new_basis(basis, new_site, shape, removed, added)
    if new is None:
        return None
    files = [(s.path, s.old, s.new, s.problems) for s in saved]
    now = warnings_after(warnings, held, basis.static, files)
    if now is None:
        return None
    sources = dict(sources)
    for s in saved:
        if s.new is not None:
            sources[s.path] = (s.new,)
        else:
            sources.pop(s.path, None)
    return Restructured(new, now, sources, len(saved))


def _read_saved(
    basis: Basis,
    config: Config,
    held: Held,
    sources: Sources,
    changed: Collection[str],
    on_site: Callable[[Article], bool],
    parse: Parse,
) -> list[_Saved] | None:
    """Each saved file that changed, parsed (None: one this does not follow)."""
    site_dir = config.site_dir
    saved = []
    for rel in changed:
        before = sources.get(rel, ())
        if len(before) > 1 or not _article_file(rel):
            return None
        old = before[0] if before else None
        new: Article | None = None
        problems: list[Problem] = []
        if os.path.lexists(site_dir / rel):
            if os.path.islink(site_dir / rel) or not (site_dir / rel).is_file():
                return None
            key, (parsed, problems) = parse(rel)
            if parsed is None or parsed.is_page or any(p.is_error for p in problems):
                return None
            if old is not None and key == old.digest:
                continue  # saved as it was
            if not on_site(dataclasses.replace(parsed, draft=False)):
                return None  # scheduled for later
            held.loaded.setdefault(key, (parsed, problems))
            new = parsed if on_site(parsed) else None
        if (
            not _same_images(old, new, basis)
            or _redirected(old, config)
            or _redirected(new, config)
        ):
            return None
        saved.append(_Saved(rel, old, new, problems))
    return saved


def _redirected(article: Article | None, config: Config) -> bool:
    """Whether a redirect of sitegen.yaml leads to the article, titled by it
    (render.redirects): those redirect pages are not followed. (One that leads to a tag
    page is titled by the tag; the tag comes or goes with the page, which the check of
    redirects against the plan's paths finds: Basis.link_problems.)"""
    return article is not None and any(r.new == article.url for r in config.redirects)


def _article_file(rel: str) -> bool:
    """Whether `rel` names an article file as content.article.find_sources finds them."""
    parts = rel.split("/")
    return (
        len(parts) > 1
        and parts[0] == "content"
        and rel.endswith(".md")
        and is_text(rel)
        and not any(part.startswith(".") for part in parts)
    )


def _same_images(old: Article | None, new: Article | None, basis: Basis) -> bool:
    """Whether the image stage would make what it made: the same images shown that it
    makes sizes of, or (a new article) only images it made already."""
    before, after = _made(old, basis), _made(new, basis)
    return before == after or (not before and after <= basis.site.pictures.keys())


def _made(article: Article | None, basis: Basis) -> set[str]:
    """The images of `article` the image stage makes sizes of."""
    if article is None:
        return set()
    lead = (article.image.src,) if article.image else ()
    shown = shown_images((article.body,), lead, basis.site.config.base_path)
    return {
        src
        for src in shown
        if not urls.leaves_site(src)
        and (rel := unquote(src.lstrip("/"))) in basis.static
        and is_rewritten(rel)
    }


def _with_sizes(site: Site, sizes: Mapping[str, tuple[int, int]]) -> Site:
    return dataclasses.replace(site, image_sizes={**site.image_sizes, **sizes})


def _new_basis(
    basis: Basis, site: Site, shape: Shape, removed: Sequence[Article], added: Sequence[Article]
) -> Basis | None:
    """The Basis of the changed `site`; None if a new file would take another's path."""
    articles = dict(basis.articles)
    for article in removed:
        del articles[article.output_path]
    gone = {article.output_path for article in removed}
    new_paths = []  # checked against every other path below
    for article in added:
        articles[article.output_path] = article
        new_paths.append(article.output_path)
    listed = dict(basis.listed)
    kept = {id(listing) for listing in site.listings}
    for listing in basis.site.listings:
        if id(listing) not in kept:
            for page in listing.pages:
                del listed[page.output_path]
                gone.add(page.output_path)
    old_listings = {id(listing) for listing in basis.site.listings}
    fresh = listed_pages(listing for listing in site.listings if id(listing) not in old_listings)
    new_paths += fresh
    listed.update(fresh)
    own = edition_values(site, site)
    specs = dict(basis.specs)
    moved = _moved_addresses(basis, specs, removed, added, gone, new_paths)
    if moved is None:
        return None
    closing = tuple(closing_pages(site, site, own, lambda path: ()))
    specs.update((spec.output_path, spec) for spec in closing)
    feeds = {feed.path: feed for feed in feed_specs(site)}
    gone |= basis.feeds.keys() - feeds.keys()
    new_paths += feeds.keys() - basis.feeds.keys()
    # A new path another file holds (two new ones, or an old one, also but for case or as
    # a folder): planning the site reports it. This is the one check of them all.
    if len(set(new_paths)) != len(new_paths):
        return None
    folded = basis.folded - {path.casefold() for path in gone}
    every = (basis.static_outputs, articles, listed, specs, feeds)
    for path in new_paths:
        if path in gone:
            continue
        if path.casefold() in folded or urls.sitegen_name(path):
            return None
        if any(folder in part for folder in folders_of(path) for part in every):
            return None
    folded |= {path.casefold() for path in new_paths}
    new = Basis(
        site, shape, basis.static, basis.static_outputs, articles, listed, specs,
        basis.standalone, closing, feeds, frozenset(folded), basis.rules, *moved,
        basis.link_problems,
    )  # fmt: skip
    if tuple(link_problems(site.config, Paths(new))) != basis.link_problems:
        return None
    return new


def _moved_addresses(
    basis: Basis,
    specs: dict[str, PageSpec],
    removed: Sequence[Article],
    added: Sequence[Article],
    gone: set[str],
    new_paths: list[str],
) -> tuple[int, frozenset[str]] | None:
    """The saved articles' old addresses: the removed ones' redirect pages taken out of
    `specs` (their paths to `gone`), the added ones' put in (to `new_paths`); the count
    of pages with old addresses and the addresses with a query after that. None if an
    address with a query is another page's, or the redirect maps come or go."""
    aliased, requests = basis.aliased, set(basis.requests)
    for article in removed:
        if (old := article_addresses(article)) is not None:
            for spec in redirect_pages(old):
                del specs[spec.output_path]
                gone.add(spec.output_path)
            requests -= query_addresses(old)
            aliased -= 1
    for article in added:
        if (old := article_addresses(article)) is not None:
            for spec in redirect_pages(old):
                specs[spec.output_path] = spec
                new_paths.append(spec.output_path)
            if query_addresses(old) & requests:
                return None
            requests |= query_addresses(old)
            aliased += 1
    if (aliased > 0) != (basis.aliased > 0):
        return None
    return aliased, frozenset(requests)
