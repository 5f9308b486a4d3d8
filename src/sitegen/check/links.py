"""Every internal link and image reference of a built site, and the ones that lead nowhere.

Pages are scanned with regular expressions rather than a full HTML parser: the theme's
markup is regular, and a check that reads ten thousand pages must stay fast enough to run
on every commit. `href`/`src` values are unescaped as a browser would.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen import urls
from sitegen.content.manifest import walk_folders
from sitegen.errors import shown
from sitegen.runtime.pool import map_ranges

# href or src of the elements that load or lead somewhere (the first one on each tag)
_LINK = re.compile(
    r"<(?:a|link|img|script|source|iframe|video|audio)\b[^>]*?\s(?:href|src)\s*=\s*"
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_SKIPPED_SCHEMES = ("mailto:", "tel:", "data:", "javascript:")


@dataclass(frozen=True)
class BrokenLink:
    page: str  # output path of the page holding the link: 'a/index.html'
    link: str  # as written in the page
    reason: str


def page_links(text: str) -> list[str]:
    """Values of href/src on the elements that load or lead somewhere, in page order."""
    return [html.unescape(a or b or c) for a, b, c in _LINK.findall(text)]


def page_ids(text: str) -> set[str]:
    return {html.unescape(a or b or c) for a, b, c in _ID.findall(text)}


def broken_links(
    output_dir: Path, site_url: str, hosts: Mapping[str, str] | None = None
) -> list[BrokenLink]:
    """Links inside the site (relative, root-relative, or starting with `site_url`) whose
    file, or #fragment on an HTML page, does not exist in `output_dir`. The folders of
    languages on their own domains (`hosts`, '/fa' -> base_url) are not part of the site's
    domain: check each as a site of its own."""
    base_path = urlsplit(site_url).path or "/"
    skipped = tuple(prefix[1:] + "/" for prefix in hosts or ())
    files = {
        path
        for folder, names in walk_folders(str(output_dir))  # os.walk would recurse
        for name in names
        if not (
            path := os.path.relpath(os.path.join(folder, name), output_dir).replace(os.sep, "/")
        ).startswith(skipped)
    }
    pages = sorted(f for f in files if f.endswith(".html"))
    scan = functools.partial(_scan, output_dir, site_url, base_path, files)
    found = map_ranges(lambda start, stop: scan(pages[start:stop]), len(pages), None, "links")
    return [link for links in found for link in links]  # in page order


def _scan(
    output_dir: Path, site_url: str, base_path: str, files: set[str], pages: list[str]
) -> list[BrokenLink]:
    ids: dict[str, set[str]] = {}
    known: dict[str, tuple[str, str] | None] = {}  # root-relative link -> its target
    broken = []
    for page in pages:
        page_url = base_path + page
        for link in page_links((output_dir / page).read_text(encoding="utf-8")):
            if link.startswith("/"):  # most links: the same on every page
                if link not in known:
                    known[link] = _internal_path(link, page_url, site_url, base_path)
                target = known[link]
            else:
                target = _internal_path(link, page_url, site_url, base_path)
            if target is None:
                continue
            path, fragment = target
            found = _existing_file(files, path)
            if found is None:
                broken.append(BrokenLink(page, link, "no page or file there"))
            elif fragment and found.endswith(".html"):
                if found not in ids:
                    ids[found] = page_ids((output_dir / found).read_text(encoding="utf-8"))
                if fragment not in ids[found]:
                    broken.append(BrokenLink(page, link, f"the page has no id {shown(fragment)}"))
    return broken


def _internal_path(
    link: str, page_url: str, site_url: str, base_path: str
) -> tuple[str, str] | None:
    """(path inside the output, fragment) for a link into the site; None for others."""
    if link.startswith(site_url):
        link = base_path + link[len(site_url) :]
    if link.lower().startswith(_SKIPPED_SCHEMES):
        return None
    if urls.leaves_site(link):  # as a browser reads it: `/\host/` is another host too
        return None
    if link.startswith("/") and "/." not in link:
        path, _, fragment = link.partition("#")  # most links: no joining needed
        path = unquote(path.partition("?")[0])
    else:
        parts = urlsplit(urljoin(page_url, link))
        if parts.scheme or parts.netloc:
            return None  # another host: not ours to check
        path, fragment = unquote(parts.path), parts.fragment
    if not path.startswith(base_path):
        return "\0outside", ""  # above the site's own folder: cannot exist
    return path[len(base_path) :], fragment


def _existing_file(files: set[str], path: str) -> str | None:
    """The output file a path is served from ('a/' -> 'a/index.html'), if it exists."""
    if not path or path.endswith("/"):
        candidates = [path + "index.html"]
    else:
        candidates = [path, path + "/index.html"]  # /a works on most hosts when a/ exists
    return next((c for c in candidates if c in files), None)
