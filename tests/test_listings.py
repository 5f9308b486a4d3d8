"""Listings as readers see them: the archive, tag, byline and period pages, related articles."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from sitegen.assemble.paginate import page_window
from sitegen.build import build
from sitegen.errors import ContentError
from tests.conftest import BuildSite, MakeSite, article, tiny_png


def text_of(path: Path, selector_tag: str, class_name: str | None = None) -> list[str]:
    """Text of every element with that tag (and class) in a built page."""
    document = html5lib.parse(path.read_text(), namespaceHTMLElements=False)
    found = []
    for element in document.iter(selector_tag):
        if class_name is None or class_name in (element.get("class") or "").split():
            found.append(" ".join("".join(element.itertext()).split()))
    return found


def teaser_titles(page: Path) -> list[str]:
    return [t for t in text_of(page, "h2") if t]


def articles(count: int, **fields: str) -> dict[str, str]:
    return {
        f"content/a{i:02d}.md": article(f"Article {i:02d}", f"2025-01-{i + 1:02d}", **fields)
        for i in range(count)
    }


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (3, 1), (4, 2), (7, 3)])
def test_archive_pagination_edges(
    make_site: MakeSite, build_site: BuildSite, count: int, pages: int
) -> None:
    out = build_site(make_site({**articles(count), "sitegen.yaml": "per_page: 3\n"}))
    built = (
        sorted(p.parent.name for p in (out / "page").glob("*/index.html"))
        if (out / "page").exists()
        else []
    )
    assert built == [str(n) for n in range(2, pages + 1)]
    assert not (out / "page/1").exists()  # page 1 is the home page, never duplicated
    home = (out / "index.html").read_text()
    if count == 0:
        assert "No articles yet." in home
    assert teaser_titles(out / "index.html") == [
        f"Article {i:02d}" for i in range(count - 1, max(count - 4, -1), -1)
    ]


def test_archive_pages_link_prev_next_in_head_and_pager(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    out = build_site(make_site({**articles(7), "sitegen.yaml": "per_page: 3\n"}))
    middle = (out / "page/2/index.html").read_text()
    assert '<link rel="prev" href="/">' in middle and '<link rel="next" href="/page/3/">' in middle
    assert (
        '<a href="/page/2/" aria-current="page"><span class="visually-hidden">Page </span>2</a>'
        in middle
    )
    home = (out / "index.html").read_text()
    assert 'rel="prev"' not in home
    assert teaser_titles(out / "page/3/index.html") == ["Article 00"]


def test_teaser_shows_image_title_date_byline_tags_excerpt_and_continue_link(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    body = "First paragraph with a [link](/x/) and *emphasis*.\n\n<!--more-->\n\nHidden part."
    root = make_site(
        {
            "content/vigil.md": article(
                "Vigil",
                byline="Mina",
                tags='["#FreeThePress"]',
                image="/images/v.png",
                image_alt="Candles",
                body=body,
            ),
            "static/images/v.png": tiny_png(),
        }
    )
    home = (build_site(root) / "index.html").read_text()
    teaser = home[home.index('<article class="teaser">') : home.index("</article>")]
    assert '<img src="/images/v-16w.png" srcset="/images/v-16w.png 16w"' in teaser  # (images/)
    assert 'alt="Candles" width="16" height="9"' in teaser
    assert '<a href="/vigil/">Vigil</a>' in teaser
    assert '<time datetime="2025-01-02T00:00:00+00:00">2 January 2025</time>' in teaser
    assert 'By <a href="/author/mina/" rel="author">Mina</a>' in teaser
    assert '<a href="/tag/freethepress/" rel="tag">#FreeThePress</a>' in teaser
    assert (
        '<div class="excerpt"><p>First paragraph with a link and <em>emphasis</em>.</p></div>'
        in teaser
    )
    assert "Hidden part" not in teaser
    assert (
        '<a href="/vigil/">Continue Reading<span class="visually-hidden">: Vigil</span></a>'
        in teaser
    )


def test_tag_pages_merge_spellings_and_warn(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/a.md": article("A", "2025-01-01", tags="[NCRI, MEK Support]"),
            "content/b.md": article("B", "2025-01-02", tags="[NCRI]"),
            "content/c.md": article("C", "2025-01-03", tags="[ncri, MEK-support, MEK Support]"),
        }
    )
    report = build(root, tmp_path / "out")
    assert [str(w) for w in report.warnings] == [
        "content/c.md:4: warning: tags: 'MEK-support' is shown as 'MEK Support', the spelling most articles use",
        "content/c.md:4: warning: tags: 'ncri' is shown as 'NCRI', the spelling most articles use",
    ]
    page = tmp_path / "out/tag/ncri/index.html"
    assert text_of(page, "h1") == ["NCRI"]
    assert text_of(page, "p", "listing-count") == ["3 articles"]
    assert teaser_titles(page) == ["C", "B", "A"]
    assert teaser_titles(tmp_path / "out/tag/mek-support/index.html") == ["C", "A"]
    assert "ncri" not in (tmp_path / "out/c/index.html").read_text().replace("/tag/ncri/", "")


def test_tags_index_lists_every_tag_by_name_with_counts(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article("A", tags='["Zebra", "#Alpha", "Kraków"]'),
            "content/b.md": article("B", tags='["Kraków"]'),
        }
    )
    page = build_site(root) / "tags/index.html"
    assert text_of(page, "ul", "tag-index") == [
        "#Alpha 1 article Kraków 2 articles Zebra 1 article"
    ]
    assert text_of(page, "ol", "tag-cloud") == ["Kraków 2 #Alpha 1 Zebra 1"]  # most used first


def test_byline_pages(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "content/a.md": article("A", "2025-01-01", byline="Mina Ardalan"),
            "content/b.md": article("B", "2025-01-02", byline="Mina Ardalan"),
            "content/c.md": article("C", "2025-01-03"),
        }
    )
    out = build_site(root)
    assert text_of(out / "author/mina-ardalan/index.html", "h1") == ["Articles by Mina Ardalan"]
    assert teaser_titles(out / "author/mina-ardalan/index.html") == ["B", "A"]
    assert teaser_titles(out / "author/staff-writer/index.html") == ["C"]


def test_year_month_pages_and_archive_index(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "content/a.md": article("A", "2024-03-01"),
            "content/b.md": article("B", "2024-03-20"),
            "content/c.md": article("C", "2025-07-04"),
        }
    )
    out = build_site(root)
    assert teaser_titles(out / "2024/index.html") == ["B", "A"]
    assert text_of(out / "2024/03/index.html", "h1") == ["March 2024"]
    assert teaser_titles(out / "2025/07/index.html") == ["C"]
    archive = out / "archive/index.html"
    assert text_of(archive, "ul", "archive-years") == [
        "2025 1 article July 1 2024 2 articles March 2"
    ]
    assert '<a href="/2024/03/">March</a>' in archive.read_text()


def test_related_articles_block_on_article_page(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "content/target.md": article("Target", "2025-01-10", tags="[Rare, Common]"),
            "content/rare.md": article("Rare Match", "2025-01-01", tags="[Rare]"),
            "content/common.md": article("Common Match", "2025-01-09", tags="[Common]"),
            "content/other.md": article("Other", "2025-01-08", tags="[Common]"),
            "content/unrelated.md": article("Unrelated", "2025-01-07", tags="[Else]"),
            "content/chosen.md": article(
                "Chosen", "2025-01-06", tags="[Else]", related="[unrelated]"
            ),
            "sitegen.yaml": "related_count: 2\n",
        }
    )
    out = build_site(root)
    assert text_of(out / "target/index.html", "h2") == ["Continue Reading"]
    related = text_of(out / "target/index.html", "aside", "related")[0]
    assert related.startswith("Continue Reading Rare Match") and "Common Match" in related
    assert "Other" not in related
    assert "Unrelated" in text_of(out / "chosen/index.html", "aside", "related")[0]


def test_related_unknown_slug_is_an_error(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site({"content/a.md": article("A", related="[nope]")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:4: related: no published article has the slug 'nope'"
    ]


@pytest.mark.parametrize("slug", ["tags", "archive", "2025"])
def test_article_slug_clashing_with_generated_page_is_an_error(
    make_site: MakeSite, build_site: BuildSite, slug: str
) -> None:
    root = make_site({"content/a.md": article("A", "2025-01-01", slug=slug)})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"content/a.md:4: URL '/{slug}/' is also used by the ")
    assert str(problem).endswith("; choose another 'slug'")


def test_page_window_shows_first_last_and_neighbours() -> None:
    from sitegen.assemble.paginate import paginate
    from tests.test_site import make_article

    pages = paginate([make_article(f"a{i}", 1) for i in range(50)], 1)
    numbers = [None if link is None else link[0] for link in page_window(pages[24])]
    assert numbers == [1, None, 23, 24, 25, 26, 27, None, 50]
    assert [link and link[0] for link in page_window(pages[0])] == [1, 2, 3, None, 50]
