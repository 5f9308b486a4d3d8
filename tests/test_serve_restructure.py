"""Saves that move articles (new, deleted, re-tagged, re-dated, renamed, a byline
changed) are applied to the preview's plan without planning the site again
(serve.restructure): after each, every file the preview serves is byte for byte what a
clean build makes, and it has no other file. Saves it does not follow are planned whole,
and still served as built."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.assemble.delta import changed_site, shape_of
from sitegen.assemble.related import find_related
from sitegen.assemble.site import assemble_site
from sitegen.build import build
from sitegen.config.settings import load_config
from sitegen.content.loading import load_articles
from sitegen.errors import ContentError
from sitegen.model import Article
from sitegen.render.sitemap import SitemapEntry, sitemap_files, sitemap_paths
from sitegen.serve.live import LiveSite
from tests.conftest import MakeSite, article, tiny_png
from tests.test_incremental import random_archive
from tests.test_serve_patch import OPTIONS, _saved

RESTRUCTURED = "(their listings only)"


def _planned(root: Path) -> LiveSite:
    """The preview's site of `root`, planned, with every page made once (the catch-up,
    which also works out what structural saves are applied to)."""
    live = LiveSite(root, OPTIONS)
    live.refresh()
    live.catch_up(lambda: False)
    return live


def _assert_as_built(live: LiveSite, root: Path, out: Path) -> None:
    build(root, out, base_url=OPTIONS.base_url)
    built = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS" and not p.name.startswith(".sitegen")
    )
    assert live.paths() == built
    different = [page for page in built if live.read(page) != (out / page).read_bytes()]
    assert different == []


def _site(make_site: MakeSite) -> Path:
    files = {
        f"content/news/a{n:02d}.md": article(
            f"Article {n}",
            f"2025-0{1 + n % 3}-{1 + n:02d}",
            tags=f'["Topic {n % 4}", "UN"]',
            slug=f"a{n:02d}",
        )  # fmt: skip
        for n in range(24)
    }
    files["sitegen.yaml"] = (
        "base_url: https://example.org/\nper_page: 4\nrelated_count: 3\n"
        'redirects:\n  "/category/un/": "/tag/un/"\n'  # (titled by the tag: it stays)
    )
    # an old address, a picture, a standalone page: kept as they are by the saves below
    files["content/news/a20.md"] = files["content/news/a20.md"].replace(
        "title:", 'aliases: ["/old-a20/", "/?p=20"]\ntitle:'
    )
    files["content/news/a15.md"] = files["content/news/a15.md"].replace(
        "title:", 'image: "/images/p.png"\ntitle:'
    )
    files["static/images/p.png"] = tiny_png()
    files["content/pages/about.md"] = article("About us", slug="about")
    return make_site(files)


def _retag(root: Path) -> Path:
    return _saved(root / "content/news/a05.md", 'tags: ["Topic 1", "UN"]', 'tags: ["Vigils"]')


def _new(root: Path) -> Path:
    path = root / "content/news/new.md"
    path.write_text(article("A new one", "2025-02-14", tags='["Vigils", "UN"]', slug="new"))
    return path


def _delete(root: Path) -> Path:
    (path := root / "content/news/a07.md").unlink()
    return path


def _redate(root: Path) -> Path:  # to another month and year, newest of all
    return _saved(root / "content/news/a10.md", "date: 2025-02-11", "date: 2026-05-01")


def _byline(root: Path) -> Path:
    path = root / "content/news/a11.md"
    return _saved(path, "title:", "byline: Mina Ardalan\ntitle:")


def _slug(root: Path) -> Path:
    return _saved(root / "content/news/a12.md", "slug: a12", "slug: renamed")


def _draft(root: Path) -> Path:
    return _saved(root / "content/news/a13.md", "title:", "draft: true\ntitle:")


def _last_of_a_tag(root: Path) -> Path:  # "Topic 3" goes on with one article fewer
    return _saved(root / "content/news/a03.md", '"Topic 3", ', "")


def _aliases_added(root: Path) -> Path:  # a path and a query, as WordPress imports have
    path = root / "content/news/a04.md"
    return _saved(path, "title:", 'aliases: ["/2025/01/05/a04/", "/?p=4"]\ntitle:')


def _retag_aliased(root: Path) -> Path:  # its redirect pages show the article anew
    return _saved(root / "content/news/a20.md", '"Topic 0", ', '"Vigils", ')


def _delete_aliased(root: Path) -> Path:
    (path := root / "content/news/a20.md").unlink()
    return path


EDITS: list[Callable[[Path], Path]] = [
    _retag, _new, _delete, _redate, _byline, _slug, _draft, _last_of_a_tag, _aliases_added,
    _retag_aliased, _delete_aliased,
]  # fmt: skip


def test_structural_saves_are_served_as_a_clean_build(make_site: MakeSite, tmp_path: Path) -> None:
    root = _site(make_site)
    live = _planned(root)
    for number, edit in enumerate(EDITS):
        refreshed = live.refresh([edit(root)])
        assert refreshed is not None and RESTRUCTURED in refreshed.done, edit.__name__
        _assert_as_built(live, root, tmp_path / f"out-{number}")


def test_saves_after_saves_before_any_catch_up(make_site: MakeSite, tmp_path: Path) -> None:
    """A structural save's plan is the basis of the next at once (no catch-up between)."""
    root = _site(make_site)
    live = _planned(root)
    for edit in EDITS[:4]:
        refreshed = live.refresh([edit(root)])
        assert refreshed is not None and RESTRUCTURED in refreshed.done, edit.__name__
    _assert_as_built(live, root, tmp_path / "out")


@pytest.mark.parametrize(
    "edit",
    [
        lambda root: _saved(root / "content/news/a04.md", "title:", 'related: ["a05"]\ntitle:'),
        lambda root: _saved(root / "content/news/a04.md", '"UN"]', '"un"]'),  # respelt
    ],
    ids=["related list", "respelt tag"],
)
def test_saves_it_does_not_follow_plan_the_site_again(
    make_site: MakeSite, tmp_path: Path, edit: Callable[[Path], Path]
) -> None:
    root = _site(make_site)
    live = _planned(root)
    refreshed = live.refresh([edit(root)])
    assert refreshed is not None and RESTRUCTURED not in refreshed.done
    _assert_as_built(live, root, tmp_path / "out")


def test_a_new_article_at_a_taken_address_is_planned_whole(make_site: MakeSite) -> None:
    root = _site(make_site)
    live = _planned(root)
    clash = root / "content/news/clash.md"
    clash.write_text(article("Same address", "2025-01-30", slug="a02"))
    with pytest.raises(ContentError) as raised:  # the whole plan reports the clash
        live.refresh([clash])
    assert any("also used by content/news/a02.md" in str(p) for p in raised.value.problems)


def test_a_tag_that_a_redirect_leads_to_coming_is_planned_whole(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A redirect of sitegen.yaml to a tag page is titled by the tag's name, or by its URL
    while there is no such tag (and warned of: it leads to no page)."""
    root = _site(make_site)
    config = root / "sitegen.yaml"
    config.write_text(config.read_text() + '  "/category/vigils/": "/tag/vigils/"\n')
    live = _planned(root)
    refreshed = live.refresh([_retag(root)])  # the first article tagged Vigils
    assert refreshed is not None and RESTRUCTURED not in refreshed.done
    _assert_as_built(live, root, tmp_path / "out")


def test_an_old_address_another_article_has_is_planned_whole(make_site: MakeSite) -> None:
    root = _site(make_site)
    live = _planned(root)
    taken = _saved(root / "content/news/a04.md", "title:", 'aliases: ["/?p=20"]\ntitle:')
    with pytest.raises(ContentError) as raised:  # the whole plan reports the clash
        live.refresh([taken])
    assert any("/?p=20" in str(p) and "a04.md" in str(p) for p in raised.value.problems)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_changed_site_equals_the_site_assembled_whole(tmp_path: Path, seed: int) -> None:
    """assemble.delta, on a random archive: ten articles deleted and ten moved (a new date,
    tags dropped and shuffled) give the Site assemble_site makes of the result, with the
    same related articles."""
    rng = random.Random(seed)
    root = tmp_path / "site"
    for rel, data in random_archive(rng, 120, "").items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    config = load_config(root)
    articles = load_articles(config).articles
    site, _ = assemble_site(config, articles)
    moved = [_moved(a, rng) for a in articles[10:20]]
    found = changed_site(site, shape_of(site), articles[:20], moved)

    assert found is not None
    new, (whole, _) = found[0], assemble_site(config, [*articles[20:], *moved])
    assert new.articles == whole.articles
    assert new.tags == whole.tags and list(new.tags) == list(whole.tags)
    assert new.authors == whole.authors and list(new.authors) == list(whole.authors)
    assert new.listings == whole.listings and new.periods == whole.periods
    eager, _ = find_related(whole.articles, config.related_count)
    assert dict(new.related) == dict(eager)


def _moved(article: Article, rng: random.Random) -> Article:
    """The article with another date and some of its tags, shuffled, as a save gives it."""
    tags = rng.sample(article.tags, rng.randint(0, len(article.tags)))
    date = article.date.replace(year=rng.randint(2015, 2025))
    return dataclasses.replace(article, date=date, tags=tuple(tags))


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 7, 9, 10])
def test_the_sitemaps_paths_are_known_from_the_count_alone(count: int) -> None:
    entries = [SitemapEntry(f"/{n}/", None) for n in range(count)]
    made = [path for path, _ in sitemap_files(entries, "https://example.org/", limit=3)]
    assert sorted(sitemap_paths(count, limit=3)) == sorted(made)
