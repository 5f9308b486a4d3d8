"""Site search (issue 8, part 4): a Pagefind index built with the site, searched in a browser."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.cache.store import CACHE_DIR
from sitegen.check.checks import check_site
from sitegen.cli import cli
from sitegen.config import settings as config_module
from tests.conftest import BuildSite, MakeSite, article, copy_site, running_preview, wait_for
from tests.served import fetch, page_text, served_files
from tests.test_browser import open_page, screenshot

REPO = Path(__file__).resolve().parent.parent


def indexed_records(out: Path) -> dict[str, Any]:
    """The index's records by result URL (Pagefind's fragments: gzip, a marker, JSON)."""
    found = {}
    for fragment in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        found[record["url"]] = record
    return found


def indexed_text(out: Path) -> dict[str, str]:
    """The text the index holds (and takes excerpts from), by result URL."""
    return {url: record["content"] for url, record in indexed_records(out).items()}


def test_search_is_off_unless_asked_for(example_out: Path) -> None:
    assert not (example_out / "pagefind").exists()
    assert not (example_out / "search").exists()
    assert 'role="search"' not in (example_out / "index.html").read_text()


def test_the_index_follows_edits(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nsearch: true\n",
            "content/vigil.md": article("Vigil", body="Candles for the aardvark campaign."),
            "content/panel.md": article("Panel", body="Speakers on press freedom."),
        }
    )
    out = build_site(root)
    assert "aardvark" in indexed_text(out)["/vigil/"]
    assert 'role="search"' in (out / "index.html").read_text()  # the header form
    assert (out / "search" / "index.html").is_file()

    (root / "content/vigil.md").write_text(article("Vigil", body="Candles for the okapi campaign."))
    build_site(root, out)
    index = indexed_text(out)
    assert "okapi" in index["/vigil/"] and "aardvark" not in index["/vigil/"]
    assert "Speakers on press freedom" in index["/panel/"]
    # the old index's files are gone, not left beside the new ones
    assert len(list((out / "pagefind" / "fragment").iterdir())) == 2

    (root / "sitegen.yaml").write_text("base_url: https://example.org/\n")  # search off again
    build_site(root, out)
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert 'role="search"' not in (out / "index.html").read_text()


def test_the_excerpt_text_leaves_out_the_title_and_caption(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    """Results show the title above the excerpt; an excerpt that opened with the title and
    the image caption said them twice. Both stay searchable as metadata."""
    fields = {"image": "https://example.org/a.jpg", "image_alt": "'Candles'"}
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nsearch: true\n",
            "content/vigil.md": article(
                "Vigil for the okapi",
                body="Candles were lit.",
                image_caption="'Photo: Zebu'",
                **fields,
            ),
        }
    )
    record = indexed_records(build_site(root))["/vigil/"]
    assert record["content"].startswith("Candles were lit.")
    assert "okapi" not in record["content"] and "Zebu" not in record["content"]
    assert record["meta"]["title"] == "Vigil for the okapi"
    assert record["meta"]["caption"] == "Photo: Zebu"


def test_the_preview_and_check_leave_the_slow_index_out(make_site: MakeSite) -> None:
    """Pagefind takes ~20 s for 5,000 articles: an editor's preview (unless `serve --search`)
    and `sitegen check` would wait that long on every save or commit."""
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nsearch: true\n",
            "content/a.md": article("A"),
        }
    )
    with running_preview(root) as preview:
        assert fetch(preview.server.port, "/a/")[0] == 200
        assert not any(path.startswith("pagefind/") for path in served_files(preview))
    assert [p.severity.value for p in check_site(root).problems] == ["warning"]  # no tags
    assert not list((root / CACHE_DIR).rglob("pagefind"))


def test_serve_with_search_builds_the_site_and_its_index_on_disk(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Pagefind indexes files: `serve --search` builds into a private folder, rebuilt on
    every save, instead of making pages in memory; what it serves is still a clean build."""
    root = make_site({"content/a.md": article("A", slug="a"), "content/b.md": article("B")})
    with running_preview(root, search=True) as preview:
        folder = preview.source.files.root  # type: ignore[attr-defined]
        assert (folder / "a/index.html").is_file()
        assert fetch(preview.server.port, "/pagefind/pagefind.js")[0] == 200
        (root / "content/a.md").write_text(article("A, edited", slug="a"))
        wait_for(lambda: preview.server.state.epoch == 2)
        assert "A, edited" in page_text(preview, "/a/")
        index = [path for path in served_files(preview) if path.startswith("pagefind/")]
        assert index
    assert not folder.exists()  # removed when the preview stops


def test_two_builds_with_search_are_identical(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {"content/a.md": article("A", body="Some words."), "content/b.md": article("B")}
    )
    build(root, tmp_path / "one", use_cache=False, search=True)
    build(root, tmp_path / "two", use_cache=False, search=True)
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert any(path.startswith("pagefind/fragment/") for path in one)
    assert one == two


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_without_pagefind_the_error_says_how_to_install_it(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config_module, "pagefind_installed", lambda: False)
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\ntitle: News\nsearch: true\n",
            "content/a.md": article("A"),
        }
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out)])
    assert result.exit_code == 1
    assert "sitegen.yaml:3: search: needs Pagefind" in result.output
    assert "pip install 'sitegen[search]'" in result.output
    assert "Traceback" not in result.output and not out.exists()

    (root / "sitegen.yaml").write_text("base_url: https://example.org/\n")
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), "--search"])
    assert result.exit_code == 1
    assert "--search: needs Pagefind" in result.output and "sitegen[search]" in result.output


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example archive with search on, built three times into one folder: for the root
    of a host, for /mirror/ on it (base_url with that path), and with relative links, put
    under /copy/deep/ without the site knowing (as a mirror somewhere else would be)."""
    folder = tmp_path_factory.mktemp("served")
    for sub_path in ("", "/mirror"):
        root = copy_site(REPO, tmp_path_factory.mktemp("site"))
        settings = (
            (root / "sitegen.yaml")
            .read_text()
            .replace(
                'base_url: "https://example.org/"', f'base_url: "https://example.org{sub_path}/"'
            )
        )
        (root / "sitegen.yaml").write_text(settings + "search: true\n")
        build(root, folder / sub_path.lstrip("/"))
    root = copy_site(REPO, tmp_path_factory.mktemp("site"))
    (root / "sitegen.yaml").write_text((root / "sitegen.yaml").read_text() + "search: true\n")
    build(root, folder / "copy" / "deep", relative_urls=True)
    return folder


@pytest.mark.browser
@pytest.mark.parametrize(
    ("search_url", "word", "found"),
    [
        ("/fa/search/", "زندانیان", "/fa/"),  # Persian pages, from the Persian index
        ("/fr/search/", "veillée", "/fr/"),
        ("/search/", "زندانیان", None),  # the English index has no Persian article
    ],
)
def test_each_languages_search_page_searches_that_language(
    browser: Any,
    serve_dir: Callable[[Path], str],
    served: Path,
    search_url: str,
    word: str,
    found: str | None,
) -> None:
    foreign: list[str] = []
    page = open_page(browser, serve_dir(served) + search_url + "?q=" + word, foreign)
    if found is None:
        page.locator(".pagefind-ui__message").wait_for(timeout=10_000)
        page.wait_for_timeout(500)
        assert page.locator(".pagefind-ui__result").count() == 0
    else:
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
        links = page.locator(".pagefind-ui__result-link").evaluate_all(
            "links => links.map(link => new URL(link.href).pathname)"
        )
        assert links and all(link.startswith(found) for link in links), links
    assert foreign == []


@pytest.mark.browser
@pytest.mark.parametrize("sub_path", ["", "/mirror", "/copy/deep"])
def test_a_reader_searches_and_finds_an_article(
    browser: Any, serve_dir: Callable[[Path], str], served: Path, tmp_path: Path, sub_path: str
) -> None:
    """Type a word from one article in the header, see that article in the results, open it;
    the same from a copy hosted under a sub-path. Nothing is fetched from another host."""
    word = "Rassemblement"  # only in the French article's title and text
    foreign: list[str] = []
    page = open_page(browser, serve_dir(served) + sub_path + "/", foreign)
    page.fill("#site-search-q", word.lower())
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=10_000)
    title = first.inner_text()
    assert word.lower() in title.lower()
    assert page.locator(".pagefind-ui__result").count() == 1
    screenshot(page, "search" + sub_path.replace("/", "-"), tmp_path)
    first.click()
    page.wait_for_load_state("load")
    opened = urlsplit(page.url).path
    assert opened.startswith(sub_path + "/") and opened != sub_path + "/search/"
    assert page.locator("article h1").inner_text() == title
    page.go_back()
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
    assert page.input_value(".pagefind-ui__search-input") == word.lower()  # Back keeps the query
    assert foreign == []


@pytest.mark.browser
def test_a_result_excerpt_is_the_article_text_not_its_title_or_caption(
    browser: Any, serve_dir: Callable[[Path], str], served: Path, tmp_path: Path
) -> None:
    """'vigil' is in two articles' titles and text: each result's excerpt is a passage of
    the text (not the title again, nor the image caption). A word only in a title, or only
    in a caption, still finds its article."""
    foreign: list[str] = []
    base = serve_dir(served)
    page = open_page(browser, base + "/search/?q=vigil", foreign)
    page.locator(".pagefind-ui__result-excerpt").first.wait_for(timeout=10_000)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    excerpts = page.locator(".pagefind-ui__result-excerpt").all_inner_texts()
    assert sorted(titles) == [
        "Toronto Vigil Remembers Lawyers Who Disappeared After Defending Protesters",
        "Vigil in Paris for Political Prisoners Draws Thousands",
    ]
    for title, excerpt in zip(titles, excerpts, strict=True):
        assert "vigil" in excerpt.lower(), excerpt  # the passage with the word, marked
        assert not excerpt.startswith(title[:20]), excerpt
        assert "Illustration: Open Voices Coalition" not in excerpt, excerpt
    assert "Illustration: Open Voices Coalition" not in page.inner_text("#search")
    screenshot(page, "search-excerpts", tmp_path)
    for word, title in [
        ("draws", "Vigil in Paris for Political Prisoners Draws Thousands"),  # the title only
        ("chamber", "Geneva Side Event Puts Detained Journalists on the Human Rights"),  # caption
    ]:
        page.goto(base + f"/search/?q={word}")
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
        found = page.locator(".pagefind-ui__result-link").all_inner_texts()
        assert any(text.startswith(title) for text in found), (word, found)
    assert foreign == []


@pytest.mark.browser
def test_the_search_page_with_results_passes_axe(
    browser: Any, serve_dir: Callable[[Path], str], served: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    foreign: list[str] = []
    page = open_page(browser, serve_dir(served) + "/search/?q=vigil", foreign)
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
    results = Axe().run(page).response
    assert results["passes"], "axe ran no checks: the page or axe did not load"
    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert foreign == []


@pytest.mark.parametrize("language", ["fa", "fr"])
def test_a_results_date_reads_as_the_articles_page_writes_it(
    make_site: MakeSite, build_site: BuildSite, language: str
) -> None:
    """Search results showed English dates ('14 March 2025') on a Persian or French site;
    they now read as the article's own page writes its date."""
    root = make_site(
        {
            "sitegen.yaml": f"base_url: https://example.org/\nsearch: true\nlanguage: {language}\n",
            "content/vigil.md": article("Vigil", date="2025-03-14", body="Candles were lit."),
        }
    )
    out = build_site(root)
    shown = re.search(
        r'<time datetime="2025-03-14[^"]*">([^<]+)</time>', (out / "vigil/index.html").read_text()
    )
    assert shown is not None
    assert indexed_records(out)["/vigil/"]["meta"]["date"] == shown.group(1)
    assert "March" not in shown.group(1)
