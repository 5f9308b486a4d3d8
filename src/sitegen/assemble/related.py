"""Articles -> up to N related articles each ("Continue Reading" at the end of an article),
remembered across builds in the build cache.

Relatedness is the sum, over shared tags, of each tag's rarity log(N / articles with it):
sharing a tag that half the site carries says little, sharing a rare one says much. Ties go
to the article closest in date, then to the slug and URL, so the choice is deterministic.

Candidates come from an inverted index (tag -> articles in site order). A tag carried by
more than 2 x WINDOW articles contributes only the WINDOW articles on each side of the
article in date order, so the work per article stays bounded on archives of 50,000 and up.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

from sitegen.cache.codec import decode_problems, encode_problems
from sitegen.cache.store import MALFORMED, BuildCache, digest
from sitegen.cache.version import code_version
from sitegen.errors import Problem, error, shown
from sitegen.model import Article, Tag
from sitegen.runtime.pool import Awaited, start_map

WINDOW = 20
Related = Mapping[str, tuple[Article, ...]]  # article URL -> its related articles
RelatedResult = tuple[Related, list[Problem]]
RelateFn = Callable[[Sequence[Article], int], RelatedResult]  # find_related, or a wrapper
Rank = tuple[float, float, str, str]
K = TypeVar("K")


def find_related(
    articles: Sequence[Article],
    count: int,
    window: int = WINDOW,
    jobs: int | None = 1,
    *,
    lazily: RelatedMemo | None = None,
) -> RelatedResult:
    """Article URL -> its related articles; front matter `related:` lists win when given.
    With `jobs` > 1 and a big archive, the choosing by tags is shared by forked workers
    (4.9 s in one process at 50,000 articles) while this process goes on planning the
    site: the mapping returned waits for them when first read (runtime.pool.Awaited).
    `lazily`: each article's are chosen when first asked for (`serve`, which makes the
    pages a browser asks for: after a change of tags, the open page's, not 5,000), with
    the tag index kept in the memo given while no article's tags, date or URL change. The
    problems, of `related:` lists only, are known at once."""
    by_slug: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_slug[article.slug].append(article)
    listed: dict[str, tuple[Article, ...]] = {}
    problems: list[Problem] = []
    for article in articles:
        if article.related_slugs:
            listed[article.url], found = _chosen(article, by_slug)
            problems += found
    index = lazily.index(articles) if lazily else _TagIndex(articles)

    def by_tags(position: int) -> list[int]:
        if articles[position].related_slugs or count <= 0:
            return []
        return index.best(position, count, window)

    if lazily:
        return _OneByOne(articles, listed, by_tags, count), problems
    chosen_by_tags = start_map(by_tags, len(articles), jobs, "related")

    def related() -> dict[str, tuple[Article, ...]]:
        chosen: dict[str, tuple[Article, ...]] = {}
        for article, best in zip(articles, chosen_by_tags(), strict=True):
            if article.related_slugs:
                chosen[article.url] = listed[article.url]
            elif count > 0:
                chosen[article.url] = tuple(articles[i] for i in best)
        return chosen

    return Awaited(related), problems


class RelatedMemo:
    """The tag index of the last choice (serve's, from save to save): made again only
    when an article's URL, slug, date or tags changed, or one came or went (45 ms at
    5,000 articles, the most of planning the site after a one-word edit)."""

    def __init__(self) -> None:
        self._shape: list[tuple[object, ...]] | None = None
        self._index: _TagIndex | None = None

    def index(self, articles: Sequence[Article]) -> _TagIndex:
        shape = [(a.url, a.slug, a.date, *(t.slug for t in a.tags)) for a in articles]
        if self._index is None or shape != self._shape:
            self._index, self._shape = _TagIndex(articles), shape
        return self._index


class _OneByOne(Mapping[str, tuple[Article, ...]]):
    """find_related's mapping, each article's choice made when first looked up: the same
    keys (every article's when `count` > 0, else only those with a `related:` list), and
    the same values, as tests/test_related.py checks."""

    def __init__(
        self,
        articles: Sequence[Article],
        listed: Mapping[str, tuple[Article, ...]],
        by_tags: Callable[[int], list[int]],
        count: int,
    ) -> None:
        self._articles, self._listed, self._by_tags = articles, listed, by_tags
        self._position = {article.url: n for n, article in enumerate(articles)}
        # (two articles at one URL: one key)
        self._urls = list(dict.fromkeys(a.url for a in articles if a.related_slugs or count > 0))
        self._count = count
        self._chosen: dict[str, tuple[Article, ...]] = {}

    def __getitem__(self, url: str) -> tuple[Article, ...]:
        found = self._chosen.get(url)
        if found is None:
            if url in self._listed:
                found = self._listed[url]
            elif self._count > 0 and url in self._position:
                found = tuple(self._articles[n] for n in self._by_tags(self._position[url]))
            else:
                raise KeyError(url)
            self._chosen[url] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._urls)

    def __len__(self) -> int:
        return len(self._urls)


class TermRelated(Mapping[str, tuple[Article, ...]]):
    """find_related's choice, each article's made when first looked up, from a site's own
    tag index (tag -> its articles in site order), which a change of a few articles
    updates without looking at the rest (assemble.delta): no positions, no masks over the
    whole archive. The same choice as _TagIndex's: candidates from the same windows,
    shared tags' weights added in slug order (its bit order), the same ranking (`_top`),
    as tests/test_serve_restructure.py checks. `listed`: the choices of `related:` lists
    (assemble.delta follows no change of an article that has one)."""

    def __init__(
        self,
        articles: Sequence[Article],
        tags: Mapping[Tag, Sequence[Article]],
        listed: Mapping[str, tuple[Article, ...]],
        count: int,
        window: int = WINDOW,
    ) -> None:
        self._articles, self._tags, self._listed = articles, tags, listed
        self._count, self._window = count, window
        self._places: dict[Tag, dict[int, int]] = {}  # tag -> id of article -> its place
        self._chosen: dict[str, tuple[Article, ...]] = {}

    @functools.cached_property
    def _by_url(self) -> dict[str, Article]:
        found: dict[str, Article] = {}
        for article in self._articles:  # (two articles at one URL: the first, as _OneByOne)
            if article.related_slugs or self._count > 0:
                found.setdefault(article.url, article)
        return found

    def __getitem__(self, url: str) -> tuple[Article, ...]:
        found = self._chosen.get(url)
        if found is None:
            if url in self._listed:
                found = self._listed[url]
            else:
                found = tuple(self._best(self._by_url[url]))  # (KeyError: it has no choice)
            self._chosen[url] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_url)

    def __len__(self) -> int:
        return len(self._by_url)

    def _place(self, tag: Tag, article: Article) -> int:
        places = self._places.get(tag)
        if places is None:
            places = self._places[tag] = {id(a): n for n, a in enumerate(self._tags[tag])}
        return places[id(article)]

    def _best(self, article: Article) -> list[Article]:
        window, tags = self._window, self._tags
        candidates: dict[int, Article] = {}
        for tag in article.tags:
            postings, here = tags[tag], self._place(tag, article)
            candidates.update(
                (id(c), c) for c in postings[max(0, here - window) : here + window + 1]
            )
        candidates.pop(id(article), None)
        if not candidates:
            return []
        total, own = len(self._articles), {t.slug: t for t in article.tags}
        scored: dict[int, float] = {}
        for key, candidate in candidates.items():
            shared = sorted(own.keys() & {t.slug for t in candidate.tags})
            weights = (math.log(total / len(tags[own[slug]])) for slug in shared)
            scored[key] = round(sum(weights, 0.0), 9)
        when = article.date.timestamp()

        def rank(key: int) -> Rank:
            other = candidates[key]
            return _rank(scored[key], other, abs(other.date.timestamp() - when))

        return [candidates[key] for key in _top(scored, self._count, rank)]


def remembered_related(cache: BuildCache, relate: RelateFn) -> RelateFn:
    """`relate`, remembered across builds in `cache`: related articles depend only on
    every article's URL, slug, date and tags, which most edits leave alone. A choice made
    afresh is stored later (`BuildCache.catch_up`), once the workers making it are done."""

    def remembered(articles: Sequence[Article], count: int) -> RelatedResult:
        key = functools.cache(
            lambda: digest(code_version(), str(count), *map(_relatedness, articles))
        )
        stored = cache.get_meta("related")
        if stored is not None:  # (a first build has none: no key to work out first)
            recalled = _recalled(stored, key, articles)
            if recalled is not None:
                return recalled
        related, problems = relate(articles, count)

        def value() -> str:
            encoded = {url: [a.url for a in items] for url, items in related.items()}
            data = {"key": key(), "related": encoded}
            return json.dumps({**data, "problems": encode_problems(problems)})

        cache.set_meta_later("related", value)
        return related, problems

    return remembered


def _recalled(
    stored: str, key: Callable[[], str], articles: Sequence[Article]
) -> RelatedResult | None:
    """The choice `stored` holds, if it was made for these articles."""
    try:
        data = json.loads(stored)
        if data["key"] != key():
            return None
        by_url = {a.url: a for a in articles}
        chosen = {url: tuple(by_url[u] for u in urls) for url, urls in data["related"].items()}
        return chosen, decode_problems(data["problems"])
    except MALFORMED:
        return None  # chosen again


def _relatedness(a: Article) -> str:
    return f"{a.url} {a.slug} {a.date.isoformat()} {[t.slug for t in a.tags]} {a.related_slugs}"


class _TagIndex:
    """Tag -> article positions, with each article's tags as a bit mask for cheap scoring."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = articles
        postings: dict[Tag, list[int]] = defaultdict(list)
        for position, article in enumerate(articles):
            for tag in article.tags:
                postings[tag].append(position)
        tags = sorted(postings, key=lambda t: t.slug)
        self.bit = {tag: 1 << n for n, tag in enumerate(tags)}
        self.weight = {self.bit[t]: math.log(len(articles) / len(postings[t])) for t in tags}
        self.masks = [sum(self.bit[t] for t in a.tags) for a in articles]
        # for each article, each of its tags' postings and its own place in them
        self.spots: list[list[tuple[list[int], int]]] = [[] for _ in articles]
        for ids in postings.values():
            for place, position in enumerate(ids):
                self.spots[position].append((ids, place))
        self.times = [a.date.timestamp() for a in articles]
        self.scores: dict[int, float] = {}
        self.chosen: dict[tuple[int, int, int], list[int]] = {}

    def score(self, mask: int) -> float:
        """Sum of the shared tags' weights, added in one fixed order so every run agrees."""
        cached = self.scores.get(mask)
        if cached is None:
            total, rest = 0.0, mask
            while rest:  # lowest bit first: a few shared tags, not one step per tag there is
                lowest = rest & -rest
                total += self.weight[lowest]
                rest ^= lowest
            cached = self.scores[mask] = round(total, 9)
        return cached

    def best(self, position: int, count: int, window: int) -> list[int]:
        """The positions of the `count` articles most related to the one at `position`;
        remembered, for `serve` keeps an index from save to save while the tags stay."""
        found = self.chosen.get((position, count, window))
        if found is None:
            found = self.chosen[(position, count, window)] = self._best(position, count, window)
        return found

    def _best(self, position: int, count: int, window: int) -> list[int]:
        candidates: set[int] = set()
        for ids, here in self.spots[position]:
            candidates.update(ids[max(0, here - window) : here + window + 1])
        candidates.discard(position)
        if not candidates:
            return []
        own, masks, known = self.masks[position], self.masks, self.scores
        scored: dict[int, float] = {}
        for candidate in candidates:  # the hot loop of this module: kept to dict look-ups
            shared = own & masks[candidate]
            value = known.get(shared)
            scored[candidate] = value if value is not None else self.score(shared)
        when = self.times[position]

        def rank(c: int) -> Rank:
            return _rank(scored[c], self.articles[c], abs(self.times[c] - when))

        return _top(scored, count, rank)


def _top(scored: Mapping[K, float], count: int, rank: Callable[[K], Rank]) -> list[K]:
    """The `count` best of the `scored` candidates by `rank`; only those whose score could
    place them among the best are ranked (both indexes choose with this)."""
    threshold = heapq.nlargest(count, scored.values())[-1]
    return sorted((key for key, value in scored.items() if value >= threshold), key=rank)[:count]


def _rank(score: float, other: Article, distance: float) -> Rank:
    """Best first: the highest score, then the closest in date, then by slug and URL."""
    return (-score, distance, other.slug, other.url)


def _chosen(
    article: Article, by_slug: Mapping[str, list[Article]]
) -> tuple[tuple[Article, ...], list[Problem]]:
    chosen: list[Article] = []
    problems: list[Problem] = []
    where = article.location("related")
    for slug in article.related_slugs:
        matches = by_slug.get(slug, [])
        if len(matches) == 1 and matches[0].url != article.url:
            chosen.append(matches[0])
        elif not matches:
            problems.append(
                error(where, f"related: no published article has the slug {shown(slug)}")
            )
        elif len(matches) > 1:
            problems.append(
                error(where, f"related: slug {shown(slug)} is used by {len(matches)} articles")
            )
        else:
            problems.append(error(where, "related: an article cannot be related to itself"))
    return tuple(chosen), problems
