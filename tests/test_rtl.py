"""Articles in right-to-left languages: marked up with their language and direction, and
laid out from the right, in the article and in its teasers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import html5lib
import pytest

from sitegen.errors import ContentError
from tests.conftest import BuildSite, MakeSite, article

PERSIAN = article(
    "تجمع برای زندانیان سیاسی",
    date="2025-03-02",
    lang="fa",
    tags="[Vigils]",
    body=(
        "صدها نفر روز شنبه در میدان جمع شدند تا آزادی زندانیان سیاسی را خواستار شوند.\n\n"
        "> «ما فراموش نمی‌کنیم.»\n\n"
        "## خواسته‌ها\n\n- آزادی فوری\n- دسترسی به وکیل\n"
    ),
)


def site(make_site: MakeSite) -> Path:
    return make_site(
        {"content/vigil-fa.md": PERSIAN, "content/vigil.md": article("Vigil", tags="[Vigils]")}
    )


def parse(path: Path) -> Any:
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def test_persian_article_and_its_teaser_carry_lang_and_dir(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    out = build_site(site(make_site))
    page = parse(out / "vigil-fa/index.html")
    # the page is in its article's language: the theme's words too (test_l10n)
    assert (page.get("lang"), page.get("dir")) == ("fa", "rtl")
    (main,) = [a for a in page.iter("article") if "article" in a.get("class", "").split()]
    assert (main.get("lang"), main.get("dir")) == ("fa", "rtl")
    (script,) = page.iter("script")
    assert json.loads(script.text)["inLanguage"] == "fa"
    teasers = {
        a.find(".//h2/a").text: (a.get("lang"), a.get("dir"))
        for a in parse(out / "index.html").iter("article")
    }
    assert teasers == {"تجمع برای زندانیان سیاسی": ("fa", "rtl"), "Vigil": (None, None)}
    english = [a for a in parse(out / "vigil/index.html").iter("article")]
    assert all(a.get("dir") is None for a in english)


def test_lang_must_be_a_language_tag(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site({"content/a.md": article(lang="'farsi please'")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:4: lang: 'farsi please' is not a language tag; expected e.g. 'fa', 'ar' or 'fr'"
    ]


@pytest.mark.browser
def test_persian_article_is_laid_out_right_to_left(
    browser: Any,
    serve_dir: Callable[[Path], str],
    make_site: MakeSite,
    build_site: BuildSite,
    tmp_path: Path,
) -> None:
    out = build_site(site(make_site))
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(serve_dir(out) + "/vigil-fa/")
    page.wait_for_load_state("load")
    direction = page.eval_on_selector(".article-body", "e => getComputedStyle(e).direction")
    body = page.eval_on_selector(".article-body", "e => e.getBoundingClientRect().toJSON()")
    text_box = (
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().toJSON(); }"
    )
    heading = page.eval_on_selector(".article-body h2", text_box)
    title = page.eval_on_selector("h1", text_box)
    quote = page.eval_on_selector(
        ".article-body blockquote",
        "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]",
    )
    folder = Path(os.environ.get("SITEGEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "persian-article.png"))
    page.close()
    assert direction == "rtl"
    assert abs(heading["right"] - body["right"]) < 2 < heading["left"] - body["left"]
    assert abs(title["right"] - body["right"]) < 2  # the title starts at the right
    assert quote == ["4px", "0px"]  # the quote's rule is on the side the text starts


def persian_site(make_site: MakeSite, language: str = "fa") -> Path:
    """A site in `language` whose articles have lead images (teasers with a picture)."""
    from tests.test_weight import png

    config = f"title: صداهای آزاد\nbase_url: https://example.org/\nlanguage: {language}\n"
    files = {"sitegen.yaml": config}
    for n in (1, 2, 3):
        files[f"content/a{n}.md"] = article(
            f"تجمع شمارهٔ {n} برای آزادی زندانیان سیاسی در میدان شهر",
            date=f"2025-03-1{n}",
            tags="[Vigils, زندانیان]",
            image=f"/images/a{n}.png",
            image_alt="جمعیت در میدان",
            body="صدها نفر روز شنبه در میدان جمع شدند تا آزادی زندانیان سیاسی را بخواهند. " * 4,
        )
    root = make_site(files)
    (root / "static/images").mkdir(parents=True, exist_ok=True)
    for n in (1, 2, 3):
        (root / f"static/images/a{n}.png").write_bytes(png(640, 360))
    return root


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    script = "es => es.map(e => e.getBoundingClientRect().toJSON())"
    found: list[dict[str, float]] = page.eval_on_selector_all(selector, script)
    return found


@pytest.mark.browser
def test_persian_site_is_mirrored_in_the_browser(
    browser: Any,
    serve_dir: Callable[[Path], str],
    make_site: MakeSite,
    build_site: BuildSite,
    tmp_path: Path,
) -> None:
    """The header, navigation and teasers of a Persian page are the English layout's
    mirror image (compared with the same site in English), with no sideways scrolling
    on a 320 px phone."""
    seen = {}
    for language in ("fa", "en"):
        out = build_site(persian_site(make_site, language), tmp_path / language)
        base = serve_dir(out)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(base + "/")
        page.wait_for_load_state("load")
        seen[language] = {
            "dir": page.eval_on_selector("html", "e => getComputedStyle(e).direction"),
            "wrap": boxes(page, ".site-header .wrap")[0],
            "title": boxes(page, ".site-title")[0],
            "nav": boxes(page, ".site-nav a"),
            "image": boxes(page, ".teaser-image")[0],
            "text": boxes(page, ".teaser-text")[0],
        }
        page.close()
    fa, en = seen["fa"], seen["en"]
    assert (fa["dir"], en["dir"]) == ("rtl", "ltr")
    # the site's title starts at the header's right edge in Persian, at its left in English
    assert abs(fa["wrap"]["right"] - 20 - fa["title"]["right"]) < 2
    assert abs(en["wrap"]["left"] + 20 - en["title"]["left"]) < 2
    # the navigation runs from the right: its first link (Latest) is the rightmost
    assert [round(a["right"]) for a in fa["nav"]] == sorted(
        (round(a["right"]) for a in fa["nav"]), reverse=True
    )
    assert abs(fa["nav"][0]["right"] - fa["title"]["right"]) < 2
    # a teaser's picture is on the right of its text in Persian, on the left in English
    assert fa["image"]["left"] > fa["text"]["right"] - 1
    assert en["image"]["right"] < en["text"]["left"] + 1


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/a1/", "/tags/", "/archive/", "/404.html"])
def test_persian_pages_fit_a_phone_and_pass_axe(
    browser: Any,
    serve_dir: Callable[[Path], str],
    make_site: MakeSite,
    build_site: BuildSite,
    path: str,
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    out = build_site(persian_site(make_site))
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(serve_dir(out) + path)
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    results = Axe().run(page).response
    page.close()
    assert widths[0] <= widths[1] == 320, f"{path} scrolls sideways: {widths}"
    assert results["passes"], "axe ran no checks"
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
