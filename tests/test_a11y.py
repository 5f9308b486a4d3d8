"""Accessibility of the default theme, measured by axe-core in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import open_page

pytestmark = pytest.mark.browser

# One of each page type of the example archive.
PAGES = [
    "/",
    "/berlin-rally-women-protesters/",
    "/tag/women-s-rights/",
    "/tags/",
    "/archive/",
    "/404.html",
    "/page/2/",
    "/author/leila-haddad/",
    "/paris-vigil-political-prisoners/",  # with its language switcher
    "/fa/paris-vigil-political-prisoners/",  # a Persian page, right to left
    "/fa/",
    "/fr/tags/",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_axe_violations(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, path: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + path, foreign)
    results = Axe().run(page).response
    page.close()
    assert results["passes"], "axe ran no checks: the page or axe did not load"
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert foreign == []  # axe-core is injected by Playwright, not fetched
