"""The only place that knows URLs and output paths.

A `url` is site-relative with leading and trailing '/', a `permalink` is absolute (base_url +
url), and an `output_path` is relative to the output directory (`rally/index.html`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from urllib.parse import quote, unquote_to_bytes

import slugify as _slugify

NAME_BYTES = 255  # the longest file or folder name most file systems allow
_SLUG_SHAPED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Women's Rights (UN)' -> 'women-s-rights-un'.
    Remembered: tag and byline names repeat on thousands of articles. A name that is a
    slug already (most file names) stays as it is, without python-slugify's 17 µs."""
    if _SLUG_SHAPED.fullmatch(text):
        return text
    return str(_slugify.slugify(text))


# Windows cannot create a file or folder with these names, whatever the extension: a page
# there would break every Windows checkout of the built site.
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)]
)


def is_output_path(path: object) -> bool:
    """Whether `path`, read back from bookkeeping on disk (the build cache, a spare's list
    of changed files), names a file inside the output folder: relative, with no '..', '.'
    or empty part and no NUL. Such records are input like any other (a CI cache restored
    from elsewhere): one that fails this is discarded, never used to write or delete."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def is_reserved(slug: str) -> bool:
    return slug.split(".", 1)[0].casefold() in RESERVED_NAMES


def article_url(pattern: str, slug: str, date: dt.datetime) -> str:
    """Fill the config's permalink pattern, e.g. '/{year}/{month}/{slug}/'."""
    return pattern.format(
        slug=slug, year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}"
    )


# What sitegen itself writes into the output: the checksums of every file, and its own
# bookkeeping (publish/staging.py). No static file, page or alias may take these names.
SUMS_PATH = "SHA256SUMS"
OWN_PREFIX = ".sitegen-"  # the marker '.sitegen-output', a build's temporary files, ...
MARKER_PATH = f"{OWN_PREFIX}output"


def sitegen_name(output_path: str) -> str | None:
    """The part of `output_path` that is a name sitegen writes itself, or None: a first
    part 'SHA256SUMS', or a part starting '.' with '.sitegen-' in it. Compared without
    case, since a copy on macOS or Windows cannot hold both spellings."""
    parts = output_path.casefold().split("/")
    if parts[0] == SUMS_PATH.casefold():
        return output_path.split("/")[0]
    for original, part in zip(output_path.split("/"), parts, strict=True):
        if part.startswith(".") and OWN_PREFIX in part:
            return original
    return None


TAGS_URL = "/tags/"
ARCHIVE_URL = "/archive/"
NOT_FOUND_URL = "/404.html"
SEARCH_URL = "/search/"
SEARCH_BUNDLE_DIR = "pagefind"  # the index and its scripts, under /pagefind/


def tag_url(slug: str) -> str:
    return f"/tag/{slug}/"


def author_url(slug: str) -> str:
    return f"/author/{slug}/"


def period_url(year: int, month: int | None = None) -> str:
    """'/2025/' for a year, '/2025/03/' for a month."""
    return f"/{year:04d}/" if month is None else f"/{year:04d}/{month:02d}/"


def listing_url(number: int, first_url: str = "/") -> str:
    """Page 1 of a listing lives at its own URL; page n at `<first>page/n/` (never page/1/)."""
    return first_url if number == 1 else f"{first_url}page/{number}/"


def feed_urls(page_url: str) -> tuple[str, str]:
    """The RSS and Atom feeds that belong to a page: '/tag/x/' -> '/tag/x/feed.xml', ..."""
    return page_url + "feed.xml", page_url + "atom.xml"


def output_path(url: str) -> str:
    """'/a/b/' -> 'a/b/index.html'; '/404.html' -> '404.html'."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def permalink(base_url: str, url: str) -> str:
    """Absolute URL when the site has a base_url, else the site-relative one."""
    return base_url.rstrip("/") + url if base_url else url


def asset_url(path: str) -> str:
    """A file under static/ as a site-relative URL: 'images/a.jpg' -> '/images/a.jpg'."""
    return path if path.startswith("/") else "/" + path


def alias_url(alias: str) -> str | None:
    """Where an old address's redirect page goes, decoded as a server looks it up:
    '/2019/x/' and '/2019/x' -> '/2019/x/', '/old.html' stays, '/caf%C3%A9/' -> '/café/';
    None for an address with a query string ('/?p=123'), which no file can answer."""
    if "?" in alias:
        return None
    path = "/".join(alias_part(part) or "" for part in alias.split("/"))
    last = path.rsplit("/", 1)[1]
    return path if not last or "." in last else path + "/"


def alias_part(part: str) -> str | None:
    """One part of an old address with its %-escapes decoded (None: they are not UTF-8)."""
    try:
        return unquote_to_bytes(part).decode("utf-8")
    except UnicodeDecodeError:
        return None


def alias_request(alias: str) -> str:
    """An old address as browsers send it, for server rules (`_redirects`, nginx): letters
    outside ASCII %-escaped in UTF-8, escapes written in upper case ('%C3%A9')."""
    escaped = quote(alias, safe="/?=&%:@!$'()*+,;~")
    return _ESCAPE.sub(lambda match: match.group().upper(), escaped)


_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


_SITE_LINK = re.compile(r"""(\s(?:href|src)=["'])/(?!/)""")


def under_base_path(html: str, base_path: str) -> str:
    """Links an editor wrote from the site's root ('/2019/vigil/') inside a site hosted
    under a path ('https://example.org/archive/'): '/archive/2019/vigil/'."""
    return _SITE_LINK.sub(lambda m: m.group(1) + base_path + "/", html) if base_path else html
