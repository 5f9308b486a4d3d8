"""`aliases`: old addresses of an article keep working after a move (redirect pages, plus
`_redirects` and an nginx map for addresses with a query string)."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from sitegen.cli import cli
from tests.conftest import BuildSite, MakeSite, article

NS = {"h": "http://www.w3.org/1999/xhtml"}


def redirect_of(page: Path) -> dict[str, str]:
    document = html5lib.parse(page.read_text(), namespaceHTMLElements=True)
    refresh = document.find(".//h:meta[@http-equiv='refresh']", NS)
    canonical = document.find(".//h:link[@rel='canonical']", NS)
    link = document.find(".//h:body//h:a", NS)
    robots = document.find(".//h:meta[@name='robots']", NS)
    assert document.find(".//h:script", NS) is None  # no JavaScript needed
    return {
        "refresh": refresh.get("content"),
        "canonical": canonical.get("href"),
        "link": link.get("href"),
        "robots": robots.get("content"),
    }


def test_each_old_address_leads_to_the_article(make_site: MakeSite, build_site: BuildSite) -> None:
    aliases = (
        '["/2019/05/03/vigil/", "/old.html", "/news/vigil", "/?p=123", "/index.php?p=123&lang=en"]'
    )
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/archive/\n",
            "content/vigil.md": article("Vigil", aliases=aliases),
        }
    )
    out = build_site(root)
    expected = {
        "refresh": "0; url=/archive/vigil/",
        "canonical": "https://example.org/archive/vigil/",
        "link": "/archive/vigil/",
        "robots": "noindex",
    }
    for path in ("2019/05/03/vigil/index.html", "old.html", "news/vigil/index.html"):
        assert redirect_of(out / path) == expected, path
    assert "2019/05/03/vigil" not in (out / "sitemap.xml").read_text()
    assert (out / "_redirects").read_text().splitlines()[2:] == [
        "/2019/05/03/vigil/ /archive/vigil/ 301",
        "/ p=123 /archive/vigil/ 301",
        "/index.php p=123 lang=en /archive/vigil/ 301",
        "/news/vigil /archive/vigil/ 301",
        "/old.html /archive/vigil/ 301",
    ]
    nginx = (out / "nginx-redirects.conf").read_text()
    assert "map $request_uri $sitegen_redirect {" in nginx
    assert '    "/?p=123" "/archive/vigil/";' in nginx
    assert '    "/index.php?p=123&lang=en" "/archive/vigil/";' in nginx


def test_without_aliases_there_are_no_redirect_files(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article("A", aliases='["/old/"]')})
    out = build_site(root)
    assert (out / "old/index.html").is_file() and (out / "_redirects").is_file()
    (root / "content/a.md").write_text(article("A"))
    build_site(root, out)
    assert not (out / "old").exists()
    assert not (out / "_redirects").exists() and not (out / "nginx-redirects.conf").exists()


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ('["old/"]', "content/a.md:4: aliases: 'old/' must be a path on this site starting with one '/'"),
        ('["//evil.example/x"]', "content/a.md:4: aliases: '//evil.example/x' must be a path on this site"),
        ('["/a/../../etc/"]', "content/a.md:4: aliases: '/a/../../etc/' may not hold '..'"),
        ('["/a\\\\b/"]', "content/a.md:4: aliases: '/a\\\\b/' may not hold '..', empty parts, spaces, backslashes"),
        ('["/con/"]', "content/a.md:4: aliases: '/con/' is a name Windows reserves"),
        ('"/old/"', "content/a.md:4: aliases: expected a list"),
        ('["/tags/"]', "content/a.md:4: aliases: '/tags/' is also the URL of the tags page; remove it"),
        ('["/b/"]', "content/a.md:4: aliases: '/b/' is also the URL of content/b.md"),
    ],
)  # fmt: skip
def test_a_wrong_alias_is_an_error_naming_its_line(
    make_site: MakeSite, tmp_path: Path, aliases: str, message: str
) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(root), "-o", str(out)]).exit_code == 0
    before = (out / "a/index.html").read_bytes()
    (root / "content/a.md").write_text(article("A", aliases=aliases))
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out)])
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert (out / "a/index.html").read_bytes() == before


def test_two_articles_cannot_claim_one_old_address(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/a.md": article("A", aliases='["/old/"]'),
            "content/b.md": article("B", aliases='["/old/"]'),
        }
    )
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "aliases: '/old/' is also the URL of content/" in result.output
