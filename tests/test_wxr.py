"""Reading WordPress exports: what is kept, and what is refused with a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from sitegen.errors import ContentError
from sitegen.importers.wordpress.wxr import Term, read_export

EXPORT = Path(__file__).parent / "data" / "wordpress" / "export.xml"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/">
<channel><wp:base_blog_url>https://old.example</wp:base_blog_url>
"""


def item(post_id: int, body: str = "Text.", post_type: str = "post") -> str:
    return (
        f"<item><title>Post {post_id}</title><dc:creator>ana</dc:creator>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded>"
        f"<wp:post_id>{post_id}</wp:post_id><wp:post_type>{post_type}</wp:post_type>"
        f"<wp:status>publish</wp:status></item>\n"
    )


def test_the_fixture_export_is_read_whole() -> None:
    export = read_export(EXPORT)
    assert export.site_url == "https://openvoices.example"
    assert export.authors == {"mina": "Mina Ardalan", "tomas": "Tomás Reyes"}
    assert sorted(export.attachments) == [201, 202]
    vigil = export.attachments[201]
    assert vigil.attachment_url.endswith("/wp-content/uploads/2019/05/vigil.jpg")
    assert vigil.meta["_wp_attachment_image_alt"] == "Candles arranged on a Paris square"
    items = list(export.items())
    posts = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110]
    assert [i.post_id for i in items] == [*posts, 305, 301, 302, 303, 304, 306, 307, 308]
    assert export.terms[3] == Term("category", "statements", "Statements")
    assert export.terms[4] == Term("post_tag", "political-prisoners", "Political Prisoners")
    menu_item = items[posts.index(110) + 3]  # About, in the main menu
    assert (menu_item.post_type, menu_item.menu_order) == ("nav_menu_item", 2)
    assert menu_item.meta["_menu_item_object_id"] == "110"
    first = items[0]
    assert first.title == "Vigil in Paris for Political Prisoners"
    assert (first.creator, first.name, first.status) == ("mina", "vigil-in-paris", "publish")
    assert (first.date, first.date_gmt) == ("2019-05-03 18:30:00", "2019-05-03 16:30:00")
    assert [(t.domain, t.name) for t in first.terms] == [
        ("category", "Statements"), ("post_tag", "Political Prisoners"), ("post_tag", "Paris"),
    ]  # fmt: skip
    assert first.meta["_thumbnail_id"] == "201"
    assert "[caption" in first.content and "<!--more-->" in first.content
    assert first.excerpt.startswith("Thousands stood in silence")


def test_older_wxr_versions_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text(HEAD + item(7, "Hello") + "</channel></rss>\n")
    export = read_export(path)
    assert export.site_url == "https://old.example"
    [post] = export.items()
    assert (post.post_id, post.title, post.content, post.creator) == (7, "Post 7", "Hello", "ana")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "<item><title>A & B</title></item></channel></rss>", "export.xml:7: not a valid XML file: not well-formed (invalid token)"),
        (HEAD + item(1), "export.xml:8: not a valid XML file: no element found"),
        ("", "export.xml:1: not a valid XML file: no element found"),
        ("<html><body>Not an export</body></html>", "export.xml: no WordPress export in this file"),
    ],
)  # fmt: skip
def test_a_broken_export_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        read_export(path, PurePosixPath("export.xml"))
    [problem] = caught.value.problems
    assert str(problem).startswith(expected)


def test_an_entity_expansion_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 or "")) * 10}">' for n in range(1, 10)
    ]
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        + HEAD.split("\n", 1)[1] + "<item><title>&lol9;</title></item></channel></rss>"
    )  # fmt: skip
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    with pytest.raises(ContentError) as caught:
        read_export(path)
    assert "declares XML entities" in str(caught.value.problems[0])


def test_a_large_export_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """40 MB of posts: reading them one by one must not hold the file in memory."""
    path = tmp_path / "large.xml"
    body = "<p>" + "A paragraph of a long article about the trial. " * 40 + "</p>"
    with path.open("w") as out:
        out.write(HEAD)
        for number in range(20_000):
            out.write(item(number, body))
        out.write("</channel></rss>\n")
    assert path.stat().st_size > 40_000_000
    program = (
        "import resource, sys; from pathlib import Path; from sitegen.importers.wordpress.wxr import read_export;"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "export = read_export(Path(sys.argv[1]));"
        "count = sum(1 for _ in export.items());"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "print(count, (after - before) // 1024)"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(path)], capture_output=True, text=True, check=True
    )
    count, grew_mb = map(int, result.stdout.split())
    assert count == 20_000
    assert grew_mb < 20, f"reading a 40 MB export took {grew_mb} MB more memory"


def head(wp: str, excerpt: str | None = None, channel: str = "") -> str:
    """An export's start with the given wp: namespace (and excerpt:, by default the same's)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="{wp}"\n'
        f' xmlns:excerpt="{excerpt or wp + "excerpt/"}"\n'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel>{channel}\n"
    )


PAGE = (
    "<item><title>Draft page</title><content:encoded><![CDATA[Body]]></content:encoded>"
    "<excerpt:encoded><![CDATA[Short]]></excerpt:encoded><wp:post_id>9</wp:post_id>"
    "<wp:post_date>2012-05-04 10:00:00</wp:post_date><wp:status>draft</wp:status>"
    "<wp:post_type>page</wp:post_type></item>\n"
)


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_namespace_wordpress_wrote_is_read(
    tmp_path: Path, scheme: str, version: str
) -> None:
    """WordPress.com writes https://wordpress.org/export/1.2/: items are what they say."""
    path = tmp_path / "export.xml"
    path.write_text(head(f"{scheme}://wordpress.org/export/{version}/") + PAGE + "</channel></rss>")
    [page] = read_export(path).items()
    assert (page.post_type, page.status, page.date) == ("page", "draft", "2012-05-04 10:00:00")
    assert (page.post_id, page.content, page.excerpt) == (9, "Body", "Short")


def test_namespaces_of_two_schemes_in_one_export_are_read(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    wp, excerpt = "http://wordpress.org/export/1.2/", "https://wordpress.org/export/1.2/excerpt/"
    path.write_text(head(wp, excerpt) + PAGE + "</channel></rss>")
    [page] = read_export(path).items()
    assert (page.post_type, page.excerpt) == ("page", "Short")


ATOM = (
    '<atom:link rel="search" type="application/opensearchdescription+xml"'
    ' href="http://oldblog.wordpress.com/osd.xml" title="Old blog" />\n'
    "<atom:link rel='hub' href='http://oldblog.wordpress.com/?pushpress=hub'/>\n"
)


def test_an_undeclared_atom_prefix_is_declared_and_said(tmp_path: Path) -> None:
    """Older WordPress.com exports write <atom:link> in the channel without xmlns:atom."""
    path = tmp_path / "export.xml"
    channel = "<link>http://oldblog.wordpress.com</link>\n" + ATOM
    path.write_text(
        head("http://wordpress.org/export/1.0/", channel=channel) + PAGE + "</channel></rss>"
    )
    export = read_export(path)
    assert export.declared == {"atom": "http://www.w3.org/2005/Atom"}
    assert export.site_url == "http://oldblog.wordpress.com"  # not atom:link's href
    [page] = export.items()
    assert page.title == "Draft page"


def test_after_declaring_a_prefix_errors_keep_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    text = head("http://wordpress.org/export/1.0/", channel=ATOM) + PAGE + "<item><title>A & B"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        read_export(path, PurePosixPath("export.xml"))
    [problem] = caught.value.problems
    assert str(problem).startswith("export.xml:10: not a valid XML file: not well-formed")


def test_an_entity_bomb_with_an_undeclared_prefix_is_still_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n]>\n'
        + head("http://wordpress.org/export/1.0/", channel=ATOM).split("\n", 1)[1]
        + "<item><title>&lol;</title></item></channel></rss>"
    )
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    with pytest.raises(ContentError) as caught:
        read_export(path)
    assert "declares XML entities" in str(caught.value.problems[0])


@pytest.mark.parametrize(
    ("channel", "site_url", "also_at"),
    [
        # WordPress.com: base_site_url is the host's, never the blog's
        ("<link>https://notes.example</link><wp:base_site_url>https://wordpress.com/</wp:base_site_url>"
         "<wp:base_blog_url>https://notes.wordpress.com</wp:base_blog_url>",
         "https://notes.wordpress.com", ("https://notes.example",)),
        ("<link>https://notes.wordpress.com/</link>"
         "<wp:base_site_url>http://wordpress.com/</wp:base_site_url>",
         "https://notes.wordpress.com", ()),
        ("<wp:base_site_url>https://network.example</wp:base_site_url>",
         "https://network.example", ()),
    ],
)  # fmt: skip
def test_the_site_address_is_the_blogs_not_its_hosts(
    tmp_path: Path, channel: str, site_url: str, also_at: tuple[str, ...]
) -> None:
    path = tmp_path / "export.xml"
    channel += "<language>fa-IR</language>"
    path.write_text(head("https://wordpress.org/export/1.2/", channel=channel) + "</channel></rss>")
    export = read_export(path)
    assert (export.site_url, export.also_at, export.language) == (site_url, also_at, "fa-IR")


SCRIPT = "<script>// <![CDATA[\nvalidate(email);\n// ]]></script><p>After the script.</p>"


def test_a_cdata_end_older_wordpress_left_in_a_post_is_read_as_text(tmp_path: Path) -> None:
    """WordPress 3.2 wrote a post's own "]]>" unescaped, which ends the export's CDATA."""
    escaped = "Escaped ]]]]><![CDATA[> as WordPress does now."
    path = tmp_path / "export.xml"
    path.write_text(HEAD + item(1, SCRIPT) + item(2, escaped) + "</channel></rss>\n")
    export = read_export(path)
    assert export.repaired == 1
    first, second = export.items()
    assert first.content == SCRIPT
    assert second.content == "Escaped ]]> as WordPress does now."


def test_when_mending_does_not_help_the_first_error_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(HEAD + item(1, SCRIPT) + "<item><title>A & B</title></item></channel></rss>")
    with pytest.raises(ContentError) as caught:
        read_export(path, PurePosixPath("export.xml"))
    [problem] = caught.value.problems
    assert str(problem) == "export.xml:9: not a valid XML file: mismatched tag"


def test_a_sites_rss_feed_is_no_export(tmp_path: Path) -> None:
    """A feed (/feed/) looks like an export, but has no ids: every post would be ?p=0."""
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<link>https://old.example</link><item><title>Post</title>"
        "<content:encoded><![CDATA[Text]]></content:encoded></item></channel></rss>"
    )
    with pytest.raises(ContentError) as caught:
        read_export(path, PurePosixPath("feed.xml"))
    [problem] = caught.value.problems
    assert str(problem).startswith("feed.xml: an RSS feed, not a WordPress export")
