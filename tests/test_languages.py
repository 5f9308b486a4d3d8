"""Multilingual sites: languages in sitegen.yaml, translations, per-language URLs, listings
and feeds, hreflang alternates (pages and sitemap), the language switcher and JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import feedparser
import html5lib
import pytest
from lxml import etree

from sitegen.build import build
from sitegen.config.settings import load_config
from sitegen.errors import ConfigError, ContentError
from tests.conftest import BuildSite, MakeSite, article

DATA = Path(__file__).parent / "data"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONFIG = """\
title: Open Voices
base_url: https://example.org/
per_page: 2
languages:
  fa:
    title: صداهای آزاد
    description: آرشیو خبر حقوق بشر
    calendar: persian
  fr:
    title: Voix libres
    menu:
      - {name: À propos, url: /fr/about/}
"""


def multilingual_files() -> dict[str, str]:
    """Three English articles, two with Persian and one with a French translation, a
    Persian one of its own, and an About page in English and French. Tags: 'Lawyers' is
    'وکلا' and 'Avocats' in the translations, 'UN' is spelled the same in English and
    Persian, 'Economy' is English only."""
    return {
        "sitegen.yaml": CONFIG,
        "content/vigil.md": article("Vigil for lawyers", "2025-03-01", tags="[Lawyers, UN]"),
        "content/vigil.fa.md": article(
            "شب‌زنده‌داری برای وکلا", "2025-03-01", tags="[وکلا, UN]", body="متن فارسی."
        ),
        "content/vigil.fr.md": article("Veillée pour les avocats", "2025-03-01", tags="[Avocats]"),
        "content/rally.md": article("Rally", "2025-02-01", tags="[Lawyers]"),
        "content/rally-persian.md": article(
            "تجمع", "2025-02-01", tags="[وکلا]", lang="fa", translation_key="content/rally"
        ),
        "content/march.md": article("March", "2025-01-01", tags="[Economy]"),
        "content/only.fa.md": article("فقط فارسی", "2024-12-01", tags="[وکلا]"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "content/pages/about.fr.md": "---\ntitle: À propos\n---\nQui sommes-nous.\n",
    }


@pytest.fixture(scope="module")
def site_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("multilingual")
    for rel, text in multilingual_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = root / "out"
    build(root, out, use_cache=False)
    return out


def parse(path: Path) -> etree._Element:
    return html5lib.parse(path.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)


def pages(out: Path) -> dict[str, Path]:
    """Site URL -> its HTML file, for every page but the 404 page."""
    found = {}
    for path in out.rglob("index.html"):
        rel = path.parent.relative_to(out).as_posix()
        found["/" if rel == "." else f"/{rel}/"] = path
    return found


def hreflang(tree: etree._Element) -> dict[str, str]:
    """hreflang -> site path of the page's alternate links."""
    links = tree.findall(".//head/link[@rel='alternate'][@hreflang]")
    return {link.get("hreflang"): unquote(urlsplit(link.get("href")).path) for link in links}


def test_load_config_reads_languages_with_their_settings(make_site: MakeSite) -> None:
    config = load_config(make_site({"sitegen.yaml": CONFIG}))
    assert list(config.languages) == ["fa", "fr"]
    persian = config.languages["fa"]
    assert (persian.title, persian.calendar, persian.menu) == ("صداهای آزاد", "persian", ())
    assert config.languages["fr"].menu[0].url == "/fr/about/"
    assert config.languages["fr"].calendar == "gregorian"


def test_load_config_without_languages_is_one_language(make_site: MakeSite) -> None:
    assert load_config(make_site({})).languages == {}


def test_unknown_language_tags_and_bad_values_are_errors_at_their_lines(
    make_site: MakeSite,
) -> None:
    text = (
        "base_url: https://example.org/\n"
        "languages:\n"
        "  xx:\n"
        "    title: Nothing\n"
        "  fa:\n"
        "    calendar: julian\n"
        "    titel: Oops\n"
        "    strings: [a]\n"
        "  fr: just text\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(make_site({"sitegen.yaml": text}))
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.yaml:3: languages: unknown language 'xx'; "
        "expected a language tag such as 'fa', 'fr' or 'pt-BR'",
        "sitegen.yaml:6: languages: fa: calendar: 'julian' is not one of 'gregorian', 'persian'",
        "sitegen.yaml:7: languages: fa: unknown key 'titel'; did you mean 'title'?",
        "sitegen.yaml:8: languages: fa: strings: expected a mapping of theme text -> its "
        "translation",
        "sitegen.yaml:9: languages: fr: expected a mapping of settings (title, menu...)",
    ]


def test_each_language_has_its_pages_listings_tags_and_feeds_under_its_prefix(
    site_out: Path,
) -> None:
    urls = set(pages(site_out))
    expected = {
        "/vigil/", "/rally/", "/march/", "/about/", "/tag/lawyers/", "/page/2/",
        "/fa/", "/fa/vigil/", "/fa/rally-persian/", "/fa/only/", "/fa/page/2/",
        "/fa/tag/wkhl/", "/fa/tags/", "/fa/archive/", "/fa/2025/", "/fa/author/staff-writer/",
        "/fr/", "/fr/vigil/", "/fr/about/", "/fr/tag/avocats/", "/fr/tags/", "/fr/archive/",
    }  # fmt: skip
    assert expected <= urls
    assert "/fa/about/" not in urls and "/fr/rally/" not in urls
    for folder in ("", "fa/", "fr/"):
        assert (site_out / folder / "feed.xml").is_file()
        assert (site_out / folder / "atom.xml").is_file()
    home = parse(site_out / "index.html")
    teasers = [a.get("href") for a in home.iterfind(".//main//h2/a")]
    assert teasers == ["/vigil/", "/rally/"]  # English only: no translation on the home page


def test_every_page_says_its_language_and_direction(site_out: Path) -> None:
    for url, path in pages(site_out).items():
        root = parse(path).getroot()
        language = url.split("/")[1] if url.startswith(("/fa/", "/fr/")) else "en"
        assert root.get("lang") == language, url
        assert root.get("dir") == ("rtl" if language == "fa" else None), url
    assert (
        parse(site_out / "fa" / "vigil" / "index.html").findtext(".//title").endswith("صداهای آزاد")
    )


def test_hreflang_alternates_are_reciprocal_over_the_whole_site(site_out: Path) -> None:
    found = {url: hreflang(parse(path)) for url, path in pages(site_out).items()}
    with_alternates = {url: links for url, links in found.items() if links}
    assert {"/vigil/", "/fa/vigil/", "/fr/vigil/", "/", "/fa/", "/about/"} <= set(with_alternates)
    listings = {
        "/tag/lawyers/",
        "/fa/tag/un/",
        "/fr/author/staff-writer/",
        "/2025/",
        "/fr/2025/03/",
    }
    assert listings <= set(with_alternates)
    for url, links in with_alternates.items():
        assert url in links.values(), f"{url} does not list itself"
        assert "x-default" in links, url
        for lang, other in links.items():
            assert found[other] == links, f"{url} -> {lang} {other} is not reciprocal"
    assert found["/vigil/"] == {
        "en": "/vigil/", "fa": "/fa/vigil/", "fr": "/fr/vigil/", "x-default": "/vigil/"
    }  # fmt: skip
    assert found["/fa/rally-persian/"]["en"] == "/rally/"  # linked by translation_key
    assert found["/fa/only/"] == {} and found["/march/"] == {}
    # a tag's counterparts: through the translations of its articles, or by its slug
    assert found["/fa/tag/wkhl/"] == {
        "en": "/tag/lawyers/", "fa": "/fa/tag/wkhl/", "fr": "/fr/tag/avocats/",
        "x-default": "/tag/lawyers/",
    }  # fmt: skip
    assert set(found["/tag/un/"]) == {"en", "fa", "x-default"}
    assert set(found["/author/staff-writer/"]) == {"en", "fa", "fr", "x-default"}
    assert found["/fa/2025/"]["en"] == "/2025/" and found["/fa/2025/"]["fr"] == "/fr/2025/"
    assert found["/tag/economy/"] == {} and found["/fa/2024/"] == {}
    assert found["/fa/tag/wkhl/page/2/"] == {}  # only the first pages are counterparts


def test_sitemap_alternates_validate_and_match_the_pages(site_out: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(DATA / "sitemap-with-xhtml.xsd")))
    document = etree.parse(str(site_out / "sitemap.xml"))
    schema.assertValid(document)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    found = {}
    for item in document.iterfind(f"{ns}url"):
        url = unquote(urlsplit(item.findtext(f"{ns}loc")).path)
        links = item.findall(f"{XHTML}link")
        found[url] = {
            link.get("hreflang"): unquote(urlsplit(link.get("href")).path) for link in links
        }
    for url, path in pages(site_out).items():
        if url in found:
            assert found[url] == hreflang(parse(path)), url
    assert found["/fr/vigil/"]["fa"] == "/fa/vigil/"


def test_feeds_parse_per_language_with_only_that_languages_articles(site_out: Path) -> None:
    expected = {
        "": ("en", {"Vigil for lawyers", "Rally", "March"}),
        "fa/": ("fa", {"شب‌زنده‌داری برای وکلا", "تجمع", "فقط فارسی"}),
        "fr/": ("fr", {"Veillée pour les avocats"}),
    }
    for folder, (language, titles) in expected.items():
        for name in ("feed.xml", "atom.xml"):
            parsed = feedparser.parse((site_out / folder / name).read_bytes())
            assert parsed.bozo == 0, parsed.get("bozo_exception")
            assert {entry.title for entry in parsed.entries} == titles
            assert parsed.feed.get("language", language) == language
    persian = feedparser.parse((site_out / "fa" / "feed.xml").read_bytes())
    assert persian.feed.title == "صداهای آزاد"
    assert persian.feed.link == "https://example.org/fa/"
    assert {entry.link for entry in persian.entries} >= {"https://example.org/fa/vigil/"}


def test_articles_with_translations_link_to_them_in_their_own_language(site_out: Path) -> None:
    tree = parse(site_out / "vigil" / "index.html")
    switcher = tree.find(".//nav[@class='translations']")
    links = [(a.get("href"), a.get("lang"), a.text) for a in switcher.iterfind(".//a")]
    assert links == [("/fa/vigil/", "fa", "فارسی"), ("/fr/vigil/", "fr", "Français")]
    assert parse(site_out / "march" / "index.html").find(".//nav[@class='translations']") is None
    tag = parse(site_out / "fa" / "tag" / "wkhl" / "index.html").find(
        ".//nav[@class='translations']"
    )
    assert [(a.get("href"), a.text) for a in tag.iterfind(".//a")] == [
        ("/tag/lawyers/", "English"),
        ("/fr/tag/avocats/", "Français"),
    ]
    economy = parse(site_out / "tag" / "economy" / "index.html")
    assert economy.find(".//nav[@class='translations']") is None


def test_json_ld_names_the_language_and_the_translations(site_out: Path) -> None:
    def data(rel: str) -> dict[str, object]:
        script = parse(site_out / rel / "index.html").find(".//script[@type='application/ld+json']")
        return json.loads(script.text)  # type: ignore[no-any-return]

    original, persian = data("vigil"), data("fa/vigil")
    assert original["inLanguage"] == "en" and persian["inLanguage"] == "fa"
    assert [work["url"] for work in original["workTranslation"]] == [  # type: ignore[attr-defined]
        "https://example.org/fa/vigil/",
        "https://example.org/fr/vigil/",
    ]
    assert persian["translationOfWork"]["url"] == "https://example.org/vigil/"  # type: ignore[index]
    assert persian["publisher"]["name"] == "صداهای آزاد"  # type: ignore[index]


def test_two_versions_in_one_language_are_an_error_naming_both_files(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "sitegen.yaml": CONFIG,
            "content/vigil.md": article("Vigil"),
            "content/vigil.fa.md": article("شب"),
            "content/other.md": article("دیگر", lang="fa", translation_key="content/vigil"),
        }
    )
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems if p.is_error] == [
        "content/vigil.fa.md:1: translation: a second 'fa' version of 'content/vigil'; the "
        "first is content/other.md:1; give one of them another translation_key or language"
    ]


def test_lang_field_contradicting_the_file_name_is_an_error(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"sitegen.yaml": CONFIG, "content/vigil.fa.md": article("V", lang="fr")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert "lang: 'fr' contradicts the file name's language 'fa'" in str(caught.value.problems[0])


def test_unicode_slugs_stay_in_their_script_and_are_percent_encoded_in_links(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "sitegen.yaml": CONFIG + "slugs: unicode\n",
            "content/vigil.md": article("Vigil"),
            "content/vigil.fa.md": article("شب", tags="[حقوق زنان]", slug="شب-زنده-داری"),
        }
    )
    out = build_site(root)
    assert (out / "fa" / "شب-زنده-داری" / "index.html").is_file()
    assert (out / "fa" / "tag" / "حقوق-زنان" / "index.html").is_file()
    encoded = "/fa/%D8%B4%D8%A8-%D8%B2%D9%86%D8%AF%D9%87-%D8%AF%D8%A7%D8%B1%DB%8C/"
    assert hreflang(parse(out / "vigil" / "index.html"))["fa"] == unquote(encoded)
    page = (out / "vigil" / "index.html").read_text(encoding="utf-8")
    assert f'href="{encoded}"' in page and f'href="https://example.org{encoded}"' in page
    assert f"<loc>https://example.org{encoded}</loc>" in (out / "sitemap.xml").read_text()
    tag_link = parse(out / "fa" / "شب-زنده-داری" / "index.html").find(".//a[@rel='tag']")
    assert tag_link.get("href") == quote("/fa/tag/حقوق-زنان/")


def test_a_site_without_languages_has_no_alternates(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/vigil.md": article("Vigil"), "content/vigil.fa.md": article("V")})
    out = build_site(root)
    assert (out / "vigil-fa" / "index.html").is_file()  # a name like any other
    assert hreflang(parse(out / "vigil" / "index.html")) == {}
    assert "xhtml" not in (out / "sitemap.xml").read_text()


def test_a_languages_menu_link_to_no_page_is_a_warning_at_its_line(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    config = CONFIG.replace("/fr/about/", "/fr/a-propos/")
    root = make_site({"sitegen.yaml": config, "content/vigil.md": article("Vigil")})
    report = build(root, root / "out")
    assert [str(p) for p in report.warnings if "menu" in p.message] == [
        "sitegen.yaml:11: warning: languages: fr: menu: '/fr/a-propos/' is not a page of this site"
    ]


def test_a_default_language_slug_taking_a_languages_home_is_a_clash(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {"sitegen.yaml": CONFIG, "content/fa.md": article("FA"), "content/x.fa.md": article("X")}
    )
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert any("/fa/" in str(p) for p in caught.value.problems), caught.value.problems


def test_a_new_or_removed_translation_rebuilds_the_other_versions_switchers(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "sitegen.yaml": CONFIG,
            "content/vigil.md": article("Vigil"),
            "content/vigil.fa.md": article("شب"),
            "content/other.md": article("Other", "2024-01-01"),
        }
    )
    out = tmp_path / "out"
    build(root, out)
    (root / "content/vigil.fr.md").write_text(article("Veillée"), encoding="utf-8")
    report = build(root, out)
    assert report.parsed == 1
    for rel in ("vigil", "fa/vigil"):
        assert hreflang(parse(out / rel / "index.html"))["fr"] == "/fr/vigil/", rel
    assert hreflang(parse(out / "other" / "index.html")) == {}
    (root / "content/vigil.fa.md").unlink()
    build(root, out)
    assert set(hreflang(parse(out / "vigil" / "index.html"))) == {"en", "fr", "x-default"}
    assert not (out / "fa" / "vigil").exists()


def test_a_persian_calendar_without_jdatetime_says_how_to_install_it(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "jdatetime" else real(name)
    )
    with pytest.raises(ConfigError) as caught:
        load_config(make_site({"sitegen.yaml": CONFIG}))
    [problem] = caught.value.problems
    assert str(problem).startswith("sitegen.yaml:8: languages: fa: calendar: 'persian' needs")
    assert "sitegen[persian]" in str(problem)


def test_a_languages_default_byline_signs_its_articles_without_one(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    config = CONFIG.replace(
        "    calendar: persian\n", "    calendar: persian\n    default_byline: تحریریه\n"
    )
    root = make_site(
        {
            "sitegen.yaml": config,
            "content/vigil.md": article("Vigil"),
            "content/vigil.fa.md": article("شب"),
            "content/vigil.fr.md": article("Veillée"),
            "content/other.fa.md": article("دیگر", byline="مریم"),
        }
    )
    out = build_site(root)
    bylines = {
        rel: parse(out / rel / "index.html").find(".//a[@rel='author']").text
        for rel in ("vigil", "fa/vigil", "fr/vigil", "fa/other")
    }
    assert bylines == {
        "vigil": "Staff Writer", "fa/vigil": "تحریریه", "fr/vigil": "Staff Writer",
        "fa/other": "مریم",
    }  # fmt: skip
    assert (out / "fa" / "author" / "thryryh" / "index.html").is_file()
    bad = config.replace("default_byline: تحریریه", "default_byline: '!!!'")
    (root / "sitegen.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.yaml:9: languages: fa: default_byline: '!!!' has no letters or digits to "
        "make a URL from"
    ]


@pytest.mark.browser
def test_a_printed_article_says_where_it_is_from_in_its_language(
    browser: Any, serve_dir: Callable[[Path], str], site_out: Path
) -> None:
    page = browser.new_page()
    page.emulate_media(media="print")
    printed = {}
    for rel in ("vigil", "fa/vigil", "fr/vigil"):
        page.goto(f"{serve_dir(site_out)}/{rel}/")
        printed[rel] = page.evaluate(
            "getComputedStyle(document.querySelector('article.article'), '::after').content"
        )
    page.close()
    assert printed == {
        "vigil": '"Printed from https://example.org/vigil/"',
        "fa/vigil": '"چاپ‌شده از https://example.org/fa/vigil/"',
        "fr/vigil": '"Imprimé depuis https://example.org/fr/vigil/"',
    }


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/fa/vigil/", "/fa/tag/wkhl/", "/fa/author/staff-writer/"])
def test_persian_pages_with_a_language_switcher_fit_a_phone_and_pass_axe(
    browser: Any, serve_dir: Callable[[Path], str], site_out: Path, path: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(serve_dir(site_out) + path)
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    switcher = page.eval_on_selector_all(".translations a", "es => es.map(e => e.lang)")
    results = Axe().run(page).response
    page.close()
    assert widths[0] <= widths[1] == 320, f"{path} scrolls sideways: {widths}"
    assert "en" in switcher
    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
