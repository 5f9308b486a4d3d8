"""Readers' privacy: pages load nothing from other hosts, run no scripts, and share links
are plain links that tell nobody anything until a reader follows one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest

from tests.test_a11y import PAGES
from tests.test_browser import open_page

ARTICLE = "/berlin-rally-women-protesters/"
PERMALINK = "https://example.org/berlin-rally-women-protesters/"


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_pages_request_nothing_from_other_hosts_and_run_no_scripts(
    browser: Any, serve_dir: Callable[[Path], str], example_out: Path, path: str
) -> None:
    foreign: list[str] = []
    page = open_page(browser, serve_dir(example_out) + path, foreign)
    scripts = page.eval_on_selector_all(
        "script", "all => all.map(s => s.type || 'text/javascript')"
    )
    images = page.eval_on_selector_all(  # lazy ones below the fold are not fetched yet
        "img:not([loading=lazy])", "all => all.map(i => i.complete && i.naturalWidth)"
    )
    page.close()
    assert foreign == []
    assert set(scripts) <= {"application/ld+json"}  # data for search engines, never run
    assert all(images)  # every image came from the local server


def test_share_links_are_plain_links_with_the_article_url_and_title(example_out: Path) -> None:
    tree = html5lib.parse((example_out / ARTICLE.strip("/") / "index.html").read_bytes(),
                          namespaceHTMLElements=False)  # fmt: skip
    title = tree.find(".//h1").text
    share = tree.find(".//nav[@class='share']")
    assert share is not None and share.get("aria-label") == "Share this article"
    links = {a.text: a for a in share.iter("a")}
    assert sorted(links) == ["Email", "Facebook", "Telegram", "WhatsApp", "X"]
    for name, link in links.items():
        assert link.get("rel") == "noopener noreferrer"
        assert not any(attribute.startswith("on") for attribute in link.attrib)
        query = parse_qs(urlsplit(link.get("href")).query)
        values = [v for vs in query.values() for v in vs]
        assert any(PERMALINK in value for value in values), (name, query)
        if name != "Facebook":  # Facebook takes only the URL
            assert any(title in value for value in values), (name, query)
    assert urlsplit(links["Email"].get("href")).scheme == "mailto"
