"""A language on its own domain (`languages: fa: base_url`): its folder `fa/` is that
domain's root, with every absolute URL (canonical, og:url, hreflang, JSON-LD, feeds,
sitemap) on it, links to other domains absolute and a sitemap and robots.txt of its own."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import feedparser
import html5lib
import pytest
from lxml import etree

from sitegen.build import build
from sitegen.check.checks import check_site
from sitegen.config.settings import load_config
from sitegen.errors import ConfigError
from sitegen.render.sitemap import SitemapEntry, sitemap_files
from sitegen.urls import hosted_permalink
from tests.conftest import MakeSite
from tests.test_languages import CONFIG, multilingual_files

DATA = Path(__file__).parent / "data"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FA = "https://fa.example.org/"
HOSTED = CONFIG.replace("    calendar: persian\n", f"    calendar: persian\n    base_url: {FA}\n")
_LINK = re.compile(r"""\s(?:href|src|action)="([^"]*)\"""")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("domains")
    files = {**multilingual_files(), "sitegen.yaml": HOSTED + "search: true\n"}
    files["static/images/logo.png"] = "not really a picture"
    files["static/banner.txt"] = "main"
    files["static/fa/banner.txt"] = "فارسی"  # the Persian domain's own, not the copy
    files["content/rally-persian.md"] = files["content/rally-persian.md"].replace(
        "---\n", "---\naliases: [/old-rally/]\n", 1
    )
    files["content/only.fa.md"] += (
        "\n[شب](/fa/vigil/)، [Vigil](/vigil/)، [لوگو](/images/logo.png)\n"
    )
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    output = root / "out"
    report = build(root, output, use_cache=False)
    assert not [p for p in report.warnings if "base_url" in p.message]
    return output


def head(path: Path) -> dict[str, object]:
    tree = html5lib.parse(path.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)
    links = tree.findall(".//head/link[@rel='alternate'][@hreflang]")
    script = tree.find(".//script[@type='application/ld+json']")
    return {
        "canonical": tree.find(".//link[@rel='canonical']").get("href"),
        "og": tree.find(".//meta[@property='og:url']").get("content"),
        "hreflang": {link.get("hreflang"): unquote(link.get("href")) for link in links},
        "json": json.loads(script.text) if script is not None else {},
    }


def test_a_languages_pages_say_their_own_domain_everywhere(out: Path) -> None:
    persian = head(out / "fa" / "vigil" / "index.html")
    assert persian["canonical"] == persian["og"] == FA + "vigil/"
    assert persian["hreflang"] == {
        "en": "https://example.org/vigil/",
        "fa": FA + "vigil/",
        "fr": "https://example.org/fr/vigil/",
        "x-default": "https://example.org/vigil/",
    }
    data = persian["json"]
    assert isinstance(data, dict)
    assert data["url"] == FA + "vigil/" and data["author"][0]["url"].startswith(FA + "author/")
    assert data["translationOfWork"]["url"] == "https://example.org/vigil/"
    english = head(out / "vigil" / "index.html")
    assert english["canonical"] == "https://example.org/vigil/"
    assert english["hreflang"]["fa"] == FA + "vigil/"  # type: ignore[index]
    assert FA + "vigil/" in [w["url"] for w in english["json"]["workTranslation"]]  # type: ignore[index]
    assert head(out / "fa" / "index.html")["canonical"] == FA


def site_links(page: Path) -> list[str]:
    """Every href/src/action of a page that is a path on the page's own domain."""
    text = page.read_text(encoding="utf-8")
    return [link for link in _LINK.findall(text) if link.startswith("/") and link[1:2] != "/"]


def test_each_domains_folder_holds_everything_its_pages_link_on_it(out: Path) -> None:
    """Served alone as its domain's root, `fa/` has every page, stylesheet, image and
    search file its pages link by path; links elsewhere are absolute."""
    checked = 0
    for page in out.rglob("*.html"):
        rel = page.relative_to(out).as_posix()
        root = out / "fa" if rel.startswith("fa/") else out
        for link in site_links(page):
            path = unquote(link.split("?")[0].split("#")[0]).lstrip("/")
            target = root / path
            assert target.is_file() or (target / "index.html").is_file(), (rel, link)
            if root == out:
                assert not path.startswith("fa/"), (rel, link)  # on the other domain
            checked += 1
    assert checked > 500
    english = (out / "vigil" / "index.html").read_text(encoding="utf-8")
    persian = (out / "fa" / "vigil" / "index.html").read_text(encoding="utf-8")
    assert f'href="{FA}vigil/"' in english  # the language switcher, across domains
    assert 'href="https://example.org/vigil/"' in persian
    assert 'href="https://example.org/fr/vigil/"' in persian
    assert 'href="/css/site.css"' in persian and (out / "fa" / "css" / "site.css").is_file()
    assert (out / "fa" / "images" / "logo.png").read_text() == "not really a picture"
    assert (out / "fa" / "banner.txt").read_text() == "فارسی"
    assert (out / "fa" / "pagefind" / "pagefind-entry.json").is_file()
    not_found = (out / "fa" / "404.html").read_text(encoding="utf-8")  # each domain has one
    assert '<html lang="fa" dir="rtl">' in not_found and 'href="/css/site.css"' in not_found
    assert 'href="/fr/vigil/"' in english  # French stays under the site's domain


def sitemap_locations(path: Path) -> dict[str, dict[str, str]]:
    document = etree.parse(str(path))
    # the sitemaps.org schema (as in ../shared/data) with the xhtml:link alternates
    etree.XMLSchema(etree.parse(str(DATA / "sitemap-with-xhtml.xsd"))).assertValid(document)
    found = {}
    for item in document.iterfind(f"{SITEMAP}url"):
        links = item.findall("{http://www.w3.org/1999/xhtml}link")
        found[item.findtext(f"{SITEMAP}loc")] = {x.get("hreflang"): x.get("href") for x in links}
    return found


def test_each_domain_has_its_own_sitemap_listing_only_its_own_urls(out: Path) -> None:
    main, persian = (
        sitemap_locations(out / "sitemap.xml"),
        sitemap_locations(out / "fa/sitemap.xml"),
    )
    assert all(urlsplit(loc).netloc == "example.org" for loc in main)
    assert all(urlsplit(loc).netloc == "fa.example.org" for loc in persian)
    assert {FA, FA + "vigil/", FA + "only/"} <= set(persian)
    assert persian[FA + "vigil/"]["en"] == "https://example.org/vigil/"
    assert main["https://example.org/vigil/"]["fa"] == FA + "vigil/"
    assert (out / "fa" / "robots.txt").read_text().endswith(f"Sitemap: {FA}sitemap.xml\n")
    assert "fa.example.org" not in (out / "robots.txt").read_text()


def test_a_languages_feeds_link_its_own_domain(out: Path) -> None:
    parsed = feedparser.parse((out / "fa" / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and parsed.feed.link == FA
    assert {entry.link for entry in parsed.entries} >= {FA + "vigil/", FA + "only/"}
    (only,) = [entry for entry in parsed.entries if entry.link == FA + "only/"]
    links = re.findall(r'href="([^"]*)"', only.content[0].value)
    assert links == [FA + "vigil/", "https://example.org/vigil/", FA + "images/logo.png"]
    atom = feedparser.parse((out / "fa" / "atom.xml").read_bytes())
    assert any(link.href == FA + "atom.xml" for link in atom.feed.links)


def test_the_search_page_on_its_own_domain_strips_the_prefix_from_results(out: Path) -> None:
    page = (out / "fa" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'new URL("../", location.href)' in page and 'root + "fa/"' in page
    assert 'new URL("../../", location.href)' in (out / "fr/search/index.html").read_text()


def test_a_preview_address_puts_every_language_under_it(make_site: MakeSite) -> None:
    root = make_site(
        {"sitegen.yaml": HOSTED, "content/vigil.md": "---\ntitle: V\ndate: 2025-01-01\n---\nx\n"}
    )
    (root / "content/vigil.fa.md").write_text("---\ntitle: و\ndate: 2025-01-01\n---\nx\n")
    out = root / "out"
    build(root, out, base_url="http://127.0.0.1:8000/")
    assert head(out / "fa" / "vigil" / "index.html")["canonical"] == (
        "http://127.0.0.1:8000/fa/vigil/"
    )
    assert not (out / "fa" / "sitemap.xml").exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            HOSTED.replace(f"base_url: {FA}", "base_url: https://example.org/"),
            "sitegen.yaml:5: languages: fa: base_url: 'https://example.org/' is also the "
            "site's; each language on its own domain needs its own",
        ),
        (
            HOSTED.replace("  fr:\n", f"  fr:\n    base_url: {FA}\n"),
            "sitegen.yaml:10: languages: fr: base_url: 'https://fa.example.org/' is also "
            "language 'fa''s; each language on its own domain needs its own",
        ),
        (
            HOSTED.replace("languages:\n", "languages:\n  en:\n    base_url: https://en.org/\n"),
            "sitegen.yaml:5: languages: en: base_url: 'https://en.org/' differs from the "
            "site's; the default language is published at the site's base_url",
        ),
    ],
)
def test_domains_that_cannot_be_a_languages_own_are_errors_at_their_lines(
    make_site: MakeSite, config: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(make_site({"sitegen.yaml": config}))
    assert [str(p) for p in caught.value.problems] == [message]


def test_the_default_language_may_repeat_the_sites_base_url(make_site: MakeSite) -> None:
    config = HOSTED.replace(
        "languages:\n", "languages:\n  en:\n    base_url: https://example.org/\n"
    )
    loaded = load_config(make_site({"sitegen.yaml": config}))
    assert loaded.hosts == {"/fa": FA}


def test_check_reads_each_languages_folder_as_its_own_domain(make_site: MakeSite) -> None:
    files = {**multilingual_files(), "sitegen.yaml": HOSTED}
    files["content/only.fa.md"] += "\n[x](/fa/nowhere/) [y](/fa/vigil/)\n"
    report = check_site(make_site(files))
    assert [str(p) for p in report.problems if p.is_error] == [
        "content/only.fa.md:8: link '/nowhere/' leads nowhere: no page or file there"
    ]


@pytest.mark.browser
def test_searching_on_the_languages_own_domain_finds_its_pages_there(
    browser: Any, serve_dir: Callable[[Path], str], out: Path
) -> None:
    """`fa/` served alone, as its domain's root: the search page loads the index from
    there and its results link the articles at their addresses on that domain."""
    base = serve_dir(out / "fa")
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base + "/search/?q=" + quote("فارسی"))
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
    links = page.locator(".pagefind-ui__result-link").evaluate_all("ls => ls.map(l => l.href)")
    page.close()
    assert base + "/vigil/" in links
    assert all(link.startswith(base + "/") and "/fa/" not in link for link in links), links
    assert all(url.startswith(base + "/") for url in requests), requests


def test_an_old_address_of_a_languages_article_leads_to_its_domain(out: Path) -> None:
    assert (
        "/old-rally/ https://fa.example.org/rally-persian/ 301" in (out / "_redirects").read_text()
    )
    page = (out / "old-rally" / "index.html").read_text(encoding="utf-8")
    assert f'url={FA}rally-persian/"' in page


def test_a_large_sitemap_of_a_languages_domain_is_split_under_its_own_index() -> None:
    hosts = {"/fa": FA}
    absolute = functools.partial(hosted_permalink, "https://example.org/", hosts)
    entries = [SitemapEntry(f"/fa/a{n}/", None) for n in range(5)]
    files = {
        path: make()
        for path, make in sitemap_files(entries, "", limit=2, absolute=absolute, prefix="/fa")
    }
    assert sorted(files) == [
        "fa/robots.txt", "fa/sitemap-1.xml", "fa/sitemap-2.xml", "fa/sitemap-3.xml",
        "fa/sitemap.xml",
    ]  # fmt: skip
    index = etree.fromstring(files["fa/sitemap.xml"])
    etree.XMLSchema(etree.parse(str(DATA / "siteindex-0.9.xsd"))).assertValid(index)
    locations = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert locations == [f"{FA}sitemap-{n}.xml" for n in (1, 2, 3)]
    part = etree.fromstring(files["fa/sitemap-3.xml"])
    assert [loc.text for loc in part.iter(f"{SITEMAP}loc")] == [FA + "a4/"]


def test_hreflang_alternates_are_reciprocal_across_the_domains(out: Path) -> None:
    def page_of(address: str) -> Path:
        parts = urlsplit(address)
        folder = out / "fa" if parts.netloc == "fa.example.org" else out
        return folder / unquote(parts.path).lstrip("/") / "index.html"

    def alternates(path: Path) -> dict[str, str]:
        tree = html5lib.parse(path.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)
        links = tree.findall(".//head/link[@rel='alternate'][@hreflang]")
        return {link.get("hreflang"): link.get("href") for link in links}

    checked = 0
    for path in out.rglob("index.html"):
        links = alternates(path)
        for address in links.values():
            assert alternates(page_of(address)) == links, (path, address)
            checked += 1
    assert checked > 100
