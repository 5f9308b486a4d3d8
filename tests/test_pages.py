"""Standalone pages (content/pages/): about, contact, donate; built, never listed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BuildSite, MakeSite, article


def test_a_page_is_built_at_its_slug_and_listed_nowhere(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/news.md": article("News", tags="[Vigils]"),
            "content/pages/donate.md": "---\ntitle: Donate\n---\nSupport *our work*.\n",
            "content/pages/about.md": article("About us", date="2020-01-01", body="Who we are."),
        }
    )
    out = build_site(root)
    donate = (out / "donate/index.html").read_text()
    assert "<h1>Donate</h1>" in donate and "<em>our work</em>" in donate
    assert "By " not in donate and "<time" not in donate  # no byline or date on a page
    assert "Who we are." in (out / "about/index.html").read_text()
    for listed in (
        "index.html",
        "feed.xml",
        "atom.xml",
        "archive/index.html",
        "tag/vigils/index.html",
    ):
        text = (out / listed).read_text()
        assert "/donate/" not in text and "/about/" not in text, listed
    assert not (out / "2020").exists()  # a page's date makes no archive period
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://example.org/donate/" in sitemap and "https://example.org/about/" in sitemap


def test_a_page_needs_a_title_and_its_url_must_be_free(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from sitegen.cli import cli

    root = make_site(
        {
            "content/about.md": article("About the coalition"),
            "content/pages/about.md": "---\ntitle: About\n---\nText.\n",
            "content/pages/contact.md": "---\nbyline: Staff\n---\nText.\n",
        }
    )
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "content/pages/contact.md:1: title: required field is missing" in result.output
    assert "/about/" in result.output  # the clash names the URL
