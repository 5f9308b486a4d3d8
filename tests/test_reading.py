"""Reading comfort in a real browser: dark mode, print, and small phones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_a11y import PAGES
from tests.test_browser import open_page

pytestmark = pytest.mark.browser
ARTICLE = "/berlin-rally-women-protesters/"


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


@pytest.mark.parametrize("path", ["/", ARTICLE])
def test_dark_mode_follows_the_system_and_keeps_contrast(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, path: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + path, foreign)
    light = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
    text = page.eval_on_selector("body", "b => getComputedStyle(b).color")
    violations = Axe().run(page).response["violations"]
    page.close()
    assert _luminance(light) > 0.9 and _luminance(dark) < 0.15 < _luminance(text)
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def test_print_shows_the_article_and_its_address_without_navigation(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path
) -> None:
    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + ARTICLE, foreign)
    page.emulate_media(media="print")
    hidden = page.eval_on_selector_all(
        ".site-nav, .share, .related, .article-nav, .site-footer",
        "all => all.map(e => getComputedStyle(e).display)",
    )
    shown = page.eval_on_selector(".article-body", "e => getComputedStyle(e).display")
    address = page.eval_on_selector(".article", "e => getComputedStyle(e, '::after').content")
    page.close()
    assert hidden == ["none"] * 5
    assert shown == "block"
    assert address == '"Printed from https://example.org/berlin-rally-women-protesters/"'


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scrolling_on_a_320_px_phone(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, path: str
) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(serve_dir(example_out) + path)
    page.wait_for_load_state("load")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.close()
    assert widths[0] <= widths[1]


def test_article_lines_stay_readable_on_a_wide_screen(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path
) -> None:
    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + ARTICLE, foreign)  # 1280 px wide
    width, font_size = page.eval_on_selector(
        ".article-body p",
        "p => [p.getBoundingClientRect().width, parseFloat(getComputedStyle(p).fontSize)]",
    )
    page.close()
    assert width / font_size <= 40  # at most ~75 characters a line (about 0.5 em each)
