"""A site the WordPress import writes always builds, and every old address still leads to
its page: permalinks with and without a trailing slash, `/?p=ID`, %-escaped Arabic slugs,
tag and category archives (`redirects:` in sitegen.yaml), slugs that are sitegen's own
pages (renamed), and images left on other hosts (warnings at their lines, not errors)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from sitegen.importers.wordpress.addresses import keep_aliases, unique_slug
from sitegen.serve.files import FolderFiles
from sitegen.serve.server import DevServer
from tests.test_aliases import redirect_of
from tests.test_serve import get
from tests.test_wpimport import run

EXPORT = Path(__file__).parent / "data" / "wordpress" / "addresses.xml"
CONFIG = "title: Shared Voices\nbase_url: https://voices.example/\n"
HQWQ = "/tag/hqwq/"  # حقوق as sitegen's (ASCII) tag slug
FIRST_WORDS = {
    "/hello/": "Morning light over the harbour",
    "/slm/": "Quiet streets greeted the marchers",
    "/archive-2/": "Seven letters reached the ministry",
    "/tags-2/": "Every label on this site",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "sitegen.yaml").write_text(CONFIG)
    return root


def imported(site: Path, *options: str) -> str:
    result = run("import", "wordpress", str(EXPORT), str(site), *options)
    assert result.exit_code == 0, result.output
    return str(result.output)


def page_at(out: Path, address: str) -> Path:
    """The file a static server sends for a path (decoded, as servers look it up)."""
    return out / unquote(address).lstrip("/") / "index.html"


def test_an_import_builds_and_every_old_address_leads_to_its_page(
    site: Path, tmp_path: Path
) -> None:
    report = imported(site)
    out = tmp_path / "out"
    result = run("build", str(site), "-o", str(out))
    assert result.exit_code == 0, result.output
    remote = [line for line in result.output.splitlines() if "another host" in line]
    assert [line.split(" is on")[0] for line in remote] == [
        "content/hello.md:7: warning: image: 'https://cdn.example/photos/crowd.jpg'",
        "content/hello.md:12: warning: <img>: 'https://images.example/harbour.jpg'",
    ]
    assert "media on another host (readers' browsers would fetch it): https://cdn" in report
    for url, words in FIRST_WORDS.items():  # each article's page, its text visible
        assert words in page_at(out, url).read_text(), url
    leads = {  # old address -> where its redirect page sends readers
        "/2020/03/%d8%b3%d9%84%d8%a7%d9%85/": "/slm/",
        "/2020/03/%D8%B3%D9%84%D8%A7%D9%85/": "/slm/",  # the same page, either case
        "/2020/03/archive/": "/archive-2/",
        "/tag/%d8%ad%d9%82%d9%88%d9%82/": HQWQ,
        "/tag/%D8%AD%D9%82%D9%88%D9%82/": HQWQ,
        "/tag/womens-rights/": "/tag/women-s-rights/",
        "/category/press-freedom/": "/tag/press-freedom/",
    }
    for old, new in leads.items():
        assert redirect_of(page_at(out, old))["link"] == new, old
        assert page_at(out, new).is_file(), new
    # '/hello' (no trailing slash) is the article's own page: servers answer it with /hello/
    hello = yaml.safe_load((site / "content/hello.md").read_text().split("---")[1])
    assert hello["aliases"] == ["/?p=10"]
    rules = (out / "_redirects").read_text().splitlines()
    for post_id, url in (("p=10", "/hello/"), ("p=11", "/slm/"), ("page_id=20", "/tags-2/")):
        assert f"/ {post_id} {url} 301!" in rules
        assert f'"/?{post_id}" "{url}";' in (out / "nginx-redirects.conf").read_text()
    assert "/tag/%D8%AD%D9%82%D9%88%D9%82/ /tag/hqwq/ 301" in rules
    server = DevServer(FolderFiles(out), port=0)  # the preview answers /?p=ID as the host will
    server.start()
    try:
        for address, url in (("/?p=10", "/hello/"), ("/?page_id=20", "/tags-2/")):
            status, headers, _ = get(server, address)
            assert (status, headers["Location"]) == (301, url)
            assert get(server, "/hello")[1]["Location"] == "/hello/"  # no slash: the page
    finally:
        server.stop()


def test_slugs_of_sitegens_own_pages_are_renamed_and_listed(site: Path) -> None:
    report = imported(site)
    assert "post 12 'Archive of letters': '/archive/' is the address of one of sitegen's" in report
    assert "page 20 'Tags we use': '/tags/' is the address of one of sitegen's" in report
    assert "page 20 'Tags we use': old address '/tags/' is not kept: sitegen's own" in report
    assert (site / "content/archive-2.md").is_file()
    assert (site / "content/pages/tags-2.md").is_file()


def test_category_archives_lead_to_tag_pages_or_are_listed(site: Path, tmp_path: Path) -> None:
    report = imported(site)
    assert "old category archive '/category/statements/' leads to no page" in report
    redirects = yaml.safe_load((site / "sitegen.yaml").read_text())["redirects"]
    assert "/category/statements/" not in redirects
    assert "/tag/press-freedom/" not in redirects  # the same address: nothing to do
    as_tags = tmp_path / "as-tags"
    as_tags.mkdir()
    (as_tags / "sitegen.yaml").write_text(CONFIG)
    assert "leads to no page" not in imported(as_tags, "--categories-as-tags")
    redirects = yaml.safe_load((as_tags / "sitegen.yaml").read_text())["redirects"]
    assert redirects["/category/statements/"] == "/tag/statements/"
    out = tmp_path / "out"
    assert run("build", str(as_tags), "-o", str(out), "--strict").exit_code == 1  # remote media
    assert run("build", str(as_tags), "-o", str(out)).exit_code == 0


def test_a_rerun_adds_no_redirects_twice_and_keeps_the_editors_own(site: Path) -> None:
    imported(site)
    first = (site / "sitegen.yaml").read_text()
    assert "sitegen.yaml: added" not in imported(site, "--force")
    assert (site / "sitegen.yaml").read_text() == first
    own = CONFIG + "language: ar\nredirects:\n  /old/: /hello/\n"  # the editor's
    (site / "sitegen.yaml").write_text(own)
    report = imported(site, "--force")
    assert "sitegen.yaml has its own redirects:; add these" in report
    assert '  "/tag/womens-rights/": "/tag/women-s-rights/"' in report
    assert "set language" not in report
    assert (site / "sitegen.yaml").read_text() == own


def test_a_dry_run_leaves_sitegen_yaml_alone(site: Path) -> None:
    assert "sitegen.yaml: would add 3 redirects" in imported(site, "--dry-run")
    assert (site / "sitegen.yaml").read_text() == CONFIG


@pytest.mark.parametrize(
    ("old", "kept"),
    [
        (["/hello", "/hello/"], []),  # the new URL itself, with or without its slash
        (["/2019/05/hello/", "/?p=3"], ["/2019/05/hello/", "/?p=3"]),
        (["/tags/", "/2019/", "/tag/x/"], []),  # sitegen's own pages
        (["/"], []),  # the home page (a WordPress page shown as the front page had it)
        (["/a b/", "/x?y"], []),  # no redirect can have them (listed)
    ],
)
def test_keep_aliases_leaves_out_what_no_build_accepts(old: list[str], kept: list[str]) -> None:
    assert keep_aliases(old, "/hello/", set())[0] == kept


def test_an_old_address_an_earlier_item_holds_is_not_kept() -> None:
    taken = {"about", "/about/"}  # a post at /about/, imported first
    kept, notes = keep_aliases(["/about/", "/old/about/"], "/about-2/", taken)
    assert (kept, notes) == (
        ["/old/about/"],
        ["old address '/about/' is not kept: an earlier item has it"],
    )
    held = {"/old/about/"}  # an earlier item's old address
    assert unique_slug("about", held, "/old/{}/".format) == "about-2"


def test_unique_slug_avoids_earlier_slugs_own_folders_and_years() -> None:
    taken: set[str] = set()
    url_of = "/{}/".format
    assert [unique_slug(s, taken, url_of) for s in ("tags", "a", "a", "2019", "page")] == [
        "tags-2", "a", "a-2", "2019-2", "page-2",
    ]  # fmt: skip
    dated = "/2019/{}/".format  # under a dated permalink the name is free
    assert unique_slug("tags", set(), dated) == "tags"
