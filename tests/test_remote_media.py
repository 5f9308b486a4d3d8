"""Media an article loads from another host (`content/remote.py`): the lead image and what
the body loads are warnings at their lines, errors under --strict; they are shown as
written; `data:` URLs load nothing and pass; the warnings come back from the cache and
from `sitegen check`."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from sitegen.build import build
from sitegen.check.checks import check_site
from sitegen.config.settings import Config
from sitegen.content.article import load_article
from sitegen.content.remote import is_remote
from sitegen.errors import SitegenError
from sitegen.markup.engine import MarkdownRenderer
from tests.conftest import MakeSite, tiny_png

BODY = """\
---
title: A
date: 2024-01-01
image: https://cdn.example/lead.jpg
image_alt: a crowd
---
First words of the body.

![a cat](https://cdn.example/cat.png)

<video poster="//video.example/p.jpg"><source src="https://video.example/v.mp4"></video>

![inline](data:image/png;base64,AAAA) and ![local](/images/x.png)

<img srcset="/images/x.png 1x, https://cdn.example/cat@2x.png 2x" src="/images/x.png">

[a link is not loaded](https://elsewhere.example/page/) and `<img src="https://code.example/">`

![again](https://cdn.example/cat.png)
"""
EXPECTED = [
    "content/a.md:4: warning: image: 'https://cdn.example/lead.jpg' is on another host,",
    "content/a.md:9: warning: <img>: 'https://cdn.example/cat.png' is on another host,",
    "content/a.md:11: warning: <video>: '//video.example/p.jpg' is on another host,",
    "content/a.md:11: warning: <source>: 'https://video.example/v.mp4' is on another host,",
    "content/a.md:15: warning: <img>: 'https://cdn.example/cat@2x.png' is on another host,",
]
ADVICE = " which tells that host who reads the page; copy it under static/"


def remote_warnings(problems: object) -> list[str]:
    return sorted(str(p) for p in problems if "another host" in str(p))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("https://cdn.example/x.png", True),
        ("//cdn.example/x.png", True),
        ("/\\cdn.example/x.png", True),
        ("data:image/png;base64,AAAA", False),
        (" DATA:image/png;base64,AAAA", False),
        ("/images/x.png", False),
        ("images/x.png", False),
    ],
)
def test_is_remote_is_another_host_as_browsers_read_it_but_not_data(url: str, remote: bool) -> None:
    assert is_remote(url) is remote


def test_remote_media_are_warnings_at_their_lines_and_shown_as_written(
    make_site: MakeSite, tmp_path: Path
) -> None:
    config = "base_url: https://example.org/archive/\n"
    root = make_site(
        {"sitegen.yaml": config, "content/a.md": BODY, "static/images/x.png": tiny_png()}
    )
    report = build(root, tmp_path / "out")
    assert remote_warnings(report.warnings) == sorted(line + ADVICE for line in EXPECTED)
    page = (tmp_path / "out/a/index.html").read_text()
    assert '<img src="https://cdn.example/lead.jpg"' in page  # not under /archive/
    assert 'property="og:image" content="https://cdn.example/lead.jpg"' in page
    assert "not found under static/" not in str(report.warnings)
    again = build(root, tmp_path / "out", skip_unchanged=False)  # from the cache
    assert remote_warnings(again.warnings) == remote_warnings(report.warnings)


def test_remote_media_are_errors_under_strict(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": BODY, "static/images/x.png": tiny_png()})
    with pytest.raises(SitegenError) as failed:
        build(root, tmp_path / "out", strict=True)
    errors = [str(p) for p in failed.value.problems if p.is_error and "another host" in str(p)]
    assert len(errors) == len(EXPECTED)


def test_check_reports_remote_media(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": BODY, "static/images/x.png": tiny_png()})
    report = check_site(root)
    assert remote_warnings(report.problems) == sorted(line + ADVICE for line in EXPECTED)


def test_a_body_without_remote_media_has_no_warning(tmp_path: Path) -> None:
    text = "---\ntitle: A\ndate: 2024-01-01\n---\n![x](/images/x.png) <img src='data:,x'>\n"
    article, problems = load_article(
        text.encode(), PurePosixPath("content/a.md"), Config(tmp_path), MarkdownRenderer()
    )
    assert article is not None
    assert problems == []
