"""The `languages:` mapping of sitegen.yaml -> one LanguageSettings per language tag, each
problem at its own line. A site without `languages:` gets an empty mapping and builds as a
one-language site."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sitegen.config.yamldoc import Entry, FieldReader, clean_text
from sitegen.errors import Location, Problem, error, not_installed, shown, suggest

CALENDARS = ("gregorian", "persian")
LANGUAGE_KEYS = {
    "title", "description", "menu", "base_url", "strings", "calendar", "default_byline",
}  # fmt: skip
_TAG_SHAPE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
EXAMPLE = "e.g. languages: {fa: {title: 'آرشیو خبر'}}"


@dataclass(frozen=True)
class LanguageSettings:
    """What one language of a multilingual site says about itself."""

    tag: str
    title: str
    description: str = ""
    menu: tuple[Any, ...] = ()  # MenuLink items, as Config.menu
    base_url: str = ""  # the language on its own domain ('' : under the site's, at /<tag>/)
    strings: Mapping[str, str] = field(default_factory=dict)  # theme msgid -> this text
    calendar: str = "gregorian"
    default_byline: str = ""  # for this language's articles without a byline ('': the site's)
    line: int = 1  # where sitegen.yaml names the language, for its problems
    menu_line: int = 1  # where it gives its menu (its own line if it gives none)


def is_known_language(tag: str) -> bool:
    """Whether `tag` is a BCP 47 tag of a language the CLDR knows ('fa', 'fr-CA', not 'xx')."""
    if not _TAG_SHAPE.match(tag):
        return False
    from babel import Locale, UnknownLocaleError  # only sites with languages need it

    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _LanguageReader(FieldReader):
    """A FieldReader over one language's settings whose problems read
    `languages: fa: title: ...`."""

    def __init__(self, entries: Mapping[str, Entry], path: PurePosixPath, tag: str) -> None:
        super().__init__(entries, path)
        self.tag = tag

    def fail(self, key: str, message: str) -> None:
        self.problems.append(error(self.location(key), f"languages: {self.tag}: {key}: {message}"))


def read_languages(
    reader: FieldReader,
    text: str,
    defaults: Mapping[str, str],
    read_menu: Callable[[FieldReader], tuple[Any, ...]],
    check_base_url: Callable[[str], list[str]],
    read_byline: Callable[[FieldReader], str],
) -> dict[str, LanguageSettings]:
    """The `languages` mapping, tag -> settings; `defaults` gives the site's title,
    description and default language; `read_menu` and `read_byline` read a `menu` list
    and a `default_byline` as settings.py does."""
    entry = reader.entries.get("languages")
    if entry is None or entry.value is None:
        return {}
    if not isinstance(entry.value, dict) or not entry.value:
        reader.fail("languages", f"expected a mapping of language tag -> settings; {EXAMPLE}")
        return {}
    lines = text.splitlines()
    languages: dict[str, LanguageSettings] = {}
    for tag, settings in entry.value.items():
        line = _line_of(lines, str(tag), entry.line)
        where = Location(reader.path, line)
        if not isinstance(tag, str) or not is_known_language(tag):
            message = f"languages: unknown language {shown(tag)}"
            expected = "expected a language tag such as 'fa', 'fr' or 'pt-BR'"
            reader.problems.append(error(where, f"{message}; {expected}"))
            continue
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            message = f"languages: {tag}: expected a mapping of settings (title, menu...)"
            reader.problems.append(error(where, message))
            continue
        entries = {
            str(key): Entry(str(key), value, _line_of(lines, str(key), line))
            for key, value in settings.items()
        }
        sub = _LanguageReader(entries, reader.path, tag)
        languages[tag] = _settings(sub, tag, line, defaults, read_menu, check_base_url)
        if "default_byline" in entries:
            languages[tag] = dataclasses.replace(languages[tag], default_byline=read_byline(sub))
        reader.problems += sub.problems
    return languages


def _settings(
    reader: _LanguageReader,
    tag: str,
    line: int,
    defaults: Mapping[str, str],
    read_menu: Callable[[FieldReader], tuple[Any, ...]],
    check_base_url: Callable[[str], list[str]],
) -> LanguageSettings:
    calendar = reader.string("calendar", "gregorian")
    if calendar not in CALENDARS:
        reader.fail("calendar", f"{shown(calendar)} is not one of 'gregorian', 'persian'")
        calendar = "gregorian"
    elif calendar == "persian" and importlib.util.find_spec("jdatetime") is None:
        reader.fail("calendar", f"'persian' {not_installed('jdatetime', 'persian')}")
        calendar = "gregorian"
    base_url = reader.string("base_url")
    if base_url:
        for problem in check_base_url(base_url):
            reader.fail("base_url", problem)
        base_url = base_url if base_url.endswith("/") else base_url + "/"
    for key, entry in reader.entries.items():
        if key not in LANGUAGE_KEYS:
            where = Location(reader.path, entry.line)
            message = f"languages: {tag}: unknown key {shown(key)}{suggest(key, LANGUAGE_KEYS)}"
            reader.problems.append(error(where, message))
    return LanguageSettings(
        tag=tag,
        title=reader.string("title", defaults["title"]) or defaults["title"],
        description=reader.string("description", defaults["description"]),
        menu=read_menu(reader),
        base_url=base_url,
        strings=_strings(reader),
        calendar=calendar,
        line=line,
        menu_line=reader.entries["menu"].line if "menu" in reader.entries else line,
    )


def host_problems(
    languages: Mapping[str, LanguageSettings], default: str, site_base_url: str, config_name: str
) -> list[Problem]:
    """A language's own domain (`base_url`) that cannot be one: the default language's
    other than the site's (it is published at the site's base_url), or one domain for two
    languages (or for a language and the site): their pages would share one root."""
    problems = []
    taken = {site_base_url: "the site"} if site_base_url else {}
    for tag, settings in languages.items():
        where = Location(PurePosixPath(config_name), settings.line)
        if not settings.base_url or (tag == default and settings.base_url == site_base_url):
            continue
        if tag == default:
            message = (
                f"languages: {tag}: base_url: {shown(settings.base_url)} differs from the "
                f"site's; the default language is published at the site's base_url"
            )
        elif settings.base_url in taken:
            message = (
                f"languages: {tag}: base_url: {shown(settings.base_url)} is also "
                f"{taken[settings.base_url]}'s; each language on its own domain needs its own"
            )
        else:
            taken[settings.base_url] = f"language {tag!r}"
            continue
        problems.append(error(where, message))
    return problems


def on_one_domain(languages: Mapping[str, LanguageSettings]) -> dict[str, LanguageSettings]:
    """Every language under the site's own address ('/fa/'), as a preview server or an
    offline copy needs them: no language on a domain of its own."""
    return {tag: dataclasses.replace(s, base_url="") for tag, s in languages.items()}


def settle_domains(
    languages: Mapping[str, LanguageSettings], default: str, site_base_url: str, reader: FieldReader
) -> dict[str, LanguageSettings]:
    """The languages with the default's `base_url` (the site's own: `host_problems`)
    dropped; their domains' problems added to the reader's (unless it has some already)."""
    if not reader.problems:
        reader.problems += host_problems(languages, default, site_base_url, str(reader.path))
    return {
        tag: dataclasses.replace(s, base_url="") if tag == default else s
        for tag, s in languages.items()
    }


def hosts(languages: Mapping[str, LanguageSettings]) -> dict[str, str]:
    """Language prefix ('/fa') -> base_url, for each language on its own domain."""
    return {f"/{tag}": s.base_url for tag, s in languages.items() if s.base_url}


def _strings(reader: FieldReader) -> dict[str, str]:
    entry = reader.entries.get("strings")
    if entry is None or entry.value is None:
        return {}
    if not isinstance(entry.value, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in entry.value.items()
    ):
        reader.fail("strings", "expected a mapping of theme text -> its translation")
        return {}
    return {clean_text(key): clean_text(value) for key, value in sorted(entry.value.items())}


def _line_of(lines: list[str], key: str, first: int) -> int:
    """The first line from `first` on that starts with `key:` (the mapping's own line for
    flow style, where keys share a line)."""
    keys = (f"{key}:", f'"{key}":', f"'{key}':")
    for number in range(first + 1, len(lines) + 1):
        if lines[number - 1].strip().startswith(keys):
            return number
    return first
