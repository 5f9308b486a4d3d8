"""A URL is on this site or not as a browser reads it (the WHATWG URL standard), not as its
text starts: `/\\host/x.png` passes a `startswith("//")` test, and a browser loads it from
`host`. Lead images, menu links and the link checker decide with `urls.leaves_site`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build
from sitegen.errors import SitegenError
from sitegen.urls import leaves_site
from tests.conftest import MakeSite, article

# What editors write, and what a hostile or careless one might: each is decided by Chromium
# below, so the list needs no expected values of its own.
URLS = [
    "/images/a.jpg", "images/a.jpg", "./a.jpg", "../a.jpg", "a.jpg?x=//y", "#top", "",
    "//host.example/x.png", "/\\host.example/x.png", "\\\\host.example/x.png",
    "\\/host.example/x.png", "/\t/host.example/x.png", "/\n\\host.example/x.png",
    " //host.example/x.png", "\x01//host.example/x.png", "\t\t/\\host.example/",
    "https://host.example/x.png", "HTTPS://host.example/", "http:host.example/x.png",
    "data:image/png;base64,AAAA", "javascript:alert(1)", "mailto:a@b.example",
    "images/a:b.jpg", "a:b", "/x\\y.png", "/images/%2F%2Fhost/x.png", "/ /host.example/",
]  # fmt: skip
PAGES = ["http://127.0.0.1:9/rally/", "https://example.org/rally/"]  # a site on either scheme


@pytest.mark.browser
def test_urls_leave_the_site_exactly_when_chromium_goes_elsewhere(browser: Any) -> None:
    page = browser.new_page()
    try:
        chromium = page.evaluate(
            """([urls, bases]) => urls.map(u => bases.some(base => {
                   const url = new URL(u, base), from = new URL(base);
                   return url.protocol !== from.protocol || url.host !== from.host;
               }))""",
            [URLS, PAGES],
        )
    finally:
        page.close()
    assert {u: leaves_site(u) for u in URLS} == dict(zip(URLS, chromium, strict=True))


def test_lead_image_a_browser_loads_from_another_host_is_a_warning_and_shown_so(
    make_site: MakeSite,
) -> None:
    root = make_site({"content/a.md": article(image='"/\\\\host.example/x.png"', image_alt="a")})
    report = build(root, root / "out")
    assert [str(p) for p in report.warnings if "image:" in p.message] == [
        "content/a.md:4: warning: image: '/\\\\host.example/x.png' is on another host, which"
        " tells that host who reads the page; copy it under static/"
    ]
    page = (root / "out/a/index.html").read_text()
    assert 'src="//host.example/x.png"' in page  # as browsers read it, not under the site
    with pytest.raises(SitegenError) as failed:  # --strict: an error
        build(root, root / "out", strict=True)
    assert "is on another host" in str(failed.value.problems[0])


def test_menu_link_a_browser_reads_as_another_host_is_not_a_site_path(
    make_site: MakeSite, tmp_path: Path
) -> None:
    config = 'base_url: https://example.org/\nmenu:\n  - {name: Home, url: "/\\\\host.example/"}\n'
    root = make_site({"sitegen.yaml": config, "content/a.md": article()})
    with pytest.raises(SitegenError) as failed:
        build(root, tmp_path / "out")
    assert "is neither a path on this site" in str(failed.value.problems[0])
