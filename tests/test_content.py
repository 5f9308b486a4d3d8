from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import pytest

from sitegen.config.settings import Config
from sitegen.content.article import load_article, missing_images
from sitegen.content.loading import load_articles
from sitegen.markup.engine import MarkdownRenderer
from sitegen.model import Article, Author, LeadImage, Tag

REL = PurePosixPath("content/a.md")


def load(
    text: str | bytes, tmp_path: Path, strict: bool = False, **config: object
) -> tuple[Article | None, list[str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    site_config = Config(site_dir=tmp_path, **config)  # type: ignore[arg-type]
    article, problems = load_article(data, REL, site_config, MarkdownRenderer(), strict=strict)
    return article, [str(p) for p in problems]


def load_ok(text: str, tmp_path: Path, **config: object) -> Article:
    article, problems = load(text, tmp_path, **config)
    assert problems == []
    assert article is not None
    return article


def test_article_minimal_fields_and_defaults(tmp_path: Path) -> None:
    article = load_ok(
        "---\ntitle: Rally in Paris!\ndate: 2025-03-14\n---\nHello *there*.\n", tmp_path
    )
    assert article.title == "Rally in Paris!"
    assert article.slug == "a"  # from the file name, content/a.md
    assert article.url == "/a/"
    assert article.output_path == "a/index.html"
    assert article.date == dt.datetime(2025, 3, 14, tzinfo=dt.UTC)
    assert article.author == Author("staff-writer", "Staff Writer", "/author/staff-writer/")
    assert article.author.name == "Staff Writer"
    assert article.tags == () and article.image is None and article.draft is False
    assert article.updated is None
    assert article.body_html == "<p>Hello <em>there</em>.</p>"
    assert article.description == "Hello there."


def test_article_every_field(tmp_path: Path) -> None:
    text = """---
title: "Vigil"
date: 2025-03-14T18:30:00+01:00
updated: 2025-03-15
tags: ["#FreeThePress", "Women's Rights", "Réfugiés"]
byline: Mina Ardalan
image: images/vigil.jpg
image_alt: Candles
image_caption: Candles on the square
summary: A short teaser.
slug: paris-vigil
draft: true
extra: {campaign: spring}
---
Body.
"""
    (tmp_path / "static/images").mkdir(parents=True)
    (tmp_path / "static/images/vigil.jpg").write_bytes(b"jpg")
    article = load_ok(text, tmp_path, timezone="Europe/Paris")
    assert article.date == dt.datetime(
        2025, 3, 14, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert (
        article.updated is not None and article.updated.isoformat() == "2025-03-15T00:00:00+01:00"
    )
    assert [(t.name, t.slug, t.url) for t in article.tags] == [
        ("#FreeThePress", "freethepress", "/tag/freethepress/"),
        ("Women's Rights", "women-s-rights", "/tag/women-s-rights/"),
        ("Réfugiés", "refugies", "/tag/refugies/"),
    ]
    assert (article.author.name, article.author.url) == ("Mina Ardalan", "/author/mina-ardalan/")
    assert article.image == LeadImage(
        src="/images/vigil.jpg", alt="Candles", caption="Candles on the square"
    )
    assert article.summary == article.description == "A short teaser."
    assert (article.slug, article.url, article.draft) == ("paris-vigil", "/paris-vigil/", True)
    assert article.extra == {"campaign": "spring"}


def test_article_slug_comes_from_file_name_not_title(tmp_path: Path) -> None:
    config = Config(site_dir=tmp_path)
    data = b"---\ntitle: A Title, Later Corrected\ndate: 2024-03-01\n---\n"
    article, _ = load_article(
        data, PurePosixPath("content/news/Paris Vigil.md"), config, MarkdownRenderer()
    )
    assert article is not None and article.url == "/paris-vigil/"
    _, problems = load_article(data, PurePosixPath("content/!!!.md"), config, MarkdownRenderer())
    assert [str(p) for p in problems] == [
        "content/!!!.md:1: slug: file name '!!!' gives an empty URL slug; add a 'slug' field"
    ]


def test_article_url_follows_permalink_pattern(tmp_path: Path) -> None:
    article = load_ok(
        "---\ntitle: A\ndate: 2024-03-01\n---\n", tmp_path, permalink="/{year}/{month}/{slug}/"
    )
    assert article.url == "/2024/03/a/"
    assert article.output_path == "2024/03/a/index.html"


def test_article_duplicate_tags_are_kept_once(tmp_path: Path) -> None:
    article = load_ok(
        "---\ntitle: A\ndate: 2024-03-01\ntags: [NCRI, ncri, ' NCRI ']\n---\n", tmp_path
    )
    assert article.tags == (Tag("ncri", "NCRI", "/tag/ncri/"),)
    assert article.tags[0].name == "NCRI"


def test_article_markdown_extensions(tmp_path: Path) -> None:
    body = '## Sub\n\n"Quoted" -- text[^1]\n\n[^1]: Note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    html = load_ok(f"---\ntitle: A\ndate: 2024-03-01\n---\n{body}", tmp_path).body_html
    assert '<h2 id="sub">Sub</h2>' in html  # toc
    assert "“Quoted” – text" in html  # typography
    assert 'class="footnote"' in html and "<table>" in html  # extra


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "no front matter\n",
            ["content/a.md:1: missing front matter; the file must start with a line '---'"],
        ),
        (
            "---\ntitle: A\n",
            ["content/a.md:1: front matter is not closed; add a line '---' after the last field"],
        ),
        ("---\ndate: 2024-01-01\n---\n", ["content/a.md:1: title: required field is missing"]),
        ("---\ntitle: A\n---\n", ["content/a.md:1: date: required field is missing"]),
        ("---\ntitle: ''\ndate: 2024-01-01\n---\n", ["content/a.md:2: title: is empty"]),
        (
            "---\ntitle: A\ndate: 03/01/2024\n---\n",
            [
                "content/a.md:3: date: cannot parse '03/01/2024'; use YYYY-MM-DD or ISO 8601 (2024-03-01T18:30:00+01:00)"
            ],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\nupdated: soon\n---\n",
            [
                "content/a.md:4: updated: cannot parse 'soon'; use YYYY-MM-DD or ISO 8601 (2024-03-01T18:30:00+01:00)"
            ],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\ntags: foo\n---\n",
            ["content/a.md:4: tags: expected a list, got text 'foo'; write ['foo']"],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\ntags: [a, [b]]\n---\n",
            ["content/a.md:4: tags: expected a list of text, got an item a list"],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\ntags: ['#']\n---\n",
            ["content/a.md:4: tags: tag '#' has no letters or digits to make a URL from"],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\ndraft: maybe\n---\n",
            ["content/a.md:4: draft: expected true or false, got text 'maybe'"],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\nbyline: [a]\n---\n",
            ["content/a.md:4: byline: expected text, got a list"],
        ),
        (
            "---\ntitle: A\ndate: 2024-01-01\nslug: ../etc\n---\n",
            ["content/a.md:4: slug: '../etc' may only hold a-z, 0-9, '-' and '_'; e.g. 'etc'"],
        ),
        (
            "---\ntitle: [a\n---\n",
            ["content/a.md:3: invalid YAML: did not find expected ',' or ']'"],
        ),
        (  # the scanner gives up lines below; the quote is where to look
            '---\ntitle: "Vigil\ndate: 2024-01-01\ntags: [a]\nbyline: x\n---\n',
            [
                "content/a.md:2: invalid YAML: a quoted value starts here and is never "
                "closed; end it with the same quote"
            ],
        ),
        (
            "---\ndate: 2024-01-01\ntitle: 'Vigil\ntags: [a]\n---\n",
            [
                "content/a.md:3: invalid YAML: a quoted value starts here and is never "
                "closed; end it with the same quote"
            ],
        ),
        (
            "---\ntitle: A\ntitle: B\ndate: 2024-01-01\n---\n",
            ["content/a.md:3: title: duplicate key (first on line 2)"],
        ),
        ("---\n- a\n---\n", ["content/a.md:2: expected 'key: value' lines at the top level"]),
        (
            "---\ntitle: A\ndate: 2024-01-01\nimage: javascript:alert(1)\n---\n",
            [
                "content/a.md:4: image: 'javascript:alert(1)' is neither a path under static/ "
                "nor an http(s) URL"
            ],
        ),
        (
            b"---\ntitle: A\ndate: 2024-01-01\n---\nok\n\xff\n",
            ["content/a.md:6: not valid UTF-8 text (byte 37: b'\\xff'); save the file as UTF-8"],
        ),
    ],
)
def test_article_errors_name_file_and_line(
    tmp_path: Path, text: str | bytes, expected: list[str]
) -> None:
    article, problems = load(text, tmp_path)
    assert article is None
    assert problems == expected


def test_article_errors_are_all_reported_together(tmp_path: Path) -> None:
    _, problems = load("---\ntitle: [a]\ndate: never\ndraft: 1\n---\n", tmp_path)
    assert [p.split(": ")[0] for p in problems] == [
        "content/a.md:2",
        "content/a.md:3",
        "content/a.md:4",
    ]


@pytest.mark.parametrize("strict", [False, True])
def test_article_unknown_key_warns_or_fails_under_strict(tmp_path: Path, strict: bool) -> None:
    article, problems = load(
        "---\ntitle: A\ndate: 2024-01-01\ntitel: B\n---\n", tmp_path, strict=strict
    )
    if strict:
        assert article is None
        assert problems == ["content/a.md:4: unknown key 'titel'; did you mean 'title'?"]
    else:
        assert article is not None
        assert problems == ["content/a.md:4: warning: unknown key 'titel'; did you mean 'title'?"]


def test_article_image_warnings(tmp_path: Path) -> None:
    article, problems = load(
        "---\ntitle: A\ndate: 2024-01-01\nimage: /images/gone.jpg\n---\n", tmp_path
    )
    assert article is not None
    assert problems == [
        "content/a.md:4: warning: image_alt: missing; describe the image for readers who cannot see it",
    ]
    assert [str(p) for p in missing_images([article], {"images/here.jpg"})] == [
        "content/a.md:4: warning: image: '/images/gone.jpg' not found under static/"
    ]
    assert missing_images([article], {"images/gone.jpg"}) == []
    _, problems = load("---\ntitle: A\ndate: 2024-01-01\nimage_caption: C\n---\n", tmp_path)
    assert problems == [
        "content/a.md:4: warning: image_caption: given without 'image'; it is not shown"
    ]


def test_article_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    article = load_ok("\ufeff---\r\ntitle: A\r\ndate: 2024-01-01\r\n---\r\nBody\r\n", tmp_path)
    assert article.title == "A" and article.body_html == "<p>Body</p>"


def test_load_articles_skips_hidden_files_and_needs_content_dir(tmp_path: Path) -> None:
    result = load_articles(Config(site_dir=tmp_path))
    assert [str(p) for p in result.problems] == [
        "content: no such directory; articles go in content/*.md"
    ]
    (tmp_path / "content/news").mkdir(parents=True)
    (tmp_path / "content/news/a.md").write_text("---\ntitle: A\ndate: 2024-01-01\n---\n")
    (tmp_path / "content/news/.#a.md").write_text("lock file")
    (tmp_path / "content/notes.txt").write_text("not an article")
    result = load_articles(Config(site_dir=tmp_path))
    assert result.problems == []
    assert [str(a.source) for a in result.articles] == ["content/news/a.md:1"]
