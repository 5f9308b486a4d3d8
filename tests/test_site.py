from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path, PurePosixPath

import slugify as _slugify
from hypothesis import given
from hypothesis import strategies as st

from sitegen import urls
from sitegen.assemble.paginate import paginate
from sitegen.assemble.site import assemble_site
from sitegen.config.settings import Config
from sitegen.errors import Location
from sitegen.model import Article, Author, Tag


def make_article(slug: str, day: int, tags: tuple[str, ...] = (), draft: bool = False) -> Article:
    return Article(
        source=Location(PurePosixPath(f"content/{slug}.md"), 2),
        slug=slug,
        title=slug.title(),
        date=dt.datetime(2025, 1, day, tzinfo=dt.UTC),
        author=Author("staff-writer", "Staff Writer", "/author/staff-writer/"),
        tags=tuple(Tag(urls.slugify(t), t, urls.tag_url(urls.slugify(t))) for t in tags),
        image=None,
        summary="",
        excerpt_html="",
        description="",
        body=b"",
        url=f"/{slug}/",
        output_path=f"{slug}/index.html",
        draft=draft,
    )


def test_assemble_site_sorts_newest_first_ties_by_slug() -> None:
    articles = [make_article("b", 1), make_article("c", 3), make_article("a", 1)]
    site, problems = assemble_site(Config(site_dir=Path(".")), articles)
    assert problems == []
    assert [a.slug for a in site.articles] == ["c", "a", "b"]


def test_assemble_site_drops_drafts_unless_included() -> None:
    articles = [make_article("a", 1), make_article("d", 2, draft=True)]
    site, _ = assemble_site(Config(site_dir=Path(".")), articles)
    assert [a.slug for a in site.articles] == ["a"]
    site, _ = assemble_site(Config(site_dir=Path(".")), articles, include_drafts=True)
    assert [a.slug for a in site.articles] == ["d", "a"]


def test_assemble_site_uses_most_common_tag_spelling() -> None:
    articles = [
        make_article("a", 1, ("ncri",)),
        make_article("b", 2, ("NCRI",)),
        make_article("c", 3, ("NCRI", "MEK Support")),
        make_article("d", 4, ("MEK-support",)),
    ]
    site, problems = assemble_site(Config(site_dir=Path(".")), articles)
    assert [str(p) for p in problems] == [
        "content/a.md:1: warning: tags: 'ncri' is shown as 'NCRI', the spelling most articles use",
        "content/d.md:1: warning: tags: 'MEK-support' is shown as 'MEK Support', the spelling most articles use",
    ]
    assert [(t.name, [a.slug for a in arts]) for t, arts in site.tags.items()] == [
        ("MEK Support", ["d", "c"]),  # tie of one each: the first in sort order wins
        ("NCRI", ["c", "b", "a"]),
    ]
    assert {t.name for a in site.articles for t in a.tags} == {"NCRI", "MEK Support"}


def test_paginate_edges() -> None:
    items = [make_article(f"a{i}", i + 1) for i in range(5)]
    assert [(p.number, p.total, len(p.items)) for p in paginate([], 2)] == [(1, 1, 0)]
    assert [len(p.items) for p in paginate(items[:2], 2)] == [2]
    pages = paginate(items[:3], 2)
    assert [(p.url, p.output_path, p.prev_url, p.next_url) for p in pages] == [
        ("/", "index.html", None, "/page/2/"),
        ("/page/2/", "page/2/index.html", "/", None),
    ]
    assert pages[1].items == (items[2],)


def test_urls() -> None:
    when = dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    assert urls.article_url("/{year}/{month}/{day}/{slug}/", "x", when) == "/2024/03/05/x/"
    assert urls.slugify("Women's Rights (UN)") == "women-s-rights-un"
    assert urls.slugify("Réfugiés à Kraków") == "refugies-a-krakow"
    assert urls.listing_url(1, "/tag/x/") == "/tag/x/"
    assert urls.listing_url(3, "/tag/x/") == "/tag/x/page/3/"
    assert urls.permalink("https://e.org/archive/", "/a/") == "https://e.org/archive/a/"
    assert urls.permalink("", "/a/") == "/a/"
    assert urls.asset_url("images/a.jpg") == "/images/a.jpg"


@given(st.from_regex(r"[a-z0-9-]{1,30}", fullmatch=True))
def test_slugify_keeps_a_slug_as_python_slugify_would(text: str) -> None:
    """urls.slugify skips python-slugify for names shaped like a slug already."""
    assert urls.slugify(text) == _slugify.slugify(text)


def test_assemble_site_respells_a_byline_when_every_tag_agrees() -> None:
    articles = [make_article(slug, day, ("UN",)) for day, slug in enumerate("abc", start=1)]
    odd = Author("staff-writer", "staff writer", "/author/staff-writer/")
    articles[1] = dataclasses.replace(articles[1], author=odd)
    site, problems = assemble_site(Config(site_dir=Path(".")), articles)
    assert [str(p) for p in problems] == [
        "content/b.md:1: warning: byline: 'staff writer' is shown as 'Staff Writer',"
        " the spelling most articles use"
    ]
    assert {a.author.name for a in site.articles} == {"Staff Writer"}
