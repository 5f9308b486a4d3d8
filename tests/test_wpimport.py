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

from sitegen.build import build
from sitegen.cli import cli
from sitegen.config.settings import load_config
from sitegen.importers.wordpress.site import SiteAddress

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
        "copy that folder to static/wp-content/uploads/, or import again with --uploads PATH"
        " or --download-media" in result.output
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


def test_a_wordpress_com_export_builds_and_its_old_permalinks_resolve(
    site: Path, tmp_path: Path
) -> None:
    """https namespaces, base_site_url https://wordpress.com/, uploads on files.wordpress.com:
    the blog's own address is read, so its permalinks become aliases and its links paths."""
    result = run("import", "wordpress", str(DATA / "wordpress-com.xml"), str(site))
    assert result.exit_code == 0, result.output
    fields, body = front_matter(site / "content/march-for-the-press.md")
    assert fields["date"] == "2012-05-04T10:00:00+02:00"  # not 1970: the dates were read
    assert fields["aliases"] == ["/2012/05/04/march-for-the-press/", "/?p=11"]
    assert fields["image"] == "/wp-content/uploads/2012/05/banner.jpg"
    assert "(/wp-content/uploads/2012/05/banner.jpg)" in body  # its ?w=600&h=400 dropped
    assert "(/2012/04/20/letter-to-the-editor/)" in body  # http link to the https blog
    assert "(/about/)" in body  # www. and bare are one site
    assert "wordpress.com" not in body and "(https://example.net/press-freedom)" in body
    draft, _ = front_matter(site / "content/plans-for-the-summer.md")
    assert draft["draft"] is True
    assert 'post 15 "Treasurer\'s notes": private' in result.output
    assert "media on another host" not in result.output
    assert "media: 1 files under /wp-content/uploads/ are referenced" in result.output
    assert "menu 'Primary': 1 unsaved (draft) items left out" in result.output
    assert menus_of(result.output) == {
        "'Primary'": '  menu:\n    - {name: "Who we are", url: "/about/"}\n'
    }
    out = tmp_path / "out"
    build(site, out, strict=True)
    redirect = (out / "2012/05/04/march-for-the-press/index.html").read_text()
    assert 'http-equiv="refresh"' in redirect and "/march-for-the-press/" in redirect
    page = (out / "march-for-the-press/index.html").read_text()
    assert "Hundreds walked from the library to the town hall" in page
    assert (out / "2012/04/20/letter-to-the-editor/index.html").is_file()


def test_a_broken_export_says_the_import_failed_not_a_build(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "export.xml"
    broken.write_text("<rss><channel><item><title>A & B</title></item></channel></rss>")
    result = CliRunner().invoke(cli, ["import", "wordpress", str(broken), str(site)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "export.xml:1: not a valid XML file: not well-formed (invalid token)",
        "error: import failed (1 problem)",
    ]


def test_the_same_site_under_every_spelling_of_its_address() -> None:
    site = SiteAddress(["https://www.rights.example", "http://rights.wordpress.com"])
    for url in (
        "http://rights.example/2012/05/x/",
        "https://www.rights.example/2012/05/x/",
        "//rights.example/2012/05/x/",
        "https://rights.wordpress.com/2012/05/x/",
    ):
        assert site.path(url) == "/2012/05/x/", url
    assert site.path("https://rights.example.net/2012/05/x/") is None
    assert site.path("https://rights.wordpress.com//greek/x/") == "/greek/x/"  # a real permalink
    uploads = "/wp-content/uploads/2012/05/x.jpg"
    assert site.upload("https://rights.files.wordpress.com/2012/05/x.jpg?w=300") == uploads
    assert site.upload("https://i0.wp.com/rights.files.wordpress.com/2012/05/x.jpg") == uploads
    assert site.upload("http://www.rights.example/wp-content/uploads/2012/05/x.jpg") == uploads
    assert site.upload("https://rights.example/files/2012/05/x.jpg") == "/files/2012/05/x.jpg"
    assert site.upload("https://rights.example/2012/05/x/") is None
    markdown = (
        "[a](http://rights.example/a/) [b](https://web.archive.org/web/2012/http://rights.example/b/)"
        " ![c](https://rights.files.wordpress.com/2012/05/c.jpg?w=300)"
    )
    assert site.localize(markdown) == (
        "[a](/a/) [b](https://web.archive.org/web/2012/http://rights.example/b/)"
        " ![c](/wp-content/uploads/2012/05/c.jpg)"
    )


MULTISITE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><link>http://www.openvoices.example</link>
<wp:base_site_url>http://network.example</wp:base_site_url>
<wp:base_blog_url>http://www.openvoices.example</wp:base_blog_url>
<item><title>Photos from the march</title><dc:creator>mina</dc:creator>
<link>http://www.openvoices.example/2012/05/photos/</link>
<content:encoded><![CDATA[<img src="http://openvoices.example/files/2012/05/march.jpg" alt="The march">
<a href="https://www.openvoices.example/files/2012/05/report.pdf">The report</a>]]></content:encoded>
<wp:post_id>5</wp:post_id><wp:post_date>2012-05-06 10:00:00</wp:post_date>
<wp:post_name>photos</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item></channel></rss>
"""


def test_a_multisites_files_are_uploads_copied_from_their_layout(
    site: Path, tmp_path: Path
) -> None:
    export = tmp_path / "multisite.xml"
    export.write_text(MULTISITE)
    uploads = tmp_path / "uploads"  # a multisite blog's upload folder: 2012/05/...
    (uploads / "2012/05").mkdir(parents=True)
    (uploads / "2012/05/march.jpg").write_bytes(b"jpeg")
    result = imported_from(export, site, "--uploads", str(uploads))
    _, body = front_matter(site / "content/photos.md")
    assert "![The march](/files/2012/05/march.jpg)" in body  # the old URL keeps working
    assert "[The report](/files/2012/05/report.pdf)" in body
    assert (site / "static/files/2012/05/march.jpg").read_bytes() == b"jpeg"
    assert "missing from --uploads: /files/2012/05/report.pdf" in result.output
    again = imported_from(export, site, "--force")
    assert "media: 2 files under /files/ are referenced; copy that folder to static/files/" in (
        again.output
    )


def imported_from(export: Path, site: Path, *options: str) -> Any:
    result = run("import", "wordpress", str(export), str(site), *options)
    assert result.exit_code == 0, result.output
    return result


def polylang(language: str = "fa-IR") -> str:
    """A Polylang site: Persian first, some posts in English, one pair of translations."""

    def post(post_id: int, slug: str, lang: str, text: str, group: str = "") -> str:
        translations = (
            f'<category domain="post_translations" nicename="{group}"><![CDATA[{group}]]></category>'
            if group
            else ""
        )
        return (
            f"<item><title>{slug.title()}</title><dc:creator>mina</dc:creator>"
            f"<link>https://openvoices.example/{lang}/{slug}/</link>"
            f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>2020-0{post_id}-01 10:00:00</wp:post_date>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>post</wp:post_type>"
            f'<category domain="language" nicename="{lang}"><![CDATA[{lang}]]></category>'
            f"{translations}</item>\n"
        )

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
        ' xmlns:wp="http://wordpress.org/export/1.2/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>'
        f"<link>https://openvoices.example</link><language>{language}</language>\n"
        + post(1, "tajamo", "fa", "گروهی از همسایه‌ها در میدان جمع شدند.", "pll_5f1a")
        + post(2, "gathering", "en", "Neighbours gathered on the square.", "pll_5f1a")
        + post(3, "bayaniye", "fa", "بیانیه‌ای دربارهٔ آزادی مطبوعات.")
        + "</channel></rss>\n"
    )


def test_polylang_languages_become_lang_and_translation_key(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "polylang.xml"
    export.write_text(polylang(), encoding="utf-8")
    result = imported_from(export, site)
    persian, _ = front_matter(site / "content/tajamo.md")
    english, _ = front_matter(site / "content/gathering.md")
    alone, _ = front_matter(site / "content/bayaniye.md")
    assert "lang" not in persian and persian["translation_key"] == "pll_5f1a"
    assert english["lang"] == "en" and english["translation_key"] == "pll_5f1a"
    assert "lang" not in alone and "translation_key" not in alone
    assert "sitegen.yaml: set language: 'fa-IR', the export's language" in result.output
    assert load_config(site).language == "fa-IR"
    out = tmp_path / "out"
    build(site, out, strict=True)  # translation_key is a key sitegen knows
    assert 'lang="en"' in (out / "gathering/index.html").read_text()


def test_a_sites_own_language_decides_which_posts_get_lang(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "polylang.xml"
    export.write_text(polylang(language="en-US"), encoding="utf-8")
    with (site / "sitegen.yaml").open("a") as config:
        config.write("language: en\n")
    result = imported_from(export, site)
    assert front_matter(site / "content/tajamo.md")[0]["lang"] == "fa"
    assert "lang" not in front_matter(site / "content/gathering.md")[0]
    assert "set language" not in result.output
    assert load_config(site).language == "en"
    out = tmp_path / "out"
    build(site, out, strict=True)
    page = (out / "tajamo/index.html").read_text()
    assert 'lang="fa" dir="rtl"' in page and "گروهی از همسایه‌ها" in page


def test_wpml_import_meta_gives_the_language_too(site: Path, tmp_path: Path) -> None:
    text = polylang(language="en").replace(
        '<category domain="language" nicename="fa"><![CDATA[fa]]></category>',
        "<wp:postmeta><wp:meta_key>_wpml_import_language_code</wp:meta_key>"
        "<wp:meta_value>ar</wp:meta_value></wp:postmeta>"
        "<wp:postmeta><wp:meta_key>_wpml_import_translation_group</wp:meta_key>"
        "<wp:meta_value>group-7</wp:meta_value></wp:postmeta>",
    )
    export = tmp_path / "wpml.xml"
    export.write_text(text, encoding="utf-8")
    imported_from(export, site)
    fields, _ = front_matter(site / "content/bayaniye.md")
    assert (fields["lang"], fields["translation_key"]) == ("ar", "group-7")


def test_an_old_wordpress_com_export_with_atom_links_imports(site: Path, tmp_path: Path) -> None:
    """WXR 1.0 from WordPress.com: <atom:link> in the channel, no xmlns:atom; said, then read."""
    text = (DATA / "wordpress-com.xml").read_text(encoding="utf-8")
    text = text.replace("https://wordpress.org/export/1.2/", "http://wordpress.org/export/1.0/")
    text = text.replace(
        "<generator>",
        '<atom:link rel="search" type="application/opensearchdescription+xml"'
        ' href="http://rallynotes.wordpress.com/osd.xml" title="Rally Notes" />\n<generator>',
    )
    export = tmp_path / "old.xml"
    export.write_text(text, encoding="utf-8")
    result = imported_from(export, site)
    assert (
        "the export uses the prefix 'atom:' without declaring it (older WordPress.com exports "
        "do); read it as http://www.w3.org/2005/Atom" in result.output
    )
    assert (site / "content/march-for-the-press.md").is_file()


def test_a_post_that_ended_the_exports_cdata_is_imported_and_said(
    site: Path, tmp_path: Path
) -> None:
    export = tmp_path / "old.xml"
    body = "<p>Try it:</p><script>// <![CDATA[\ncheck();\n// ]]></script><p>Then read on.</p>"
    export.write_text(MULTISITE.replace('<img src="http', body + '<img src="http'))
    result = imported_from(export, site)
    assert "the export has ']]>' inside texts 1 times" in result.output
    _, text = front_matter(site / "content/photos.md")
    assert "Try it:" in text and "Then read on." in text and "check()" not in text


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
