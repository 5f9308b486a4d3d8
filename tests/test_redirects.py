"""`redirects:` in sitegen.yaml: old addresses no article owns (a moved archive's tag and
category pages) lead to a page of the site, as aliases do; and an alias that is the
article's own URL needs nothing and is left out, without a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ConfigError, SitegenError
from tests.conftest import MakeSite, article
from tests.test_aliases import redirect_of

CONFIG = """\
base_url: https://example.org/
redirects:
  /tag/%d8%ad%d9%82%d9%88%d9%82/: /tag/hqwq/
  /category/news/: /tag/news/
  "/?cat=3": /tag/news/
"""
ARABIC = "/tag/%d8%ad%d9%82%d9%88%d9%82/"


def test_redirects_make_pages_and_server_rules(make_site: MakeSite, tmp_path: Path) -> None:
    tags = '["حقوق", "News"]'
    root = make_site({"sitegen.yaml": CONFIG, "content/a.md": article("A", tags=tags)})
    out = tmp_path / "out"
    report = build(root, out)
    assert report.warnings == ()
    page = redirect_of(out / "tag/حقوق/index.html")  # as servers look a %-escaped path up
    assert page["refresh"] == "0; url=/tag/hqwq/"
    assert page["canonical"] == "https://example.org/tag/hqwq/"
    assert page["title"].startswith("حقوق")  # the tag's name
    assert redirect_of(out / "category/news/index.html")["link"] == "/tag/news/"
    rules = (out / "_redirects").read_text().splitlines()
    assert "/tag/%D8%AD%D9%82%D9%88%D9%82/ /tag/hqwq/ 301" in rules  # nginx: either case
    assert "/category/news/ /tag/news/ 301" in rules
    assert "/ cat=3 /tag/news/ 301!" in rules
    assert '"/?cat=3" "/tag/news/";' in (out / "nginx-redirects.conf").read_text()


@pytest.mark.parametrize(
    ("redirects", "message"),
    [
        ("  /a b/: /tag/x/", "sitegen.yaml:4: redirects: '/a b/' may not hold '..', empty parts"),
        ("  old/: /tag/x/", "sitegen.yaml:4: redirects: 'old/' must be a path on this site"),
        (
            "  /old/: https://elsewhere.example/",
            "sitegen.yaml:4: redirects: '/old/' -> 'https://elsewhere.example/': the new address",
        ),
        ("  /x/: [/a/]", "sitegen.yaml:4: redirects: '/x/' -> ['/a/']: both sides must be text"),
        (  # its own line, not the first that holds its text
            "  /fine/2/: /a/\n  /fine: //x/",
            "sitegen.yaml:5: redirects: '/fine' -> '//x/': the new address must be a path",
        ),
    ],
)
def test_a_bad_redirect_is_an_error_at_its_line(
    make_site: MakeSite, tmp_path: Path, redirects: str, message: str
) -> None:
    config = f"title: T\nredirects:\n  /fine/: /a/\n{redirects}\n"
    root = make_site({"sitegen.yaml": config, "content/a.md": article("A")})
    with pytest.raises(ConfigError) as failed:
        build(root, tmp_path / "out")
    assert [str(p)[: len(message)] for p in failed.value.problems] == [message]


def test_redirects_must_be_a_mapping(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"sitegen.yaml": "title: T\nredirects: [/old/]\n", "content/a.md": article()})
    with pytest.raises(ConfigError) as failed:
        build(root, tmp_path / "out")
    assert [str(p) for p in failed.value.problems] == [
        "sitegen.yaml:2: redirects: expected a mapping of old address -> new path; "
        "e.g. redirects: {/category/news/: /tag/news/}"
    ]


def test_a_redirect_to_no_page_is_a_warning_and_one_a_page_holds_an_error(
    make_site: MakeSite, tmp_path: Path
) -> None:
    config = "base_url: https://example.org/\nredirects:\n  /old/: /tag/gone/\n"
    root = make_site({"sitegen.yaml": config, "content/a.md": article("A", tags="[News]")})
    report = build(root, tmp_path / "out")
    assert [str(p) for p in report.warnings] == [
        "sitegen.yaml:3: warning: redirects: '/tag/gone/' is not a page of this site"
    ]
    (root / "sitegen.yaml").write_text(config + "  /tag/news/: /a/\n")
    with pytest.raises(SitegenError) as failed:
        build(root, tmp_path / "out")
    assert [str(p) for p in failed.value.problems if p.is_error] == [
        "sitegen.yaml:4: redirects: '/tag/news/' is also the URL of the tag page; remove it"
    ]


def test_an_alias_that_is_the_articles_own_url_is_left_out(
    make_site: MakeSite, tmp_path: Path
) -> None:
    aliases = '["/a", "/a/", "/2019/a"]'
    root = make_site({"sitegen.yaml": CONFIG, "content/a.md": article("A", aliases=aliases)})
    out = tmp_path / "out"
    report = build(root, out)
    assert [p for p in report.warnings if "alias" in p.message] == []
    assert "meta http-equiv" not in (out / "a/index.html").read_text()  # the article itself
    rules = (out / "_redirects").read_text().splitlines()
    assert "/2019/a /a/ 301" in rules
    assert [rule for rule in rules if rule.startswith("/a")] == []  # to itself: a loop
