"""Which tag, byline, year and month pages of a multilingual site are one page in several
languages: the `hreflang` alternates and the language switcher of those listings.

Tags and bylines belong to a language, so their counterparts are found, not declared:
1. the same slug ('/tag/un/' and '/fa/tag/un/', a byline spelled the same way);
2. else the translations agree both ways: the Persian tag that the Persian versions of an
   English tag's articles carry most is the English tag's counterpart, if that English tag
   is in turn the one the English versions of the Persian tag's articles carry most.
Years and months are the same page when their address is ('/2025/' and '/fa/2025/').
Every member of a group lists the same versions, so the alternates are reciprocal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sitegen.model import Article, Listing, Site, Term

TERM_KINDS = ("tag", "author")
PERIOD_KINDS = ("year", "month")


def listing_groups(root: Site) -> dict[str, tuple[tuple[str, str], ...]]:
    """A listing's first page URL -> (language, URL) of each of its versions, the default
    language's first; only listings that have a version in another language."""
    editions = root.all_editions
    keys: dict[tuple[str, str], dict[str, str]] = {}  # (kind, key) -> lang -> url
    for edition in editions:
        for listing in edition.listings:
            if listing.kind in PERIOD_KINDS:
                path = listing.url[len(edition.home.url) - 1 :]  # '/fa/2025/' -> '/2025/'
                keys.setdefault((listing.kind, path), {})[edition.lang] = listing.url
    urls = {edition.lang: frozenset(a.url for a in edition.articles) for edition in editions}
    for kind in TERM_KINDS:
        for edition in editions:
            for key, listing in _term_keys(root, edition, kind, urls).items():
                keys.setdefault((kind, key), {})[edition.lang] = listing.url
    order = {edition.lang: n for n, edition in enumerate(editions)}
    groups: dict[str, tuple[tuple[str, str], ...]] = {}
    for versions in keys.values():
        if len(versions) > 1:
            group = tuple(sorted(versions.items(), key=lambda item: order[item[0]]))
            groups.update((url, group) for _, url in group)
    return groups


def _term_keys(
    root: Site, edition: Site, kind: str, urls: Mapping[str, frozenset[str]]
) -> dict[str, Listing]:
    """Each tag (or byline) listing of one language by the key it shares with its
    counterparts: its own slug, or the default language's counterpart's slug."""
    own = _terms(edition, kind)
    if edition is root:
        return own
    default = _terms(root, kind)
    keys = {slug: listing for slug, listing in own.items() if slug in default}
    matched = set(keys)
    for slug, listing in own.items():
        if slug in matched:
            continue
        other = _best(root, urls[root.lang], listing.term, edition, kind)
        if other in keys or other is None:
            other = None
        elif _best(edition, urls[edition.lang], default[other].term, root, kind) != slug:
            other = None
        if other is not None:
            keys[other] = listing  # a translation: keyed by the default language's slug
        elif slug not in keys:
            keys[slug] = listing  # may still match a third language's by slug
    return keys


def _terms(site: Site, kind: str) -> dict[str, Listing]:
    """Slug -> listing of each tag (or byline) of one language."""
    found = (item for item in site.listings if item.kind == kind)
    return {item.term.slug: item for item in found if item.term is not None}


def _best(
    target: Site, own: frozenset[str], term: Term | None, source: Site, kind: str
) -> str | None:
    """The slug of the `kind` term of `target`'s language (whose article URLs are `own`)
    that `target`'s versions of `term`'s articles (in `source`) carry most (ties: the
    first slug)."""
    articles = _articles_of(source, term, kind)
    counts: Counter[str] = Counter()
    for article in articles:
        for version in target.translations.get(article.url, ()):
            if version.url in own:
                counts.update(term.slug for term in _terms_of(version, kind))
    if not counts:
        return None
    most = max(counts.values())
    return min(slug for slug, count in counts.items() if count == most)


def _articles_of(site: Site, term: Term | None, kind: str) -> Iterable[Article]:
    if term is None:
        return ()
    index: Mapping[Any, tuple[Article, ...]] = site.tags if kind == "tag" else site.authors
    return index.get(term, ())


def _terms_of(article: Article, kind: str) -> Iterable[Term]:
    return article.tags if kind == "tag" else (article.author,)
