"""Pages -> /sitemap.xml (sitemaps.org 0.9), split under a sitemap index past 50,000 URLs,
and /robots.txt pointing at it; one of each per domain when a language has its own
(a sitemap may list only URLs of its own host, sitemaps.org's rule)."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Iterator, Mapping, Sequence
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


def host_sitemaps(
    entries: Sequence[SitemapEntry], site_url: str, hosts: Mapping[str, str]
) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """`sitemap_files` for each domain: the site's at the output's root, and one in the
    folder of each language on its own domain (`hosts`, prefix -> base_url), which is that
    domain's root. Alternates may point at other domains (hreflang links across hosts)."""
    groups: dict[str, list[SitemapEntry]] = {"": [], **{prefix: [] for prefix in hosts}}
    for entry in entries:
        groups[urls.host_of(entry.url, hosts)[0]].append(entry)
    absolute = functools.partial(urls.hosted_permalink, site_url, hosts)
    for prefix, group in groups.items():
        yield from sitemap_files(group, site_url, absolute=absolute, prefix=prefix)


def sitemap_files(
    entries: Sequence[SitemapEntry],
    site_url: str,
    limit: int = URL_LIMIT,
    *,
    absolute: Callable[[str], str] | None = None,
    prefix: str = "",
) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(output path, how to make its bytes) for the sitemap(s) and robots.txt: made where
    the pages are made (a render worker), not while the build still plans in one process.
    `absolute` makes a site URL absolute (default: under `site_url`); `prefix` ('/fa') is
    the folder of a language on its own domain, where its files go."""
    if absolute is None:
        absolute = functools.partial(urls.permalink, site_url)
    folder = prefix[1:] + "/" if prefix else ""
    if len(entries) <= limit:
        yield folder + "sitemap.xml", functools.partial(_urlset, entries, absolute)
    else:
        parts = [entries[start : start + limit] for start in range(0, len(entries), limit)]
        index = []
        for number, part in enumerate(parts, start=1):
            path = f"sitemap-{number}.xml"
            yield folder + path, functools.partial(_urlset, part, absolute)
            newest = max((e.lastmod for e in part if e.lastmod), default=None)
            index.append(SitemapEntry(f"{prefix}/{path}", newest))
        yield (
            folder + "sitemap.xml",
            functools.partial(_document, "sitemapindex", "sitemap", index, absolute),
        )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(prefix + '/sitemap.xml')}\n"
    yield folder + "robots.txt", functools.partial(robots.encode, "utf-8")


def sitemap_paths(count: int, limit: int = URL_LIMIT) -> list[str]:
    """The files `sitemap_files` makes of `count` entries at the output's root, known
    without the entries (the preview answers for them before it works those out)."""
    numbered = [f"sitemap-{n}.xml" for n in range(1, -(-count // limit) + 1)]
    return [*(numbered if count > limit else ()), "sitemap.xml", "robots.txt"]


def _urlset(entries: Sequence[SitemapEntry], absolute: Callable[[str], str]) -> bytes:
    return _document("urlset", "url", entries, absolute)


def _document(
    root: str, item: str, entries: Sequence[SitemapEntry], absolute: Callable[[str], str]
) -> bytes:
    xhtml = f' xmlns:xhtml="{_XHTML}"' if any(e.alternates for e in entries) else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{_NAMESPACE}"{xhtml}>']
    for entry in entries:
        lastmod = f"<lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod else ""
        loc = html.escape(absolute(entry.url), quote=False)  # &, <, >
        links = "".join(_link(lang, url, absolute) for lang, url in entry.alternates)
        if entry.alternates:
            links += _link("x-default", entry.alternates[0][1], absolute)
        lines.append(f"  <{item}><loc>{loc}</loc>{lastmod}{links}</{item}>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines).encode("utf-8")


def _link(lang: str, url: str, absolute: Callable[[str], str]) -> str:
    href = html.escape(absolute(url))
    return f'<xhtml:link rel="alternate" hreflang="{lang}" href="{href}"/>'
