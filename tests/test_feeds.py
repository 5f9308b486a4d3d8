"""Feeds, sitemap, robots.txt and sharing metadata, checked with the standards' own tools."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import html5lib
import pytest
from lxml import etree

from sitegen.build import build
from sitegen.errors import ContentError
from sitegen.render.sitemap import SitemapEntry, sitemap_files
from tests.conftest import BuildSite, MakeSite, article, tiny_png

DATA = Path(__file__).parent / "data"
NASTY_TITLE = "He said \"</script><script>alert(1)</script>\" & left 'now' ]]> {{ x }}"
# as readers see it: titles get typographic quotes, like the article text
SHOWN_TITLE = "He said “</script><script>alert(1)</script>” & left ‘now’ ]]> {{ x }}"


def parse_feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / name)))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_site: Path) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    build(example_site, out, use_cache=False)
    return out


def test_every_feed_of_the_example_parses_cleanly(example: Path) -> None:
    feeds = sorted(example.glob("**/feed.xml")) + sorted(example.glob("**/atom.xml"))
    languages = [example, example / "fa", example / "fr"]  # each with its home's and tags'
    assert len(feeds) == sum(2 * (1 + len(list((root / "tag").iterdir()))) for root in languages)
    for path in feeds:
        parse_feed(path)


def test_site_feed_entries(example: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        feed = parse_feed(example / name)
        assert feed.feed.title == "Open Voices Coalition"
        assert feed.feed.link == "https://example.org/"
        entries = feed.entries
        assert len(entries) == 15  # fewer articles than feed_items (20)
        published = [e.published_parsed for e in entries]
        assert published == sorted(published, reverse=True)  # newest first
        first = entries[0]
        assert first.link == "https://example.org/human-rights-day-nairobi-2025/"
        assert first.id == first.link
        assert first.published.endswith(("+0300", "+03:00"))  # publication time with its zone
        assert first.author == "Tomas Reyes-Lindqvist"
        assert [t.term for t in first.tags] == [
            "Human Rights (UN)",
            "Solidarity Rallies",
            "Women's Rights",
        ]
        assert first.summary.startswith("NAIROBI. Seventy-seven years")
        content = first.content[0].value
        assert 'src="https://example.org/images/nairobi-human-rights-day.jpg"' in content
        assert "77 years" in content.lower() or "Seventy-seven" in content


def test_each_feed_names_itself_and_its_page(example: Path) -> None:
    """A page's RSS and Atom feeds share their entries but not their own address."""
    for path in sorted(example.glob("**/feed.xml")) + sorted(example.glob("**/atom.xml")):
        feed = parse_feed(path)
        url = "https://example.org/" + path.relative_to(example).as_posix()
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [url]
        assert feed.feed.link == url.rsplit("/", 1)[0] + "/"


def test_tag_feed_holds_only_that_tags_articles(example: Path) -> None:
    feed = parse_feed(example / "tag/paris/feed.xml")
    assert feed.feed.title == "Open Voices Coalition: Paris"
    assert feed.feed.link == "https://example.org/tag/paris/"
    assert all("Paris" in [t.term for t in e.tags] for e in feed.entries)
    assert len(feed.entries) == 2


def test_an_article_is_whole_in_every_feed_it_is_in(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    """An article's entry is made once and goes into the site's feeds and each of its
    tags' (RSS and Atom): every one of them must hold it, with its content."""
    root = make_site(
        {
            f"content/a{i}.md": article(
                f"Story {i}", f"2025-01-0{i + 1}", body=f"Text {i}.", tags="[A, B]"
            )
            for i in range(3)
        }
    )
    out = build_site(root)
    for folder in ("", "tag/a/", "tag/b/"):
        for name in ("feed.xml", "atom.xml"):
            feed = parse_feed(out / folder / name)
            assert [e.title for e in feed.entries] == ["Story 2", "Story 1", "Story 0"]
            assert [e.content[0].value for e in feed.entries] == [
                f"<p>Text {i}.</p>" for i in (2, 1, 0)
            ]


def test_feed_options_items_and_summary_content(make_site: MakeSite, build_site: BuildSite) -> None:
    files = {
        f"content/a{i}.md": article(
            f"A{i}", f"2025-01-{i + 1:02d}", body=f"Para {i}.\n\n<!--more-->\n\nRest {i}."
        )
        for i in range(5)
    }
    files["sitegen.yaml"] = "base_url: https://example.org/\nfeed_items: 3\nfeed_content: summary\n"
    out = build_site(make_site(files))
    for name in ("feed.xml", "atom.xml"):
        feed = parse_feed(out / name)
        assert [e.title for e in feed.entries] == ["A4", "A3", "A2"]
        assert feed.entries[0].content[0].value == "<p>Para 4.</p>"


def test_feed_links_and_images_in_articles_become_absolute(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    body = "[other](/other/) [rel](../x/) [anchor](#part) ![pic](/images/p.png) [ext](https://un.org/) [mail](mailto:a@b.c)"
    root = make_site(
        {
            "content/a.md": article("A", body=body, slug="a"),
            "sitegen.yaml": "base_url: https://example.org/archive/\n",
        }
    )
    content = parse_feed(build_site(root) / "feed.xml").entries[0].content[0].value
    for expected in (  # '/...' is the site's root: under base_url's path (issue 11)
        'href="https://example.org/archive/other/"',
        'href="https://example.org/archive/x/"',
        'href="https://example.org/archive/a/#part"',
        'src="https://example.org/archive/images/p.png"',
        'href="https://un.org/"',
        'href="mailto:a@b.c"',
    ):
        assert expected in content


def test_feeds_and_sitemap_escape_hostile_titles(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article(
                NASTY_TITLE,
                slug="nasty",
                tags='["<b>tag</b>"]',
                summary=json.dumps('"x" </script>'),
            ),
            "sitegen.yaml": "base_url: https://example.org/\n",
        }
    )
    out = build_site(root)
    for name in ("feed.xml", "atom.xml", "tag/b-tag-b/feed.xml"):
        entry = parse_feed(out / name).entries[0]
        assert entry.title == SHOWN_TITLE
    etree.fromstring((out / "sitemap.xml").read_bytes())


def test_autodiscovery_links_on_every_page_and_tag_feeds_on_tag_pages(example: Path) -> None:
    titles = {"fa": "ائتلاف صداهای آزاد", "fr": "Coalition Voix libres"}
    for page in example.rglob("*.html"):
        text = page.read_text()
        first = page.relative_to(example).parts[0]
        title = titles.get(first, "Open Voices Coalition")  # each language's own feeds
        home = f"/{first}/" if first in titles else "/"
        assert (
            f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)" href="{home}feed.xml">'
            in text
        )
        assert (
            f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)" href="{home}atom.xml">'
            in text
        )
    tag_page = (example / "tag/paris/index.html").read_text()
    assert (
        'type="application/rss+xml" title="Open Voices Coalition: Paris (RSS)" href="/tag/paris/feed.xml"'
        in tag_page
    )


def test_sitemap_validates_and_lists_every_page(example: Path) -> None:
    document = etree.parse(str(example / "sitemap.xml"))
    schema("sitemap-with-xhtml.xsd").assertValid(document)  # hreflang alternates too
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = document.xpath("//s:loc/text()", namespaces=ns)
    pages = {
        "https://example.org/" + p.relative_to(example).as_posix().removesuffix("index.html")
        for p in example.rglob("index.html")
    }
    assert set(locs) == pages
    assert len(locs) == len(set(locs))
    assert "https://example.org/404.html" not in locs
    article_lastmod = document.xpath(
        "//s:url[s:loc='https://example.org/geneva-hrc55-detained-journalists/']/s:lastmod/text()",
        namespaces=ns,
    )
    assert article_lastmod == ["2024-03-12T00:00:00+01:00"]  # `updated`, not `date`


def test_robots_txt_points_to_sitemap(example: Path) -> None:
    assert (
        example / "robots.txt"
    ).read_text() == "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"


def test_sitemap_splits_into_an_index_past_the_limit(tmp_path: Path) -> None:
    entries = [SitemapEntry(f"/a{i}/", None) for i in range(7)]
    files = {path: make() for path, make in sitemap_files(entries, "https://example.org/", limit=3)}
    assert sorted(files) == [
        "robots.txt",
        "sitemap-1.xml",
        "sitemap-2.xml",
        "sitemap-3.xml",
        "sitemap.xml",
    ]
    index = etree.fromstring(files["sitemap.xml"])
    schema("siteindex-0.9.xsd").assertValid(index)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert index.xpath("//s:loc/text()", namespaces=ns) == [
        f"https://example.org/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    listed = []
    for n in (1, 2, 3):
        part = etree.fromstring(files[f"sitemap-{n}.xml"])
        schema("sitemap-0.9.xsd").assertValid(part)
        listed += part.xpath("//s:loc/text()", namespaces=ns)
    assert listed == [f"https://example.org/a{i}/" for i in range(7)]
    assert (
        len(dict(sitemap_files(entries, "https://example.org/", limit=7))) == 2
    )  # at the limit: one file


def meta(document: etree._Element, key: str) -> list[str]:
    return [
        m.get("content") for m in document.iter("meta") if key in (m.get("property"), m.get("name"))
    ]


def test_article_sharing_metadata(example: Path) -> None:
    document = html5lib.parse(
        (example / "geneva-hrc55-detained-journalists/index.html").read_text(),
        namespaceHTMLElements=False,
    )
    url = "https://example.org/geneva-hrc55-detained-journalists/"
    canonical = [
        link.get("href") for link in document.iter("link") if link.get("rel") == "canonical"
    ]
    assert canonical == [url]
    assert meta(document, "og:type") == ["article"]
    assert meta(document, "og:url") == [url]
    # the 1200 px size made for share cards (images/), with its size
    assert meta(document, "og:image") == ["https://example.org/images/geneva-hall-1200w.jpg"]
    assert (meta(document, "og:image:width"), meta(document, "og:image:height")) == (
        ["1200"],
        ["675"],
    )
    assert meta(document, "og:image:alt")[0] != ""
    assert meta(document, "article:published_time") == ["2024-03-05T00:00:00+01:00"]
    assert meta(document, "article:modified_time") == ["2024-03-12T00:00:00+01:00"]
    assert len(meta(document, "article:tag")) >= 2
    assert meta(document, "twitter:card") == ["summary_large_image"]
    (script,) = [s for s in document.iter("script") if s.get("type") == "application/ld+json"]
    data = json.loads(script.text)
    assert data["@type"] == "NewsArticle"
    assert data["datePublished"] == "2024-03-05T00:00:00+01:00"
    assert data["dateModified"] == "2024-03-12T00:00:00+01:00"
    assert data["author"][0]["name"] == "Tomas Reyes-Lindqvist"
    assert data["image"] == [
        {
            "@type": "ImageObject",
            "url": "https://example.org/images/geneva-hall-1200w.jpg",
            "width": 1200,
            "height": 675,
        }
    ]
    assert data["keywords"] == meta(document, "article:tag")


def test_sharing_metadata_survives_hostile_values(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article(
                NASTY_TITLE,
                slug="nasty",
                summary=json.dumps('"quoted" </script> <!-- & -->'),
                byline=json.dumps("O'Brien </script>"),
                image="/i.png",
                image_alt=json.dumps('alt "x" </script>'),
            ),
            "static/i.png": tiny_png(),
            "sitegen.yaml": "base_url: https://example.org/\n",
        }
    )
    text = (build_site(root) / "nasty/index.html").read_text()
    document = html5lib.parse(text, namespaceHTMLElements=False)
    scripts = list(document.iter("script"))
    assert len(scripts) == 1  # nothing broke out into a script of its own
    data = json.loads(scripts[0].text)
    assert data["headline"] == SHOWN_TITLE
    assert data["description"] == "“quoted” </script> <!– & –>"  # -- is a dash in prose
    assert data["author"][0]["name"] == "O'Brien </script>"
    assert meta(document, "og:title") == [SHOWN_TITLE]
    assert meta(document, "og:image:alt") == ['alt "x" </script>']
    assert [t.text for t in document.iter("title")] == [f"{SHOWN_TITLE} · News Archive"]
    assert [h.text for h in document.iter("h1")] == [SHOWN_TITLE]


def test_404_page(example: Path) -> None:
    text = (example / "404.html").read_text()
    assert "<h1>Page not found</h1>" in text
    assert '<meta name="robots" content="noindex">' in text
    assert 'rel="canonical"' not in text


def test_missing_base_url_warns_and_uses_localhost(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A"), "sitegen.yaml": "title: No address yet\n"})
    report = build(root, tmp_path / "out")
    assert [str(w) for w in report.warnings] == [
        "sitegen.yaml:1: warning: base_url: not set, so feeds, the sitemap and canonical links "
        "point at 'http://localhost:8000/'; set it to the address the site is published at"
    ]
    assert parse_feed(tmp_path / "out/feed.xml").entries[0].link == "http://localhost:8000/a/"
    with pytest.raises(ContentError):
        build(root, tmp_path / "strict", strict=True)
