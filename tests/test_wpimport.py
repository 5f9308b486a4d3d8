"""`sitegen import wordpress`: a WordPress export becomes articles and pages, old URLs kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner

from sitegen.cli import cli

DATA = Path(__file__).parent / "data" / "wordpress"
CONFIG = "title: Open Voices\nbase_url: https://openvoices.example/\ntimezone: Europe/Paris\n"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "sitegen.yaml").write_text(CONFIG)
    return root


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def imported(site: Path, *options: str) -> Any:
    result = run("import", "wordpress", str(DATA / "export.xml"), str(site), *options)
    assert result.exit_code == 0, result.output
    return result


def test_posts_become_articles_with_every_field(site: Path) -> None:
    result = imported(site, "--uploads", str(DATA / "uploads"))
    written = sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*.md"))
    assert written == [
        "content/draft-letter-to-the-ministry.md",
        "content/pages/about.md",
        "content/panel-in-london.md",
        "content/rassemblement-a-paris.md",
        "content/second-vigil.md",
        "content/untitled-1-march-2019.md",
        "content/vigil-in-paris.md",
    ]
    fields, body = front_matter(site / "content/vigil-in-paris.md")
    assert fields == {
        "title": "Vigil in Paris for Political Prisoners",
        "date": "2019-05-03T18:30:00+02:00",  # 16:30 UTC in the site's time zone
        "byline": "Mina Ardalan",
        "tags": ["Political Prisoners", "Paris"],
        "categories": ["Statements"],
        "summary": "Thousands stood in silence for the prisoners of conscience.",
        "image": "/wp-content/uploads/2019/05/vigil.jpg",
        "image_alt": "Candles arranged on a Paris square",
        "image_caption": "Candles on the square at dusk.",
        "aliases": ["/2019/05/03/vigil-in-paris/", "/?p=101"],
    }
    assert "<!--more-->" in body
    assert "(/2019/04/20/panel-in-london/)" in body  # a link to the old site made local
    assert "(https://www.amnesty.example/report)" in body  # other sites' links untouched
    assert "## What comes next" in body and "A letter to the ministry" in body
    assert "/wp-content/uploads/2019/05/vigil.jpg" in body and "openvoices.example" not in body
    assert (site / "static/wp-content/uploads/2019/05/vigil.jpg").is_file()
    assert "copied 2 files into static/" in result.output
    # linked, not shown: the full-size file is wanted too, and it is not in the copy
    assert "missing from --uploads: /wp-content/uploads/2019/05/vigil-full.jpg" in result.output


def test_statuses_titles_and_pages(site: Path) -> None:
    result = imported(site)
    draft, _ = front_matter(site / "content/draft-letter-to-the-ministry.md")
    assert draft["draft"] is True and draft["date"] == "2019-06-01T10:00:00+02:00"
    scheduled, _ = front_matter(site / "content/second-vigil.md")
    assert scheduled["date"].startswith("2031-06-01T20:00") and "draft" not in scheduled
    untitled, body = front_matter(site / "content/untitled-1-march-2019.md")
    assert untitled["title"] == "Untitled, 1 March 2019"
    assert "A statement without a title." in body
    assert (
        "warning: post 103 '(no title)': no title; called it 'Untitled, 1 March 2019'"
        in result.output
    )
    french, _ = front_matter(site / "content/rassemblement-a-paris.md")
    assert french["aliases"] == ["/2019/05/10/rassemblement-%c3%a0-paris/", "/?p=109"]
    about, body = front_matter(site / "content/pages/about.md")
    assert about == {"title": "About us", "byline": "Mina Ardalan", "aliases": ["/?page_id=110"]}
    assert "Open Voices is a coalition" in body
    for skipped in (
        "post 106 'Internal: donors list': private",
        "post 107 'Members only: minutes': password-protected",
        "post 108 'Old announcement': in the trash",
    ):
        assert skipped in result.output
    assert (
        "shortcode [contact-form-7] left as text (not converted) in content/vigil-in-paris.md"
        in result.output
    )
    assert "menu 'Main menu', item 'Donors': points at a post or page that was not imported" in (
        result.output
    )  # a link to the private post
    assert "menu 'Main menu', item 'Our history': a sub-item" in result.output
    assert (
        "menu 'Main menu', item '#303': the archive of the category 'Statements': sitegen has "
        "tag pages only (see --categories-as-tags)" in result.output
    )
    assert (
        "copy that folder to static/wp-content/uploads/ or import again with --uploads"
        in result.output
    )
    assert not (site / "static").exists()


def test_categories_can_be_tags(site: Path) -> None:
    imported(site, "--categories-as-tags")
    fields, _ = front_matter(site / "content/vigil-in-paris.md")
    assert fields["tags"] == ["Political Prisoners", "Paris", "Statements"]
    assert "categories" not in fields
    panel, _ = front_matter(site / "content/panel-in-london.md")
    assert panel["tags"] == ["Press Freedom"]  # WordPress's "Uncategorized" is no tag


def menus_of(report: str) -> dict[str, str]:
    """Each WordPress menu of an import report -> the `menu:` lines it offers to paste."""
    found = {}
    for part in report.split("WordPress menu ")[1:]:
        name, _, rest = part.partition(": to put it in the header, add to sitegen.yaml:\n")
        found[name] = "".join(line + "\n" for line in rest.splitlines() if line.startswith("  "))
    return found


def test_wordpress_menus_become_menu_snippets_in_the_menus_order(site: Path) -> None:
    menus = menus_of(imported(site).output)
    assert menus == {
        "'Main menu'": (
            "  menu:\n"
            '    - {name: "Home", url: "/"}\n'  # the old site's address: a path now
            '    - {name: "About us", url: "/about/"}\n'  # a page, under its title
            '    - {name: "Prisoners", url: "/tag/political-prisoners/"}\n'  # a tag archive
            '    - {name: "Donate", url: "https://donate.example/openvoices"}\n'
        ),
        "'Footer'": '  menu:\n    - {name: "Contact", url: "mailto:press@openvoices.example"}\n',
    }
    assert "pages are linked from no other page" not in imported(site, "--force").output
    with_categories = menus_of(imported(site, "--force", "--categories-as-tags").output)
    assert '    - {name: "Statements", url: "/tag/statements/"}\n' in with_categories["'Main menu'"]


def test_a_rerun_keeps_edited_files_unless_forced(site: Path) -> None:
    imported(site)
    article = site / "content/vigil-in-paris.md"
    article.write_text(article.read_text() + "\nAn editor's correction.\n")
    result = imported(site)
    assert "An editor's correction." in article.read_text()
    assert "kept 7 existing files (--force replaces them):" in result.output
    assert "wrote 0 files" in result.output
    imported(site, "--force")
    assert "An editor's correction." not in article.read_text()


def test_a_dry_run_lists_the_files_and_writes_nothing(site: Path) -> None:
    result = imported(site, "--dry-run", "--uploads", str(DATA / "uploads"))
    assert "content/vigil-in-paris.md" in result.output
    assert "would write 7 files" in result.output and "would copy 2 files" in result.output
    assert sorted(p.name for p in site.iterdir()) == ["sitegen.yaml"]


def test_a_broken_export_is_an_error_naming_the_file_and_line(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    text = (DATA / "export.xml").read_text()
    broken.write_text(text.replace("<title>Open Voices</title>", "<title>Open & Voices</title>"))
    result = CliRunner().invoke(cli, ["import", "wordpress", str(broken), str(site)])
    assert result.exit_code == 1
    assert "broken.xml:12: not a valid XML file: not well-formed (invalid token)" in result.output
    assert "Traceback" not in result.output
    assert not (site / "content").exists()


def test_an_imported_archive_builds_and_every_old_url_redirects(site: Path, tmp_path: Path) -> None:
    """The end-to-end promise: import, build, and each alias leads to the new page."""
    shutil.copytree(DATA / "uploads", tmp_path / "uploads")
    report = imported(site, "--uploads", str(tmp_path / "uploads")).output
    menu = menus_of(report)["'Main menu'"]  # the report's snippet, pasted as it says
    with (site / "sitegen.yaml").open("a") as config:
        config.write(menu.replace("  ", "", 1).replace("\n  ", "\n"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(site), "-o", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    checked = 0
    for article in sorted((site / "content").rglob("*.md")):
        fields, _ = front_matter(article)
        if fields.get("draft") or fields.get("date", "").startswith("2031"):
            continue  # not published (yet)
        for alias in fields.get("aliases", []):
            if "?" in alias:  # a server's job: in the nginx map and Netlify's _redirects
                assert f'"{alias}"' in (out / "nginx-redirects.conf").read_text()
                assert alias.split("?")[1] in (out / "_redirects").read_text()
                continue
            page = out / unquote(alias).lstrip("/") / "index.html"  # as a server decodes it
            assert page.is_file(), alias
            text = page.read_text()
            assert 'http-equiv="refresh"' in text
            checked += 1
    assert checked >= 3
    assert (out / "about/index.html").is_file()  # the page, at its old address
    assert "About us" in (out / "about/index.html").read_text()
    header = (out / "index.html").read_text()  # the WordPress menu, in every page's header
    assert '<a href="/about/">About us</a>' in header
    assert '<a href="/tag/political-prisoners/">Prisoners</a>' in header
    assert '<a href="https://donate.example/openvoices">Donate</a>' in header


SHORTCODES_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.2/"
     xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><wp:base_blog_url>https://openvoices.example</wp:base_blog_url>
<item><title>Watch the march</title><content:encoded><![CDATA[\
[youtube=http://www.youtube.com/watch?v=Xm4rch2019a&w=560&h=315]

The march went from the square to the ministry.

[gallery link="file"]]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_name>watch-the-march</wp:post_name>
<wp:post_type>page</wp:post_type><wp:status>publish</wp:status></item>
<item><title>Banner</title><wp:post_id>8</wp:post_id><wp:post_parent>7</wp:post_parent>
<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
<wp:attachment_url>https://openvoices.example/wp-content/uploads/2019/05/banner.jpg</wp:attachment_url>
</item>
<item><title>Vigil</title><content:encoded><![CDATA[Candles at nine.]]></content:encoded>
<excerpt:encoded><![CDATA[A vigil. [vimeo 76979871 w=640 h=360]]]></excerpt:encoded>
<wp:post_id>9</wp:post_id><wp:post_name>vigil</wp:post_name>
<wp:post_date_gmt>2019-05-03 16:30:00</wp:post_date_gmt>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
<item><title>Write to us</title><content:encoded><![CDATA[<p>[contact-form-7 id="12" title="Contact"]</p>

We answer within a week.]]></content:encoded>
<wp:post_id>10</wp:post_id><wp:post_name>contact</wp:post_name>
<wp:post_type>page</wp:post_type><wp:status>publish</wp:status></item>
</channel></rss>
"""


def test_shortcodes_become_links_and_images_in_pages_and_descriptions(
    site: Path, tmp_path: Path
) -> None:
    export = tmp_path / "export.xml"
    export.write_text(SHORTCODES_EXPORT, encoding="utf-8")
    result = run("import", "wordpress", str(export), str(site))
    assert result.exit_code == 0, result.output
    reported = [line for line in result.output.splitlines() if "shortcode" in line]
    assert reported == [
        "shortcode [contact-form-7] left as text (not converted) in content/pages/contact.md"
    ]
    assert front_matter(site / "content/vigil.md")[0]["summary"] == "A vigil."
    # the form stays for the editor to replace, but not in the page's description
    assert front_matter(site / "content/pages/contact.md")[0]["summary"] == (
        "We answer within a week."
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(site), "-o", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    page = BeautifulSoup((out / "watch-the-march/index.html").read_text(), "html.parser")
    link = page.find("a", href="https://www.youtube.com/watch?v=Xm4rch2019a")
    assert link is not None and "Video:" in link.parent.get_text()
    assert page.find("img", src="/wp-content/uploads/2019/05/banner.jpg") is not None
    description = page.find("meta", attrs={"name": "description"})
    assert description is not None and "[" not in str(description["content"])
    assert "[youtube" not in str(page) and "[gallery" not in str(page)
    assert not page.find(["iframe", "script", "video", "audio"], src=True)
    contact = BeautifulSoup((out / "contact/index.html").read_text(), "html.parser")
    assert contact.find("meta", attrs={"name": "description"})["content"] == (
        "We answer within a week."
    )
