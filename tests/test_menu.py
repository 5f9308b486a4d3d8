"""`menu:` in sitegen.yaml: links after Latest, Tags and Archive in every page's header."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BuildSite, MakeSite, article

from sitegen.build import build
from sitegen.cli import cli
from sitegen.errors import ContentError

MENU = """\
base_url: https://example.org/voices/
menu:
  - {name: About us, url: /about/}
  - {name: Donate, url: "https://donate.example/voices?ref=site"}
"""


def nav(page: Path) -> str:
    html = page.read_text()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_menu_links_are_in_every_page_header(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "sitegen.yaml": MENU,
            "content/a.md": article("A", tags="[Vigils]"),
            "content/pages/about.md": "---\ntitle: About\nslug: about\n---\nWho we are.\n",
        }
    )
    out = build_site(root)
    for page in ("index.html", "a/index.html", "tag/vigils/index.html", "archive/index.html"):
        links = nav(out / page)
        assert '<a href="/voices/about/">About us</a>' in links  # under base_url's path
        assert '<a href="https://donate.example/voices?ref=site">Donate</a>' in links
    assert '<a href="/voices/about/" aria-current="page">About us</a>' in nav(
        out / "about/index.html"
    )


def test_menu_links_follow_relative_urls(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "sitegen.yaml": MENU,
            "content/a.md": article("A"),
            "content/pages/about.md": "---\ntitle: About\nslug: about\n---\nWho we are.\n",
        }
    )
    out = build_site(root, relative_urls=True)
    assert '<a href="../about/">About us</a>' in nav(out / "a/index.html")
    assert '<a href="https://donate.example/voices?ref=site">Donate</a>' in nav(out / "index.html")


def test_menu_link_to_a_missing_page_is_a_warning_or_under_strict_an_error(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"sitegen.yaml": MENU, "content/a.md": article("A")})  # no about page
    expected = "sitegen.yaml:2: menu: '/about/' is not a page of this site"
    report = build(root, tmp_path / "out")
    assert [str(w) for w in report.warnings] == [
        "sitegen.yaml:2: warning: menu: '/about/' is not a page of this site"
    ]
    with pytest.raises(ContentError) as caught:
        build(root, tmp_path / "strict", strict=True)
    assert [str(p) for p in caught.value.problems] == [expected]
    assert not (tmp_path / "strict").exists()


def test_menu_typo_is_reported_on_the_command_line(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "sitegen.yaml": MENU.replace("/about/", "/abuot/"),
            "content/a.md": article("A"),
            "content/pages/about.md": "---\ntitle: About\nslug: about\n---\nWho we are.\n",
        }
    )
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "sitegen.yaml:2: warning: menu: '/abuot/' is not a page of this site" in result.stderr
