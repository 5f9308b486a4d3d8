from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sitegen.config.settings import Config, MenuLink, SocialLink, load_config
from sitegen.errors import ConfigError


def write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sitegen.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text))
    return [str(p) for p in caught.value.problems]


def test_load_config_without_file_uses_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config(site_dir=tmp_path)
    assert (config.language, config.per_page, config.permalink) == ("en", 10, "/{slug}/")
    assert config.default_byline == "Staff Writer"


def test_load_config_reads_every_key(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            """\
title: Voices
base_url: https://example.org/archive
description: News
language: fr-CA
per_page: 5
permalink: /{year}/{month}/{slug}/
default_byline: Desk
copyright: (c) Voices
timezone: Europe/Paris
social:
  - {name: Mastodon, url: "https://mastodon.example/@v"}
menu:
  - {name: About, url: /about/}
  - {name: Donate, url: "https://donate.example/voices"}
""",
        )
    )
    assert config.title == "Voices"
    assert config.base_url == "https://example.org/archive/"  # trailing slash added
    assert config.language == "fr-CA"
    assert config.per_page == 5
    assert config.permalink == "/{year}/{month}/{slug}/"
    assert config.default_byline == "Desk"
    assert config.copyright == "(c) Voices"
    assert config.timezone == "Europe/Paris"
    assert config.social == (SocialLink("Mastodon", "https://mastodon.example/@v"),)
    assert config.menu == (
        MenuLink("About", "/about/"),
        MenuLink("Donate", "https://donate.example/voices"),
    )
    assert config.menu_line == 12


def test_load_config_reports_all_problems_with_lines(tmp_path: Path) -> None:
    text = "title: X\nper_pag: 3\nbase_url: example.org\nper_page: zero\nlanguage: english!\n"
    assert problems_of(tmp_path, text) == [
        "sitegen.yaml:2: unknown key 'per_pag'; did you mean 'per_page'?",
        "sitegen.yaml:3: base_url: 'example.org' is not an absolute URL; "
        "expected e.g. 'https://example.org/'",
        "sitegen.yaml:4: per_page: expected a whole number, got text 'zero'",
        "sitegen.yaml:5: language: 'english!' is not a language tag; expected e.g. 'en' or 'fr-CA'",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: [a\n", "sitegen.yaml:2: invalid YAML: did not find expected ',' or ']'"),
        (  # an unclosed quote is reported at the quote, not where the text ends
            'title: "Open\nper_page: 3\nlanguage: en\n',
            "sitegen.yaml:1: invalid YAML: a quoted value starts here and is never closed; "
            "end it with the same quote",
        ),
        ("- a\n- b\n", "sitegen.yaml:1: expected 'key: value' lines at the top level"),
        ("title: a\ntitle: b\n", "sitegen.yaml:2: title: duplicate key (first on line 1)"),
        ("per_page: 0\n", "sitegen.yaml:1: per_page: 0 is too small; expected at least 1"),
        (
            "per_page: true\n",
            "sitegen.yaml:1: per_page: expected a whole number, got true (a boolean)",
        ),
        ("title: [a, b]\n", "sitegen.yaml:1: title: expected text, got a list"),
        (
            "permalink: /{slug}\n",
            "sitegen.yaml:1: permalink: '/{slug}' must start and end with '/', e.g. '/{slug}/'",
        ),
        (
            "permalink: /{yr}/{slug}/\n",
            "sitegen.yaml:1: permalink: unknown placeholder 'yr'; use {day}, {month}, {slug}, {year}",
        ),
        (
            "permalink: /{year}/\n",
            "sitegen.yaml:1: permalink: '/{year}/' must contain {slug}, e.g. '/{year}/{slug}/'",
        ),
        (
            "timezone: Mars/Base\n",
            "sitegen.yaml:1: timezone: unknown time zone 'Mars/Base'; expected e.g. 'UTC' or 'Europe/Paris'",
        ),
        (  # a folder of zone files, where Python reads them from files (Debian's, tzdata)
            "timezone: Europe\n",
            "sitegen.yaml:1: timezone: unknown time zone 'Europe'; expected e.g. 'UTC' or 'Europe/Paris'",
        ),
        (
            "social: [{name: X, url: 'javascript:alert(1)'}]\n",
            "sitegen.yaml:1: social: 'javascript:alert(1)' is not an http(s) or mailto URL",
        ),
        (
            "menu: [{name: Home, url: 'javascript:alert(1)'}]\n",
            "sitegen.yaml:1: menu: 'javascript:alert(1)' is neither a path on this site "
            "('/about/') nor an http(s) or mailto URL",
        ),
        (
            "title: T\nmenu: [{name: Away, url: '//other.example/'}]\n",
            "sitegen.yaml:2: menu: '//other.example/' is neither a path on this site "
            "('/about/') nor an http(s) or mailto URL",
        ),
        (
            "menu: [{name: About, url: '/about us/'}]\n",
            "sitegen.yaml:1: menu: '/about us/' is not a usable path (spaces, quotes or backslashes)",
        ),
        (
            "menu: [{name: '', url: /about/}]\n",
            "sitegen.yaml:1: menu: the link to '/about/' has an empty name",
        ),
        (
            "menu: [{title: About, url: /about/}]\n",
            "sitegen.yaml:1: menu: expected a list of {name: ..., url: ...} items, e.g. "
            "{name: About, url: /about/}, got {'title': 'About', 'url': '/about/'}",
        ),
        (
            "menu: /about/\n",
            "sitegen.yaml:1: menu: expected a list of {name: ..., url: ...} items, e.g. "
            "{name: About, url: /about/}",
        ),
        (
            "markdown_engine: commonmark\n",
            "sitegen.yaml:1: markdown_engine: 'commonmark' is not one of 'markdown', 'cmark'",
        ),
        (
            "base_url: https://example.org/?a=1\n",
            "sitegen.yaml:1: base_url: 'https://example.org/?a=1' must not have a query or fragment",
        ),
    ],
)
def test_load_config_rejects_bad_values(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(tmp_path, text) == [expected]


def test_load_config_rejects_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_bytes(b"title: \xff\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.yaml:1: not valid UTF-8 text (byte 7: b'\\xff'); save the file as UTF-8"
    ]


def test_load_config_accepts_empty_file(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path, "# nothing set\n")).title == Config.title


def test_load_config_markdown_engine_defaults_to_python_markdown(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path, "title: X\n")).markdown_engine == "markdown"
    chosen = load_config(write_config(tmp_path, "markdown_engine: cmark\n"))
    assert chosen.markdown_engine == "cmark"


def test_load_config_cmark_without_cmarkgfm_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cmarkgfm", None)  # `import cmarkgfm` now fails
    assert problems_of(tmp_path, "title: X\nmarkdown_engine: cmark\n") == [
        "sitegen.yaml:2: markdown_engine: 'cmark' needs cmarkgfm, which is not installed; "
        "install it with: pip install 'sitegen[fast]'"
    ]
    assert load_config(write_config(tmp_path, "markdown_engine: markdown\n")).title == Config.title
