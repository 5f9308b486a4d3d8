"""Every internal link of a built site resolves: articles, listings, tags, bylines, archives."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BuildSite, MakeSite, article, copy_site
from tests.linkcheck import broken_links, count_links

SITES = Path(__file__).parent / "sites"


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<p id="x"><a href="/b/">b</a> <a href="../a/#x">ok</a> <a href="#nope">n</a><img src="/i.png"></p>'
    )
    assert broken_links(tmp_path) == [
        "/a/index.html -> /b/",
        "/a/index.html -> #nope (no such id)",
        "/a/index.html -> /i.png",
    ]


def test_example_archive_links_all_resolve(build_site: BuildSite, example_site: Path) -> None:
    out = build_site(example_site)
    assert count_links(out) > 500
    assert broken_links(out) == []


def test_golden_site_links_all_resolve(build_site: BuildSite, tmp_path: Path) -> None:
    site = copy_site(SITES / "basic" / "input", tmp_path / "golden")
    assert broken_links(build_site(site)) == []


def test_dated_permalinks_and_many_pages_links_resolve(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    files = {
        f"content/article-{i}.md": article(
            f"Article {i}",
            f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            tags=f"[T{i % 3}, Shared]",
            byline=f"Writer {i % 2}",
        )
        for i in range(23)
    }
    files["sitegen.yaml"] = "per_page: 2\npermalink: /{year}/{month}/{slug}/\n"
    out = build_site(make_site(files))
    assert (out / "2024/01/article-0/index.html").is_file()
    assert (out / "page/12/index.html").is_file()
    assert (out / "tag/shared/page/12/index.html").is_file()
    assert broken_links(out) == []
