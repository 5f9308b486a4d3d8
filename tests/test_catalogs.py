"""The theme's gettext catalogs: every word of every template translated in each shipped
language, with the same placeholders and markup; a broken catalog is reported at its line."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from babel.messages.pofile import read_po

from sitegen.errors import ContentError
from sitegen.render.catalogs import (
    Catalog,
    Message,
    catalog_paths,
    load_catalog,
    locale_names,
    theme_messages,
)
from tests.conftest import REPO_ROOT, BuildSite, MakeSite, article

THEME = REPO_ROOT / "templates"
LOCALES = THEME / "locales"
SHIPPED = ["en", "fa", "ar", "fr", "de"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
MARKUP = re.compile(r"<(\w+)[^>]*>")


def messages() -> list[Message]:
    return theme_messages([THEME], REPO_ROOT)


def shipped(language: str) -> Catalog:
    [path] = catalog_paths([THEME], language)
    loaded = load_catalog(path, PurePosixPath(path.name))
    assert isinstance(loaded, Catalog), loaded
    return loaded


def test_theme_messages_are_found_in_every_template() -> None:
    found = {m.msgid for m in messages()}
    assert {"Continue Reading", "Tags", "By %(author)s", "Page not found"} <= found
    assert "%(count)s article" in found  # a plural, by its singular msgid
    places = {str(m.location) for m in messages() if m.msgid == "Continue Reading"}
    assert places == {"templates/article.html:58"}


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_catalog_translates_every_theme_message(language: str) -> None:
    """Every msgid the templates use, with every plural form filled in (an entry with an
    empty form does not count: it would show in English)."""
    missing = sorted({m.msgid for m in messages()} - shipped(language).translated)
    assert missing == []


def test_template_catalog_lists_exactly_the_theme_messages() -> None:
    """sitegen.pot is what `pybabel extract -F templates/locales/babel.cfg` makes of the
    templates: kept in step with them, so a translator starts from every message."""
    with (LOCALES / "sitegen.pot").open("rb") as file:
        template = read_po(file)
    listed = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert listed == {m.msgid for m in messages()}


@pytest.mark.parametrize("language", ["fa", "ar", "fr", "de"])
def test_translations_keep_the_placeholders_and_markup(language: str) -> None:
    path = LOCALES / language / "LC_MESSAGES" / "sitegen.po"
    with path.open("rb") as file:
        catalog = read_po(file)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[1]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        for form in forms:
            names = set(PLACEHOLDER.findall(form))
            wanted = set(PLACEHOLDER.findall(msgid))
            # a plural form may leave the number out ('مقالة واحدة': one article)
            ok = names == wanted or (isinstance(message.id, tuple) and names < wanted)
            if not ok or sorted(MARKUP.findall(form)) != sorted(MARKUP.findall(msgid)):
                wrong.append((msgid, form))
    assert wrong == []


def test_shipped_catalogs_use_cldr_plural_rules() -> None:
    forms = {}
    for language in SHIPPED:
        with (LOCALES / language / "LC_MESSAGES" / "sitegen.po").open("rb") as file:
            forms[language] = read_po(file).num_plurals
    assert forms == {"en": 2, "fa": 2, "ar": 6, "fr": 3, "de": 2}


def test_locale_names_go_from_specific_to_general() -> None:
    assert locale_names("pt-BR") == ["pt_BR", "pt"]
    assert locale_names("zh-Hant-TW") == ["zh_Hant_TW", "zh"]
    assert locale_names("fa") == ["fa"]


def test_site_catalog_comes_before_the_default_themes(make_site: MakeSite) -> None:
    root = make_site({"templates/locales/fa_IR/LC_MESSAGES/sitegen.po": "\n"})
    paths = catalog_paths([root / "templates", THEME], "fa-IR")
    assert paths == [
        root / "templates/locales/fa_IR/LC_MESSAGES/sitegen.po",
        LOCALES / "fa/LC_MESSAGES/sitegen.po",
    ]


def test_a_broken_catalog_is_a_problem_at_its_line(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    catalog = 'msgid ""\nmsgstr ""\n"Language: fa\\n"\n\nmsgid "Tags"\nmsgstr "x"\nno such line\n'
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nlanguage: fa\n",
            "content/a.md": article(),
            "templates/locales/fa/LC_MESSAGES/sitegen.po": catalog,
        }
    )
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "templates/locales/fa/LC_MESSAGES/sitegen.po:7: unknown or misformatted keyword"
        " (gettext catalog)"
    ]


def test_no_shipped_catalog_is_compiled_binary() -> None:
    """Catalogs are compiled in memory when read: no .mo file to keep in step."""
    assert list(Path(LOCALES).rglob("*.mo")) == []
