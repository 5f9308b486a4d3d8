"""The example archive in a real browser: styled, images loaded, nothing fetched elsewhere."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import article
from tests.served import settled

pytestmark = pytest.mark.browser


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


def broken_images(page: Any) -> list[str]:
    """Images that failed, after scrolling each lazy one into view and letting it finish.

    `load` does not wait for `loading="lazy"` images, so they are brought into view and
    awaited first; an image still incomplete after that is as broken as a 404.
    """
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=10_000)
    page.evaluate("window.scrollTo(0, 0)")
    return page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => i.naturalWidth === 0).map(i => i.src)"
    )


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
    header_bottom = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().bottom")
    heading_top = page.eval_on_selector("main h1", "e => e.getBoundingClientRect().top")
    assert heading_top - header_bottom >= 24  # the page's heading stands clear of the header
    teasers = page.locator(".teasers > li")
    assert teasers.count() == 6  # the example's per_page
    assert page.locator(".teaser .more a").first.text_content().startswith("Continue Reading")
    assert broken_images(page) == []
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


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    "path", ["/", "/paris-vigil-political-prisoners/", "/tag/freethepress/", "/about/"]
)
def test_page_content_stands_clear_of_the_header(
    browser: Any,
    serve_dir: Callable[[Path], str],
    example_out: Path,
    tmp_path: Path,
    path: str,
    width: int,
) -> None:
    """main's top padding applies on every kind of page, on a phone and a desktop (a
    `.wrap { padding: 0 ... }` once overrode it and put each title against the header)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    response = page.goto(serve_dir(example_out) + path)
    assert response is not None and response.status == 200
    header_bottom = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().bottom")
    first_top = page.eval_on_selector(
        "main", "e => e.firstElementChild.getBoundingClientRect().top"
    )
    heading_top = page.eval_on_selector("main :is(h1, h2)", "e => e.getBoundingClientRect().top")
    assert first_top - header_bottom >= 16, (path, width, header_bottom, first_top)
    assert heading_top - header_bottom >= 16, (path, width, header_bottom, heading_top)
    screenshot(page, f"gap-{path.strip('/').replace('/', '-') or 'home'}-{width}", tmp_path)
    page.close()


def test_serve_reloads_open_page_and_shows_build_errors(browser: Any, preview: Any) -> None:
    from playwright.sync_api import expect

    running, root = preview
    page = browser.new_page()
    page.goto(running.server.url + "a/")
    expect(page.locator("h1")).to_have_text("First title")
    page.wait_for_timeout(300)  # let the page's event stream connect
    (root / "content/a.md").write_text(article("Edited on disk", slug="a"))
    expect(page.locator("h1")).to_have_text("Edited on disk", timeout=10_000)  # no test-side reload

    (root / "content/a.md").write_text("---\ntitle: [broken\n---\n")
    overlay = page.locator("#sitegen-error-overlay")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay).to_contain_text("content/a.md:")
    expect(page.locator("h1")).to_have_text("Edited on disk")  # last good page underneath

    (root / "content/a.md").write_text(article("Fixed", slug="a"))
    expect(page.locator("h1")).to_have_text("Fixed", timeout=10_000)
    expect(overlay).to_have_count(0)


def test_serve_reloads_stylesheets_without_reloading_the_page(browser: Any, preview: Any) -> None:
    from playwright.sync_api import expect

    running, root = preview
    (root / "static/css").mkdir(parents=True)
    settled(running, 1)  # (two folders: one rebuild or two)
    page = browser.new_page()
    page.goto(running.server.url + "a/")
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_timeout(300)
    (root / "static/css/site.css").write_text("h1 { color: rgb(1, 2, 3); }")
    expect(page.locator("h1")).to_have_css("color", "rgb(1, 2, 3)", timeout=10_000)
    assert page.evaluate("window.stillTheSamePage") is True


def test_build_output_has_no_live_reload_script(example_out: Path) -> None:
    for page in example_out.rglob("*.html"):
        assert "EventSource" not in page.read_text()
