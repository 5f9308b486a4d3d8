"""The image sizes in a real browser: a phone-sized window fetches a phone-sized lead."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

pytestmark = pytest.mark.browser
ARTICLE = "/berlin-rally-women-protesters/"


def test_images_phone_fetches_a_lead_at_most_480_wide_and_under_100_kb(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path
) -> None:
    base = serve_dir(example_out)
    page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    fetched: dict[str, bytes] = {}  # every response: the page, its CSS, its images
    page.on("response", lambda r: fetched.__setitem__(urlsplit(r.url).path, r.body()))
    page.goto(base + ARTICLE)
    page.wait_for_load_state("load")
    lead = page.locator("figure.lead img")
    current = urlsplit(lead.evaluate("i => i.currentSrc")).path
    assert current.startswith("/images/berlin-rally-480w.")  # AVIF or WebP: the browser's pick
    with Image.open(io.BytesIO(fetched[current])) as image:
        assert image.width <= 480
    assert lead.get_attribute("fetchpriority") == "high"
    assert all("-1200w." not in path and "-800w." not in path for path in fetched)
    weight = sum(map(len, fetched.values()))  # the related images wait below the fold
    assert weight < 100 * 1024, {path: len(body) for path, body in fetched.items()}
    page.close()
