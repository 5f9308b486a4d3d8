"""`sitegen serve` after a scripted sequence of edits, in a browser: after each edit the
open page reloads by itself, and every file the preview serves is the file a clean build
of the same sources makes (issue 27 part 1's acceptance test for an in-memory preview)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sitegen.serve.preview import Preview
from sitegen.serve.server import BuildState
from tests.conftest import REPO_ROOT, MakeSite, article, running_preview, wait_for
from tests.served import assert_served_as_built, fetch

pytestmark = pytest.mark.browser

ARTICLES = {
    f"content/{slug}.md": article(
        f"Article {slug.upper()}",
        date=f"2025-03-0{day}",
        body=f"Body of {slug}, about the vigil.\n\nA second paragraph.",
        slug=slug,
        tags=tags,
    )
    for day, (slug, tags) in enumerate(
        [
            ("a", "[Vigils, Prisoners]"),
            ("b", "[Vigils]"),
            ("c", "[Prisoners, Press]"),
            ("d", "[Press]"),
            ("e", "[Vigils, Press]"),
            ("f", "[Lonely]"),
        ],
        start=1,
    )
}


def reloaded(page: Any, edit: Any, preview: Preview) -> None:
    """Make `edit`, then wait for its rebuild and for the open page to reload by itself."""
    page.evaluate("window.notReloaded = true")
    epoch = preview.server.state.epoch
    edit()
    wait_for(lambda: preview.server.state.epoch > epoch, timeout=15)
    page.wait_for_function("window.notReloaded === undefined", timeout=15_000)
    page.wait_for_load_state("load")
    settled = preview.server.state.epoch
    time.sleep(0.4)  # a second batch of the same save would show here
    assert preview.server.state == BuildState(settled), "a rebuild failed or another ran"


def test_serve_edits_are_served_as_a_clean_build_makes_them(
    browser: Any, make_site: MakeSite, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    root = make_site(
        {**ARTICLES, "content/pages/about.md": "---\ntitle: About\n---\nWho we are.\n"}
    )
    with running_preview(root) as preview:
        assert_served_as_built(preview, root, tmp_path, "start")
        page = browser.new_page()
        page.goto(preview.server.url + "a/")
        expect(page.locator("article h1")).to_have_text("Article A")
        page.wait_for_timeout(300)  # let the page's event stream connect
        assert urlsplit(page.url).path == "/a/"

        def retitle() -> None:
            (root / "content/a.md").write_text(
                ARTICLES["content/a.md"].replace("Article A", "Vigil held for the detained")
            )

        reloaded(page, retitle, preview)
        expect(page.locator("article h1")).to_have_text("Vigil held for the detained")
        assert_served_as_built(preview, root, tmp_path, "title")

        def retag() -> None:  # Lonely's only article leaves it; a new tag appears
            text = ARTICLES["content/f.md"].replace("[Lonely]", "[Vigils, Hunger Strike]")
            (root / "content/f.md").write_text(text)

        reloaded(page, retag, preview)
        assert_served_as_built(preview, root, tmp_path, "tags")

        def add() -> None:
            text = article("Newest report", date="2025-03-09", slug="new", tags="[Press]")
            (root / "content/new.md").write_text(text)

        reloaded(page, add, preview)
        assert_served_as_built(preview, root, tmp_path, "new article")

        reloaded(page, (root / "content/c.md").unlink, preview)
        assert fetch(preview.server.port, "/c/")[0] == 404
        assert_served_as_built(preview, root, tmp_path, "deleted article")

        def override_template() -> None:
            theme = (REPO_ROOT / "templates/article.html").read_text(encoding="utf-8")
            assert theme.count("<h1>") == 1
            (root / "templates").mkdir()
            (root / "templates/article.html").write_text(
                theme.replace("<h1>", '<h1 class="edited-template">'), encoding="utf-8"
            )

        reloaded(page, override_template, preview)
        expect(page.locator("article h1.edited-template")).to_have_text(
            "Vigil held for the detained"
        )
        assert_served_as_built(preview, root, tmp_path, "template")
