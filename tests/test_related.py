from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from sitegen.assemble.related import (
    RelatedMemo,
    RelatedResult,
    find_related,
    remembered_related,
)
from sitegen.cache.store import BuildCache
from sitegen.model import Article
from sitegen.runtime.pool import can_fork
from tests.test_site import make_article


def related_slugs(articles: list, count: int = 3, window: int = 40) -> dict[str, list[str]]:  # type: ignore[type-arg]
    ordered = sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug))
    related, problems = find_related(ordered, count, window)
    assert problems == []
    return {url.strip("/"): [a.slug for a in items] for url, items in related.items()}


def test_related_prefers_rare_shared_tags() -> None:
    common = [make_article(f"filler{i}", 1 + i, ("News",)) for i in range(8)]
    articles = [
        make_article("target", 20, ("News", "Kraków")),
        make_article("shares-rare", 10, ("Kraków",)),
        make_article("shares-common", 19, ("News",)),
        *common,
    ]
    assert related_slugs(articles, count=2)["target"] == ["shares-rare", "shares-common"]


def test_related_ties_break_by_date_then_slug() -> None:
    articles = [
        make_article("target", 15, ("A",)),
        make_article("far", 1, ("A",)),
        make_article("near-b", 14, ("A",)),
        make_article("near-a", 16, ("A",)),
        make_article("unrelated", 15, ("B",)),
    ]
    assert related_slugs(articles)["target"] == ["near-a", "near-b", "far"]
    assert related_slugs(articles)["unrelated"] == []


def test_related_count_limits_and_zero_disables() -> None:
    articles = [make_article(f"a{i}", i + 1, ("A",)) for i in range(6)]
    assert all(len(v) == 2 for v in related_slugs(articles, count=2).values())
    assert related_slugs(articles, count=0) == {}


def test_related_front_matter_overrides_and_is_validated() -> None:
    target = dataclasses.replace(
        make_article("target", 5, ("A",)),
        related_slugs=("other", "missing", "target"),
        field_lines={"related": 7},
    )
    other = make_article("other", 1, ("Z",))
    related, problems = find_related([target, other, make_article("same-tag", 4, ("A",))], 3)
    assert [a.slug for a in related["/target/"]] == ["other"]
    assert [str(p) for p in problems] == [
        "content/target.md:7: related: no published article has the slug 'missing'",
        "content/target.md:7: related: an article cannot be related to itself",
    ]


def test_related_is_deterministic_on_a_large_archive() -> None:
    tags = [f"t{i}" for i in range(60)]
    articles = []
    for i in range(5_000):
        chosen = tuple({tags[0], tags[(i * 7) % 60], tags[(i * 13) % 60], tags[(i * 31) % 60]})
        articles.append(make_article(f"a{i:05d}", 1 + i % 28, tuple(sorted(chosen))))
    ordered = sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug))
    first, _ = find_related(ordered, 3)
    second, _ = find_related(list(ordered), 3)
    assert first == second
    assert all(len(items) == 3 for items in first.values())
    assert can_fork(2, len(ordered), "related")  # so the next line does use workers
    in_workers, _ = find_related(ordered, 3, jobs=2)
    assert list(in_workers.items()) == list(first.items())
    one_by_one, _ = find_related(ordered, 3, lazily=RelatedMemo())  # as `serve` chooses them
    assert one_by_one[ordered[4321].url] == first[ordered[4321].url]
    assert list(one_by_one.items()) == list(first.items())


def test_related_chosen_one_by_one_are_the_same_with_listed_ones_and_none() -> None:
    target = dataclasses.replace(make_article("target", 5, ("A",)), related_slugs=("other",))
    articles = [target, make_article("other", 1, ("A",)), make_article("third", 4, ("A",))]
    for count in (0, 1, 3):
        eager, eager_problems = find_related(articles, count)
        lazy, lazy_problems = find_related(articles, count, lazily=RelatedMemo())
        assert dict(lazy) == dict(eager) and len(lazy) == len(eager)
        assert lazy_problems == eager_problems
    assert "/nowhere/" not in find_related(articles, 3, lazily=RelatedMemo())[0]


def test_the_kept_tag_index_serves_while_tags_and_dates_stay() -> None:
    """serve keeps the tag index from save to save; a body edit reuses it, a change of
    tags makes it again, and the choice is always the one made from scratch."""
    articles = [make_article(f"a{i}", 1 + i % 28, (f"t{i % 3}", f"u{i % 5}")) for i in range(40)]
    memo = RelatedMemo()
    find_related(articles, 3, lazily=memo)
    index = memo.index(articles)
    edited = [*articles]
    edited[7] = dataclasses.replace(articles[7], body=b"<p>new words</p>")
    assert memo.index(edited) is index
    edited[9] = dataclasses.replace(articles[9], tags=articles[0].tags)
    for version in (edited, articles):
        lazy, _ = find_related(version, 3, lazily=memo)
        assert dict(lazy) == dict(find_related(version, 3)[0])
    assert memo.index(edited) is not index


def test_related_window_bounds_candidates_of_very_common_tags() -> None:
    # 'target' shares only the everywhere-tag with 100 others: just the nearest in date are seen
    articles = [make_article("target", 15, ("All",))]
    articles += [make_article(f"o{i:03d}", 1 + i % 28, ("All",)) for i in range(100)]
    chosen = related_slugs(articles, count=3, window=5)["target"]
    assert len(chosen) == 3
    assert all(a.date.day == 15 for a in articles if a.slug in chosen)


def test_remembered_related_chooses_again_only_when_relatedness_changes(tmp_path: Path) -> None:
    """Remembered across builds (another BuildCache on the same folder), stored only once
    the build catches up, and chosen again when a tag changes."""
    articles = [make_article(f"a{i}", i + 1, ("A",)) for i in range(4)]
    calls: list[int] = []

    def relate(articles: Sequence[Article], count: int) -> RelatedResult:
        calls.append(count)
        return find_related(articles, count)

    with contextlib.closing(BuildCache(tmp_path)) as cache:
        first, _ = remembered_related(cache, relate)(articles, 2)
        assert cache.get_meta("related") is None  # put off until catch_up
        cache.catch_up()
        assert cache.get_meta("related") is not None
    with contextlib.closing(BuildCache(tmp_path)) as cache:
        again, problems = remembered_related(cache, relate)(list(articles), 2)
        assert (again, problems, calls) == (first, [], [2])
        remembered_related(cache, relate)(articles, 3)
        retagged = [dataclasses.replace(articles[0], tags=()), *articles[1:]]
        remembered_related(cache, relate)(retagged, 3)
        assert calls == [2, 3, 3]
