"""Dates in every output (RSS, Atom, sitemap, article page) and base_url checks."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree, html

from sitegen.cli import cli
from sitegen.content.article import parse_date, whole_minute_offset
from tests.conftest import BuildSite, MakeSite, article

DATA = Path(__file__).parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def dates_written(out: Path, slug: str) -> dict[str, str]:
    """Every place the article's date is written, checking each file is valid as it goes."""
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
    rss = etree.fromstring((out / "feed.xml").read_bytes())
    atom = etree.fromstring((out / "atom.xml").read_bytes())
    sitemap = etree.parse(str(out / "sitemap.xml"))
    etree.XMLSchema(etree.parse(str(DATA / "sitemap-0.9.xsd"))).assertValid(sitemap)
    page = html.fromstring((out / slug / "index.html").read_bytes())
    (ld_json,) = page.xpath("//script[@type='application/ld+json']/text()")
    lastmods = sitemap.findall(f"{SITEMAP}url/{SITEMAP}lastmod")
    return {
        "rss pubDate": rss.findtext("channel/item/pubDate"),
        "rss lastBuildDate": rss.findtext("channel/lastBuildDate"),
        "atom published": atom.findtext(f"{ATOM}entry/{ATOM}published"),
        "atom updated": atom.findtext(f"{ATOM}updated"),
        "sitemap lastmod": lastmods[0].text,
        "page time": page.xpath("//article//time/@datetime")[0],
        "page meta": page.xpath("//meta[@property='article:published_time']/@content")[0],
        "json-ld": json.loads(ld_json)["datePublished"],
    }


def expect_everywhere(rfc822: str, iso: str) -> dict[str, str]:
    return {
        "rss pubDate": rfc822,
        "rss lastBuildDate": rfc822,
        "atom published": iso,
        "atom updated": iso,
        "sitemap lastmod": iso,
        "page time": iso,
        "page meta": iso,
        "json-ld": iso,
    }


def test_dates_lmt_offset_is_written_in_whole_minutes_everywhere(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    # Amsterdam kept local mean time (+00:19:32) until 1937
    config = "base_url: https://example.org/\ntimezone: Europe/Amsterdam\n"
    root = make_site({"sitegen.yaml": config, "content/old.md": article("Old", "1900-01-01")})
    out = build_site(root)
    assert dates_written(out, "old") == expect_everywhere(
        "Mon, 01 Jan 1900 00:00:28 +0020", "1900-01-01T00:00:28+00:20"
    )
    for path in out.rglob("*"):
        if path.is_file():
            assert b"19:32" not in path.read_bytes(), path


def test_dates_front_matter_offset_with_seconds_is_rounded(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    text = article("Odd", '"2024-03-01T10:00:00+00:09:21"')
    out = build_site(make_site({"content/odd.md": text}))
    assert dates_written(out, "odd") == expect_everywhere(
        "Fri, 01 Mar 2024 10:00:39 +0010", "2024-03-01T10:00:39+00:10"
    )
    published = feedparser.parse((out / "atom.xml").read_bytes()).entries[0].published_parsed
    assert published[:6] == (2024, 3, 1, 9, 50, 39)  # the instant written is the one given


def test_dates_year_999_has_four_digits_everywhere(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    out = build_site(make_site({"content/early.md": article("Early", "0999-05-01")}))
    assert dates_written(out, "early") == expect_everywhere(
        "Wed, 01 May 0999 00:00:00 +0000", "0999-05-01T00:00:00+00:00"
    )


def test_whole_minute_offset_keeps_the_instant_and_the_day() -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")  # +00:09:21 before 1911: rounding down would
    when = parse_date(dt.date(1900, 1, 1), paris)  # move midnight into the day before
    assert when is not None
    assert when.isoformat() == "1900-01-01T00:00:39+00:10"
    assert when == dt.datetime(1900, 1, 1, tzinfo=paris)
    dublin = dt.datetime(1900, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Dublin"))
    assert whole_minute_offset(dublin).isoformat() == "1900-06-01T12:00:21-00:25"


def test_whole_minute_offset_leaves_ordinary_dates_alone() -> None:
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    when = dt.datetime(2024, 7, 1, 9, 30, tzinfo=amsterdam)
    assert whole_minute_offset(when) is when
    assert parse_date(dt.date(2024, 7, 1), amsterdam) == dt.datetime(2024, 7, 1, tzinfo=amsterdam)


EXPECTED = "; expected e.g. 'https://example.org/'"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"https://exa mple.org/"', "'https://exa mple.org/' contains whitespace or a control character"),
        ('"https://example.org/\\tnews/"', "'https://example.org/\\tnews/' contains whitespace or a control character"),
        ('"https://example.org/\\x01"', "'https://example.org/\\x01' contains whitespace or a control character"),
        ("https://example.org:70000/", "'https://example.org:70000/' has a port that is not a number from 1 to 65535"),
        ("https://example.org:abc/", "'https://example.org:abc/' has a port that is not a number from 1 to 65535"),
        ("https://example.org:0/", "'https://example.org:0/' has a port that is not a number from 1 to 65535"),
        ('"http://[::1/"', "'http://[::1/' is not a valid URL"),
    ],
)  # fmt: skip
def test_base_url_invalid_is_one_problem_through_the_cli(
    make_site: MakeSite, tmp_path: Path, written: str, message: str
) -> None:
    root = make_site({"sitegen.yaml": f"title: News\nbase_url: {written}\n"})
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"sitegen.yaml:2: base_url: {message}{EXPECTED}",
        "error: build failed (1 problem)",
    ]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_base_url_problems_are_reported_together(make_site: MakeSite, tmp_path: Path) -> None:
    url = "https://exa mple.org:99999/"
    root = make_site({"sitegen.yaml": f'base_url: "{url}"\nper_page: 0\n'})
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        f"sitegen.yaml:1: base_url: {url!r} contains whitespace or a control character{EXPECTED}",
        f"sitegen.yaml:1: base_url: {url!r} has a port that is not a number from 1 to 65535"
        + EXPECTED,
    ]
    assert lines[2].startswith("sitegen.yaml:2: per_page: ")
    assert lines[-1] == "error: build failed (3 problems)"


def test_base_url_with_a_valid_port_builds(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site({"sitegen.yaml": "base_url: https://example.org:8443/news\n"})
    out = build_site(root)
    assert "https://example.org:8443/news/sitemap.xml" in (out / "robots.txt").read_text()
