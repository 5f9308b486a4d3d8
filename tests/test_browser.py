"""The example archive in a real browser: styled, images loaded, nothing fetched elsewhere."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sitegen.build import build
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    build(REPO_ROOT, out)
    return out


def open_page(browser: Any, url: str, foreign: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    local = urlsplit(url).netloc

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc != local:
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    return page


def screenshot(page: Any, name: str, tmp_path: Path) -> None:
    """Saved for a person to look at: SITEGEN_SCREENSHOTS=DIR keeps them."""
    folder = Path(os.environ.get("SITEGEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_example_home_looks_like_a_news_site(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, tmp_path: Path
) -> None:
    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + "/", foreign)
    header_colour = page.eval_on_selector(
        ".site-header", "e => getComputedStyle(e).backgroundColor"
    )
    assert header_colour == "rgb(20, 33, 61)"  # the stylesheet loaded and applied
    assert page.locator("h1").count() == 1
    teasers = page.locator(".teasers > li")
    assert teasers.count() == 6  # the example's per_page
    assert page.locator(".teaser .more a").first.text_content().startswith("Continue Reading")
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    # teaser image beside the text on a wide screen, like a news front page
    image_box = page.locator(".teaser-image").first.bounding_box()
    text_box = page.locator(".teaser-text").first.bounding_box()
    assert image_box["x"] + image_box["width"] <= text_box["x"]
    screenshot(page, "home", tmp_path)
    assert foreign == []


def test_example_article_page_reads_well(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, tmp_path: Path
) -> None:
    foreign: list[str] = []
    base = serve_dir(example_out)
    home = open_page(browser, base + "/", foreign)
    home.locator(".teaser .more a").first.click()
    home.wait_for_load_state("load")
    assert home.locator("article h1").count() == 1
    assert home.locator("article time[datetime]").count() >= 1
    assert home.locator("figure.lead img").evaluate("i => i.naturalWidth") > 0
    assert home.locator("figure.lead figcaption").inner_text() != ""
    body_font = home.eval_on_selector(".article-body", "e => getComputedStyle(e).fontFamily")
    assert "Georgia" in body_font
    width = home.eval_on_selector(".article", "e => e.getBoundingClientRect().width")
    assert width <= 44 * 16 + 1  # a readable measure, not full-width text
    screenshot(home, "article", tmp_path)
    mobile = browser.new_page(viewport={"width": 390, "height": 844})
    mobile.goto(home.url)
    overflow = mobile.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False  # no sideways scrolling on a phone
    screenshot(mobile, "article-mobile", tmp_path)
    assert foreign == []
