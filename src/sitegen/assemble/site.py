"""Loaded articles -> the Site: drafts dropped, standalone pages set apart, sorted, tags,
bylines and periods indexed, listings paginated, related articles chosen. (URL clashes
are caught in render.py, which sees every page.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from sitegen import urls
from sitegen.assemble.editions import (
    edition_config,
    same_language_related,
    split_by_language,
    translation_groups,
)
from sitegen.assemble.paginate import paginate
from sitegen.assemble.related import RelateFn, find_related
from sitegen.config.settings import Config
from sitegen.errors import Problem, shown, warning
from sitegen.model import MONTH_NAMES, Article, Author, Listing, Period, Site, Tag, Term

T = TypeVar("T", bound=Term)


def assemble_site(
    config: Config,
    articles: Iterable[Article],
    *,
    include_drafts: bool = False,
    now: dt.datetime | None = None,
    relate: RelateFn = find_related,
) -> tuple[Site, list[Problem]]:
    """Build the complete in-memory site; nothing is rendered or written yet.

    Drafts are left out unless included; with `now`, so are articles dated after it.
    """
    kept = [a for a in articles if published(a, include_drafts, now)]
    pages = tuple(sorted((a for a in kept if a.is_page), key=lambda a: a.url))
    kept = [a for a in kept if not a.is_page]
    if config.languages:
        return _multilingual_site(config, _in_site_order(kept), pages, relate)
    kept, spelling_warnings = unify_names(kept)
    ordered = tuple(_in_site_order(kept))
    related, related_problems = relate(ordered, config.related_count)
    site = _one_language_site(config, ordered, pages, related)
    return site, spelling_warnings + related_problems


def published(article: Article, include_drafts: bool, now: dt.datetime | None) -> bool:
    """Whether the article is on the site: not a draft (unless included), not scheduled
    after `now`."""
    return (include_drafts or not article.draft) and (now is None or article.date <= now)


def _in_site_order(articles: list[Article]) -> list[Article]:
    """Newest first; ties by slug, URL and file."""
    articles.sort(key=lambda a: (a.slug, a.url, a.source))
    articles.sort(key=lambda a: a.date, reverse=True)
    return articles


def _one_language_site(
    config: Config,
    ordered: tuple[Article, ...],
    pages: tuple[Article, ...],
    related: Mapping[str, tuple[Article, ...]],
    prefix: str = "",
) -> Site:
    """The Site of one language, its listings under `prefix` ('/fa')."""
    tags = index_terms(ordered, lambda a: a.tags)
    authors = index_terms(ordered, lambda a: (a.author,))
    by_period = group_by_period(ordered)
    return Site(
        config=config,
        articles=ordered,
        tags=tags,
        authors=authors,
        listings=make_listings(config, ordered, tags, authors, by_period, prefix),
        periods=index_periods(by_period, prefix),
        related=related,
        pages=pages,
    )


def _multilingual_site(
    config: Config, ordered: list[Article], pages: tuple[Article, ...], relate: RelateFn
) -> tuple[Site, list[Problem]]:
    """The default language's Site, each other language's in `editions`, and the
    translation groups shared by all. Related articles are chosen once over every
    language (one remembered choice), then kept to each article's own language."""
    split = split_by_language(config, ordered)
    problems: list[Problem] = []
    respelled: dict[int, Article] = {}  # id of an article as loaded -> as shown
    for tag in split:
        unified, warnings = unify_names(split[tag])
        respelled.update(zip(map(id, split[tag]), unified, strict=True))
        split[tag] = unified
        problems += warnings
    everything = tuple(respelled[id(a)] for a in ordered)  # the site's order
    chosen, related_problems = relate(everything, config.related_count)
    related = same_language_related(chosen, config)
    translations, conflicts = translation_groups(config, (*everything, *pages))
    pages_by = split_by_language(config, pages)
    sites = []
    for tag, articles in split.items():
        own = edition_config(config, tag) if tag else config
        prefix = urls.language_prefix(tag)
        site = _one_language_site(own, tuple(articles), tuple(pages_by[tag]), related, prefix)
        sites.append(dataclasses.replace(site, translations=translations))
    site = dataclasses.replace(sites[0], editions=tuple(sites[1:]))
    return site, problems + related_problems + conflicts


def unify_names(articles: Sequence[Article]) -> tuple[list[Article], list[Problem]]:
    """Show every spelling of a tag or byline as the one used most often, and warn of the rest."""
    tag_names, tags_agree = _most_used_spellings(t for a in articles for t in a.tags)
    author_names, authors_agree = _most_used_spellings(a.author for a in articles)
    if tags_agree and authors_agree:
        return list(articles), []  # one spelling of each name: nothing to respell (most builds)
    unified: list[Article] = []
    problems: list[Problem] = []
    for article in articles:
        tags = tuple(_respelled(t, tag_names, article, "tags", problems) for t in article.tags)
        author = _respelled(article.author, author_names, article, "byline", problems)
        respelled = [a.name != b.name for a, b in zip(tags, article.tags, strict=True)]
        if any(respelled) or author.name != article.author.name:
            article = dataclasses.replace(article, tags=tags, author=author)
        unified.append(article)
    return unified, problems


def _most_used_spellings(terms: Iterable[Term]) -> tuple[dict[str, str], bool]:
    """Slug -> the spelling most terms use; and whether every term is spelt that way."""
    spellings: dict[str, list[tuple[int, str]]] = defaultdict(list)
    counts = Counter((term.slug, term.name) for term in terms)
    for (slug, name), count in counts.items():
        spellings[slug].append((-count, name))
    # ties go to the first spelling in code-point order, the same in every build
    names = {slug: min(options)[1] for slug, options in spellings.items()}
    return names, len(names) == len(counts)


def _respelled(
    term: T, names: Mapping[str, str], article: Article, key: str, problems: list[Problem]
) -> T:
    name = names[term.slug]
    if term.name == name:
        return term
    message = f"{key}: {shown(term.name)} is shown as {shown(name)}, the spelling most articles use"
    problems.append(warning(article.location(key), message))
    return dataclasses.replace(term, name=name)


def index_terms(
    articles: Sequence[Article], terms_of: Callable[[Article], Iterable[T]]
) -> dict[T, tuple[Article, ...]]:
    """Term -> its articles (in site order), terms sorted by slug."""
    index: dict[T, list[Article]] = defaultdict(list)
    for article in articles:
        for term in terms_of(article):
            index[term].append(article)
    return {term: tuple(index[term]) for term in sorted(index, key=lambda t: t.slug)}


def index_periods(
    by_period: Mapping[tuple[int, int | None], Sequence[Article]], prefix: str = ""
) -> tuple[Period, ...]:
    """Every year and month that has articles (`group_by_period`), newest first, each
    year before its months."""
    years = {year: len(items) for (year, month), items in by_period.items() if month is None}
    months = {(y, m): len(items) for (y, m), items in by_period.items() if m is not None}
    periods = []
    for year in sorted(years, reverse=True):
        periods.append(Period(year, None, years[year], prefix + urls.period_url(year)))
        for y, month in sorted((k for k in months if k[0] == year), reverse=True):
            url = prefix + urls.period_url(y, month)
            periods.append(Period(y, month, months[(y, month)], url))
    return tuple(periods)


def make_listings(
    config: Config,
    articles: Sequence[Article],
    tags: Mapping[Tag, Sequence[Article]],
    authors: Mapping[Author, Sequence[Article]],
    by_period: Mapping[tuple[int, int | None], Sequence[Article]],
    prefix: str = "",
    *,
    kept: Mapping[str, Listing] | None = None,
) -> tuple[Listing, ...]:
    """The home archive first, then one listing per tag, author, year and month (their
    articles: `group_by_period`); a language's listings under its `prefix` ('/fa/',
    '/fa/2025/'). `kept`: listings known unchanged, by URL (assemble.delta)."""

    def listing(
        kind: str, title: str, url: str, items: Sequence[Article], term: Term | None = None
    ) -> Listing:
        if kept and (known := kept.get(url)) is not None:
            return known
        pages = paginate(items, config.per_page, first_url=url)
        return Listing(kind, title, url, len(items), pages, term)

    result = [listing("home", "Latest news", prefix + "/", articles)]
    result += [listing("tag", tag.name, tag.url, items, tag) for tag, items in tags.items()]
    result += [
        listing("author", f"Articles by {a.name}", a.url, items, a) for a, items in authors.items()
    ]
    for (year, month), items in sorted(
        by_period.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0), reverse=True
    ):
        title = str(year) if month is None else f"{MONTH_NAMES[month - 1]} {year}"
        result.append(
            listing(
                "year" if month is None else "month",
                title,
                prefix + urls.period_url(year, month),
                items,
            )
        )
    return tuple(result)


def group_by_period(articles: Iterable[Article]) -> dict[tuple[int, int | None], list[Article]]:
    """(year, None) and (year, month) -> their articles, in the order given."""
    by_period: dict[tuple[int, int | None], list[Article]] = defaultdict(list)
    for article in articles:
        by_period[(article.date.year, None)].append(article)
        by_period[(article.date.year, article.date.month)].append(article)
    return by_period
