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
