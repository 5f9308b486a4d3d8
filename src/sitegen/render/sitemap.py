"""Pages -> /sitemap.xml (sitemaps.org 0.9), split under a sitemap index past 50,000 URLs,
and /robots.txt pointing at it."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sitegen import urls

URL_LIMIT = 50_000  # the protocol's limit per sitemap file
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XHTML = "http://www.w3.org/1999/xhtml"  # hreflang alternates, as search engines read them


@dataclass(frozen=True)
class SitemapEntry:
    """One page for search engines: where it is and when it last changed."""

    url: str
    lastmod: dt.datetime | None
    alternates: tuple[tuple[str, str], ...] = ()  # (language, url) of every version


def sitemap_files(
    entries: Sequence[SitemapEntry], site_url: str, limit: int = URL_LIMIT
) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(output path, how to make its bytes) for the sitemap(s) and robots.txt: made where
    the pages are made (a render worker), not while the build still plans in one process."""
    if len(entries) <= limit:
        yield "sitemap.xml", functools.partial(_urlset, entries, site_url)
    else:
        parts = [entries[start : start + limit] for start in range(0, len(entries), limit)]
        index = []
        for number, part in enumerate(parts, start=1):
            path = f"sitemap-{number}.xml"
            yield path, functools.partial(_urlset, part, site_url)
            newest = max((e.lastmod for e in part if e.lastmod), default=None)
            index.append(SitemapEntry("/" + path, newest))
        yield (
            "sitemap.xml",
            functools.partial(_document, "sitemapindex", "sitemap", index, site_url),
        )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {urls.permalink(site_url, '/sitemap.xml')}\n"
    yield "robots.txt", functools.partial(robots.encode, "utf-8")


def _urlset(entries: Sequence[SitemapEntry], site_url: str) -> bytes:
    return _document("urlset", "url", entries, site_url)


def _document(root: str, item: str, entries: Sequence[SitemapEntry], site_url: str) -> bytes:
    xhtml = f' xmlns:xhtml="{_XHTML}"' if any(e.alternates for e in entries) else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{_NAMESPACE}"{xhtml}>']
    for entry in entries:
        lastmod = f"<lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod else ""
        loc = html.escape(urls.permalink(site_url, entry.url), quote=False)  # &, <, >
        links = "".join(_link(lang, url, site_url) for lang, url in entry.alternates)
        if entry.alternates:
            links += _link("x-default", entry.alternates[0][1], site_url)
        lines.append(f"  <{item}><loc>{loc}</loc>{lastmod}{links}</{item}>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines).encode("utf-8")


def _link(lang: str, url: str, site_url: str) -> str:
    href = html.escape(urls.permalink(site_url, url))
    return f'<xhtml:link rel="alternate" hreflang="{lang}" href="{href}"/>'
