"""Loaded articles -> the Site: drafts dropped, sorted, tags indexed, URL clashes caught."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from sitegen.config import Config
from sitegen.errors import Problem, error
from sitegen.model import Article, Site, Tag
from sitegen.paginate import paginate


def assemble_site(
    config: Config, articles: Iterable[Article], *, include_drafts: bool = False
) -> tuple[Site, list[Problem]]:
    """Build the complete in-memory site; nothing is rendered or written yet."""
    kept = [a for a in articles if include_drafts or not a.draft]
    problems = find_url_clashes(kept)
    kept = unify_tag_names(kept)
    kept.sort(key=lambda a: a.slug)
    kept.sort(key=lambda a: a.date, reverse=True)
    ordered = tuple(kept)
    site = Site(
        config=config,
        articles=ordered,
        tags=index_tags(ordered),
        listings=paginate(ordered, config.per_page),
    )
    return site, problems


def find_url_clashes(articles: Sequence[Article]) -> list[Problem]:
    """Two articles at one URL would overwrite each other: name both files."""
    by_url: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_url[article.url].append(article)
    problems = []
    for url, clashing in sorted(by_url.items()):
        first, *others = sorted(clashing, key=lambda a: a.source)
        for other in others:
            message = f"URL {url!r} is also used by {first.source}; give one a different 'slug'"
            problems.append(error(other.source, message))
    return problems


def unify_tag_names(articles: Sequence[Article]) -> list[Article]:
    """Give every spelling of a tag the one used most often (ties: the first in sort order)."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for tag in article.tags:
            spellings[tag.slug][tag.name] += 1
    chosen = {
        slug: min(counts, key=lambda name: (-counts[name], name))
        for slug, counts in spellings.items()
    }

    def canonical(tag: Tag) -> Tag:
        return (
            tag if tag.name == chosen[tag.slug] else dataclasses.replace(tag, name=chosen[tag.slug])
        )

    return [dataclasses.replace(a, tags=tuple(canonical(t) for t in a.tags)) for a in articles]


def index_tags(articles: Sequence[Article]) -> dict[Tag, tuple[Article, ...]]:
    """Tag -> its articles (in site order), tags sorted by slug."""
    index: dict[Tag, list[Article]] = defaultdict(list)
    for article in articles:
        for tag in article.tags:
            index[tag].append(article)
    return {tag: tuple(index[tag]) for tag in sorted(index, key=lambda t: t.slug)}
