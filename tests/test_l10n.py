"""The theme in a page's language: its words (catalogs, plural forms, a site's overrides),
dates (CLDR, or Solar Hijri), digits, direction, and --strict's warnings for words left
in English."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import html5lib
import jdatetime
import pytest

from sitegen.build import build
from sitegen.render import l10n
from sitegen.render.calendars import calendar_problem, persian_date
from sitegen.render.l10n import Language, LanguageOptions, Localization
from tests.conftest import REPO_ROOT, BuildSite, MakeSite, article

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def language(tag: str, **options: Any) -> Language:
    localization = Localization([REPO_ROOT / "templates"], REPO_ROOT, "en", {})
    if options:
        localization.options = {tag: LanguageOptions(**options)}
    return localization.language(tag)


def text_of(path: Path, selector: str) -> list[str]:
    """The text of every element of a class (`.listing-count`) or tag (`time`)."""
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    if selector.startswith("."):
        found = [e for e in tree.iter() if selector[1:] in (e.get("class") or "").split()]
    else:
        found = list(tree.iter(selector))
    return ["".join(e.itertext()).strip() for e in found]


def with_options(monkeypatch: pytest.MonkeyPatch, options: Mapping[str, LanguageOptions]) -> None:
    """A site's `languages:` options, until the config reads them (l10n.language_options)."""
    monkeypatch.setattr(l10n, "language_options", lambda config: options)


def test_plural_forms_follow_each_languages_rules() -> None:
    def article_count(tag: str, count: int) -> str:
        text = language(tag).ngettext("%(count)s article", "%(count)s articles", count)
        return text % {"count": count}

    assert [article_count("en", n) for n in (1, 2)] == ["1 article", "2 articles"]
    assert [article_count("ar", n) for n in (0, 1, 2, 3, 11, 100)] == [
        "لا مقالات", "مقالة واحدة", "مقالتان", "3 مقالات", "11 مقالة", "100 مقالة",
    ]  # fmt: skip
    assert [article_count("fr", n) for n in (0, 1, 2, 1_000_000)] == [
        "0 article", "1 article", "2 articles", "1000000 d’articles",
    ]  # fmt: skip
    assert article_count("fa", 12) == "12 مقاله"


def test_numbers_in_each_languages_digits_and_separators() -> None:
    assert language("en").number(12345) == "12,345"
    assert language("fa").number(12345) == "۱۲٬۳۴۵"
    assert language("fa").number(2025, grouping=False) == "۲۰۲۵"
    assert language("de").number(12345) == "12.345"
    assert language("ar").number(12345) == "12,345"  # CLDR's Arabic default: Latin digits


def test_dates_in_each_languages_long_format() -> None:
    day = dt.datetime(2025, 3, 14, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert language("en").date(day) == "14 March 2025"  # as before localization
    assert language("en-US").date(day) == "March 14, 2025"
    assert language("fa").date(day) == "۱۴ مارس ۲۰۲۵"
    assert language("fr").date(day) == "14 mars 2025"
    assert language("de").date(day) == "14. März 2025"
    assert language("fa").month_year(2025, 3) == "مارس ۲۰۲۵"


@pytest.mark.parametrize(
    "day",
    [dt.date(2024, 3, 19), dt.date(2024, 3, 20), dt.date(2025, 3, 20), dt.date(2025, 3, 21),
     dt.date(2025, 12, 31), dt.date(1999, 1, 1)],
)  # fmt: skip
def test_persian_calendar_dates_are_jdatetimes(day: dt.date) -> None:
    solar = jdatetime.date.fromgregorian(date=day)
    month = jdatetime.date.j_months_fa[solar.month - 1]
    expected = f"{solar.day} {month} {solar.year}".translate(PERSIAN_DIGITS)
    assert language("fa", calendar="persian").date(day) == expected


def test_persian_calendar_on_known_days() -> None:
    """Nowruz 1404 fell on 21 March 2025 (the equinox came after noon in Tehran)."""
    persian = language("fa", calendar="persian")
    assert persian.date(dt.date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"
    assert persian.date(dt.date(2025, 3, 20)) == "۳۰ اسفند ۱۴۰۳"
    assert language("en", calendar="persian").date(dt.date(2025, 3, 21)) == "1 Farvardin 1404"


def test_persian_calendar_without_jdatetime_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def without_jdatetime(name: str, *args: Any) -> Any:
        if name == "jdatetime":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_jdatetime)
    expected = (
        "'persian' needs jdatetime, which is not installed; "
        "install it with: pip install 'sitegen[persian]'"
    )
    assert calendar_problem("persian") == expected
    with pytest.raises(LookupError, match="pip install 'sitegen.persian.'"):
        persian_date(dt.date(2025, 1, 1), "fa")
    assert calendar_problem("gregorian") is None
    assert (
        calendar_problem("julian")
        == "'julian' is not a calendar; expected one of gregorian, persian"
    )


def persian_site(make_site: MakeSite, **files: str) -> Path:
    config = "title: صداهای آزاد\nbase_url: https://example.org/\nlanguage: fa\nper_page: 2\n"
    articles = {
        f"content/a{n}.md": article(f"خبر {n}", date=f"2025-03-1{n}", tags="[Vigils]")
        for n in (1, 2, 3)
    }
    return make_site({"sitegen.yaml": config, **articles, **files})


def test_persian_site_pages_have_persian_words_dates_and_digits(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    out = build_site(persian_site(make_site))
    home = (out / "index.html").read_text()
    assert home.startswith('<!doctype html>\n<html lang="fa" dir="rtl">')
    assert ">بیشتر بخوانید<" in home and "Continue Reading" not in home
    assert text_of(out / "index.html", "time")[0] == "۱۳ مارس ۲۰۲۵"
    assert '<time datetime="2025-03-13T00:00:00+00:00">' in home  # ISO, Gregorian, Latin
    assert text_of(out / "tag/vigils/index.html", ".listing-count") == ["۳ مقاله · صفحهٔ ۱ از ۲"]
    assert text_of(out / "2025/03/index.html", "h1") == ["مارس ۲۰۲۵"]
    assert text_of(out / "archive/index.html", ".count") == ["۳ مقاله", "۳"]
    assert text_of(out / "a1/index.html", ".byline") == ["نوشتهٔ Staff Writer"]


def test_english_site_keeps_its_words(make_site: MakeSite, build_site: BuildSite) -> None:
    out = build_site(make_site({"content/a.md": article("A", tags="[Vigils]")}))
    home = (out / "index.html").read_text()
    assert home.startswith('<!doctype html>\n<html lang="en">\n')
    assert "Continue Reading<span" in home
    assert text_of(out / "tag/vigils/index.html", ".listing-count") == ["1 article"]


def test_persian_article_on_an_english_site_is_a_persian_page(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/fa.md": article("خبر", date="2025-03-14", lang="fa"),
            "content/en.md": article("News", date="2025-03-13"),
        }
    )
    out = build_site(root)
    assert text_of(out / "fa/index.html", "time") == ["۱۴ مارس ۲۰۲۵"]
    assert text_of(out / "en/index.html", "time") == ["13 March 2025"]
    # on the English home page each teaser speaks its article's language
    assert text_of(out / "index.html", ".more") == ["بیشتر بخوانید: خبر", "Continue Reading: News"]
    assert text_of(out / "index.html", ".skip-link") == ["Skip to main content"]


def test_calendar_persian_in_built_pages(
    make_site: MakeSite, build_site: BuildSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_options(monkeypatch, {"fa": LanguageOptions(calendar="persian")})
    out = build_site(persian_site(make_site))
    assert text_of(out / "a1/index.html", "time")[0] == "۲۱ اسفند ۱۴۰۳"  # then related ones
    assert '<time datetime="2025-03-11T00:00:00+00:00">' in (out / "a1/index.html").read_text()


def test_a_sites_strings_override_the_catalog(
    make_site: MakeSite, build_site: BuildSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    strings = {"Skip to main content": "رفتن به متن", "%(count)s articles": "%(count)s خبر"}
    with_options(monkeypatch, {"fa": LanguageOptions(strings=strings)})
    out = build_site(persian_site(make_site))
    assert text_of(out / "index.html", ".skip-link") == ["رفتن به متن"]
    assert text_of(out / "tag/vigils/index.html", ".listing-count") == ["۳ خبر · صفحهٔ ۱ از ۲"]


def test_one_compiled_theme_serves_every_language(make_site: MakeSite, tmp_path: Path) -> None:
    """Compiled templates are kept between builds and hold no language: switching the
    site's language with the cache warm changes every word."""
    root = make_site({"content/a.md": article("A", date="2025-03-14")})
    build(root, tmp_path / "out")
    (root / "sitegen.yaml").write_text("base_url: https://example.org/\nlanguage: de\n")
    build(root, tmp_path / "out")
    page = tmp_path / "out/a/index.html"
    assert text_of(page, "time") == ["14. März 2025"]
    assert text_of(page, ".skip-link") == ["Zum Hauptinhalt springen"]


def test_strict_warns_of_words_left_in_english(make_site: MakeSite, tmp_path: Path) -> None:
    catalog = (
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Tags"\nmsgstr "Etiquetas"\n\n'
        'msgid "%(count)s article"\nmsgid_plural "%(count)s articles"\n'
        'msgstr[0] "%(count)s artículo"\nmsgstr[1] ""\n'
    )
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nlanguage: es\n",
            "content/a.md": article("A", tags="[Vigils]"),
            "content/b.md": article("B", lang="it"),
            "templates/locales/es/LC_MESSAGES/sitegen.po": catalog,
        }
    )
    report = build(root, tmp_path / "out", strict=True)
    warned = [str(p) for p in report.warnings]
    assert (
        "(default theme)/templates/404.html:2: warning: no 'es' translation of 'Page not found'; shown in English"
        in warned
    )
    assert (
        "(default theme)/templates/_macros.html:6: warning: no 'es' translation of 'By %(author)s'; shown in English"
        in warned
    )
    assert not any("'Tags'" in line for line in warned)
    # a plural with an empty form is not translated: it shows, and is reported, in English
    assert any("no 'es' translation of '%(count)s article'" in line for line in warned)
    assert text_of(tmp_path / "out/tag/vigils/index.html", ".listing-count") == ["1 article"]
    assert (
        "templates/locales/it/LC_MESSAGES/sitegen.po: warning: no gettext catalog for 'it'; the theme's words are in English"
        in warned
    )
    assert len([w for w in warned if "'Page'" in w]) == 1  # once per message, not per use
    assert build(root, tmp_path / "plain").warnings == ()  # only --strict reports them


def test_strict_english_and_shipped_languages_warn_of_nothing(
    make_site: MakeSite, tmp_path: Path
) -> None:
    files = {f"content/{tag}.md": article(tag, lang=tag) for tag in ("fa", "ar", "fr", "de")}
    report = build(
        make_site({"content/en.md": article("en"), **files}), tmp_path / "out", strict=True
    )
    assert report.warnings == ()


def test_an_edited_catalog_changes_the_pages_on_the_next_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    catalog = (
        'msgid ""\nmsgstr ""\n"Language: fa\\n"\n\nmsgid "Skip to main content"\nmsgstr "{}"\n'
    )
    path = "templates/locales/fa/LC_MESSAGES/sitegen.po"
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nlanguage: fa\n",
            "content/a.md": article("A"),
            path: catalog.format("برو به متن"),
        }
    )
    build(root, tmp_path / "out")
    assert text_of(tmp_path / "out/a/index.html", ".skip-link") == ["برو به متن"]
    (root / path).write_text(catalog.format("رفتن به متن اصلی"), encoding="utf-8")
    build(root, tmp_path / "out")
    assert text_of(tmp_path / "out/a/index.html", ".skip-link") == ["رفتن به متن اصلی"]
    assert text_of(tmp_path / "out/a/index.html", ".more") == []  # not on an article page
    assert "بیشتر بخوانید" in (tmp_path / "out/index.html").read_text()  # the theme's, below
