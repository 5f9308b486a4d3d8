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
