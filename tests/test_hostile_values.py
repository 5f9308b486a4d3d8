"""Hostile values in front matter and sitegen.yaml come out inert in every output file,
checked with real parsers: html5lib for pages, json for JSON-LD, feedparser for feeds,
lxml for the sitemap."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import html5lib
import pytest
from lxml import etree

from sitegen.build import build

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
    (root / "static/images/a.png").write_bytes(b"not really a png")
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
    img = next(i for i in document.iter("img") if i.get("src") == "/images/a.png")
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
