"""A page's language -> the theme's words in it (gettext catalogs, Babel's plural rules),
its dates and numbers (Babel's CLDR data) and its direction.

One `Localization` serves every language of a build; the language of each piece of text
is the page's (`page_language`), so one compiled template serves them all."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_month_names
from babel.numbers import format_decimal

from sitegen.config.settings import Config
from sitegen.errors import Location, Problem, shown, warning
from sitegen.model import RTL_LANGUAGES, Article
from sitegen.render.calendars import persian_date
from sitegen.render.catalogs import (
    DOMAIN,
    LOCALES,
    Message,
    catalog_paths,
    catalog_shown_path,
    load_catalog,
    theme_messages,
)

# The digits of the numbering systems CLDR makes the default of a right-to-left or South
# Asian language (Babel formats numbers with Latin digits and the locale's separators)
DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
    "deva": "०१२३४५६७८९",
    "beng": "০১২৩৪৫৬৭৮৯",
}
# Where a page's language is read when the page sets no `lang`: its article, its
# standalone page, or the article an old address sends readers to
PAGE_ITEMS = ("article", "page", "target")


@dataclass(frozen=True)
class LanguageOptions:
    """What a site says about one language's theme text (`languages:` in sitegen.yaml)."""

    strings: Mapping[str, str] = field(default_factory=dict)  # msgid -> the site's text
    calendar: str = "gregorian"  # or "persian" (Solar Hijri)


def language_options(config: Config) -> Mapping[str, LanguageOptions]:
    """Each language's options from the config (`languages:`), by language tag."""
    return {
        tag: LanguageOptions(strings=settings.strings, calendar=settings.calendar)
        for tag, settings in config.languages.items()
    }


def site_localization(config: Config, template_dirs: Sequence[Path]) -> Localization:
    """The build's Localization: the site's language as the default, each language's
    options from the config (`language_options`)."""
    return Localization(template_dirs, config.site_dir, config.language, language_options(config))


def is_source_language(tag: str) -> bool:
    """English: the theme's msgids are its words, so it never lacks a translation."""
    return tag.split("-")[0].split("_")[0].lower() == "en"


def babel_locale(tag: str) -> Locale:
    """Babel's locale for a language tag. Plain 'en' is CLDR's international English
    ('14 March 2025'; 'en-US' writes 'March 14, 2025'); a language CLDR lacks, English."""
    if tag.lower() == "en":
        return Locale.parse("en_001")
    for candidate in (tag, tag.split("-")[0]):
        try:
            return Locale.parse(candidate, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en_001")


class Language:
    """One language's theme words, numbers and dates."""

    def __init__(
        self,
        tag: str,
        translations: gettext.NullTranslations,
        translated: frozenset[str],
        options: LanguageOptions,
    ) -> None:
        self.tag, self.translations, self.options = tag, translations, options
        self.translated = translated | frozenset(options.strings)
        self.locale = babel_locale(tag)
        self.is_rtl = tag.split("-")[0].lower() in RTL_LANGUAGES
        system = self.locale.default_numbering_system
        self._digits = str.maketrans("0123456789", DIGITS[system]) if system in DIGITS else {}

    @property
    def direction(self) -> str:
        return "rtl" if self.is_rtl else "ltr"

    def gettext(self, message: str) -> str:
        text = self.options.strings.get(message)
        return self.translations.gettext(message) if text is None else text

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        text = self.options.strings.get(singular if count == 1 else plural)
        return self.translations.ngettext(singular, plural, count) if text is None else text

    def digits(self, text: str) -> str:
        """Latin digits as the language writes them (Persian: ۰۱۲۳)."""
        return text.translate(self._digits) if self._digits else text

    def number(self, value: float, grouping: bool = True) -> str:
        """'1,234' in English, '۱٬۲۳۴' in Persian; years and page numbers without grouping."""
        pattern = None if grouping else "0"
        text = format_decimal(value, pattern, locale=self.locale, numbering_system="default")
        return self.digits(text)

    def date(self, when: dt.date) -> str:
        """The language's long date ('14 March 2025', '۲۴ اسفند ۱۴۰۳' in Solar Hijri)."""
        if self.options.calendar == "persian":
            solar = persian_date(when, self.locale.language)
            plain = functools.partial(self.number, grouping=False)
            return f"{plain(solar.day)} {solar.month_name} {plain(solar.year)}"
        day = dt.date(when.year, when.month, when.day)  # a datetime's own day, not UTC's
        return self.digits(format_date(day, "long", locale=self.locale))

    def month_name(self, month: int) -> str:
        """A Gregorian month's name, as in a list of months ('March', 'مارس')."""
        return str(get_month_names("wide", "stand-alone", locale=self.locale)[month])

    def month_year(self, year: int, month: int) -> str:
        """A Gregorian month of a year ('March 2025', 'mars 2025')."""
        return self.digits(format_skeleton("yMMMM", dt.date(year, month, 1), locale=self.locale))

    def formatted(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        """A message's variables, numbers written as the language writes them."""
        return {
            name: self.number(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
            for name, value in variables.items()
        }


class Localization:
    """Every language a build's pages use, each made when first needed, with the problems
    its catalogs have (reported by the renderer)."""

    def __init__(
        self,
        template_dirs: Sequence[Path],
        site_dir: Path,
        default: str,
        options: Mapping[str, LanguageOptions],
    ) -> None:
        self.template_dirs, self.site_dir = template_dirs, site_dir
        self.default, self.options = default, options
        self.problems: dict[str, Problem] = {}
        self._languages: dict[str, Language] = {}
        self._catalogs: dict[str, list[Path]] = {}

    def language(self, tag: str) -> Language:
        found = self._languages.get(tag)
        if found is None:
            found = self._languages[tag] = self._load(tag)
        return found

    def of(self, context: Any) -> Language:
        """The language of the page a template renders (`page_language`)."""
        return self.language(page_language(context, self.default))

    def _load(self, tag: str) -> Language:
        """The site's catalog over the default theme's; English (the msgids) under both."""
        first: gettext.NullTranslations | None = None
        translated: frozenset[str] = frozenset()
        self._catalogs[tag] = paths = catalog_paths(self.template_dirs, tag)
        for path in paths:
            loaded = load_catalog(path, catalog_shown_path(path, self.site_dir))
            if isinstance(loaded, Problem):
                self.problems.setdefault(str(loaded), loaded)
                continue
            translated |= loaded.translated
            if first is None:
                first = loaded.translations
            else:
                first.add_fallback(loaded.translations)
        options = self.options.get(tag, LanguageOptions())
        return Language(tag, first or gettext.NullTranslations(), translated, options)

    def missing(self, messages: Sequence[Message], tags: Iterable[str]) -> list[Problem]:
        """Warnings for the theme's words that a language shows in English: one per
        message (at its first place), or one for a language without any catalog."""
        found = []
        for tag in sorted(set(tags)):
            if is_source_language(tag):
                continue
            language = self.language(tag)
            if not self._catalogs[tag] and not language.options.strings:
                where = PurePosixPath("templates", LOCALES, tag, "LC_MESSAGES", f"{DOMAIN}.po")
                message = f"no gettext catalog for {shown(tag)}; the theme's words are in English"
                found.append(warning(Location(where), message))
                continue
            missing = {m.msgid: m for m in reversed(messages) if m.msgid not in language.translated}
            for item in sorted(missing.values(), key=lambda m: m.location):
                text = f"no {shown(tag)} translation of {shown(item.msgid)}; shown in English"
                found.append(warning(item.location, text))
        return found


def page_language(context: Any, default: str) -> str:
    """The language of the page being rendered: its `lang` variable, else the language
    of its article (or page), else the site's. The one place that decides it."""
    lang = context.get("lang")
    if isinstance(lang, str) and lang:
        return lang
    for name in PAGE_ITEMS:
        item = context.get(name)
        if isinstance(item, Article) and item.lang:
            return item.lang
    return default


def used_languages(config: Config, items: Iterable[Article]) -> list[str]:
    """Every language a site's pages are in: the site's, and its articles' and pages'."""
    found = {config.language, *language_options(config)}
    found.update(item.lang for item in items if item.lang)
    return sorted(found)


def untranslated_words(
    localization: Localization, config: Config, items: Iterable[Article]
) -> list[Problem]:
    """`--strict`'s warnings for the theme's words some page shows in English although
    it is in another language. Read from the templates and catalogs, not from rendering:
    a rebuild that renders nothing warns the same."""
    messages = theme_messages(localization.template_dirs, localization.site_dir)
    return localization.missing(messages, used_languages(config, items))
