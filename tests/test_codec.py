from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import typing
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from sitegen.cache.codec import (
    ARTICLE_SCHEMA,
    article_row,
    decode_row,
    make_codec,
    schema_fingerprint,
)
from sitegen.config.settings import Config
from sitegen.content import loading
from sitegen.errors import Location, Problem, Severity
from sitegen.model import Article, Author, LeadImage, Tag

PARIS = dt.timezone(dt.timedelta(hours=1))
# A non-default value for every field of Article: a field added without one here fails
# test_codec_round_trips_every_field, which is the point (give it one, and a codec).
SAMPLE: dict[str, Any] = {
    "source": Location(PurePosixPath("content/news/vigil.md"), 3),
    "slug": "vigil",
    "title": "Vigil “for” Narges – 2025",
    "date": dt.datetime(2025, 3, 1, 18, 30, tzinfo=PARIS),
    "author": Author("mina-ardalan", "Mina Ardalan", "/author/mina-ardalan/"),
    "tags": (Tag("paris", "Paris", "/tag/paris/"), Tag("krakow", "Kraków", "/tag/krakow/")),
    "image": LeadImage("/images/vigil.jpg", "Candles on the square", "Candles, Saturday"),
    "summary": "A vigil in Paris",
    "excerpt_html": "<p>Hundreds gathered…</p>",
    "description": "Hundreds gathered on Saturday",
    "body": "<p>Hundreds gathered… ü</p>".encode(),
    "url": "/vigil/",
    "output_path": "vigil/index.html",
    "draft": True,
    "updated": dt.datetime(2025, 3, 2, 9, 0, tzinfo=dt.UTC),
    "related_slugs": ("rally", "march"),
    "extra": {
        "event": {"when": dt.date(2025, 3, 1), "at": dt.datetime(2025, 3, 1, 18, tzinfo=PARIS)},
        "raw": b"\x00\xff\x10",
        ("lat", "lon"): [48.85, 2.35],
        (("nested", 1), "key"): {"deep": [dt.date(2024, 2, 29), {"$map": "not a tag"}]},
        dt.date(2025, 1, 1): None,
        "plain": [1, 2.5, True, "text", None],
    },
    "lang": "fa",
    "field_lines": {"title": 2, "date": 3, "tags": 4},
    "digest": "0123456789abcdef",
    "is_page": True,
    "categories": ("News", "Campaigns"),
    "aliases": ("/2025/03/01/vigil/", "/?p=123"),
    "translation_key": "content/vigil",
}
PROBLEMS = [Problem(Location(PurePosixPath("content/news/vigil.md"), 6), "odd", Severity.WARNING)]


def round_trip(article: Article) -> Article:
    """Through everything a cached parse result goes through: its row, and JSON text."""
    loaded, problems = decode_row(article_row("k", (article, PROBLEMS)))
    assert problems == PROBLEMS
    assert loaded is not None
    return loaded


def default_of(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def test_codec_round_trips_a_fully_populated_article() -> None:
    article = Article(**SAMPLE)
    again = round_trip(article)
    assert again == article
    assert again.field_lines == article.field_lines  # not compared by ==
    assert again.extra == SAMPLE["extra"]


def test_codec_round_trips_every_field() -> None:
    missing = {f.name for f in dataclasses.fields(Article)} - set(SAMPLE)
    assert not missing, f"give each new field a non-default value in SAMPLE: {missing}"
    again = round_trip(Article(**SAMPLE))
    for field in dataclasses.fields(Article):
        value = getattr(again, field.name)
        assert value == SAMPLE[field.name], field.name
        assert type(value) is type(SAMPLE[field.name]), field.name
        assert value and value != default_of(field), f"{field.name}: sample a non-default value"


def test_codec_round_trips_an_article_without_optional_values() -> None:
    article = Article(**{**SAMPLE, "image": None, "updated": None, "tags": (), "extra": {}})
    assert round_trip(article) == article


def test_decode_row_reads_the_format_stored_before_the_codec_was_derived() -> None:
    """The row format of store.SCHEMA 4. A new field changes it (add the field here); any
    other change to how a type is stored must bump SCHEMA too: old rows keep their keys."""
    value = (
        '{"article": {"source": ["content/a.md", 1], "slug": "a", "title": "A", '
        '"date": "2025-01-02T00:00:00+00:00", "author": ["staff", "Staff", "/author/staff/"], '
        '"tags": [["x", "X", "/tag/x/"]], "image": null, "summary": "", "description": "D", '
        '"url": "/a/", "output_path": "a/index.html", "draft": false, "updated": null, '
        '"related_slugs": [], "extra": {"$map": [["k", {"$date": "2025-01-01"}]]}, "lang": "", '
        '"field_lines": {"title": 2}, "digest": "d", "is_page": false, "categories": [], '
        '"aliases": [], "translation_key": "k"}, "problems": []}'
    )
    article, problems = decode_row(("d", value, b"<p>A</p>", "<p>A</p>"))
    assert problems == [] and article is not None
    assert article.date == dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    assert article.tags == (Tag("x", "X", "/tag/x/"),) and article.image is None
    assert article.extra == {"k": dt.date(2025, 1, 1)} and article.body_html == "<p>A</p>"
    assert article_row("d", (article, []))[1] == value  # and writes it the same way


def test_decode_row_interns_tags_bylines_and_paths() -> None:
    first = round_trip(Article(**SAMPLE))
    second = round_trip(Article(**{**SAMPLE, "slug": "other", "url": "/other/"}))
    assert first.tags[0] is second.tags[0] and first.author is second.author
    assert first.source.path is second.source.path


def test_make_codec_handles_a_new_field_of_a_known_type() -> None:
    @dataclasses.dataclass(frozen=True)
    class Longer(Article):
        note: str = ""
        reviewed: dt.datetime | None = None
        editors: tuple[Author, ...] = ()

    encode, decode = make_codec(Longer)
    editors = (SAMPLE["author"], Author("leila", "Leila", "/author/leila/"))
    longer = Longer(**SAMPLE, note="n", reviewed=SAMPLE["updated"], editors=editors)
    data = json.loads(json.dumps(encode(longer)))
    assert decode(data, longer.body, longer.excerpt_html) == longer


def test_make_codec_rejects_a_field_it_cannot_store_naming_it() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd(Article):
        seen: frozenset[str] = frozenset()

    with pytest.raises(TypeError, match=r"^Odd\.seen: the cache cannot store"):
        make_codec(Odd)


@dataclasses.dataclass(frozen=True)
class Sized:
    src: str
    taken: dt.date  # a date alone (not in `extra`): no codec for it


@dataclasses.dataclass(frozen=True)
class HoldsSized:
    image: Sized | None


def test_make_codec_rejects_a_nested_field_it_cannot_store_naming_it() -> None:
    with pytest.raises(TypeError, match=r"^HoldsSized\.image\.taken: the cache cannot store"):
        make_codec(HoldsSized)


def copy_of_article(**changed: Any) -> type[Any]:
    """Article made again from its fields (resolved types), some of them `changed`."""
    hints = typing.get_type_hints(Article)
    fields = [(f.name, changed.get(f.name, hints[f.name])) for f in dataclasses.fields(Article)]
    return dataclasses.make_dataclass("Article", fields, frozen=True)


def test_schema_fingerprint_depends_on_the_fields_only() -> None:
    assert schema_fingerprint(Article) == ARTICLE_SCHEMA
    assert schema_fingerprint(copy_of_article()) == ARTICLE_SCHEMA


def test_schema_fingerprint_changes_when_a_field_is_added() -> None:
    note = ("note", str, dataclasses.field(default=""))
    longer = dataclasses.make_dataclass("Article", [note], bases=(Article,), frozen=True)
    assert schema_fingerprint(longer) != ARTICLE_SCHEMA


def test_schema_fingerprint_changes_when_a_field_changes_type() -> None:
    assert schema_fingerprint(copy_of_article(lang=str | None)) != ARTICLE_SCHEMA
    assert schema_fingerprint(copy_of_article(aliases=tuple[Tag, ...])) != ARTICLE_SCHEMA


def test_schema_fingerprint_changes_when_a_held_dataclass_changes() -> None:
    def lead_image(*more: tuple[str, type]) -> type[Any]:
        fields = [("src", str), ("alt", str), ("caption", str), *more]
        return dataclasses.make_dataclass("LeadImage", fields, frozen=True)

    assert schema_fingerprint(copy_of_article(image=lead_image() | None)) == ARTICLE_SCHEMA
    wider = copy_of_article(image=lead_image(("width", int)) | None)
    assert schema_fingerprint(wider) != ARTICLE_SCHEMA


def test_parse_fingerprint_includes_the_article_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = Config(site_dir=tmp_path)
    before = loading.parse_fingerprint(config, False)
    monkeypatch.setattr(loading, "ARTICLE_SCHEMA", "another shape")
    assert loading.parse_fingerprint(config, False) != before


def test_store_knows_no_article() -> None:
    """cache/store.py is storage only: the model stays out of it (codec.py knows it)."""
    script = "import sys, sitegen.cache.store; print('sitegen.model' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "False\n", done.stderr
