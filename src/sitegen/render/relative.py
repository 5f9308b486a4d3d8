"""Site-relative links in a rendered page -> links relative to the page itself.

A mirror on another domain or path, or a copy opened from disk, cannot rely on `/...`
meaning the site's root. Every `href`, `src`, `action` and redirect target that starts
with the site's path becomes `../../tag/x/`; for copies opened through `file://`, where
browsers do not turn a folder into its `index.html`, links to folders name the file.
Absolute URLs (canonical, Open Graph, feeds, sitemap) are left alone: they must be absolute.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

_ATTRIBUTE = re.compile(r"""(\s(?:href|src|action|poster)=)(["'])(/(?!/)[^"']*)\2""")
_SRCSET = re.compile(r"""(\ssrcset=)(["'])([^"']*)\2""")
_REFRESH = re.compile(
    r"""(<meta\s+http-equiv=["']refresh["']\s+content=["']\d+;\s*url=)(/(?!/)[^"']*)"""
)  # noqa: E501


def relative_links(html: str, page_url: str, base_path: str, *, explicit_index: bool) -> str:
    """Rewrite the links of the page at `page_url` (site-relative, e.g. '/tag/x/page/2/')."""
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"

    def relative(link: str) -> str:
        if base_path and (link == base_path or link.startswith(base_path + "/")):
            link = link[len(base_path) :] or "/"
        path, mark, rest = _split(link)
        target = posixpath.relpath(path, folder) if path != folder else "."
        if path.endswith("/") and target != ".":
            target += "/"
        if explicit_index and path.endswith("/"):
            target = "index.html" if target == "." else target.rstrip("/") + "/index.html"
        elif target == ".":
            target = "./"
        return target + mark + rest

    return site_links_changed(html, relative)


def site_links_changed(html: str, change: Callable[[str], str]) -> str:
    """Every link of a page that starts with one '/' (href, src, action, poster, srcset,
    a refresh's target) replaced by `change(link)`."""
    html = _ATTRIBUTE.sub(lambda m: m.group(1) + m.group(2) + change(m.group(3)) + m.group(2), html)
    html = _SRCSET.sub(
        lambda m: m.group(1) + m.group(2) + _srcset(m.group(3), change) + m.group(2), html
    )
    return _REFRESH.sub(lambda m: m.group(1) + change(m.group(2)), html)


def _srcset(value: str, relative: Callable[[str], str]) -> str:
    """Each site URL of an srcset ('/a-480w.jpg 480w, /a-800w.jpg 800w') made relative."""
    candidates = []
    for candidate in value.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if url.startswith("/") and not url.startswith("//"):
            url = relative(url)
        candidates.append(f"{url} {descriptor}".strip())
    return ", ".join(candidates)


def _split(link: str) -> tuple[str, str, str]:
    """'/a/?q=1#x' -> ('/a/', '?', 'q=1#x')."""
    for mark in ("?", "#"):
        if mark in link:
            path, rest = link.split(mark, 1)
            return path, mark, rest
    return link, "", ""
