"""Hostile values in front matter and sitegen.yaml come out inert in every output file,
checked with real parsers: html5lib for pages, json for JSON-LD, feedparser for feeds,
lxml for the sitemap; and huge ones come out cut short in every message about them."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import html5lib
import pytest
from click.testing import CliRunner
from lxml import etree

from sitegen.build import build
from sitegen.cli import cli
from tests.conftest import MakeSite, tiny_png

EVIL = "<script>alert(1)</script>\"'</script>]]><!-- {{ 7*7 }}{% if true %}x{% endif %} &amp; \x01\x7f\u2028"
# Control characters (\x01, \x7f) are dropped as front matter is read: XML 1.0 cannot
# carry them and they are parse errors in HTML. Typography makes quotes curly in titles.
ALLOWED_SCRIPT_TYPES = {"application/ld+json"}


def yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted string


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "site"
    (root / "content").mkdir(parents=True)
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/a.png").write_bytes(tiny_png())
    config = {
        "title": EVIL, "description": EVIL, "copyright": EVIL,
        "base_url": "https://example.org/",
    }  # fmt: skip
    lines = [f"{k}: {yaml_string(v)}" for k, v in config.items()]
    lines += ["social:", f"  - {{name: {yaml_string(EVIL)}, url: 'https://example.org/x'}}"]
    (root / "sitegen.yaml").write_text("\n".join(lines) + "\n")
    article = [
        "---",
        f"title: {yaml_string('Title ' + EVIL)}",
        "date: 2025-01-02",
        f"tags: [{yaml_string(EVIL)}, {yaml_string('Tag ' + EVIL)}]",
        f"byline: {yaml_string('Byline ' + EVIL)}",
        "image: /images/a.png",
        f"image_alt: {yaml_string('Alt ' + EVIL)}",
        f"image_caption: {yaml_string('Caption ' + EVIL)}",
        f"summary: {yaml_string('Summary ' + EVIL)}",
        "slug: evil",
        "---",
        "Body text {{ 7*7 }} and {% raw %} stay as written.",
    ]
    (root / "content/evil.md").write_text("\n".join(article) + "\n")
    (root / "content/plain.md").write_text(
        "---\ntitle: Plain\ndate: 2025-01-01\ntags: [Plain]\n---\nNothing odd.\n"
    )
    out = root.parent / "out"
    build(root, out)
    return out


def _files(out: Path, suffix: str) -> list[Path]:
    found = sorted(p for p in out.rglob(f"*{suffix}"))
    assert found, f"no {suffix} files"
    return found


def test_every_page_has_no_script_or_handler_the_values_could_have_made(hostile_out: Path) -> None:
    for page in _files(hostile_out, ".html"):
        document = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue  # comments from the theme
            assert not [a for a in element.attrib if a.lower().startswith("on")], page
            if element.tag == "script":
                assert element.get("type") in ALLOWED_SCRIPT_TYPES, page
                json.loads(element.text)  # JSON-LD stays valid JSON
            assert element.tag not in ("iframe", "object", "embed", "svg"), page
        text = "".join(document.itertext())
        assert "49" not in text.replace("2049", ""), page  # {{ 7*7 }} never evaluated


def test_values_show_as_text_where_readers_see_them(hostile_out: Path) -> None:
    document = html5lib.parse(
        (hostile_out / "evil/index.html").read_bytes(), namespaceHTMLElements=False
    )
    (h1,) = document.iter("h1")
    # typography: quotes curl, '--' is a dash; control characters never reach readers
    assert (
        h1.text
        == "Title <script>alert(1)</script>”’</script>]]><!– {{ 7*7 }}{% if true %}x{% endif %} &amp;"
    )
    caption = next(document.iter("figcaption"))
    assert caption.text.startswith("Caption <script>")
    img = next(i for i in document.iter("img") if i.get("src") == "/images/a-16w.png")
    assert img.get("alt").startswith("Alt <script>alert(1)</script>\"'")
    (title,) = document.iter("title")
    assert "<script>alert(1)</script>" in title.text
    metas = {m.get("property") or m.get("name"): m.get("content") for m in document.iter("meta")}
    assert metas["og:title"].startswith("Title <script>")
    (script,) = [s for s in document.iter("script")]
    data = json.loads(script.text)
    assert data["headline"] == h1.text
    assert data["author"][0]["name"].startswith("Byline <script>")
    assert "Body text {{ 7*7 }} and {% raw %} stay as written." in "".join(document.itertext())


def test_feeds_parse_cleanly_and_carry_the_values_as_text(hostile_out: Path) -> None:
    for path in _files(hostile_out, ".xml"):
        if path.name.startswith("sitemap"):
            continue
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert "<script>alert(1)</script>" in feed.feed.title
        for entry in feed.entries:
            if entry.title.startswith("Title"):
                assert "<script>alert(1)</script>" in entry.title
                assert any("<script>" in tag.term for tag in entry.tags)
                assert entry.author.startswith("Byline <script>")


def test_sitemap_and_robots_are_well_formed(hostile_out: Path) -> None:
    tree = etree.parse(str(hostile_out / "sitemap.xml"))
    locations = [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/evil/" in locations
    assert all(loc.startswith("https://example.org/") for loc in locations)
    assert "Sitemap: https://example.org/sitemap.xml" in (hostile_out / "robots.txt").read_text()


# A value of 5,000 characters (a pasted article body, say) in every kind of field a message
# quotes: each message still fits a terminal line and names the file and line to fix.
HUGE = "x" * 5000
LONGEST_LINE = 300
PARTS = "/" + "/".join(["p" * 200] * 25) + "/"  # an old address of 5,000 characters
ARTICLE = "---\ntitle: A\ndate: 2025-01-01\n{field}\n---\nBody\n"


def _article(field: str) -> dict[str, str]:
    return {"content/x.md": ARTICLE.format(field=field)}


def _config(field: str) -> dict[str, str]:
    return {"sitegen.yaml": f"base_url: https://example.org/\n{field}\n", **_article("")}


LONG_VALUES = {
    "slug": (_article(f"slug: {'Ä' * 5000}"), "content/x.md:4: slug: "),
    "tag": (_article(f"tags: ['{'#' * 5000}']"), "content/x.md:4: tags: "),
    "tag-too-long": (_article(f"tags: [{HUGE}]"), "content/x.md:4: tags: "),
    "byline": (_article(f"byline: '{'#' * 5000}'"), "content/x.md:4: byline: "),
    "alias": (_article(f"aliases: [old/{HUGE}]"), "content/x.md:4: aliases: "),
    "alias-part": (_article(f"aliases: ['/{HUGE}/']"), "content/x.md:4: aliases: "),
    "alias-clash": (
        {
            **_article(f"aliases: ['{PARTS}']"),
            "content/y.md": ARTICLE.format(field=f"aliases: ['{PARTS.upper()}']"),
        },
        "content/y.md:4: aliases: ",
    ),
    "image": (_article(f"image: ftp://cdn.example/{HUGE}.jpg"), "content/x.md:4: image: "),
    "lang": (_article(f"lang: {HUGE}"), "content/x.md:4: lang: "),
    "related": (_article(f"related: [{HUGE}]"), "content/x.md:4: related: "),
    "date": (
        {"content/x.md": f"---\ntitle: A\ndate: {HUGE}\n---\nBody\n"},
        "content/x.md:3: date: ",
    ),
    "updated": (_article(f"updated: {HUGE}"), "content/x.md:4: updated: "),
    "duplicate-key": (_article(f"{'k' * 1000}: 1\n{'k' * 1000}: 2"), "content/x.md:5: "),
    "yaml-tag": (_article(f"summary: !{HUGE} x"), "content/x.md:4: invalid YAML: "),
    "base_url": ({"sitegen.yaml": f"base_url: {HUGE}\n"}, "sitegen.yaml:1: base_url: "),
    "permalink": (_config(f"permalink: /{HUGE}/"), "sitegen.yaml:2: permalink: "),
    "permalink-placeholder": (
        _config(f"permalink: '/{{{HUGE}}}/{{slug}}/'"),
        "sitegen.yaml:2: permalink: ",
    ),
    "menu-url": (_config(f"menu: [{{name: A, url: {HUGE}}}]"), "sitegen.yaml:2: menu: "),
    "menu-item": (_config(f"menu: [{HUGE}]"), "sitegen.yaml:2: menu: "),
    "social": (_config(f"social: [{{name: A, url: ftp://{HUGE}}}]"), "sitegen.yaml:2: social: "),
    "language": (_config(f"language: {HUGE}"), "sitegen.yaml:2: language: "),
    "timezone": (_config(f"timezone: {HUGE}"), "sitegen.yaml:2: timezone: "),
    "per_page": (_config(f"per_page: {HUGE}"), "sitegen.yaml:2: per_page: "),
    "per_page-small": (_config(f"per_page: -{'9' * 4000}"), "sitegen.yaml:2: per_page: "),
    "feed_content": (_config(f"feed_content: {HUGE}"), "sitegen.yaml:2: feed_content: "),
    "config-key": (_config(f"{'k' * 1000}: 1"), "sitegen.yaml:2: unknown key "),
}


@pytest.mark.parametrize(("files", "prefix"), LONG_VALUES.values(), ids=LONG_VALUES)
def test_messages_cut_long_values_and_keep_file_and_line(
    make_site: MakeSite, tmp_path: Path, files: dict[str, str], prefix: str
) -> None:
    result = CliRunner().invoke(cli, ["build", str(make_site(files)), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output  # the value really makes an error
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith(prefix) and "…" in line], lines
    too_long = [line[:120] for line in lines if len(line) >= LONGEST_LINE]
    assert not too_long


def test_new_cuts_a_long_title_in_its_message(make_site: MakeSite) -> None:
    root = make_site({})
    result = CliRunner().invoke(cli, ["new", "#" * 5000, "--site", str(root)])
    assert result.exit_code == 1
    (line, *_) = result.output.splitlines()
    assert line.startswith("content: title '###") and "…" in line
    assert len(line) < LONGEST_LINE


def test_import_report_cuts_long_values_from_the_export(tmp_path: Path) -> None:
    export = (Path(__file__).parent / "data/wordpress/export.xml").read_text(encoding="utf-8")
    for name in ("[Internal: donors list]", "[Main menu]", "[Statements]", "[Donors]"):
        assert name in export
        export = export.replace(name, f"[{name[1:-1]} {HUGE}]")
    (tmp_path / "export.xml").write_text(export, encoding="utf-8")
    (tmp_path / "site").mkdir()
    args = ["import", "wordpress", str(tmp_path / "export.xml"), str(tmp_path / "site")]
    result = CliRunner().invoke(cli, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if "'Internal: donors list xxx" in line and "…" in line]
    assert [line for line in lines if line.startswith("menu 'Main menu xxx") and "…" in line]
    assert [line for line in lines if "category 'Statements xxx" in line]
    assert not [line[:120] for line in lines if len(line) >= LONGEST_LINE]
