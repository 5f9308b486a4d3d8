"""The only place that knows URLs and output paths.

A `url` is site-relative with leading and trailing '/', a `permalink` is absolute (base_url +
url), and an `output_path` is relative to the output directory (`rally/index.html`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from urllib.parse import quote, unquote_to_bytes

import slugify as _slugify

from sitegen.errors import shown

_SLUG_SHAPED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@functools.lru_cache(maxsize=4096)
def slugify(text: str, *, unicode: bool = False) -> str:
    """ASCII, lower-case, hyphenated: 'Women's Rights (UN)' -> 'women-s-rights-un'; with
    `unicode`, letters keep their script ('حقوق زنان' -> 'حقوق-زنان', as WordPress does).
    Remembered: tag and byline names repeat on thousands of articles. A name that is a
    slug already (most file names) stays as it is, without python-slugify's 17 µs."""
    if _SLUG_SHAPED.fullmatch(text):
        return text
    return str(_slugify.slugify(text, allow_unicode=unicode))


def language_prefix(tag: str) -> str:
    """Where a language's pages live: '' for the site's default language, '/fa' for 'fa'
    ('/fa/vigil/', '/fa/tag/x/', '/fa/page/2/', '/fa/feed.xml')."""
    return f"/{tag}" if tag else ""


def host_of(url: str, hosts: Mapping[str, str]) -> tuple[str, str]:
    """Which domain a site URL is on, and its path there: with 'fa' on its own domain
    (`hosts`: language prefix -> base_url), '/fa/x/' -> ('/fa', '/x/'); a URL on the
    site's own domain -> ('', url). The build keeps every language's pages under its
    prefix (`fa/x/index.html`); the folder `fa/` is the root of that domain."""
    for prefix in hosts:
        if url.startswith(prefix) and url[len(prefix) : len(prefix) + 1] in ("/", ""):
            return prefix, url[len(prefix) :] or "/"
    return "", url


def hosted_permalink(site_url: str, hosts: Mapping[str, str], url: str) -> str:
    """`permalink` on the domain the URL is on: 'https://fa.example.org/x/' for '/fa/x/'
    when 'fa' has its own base_url, else under the site's."""
    if not hosts or leaves_site(url):
        return permalink(site_url, url)
    prefix, path = host_of(url, hosts)
    return permalink(hosts[prefix] if prefix else site_url, path)


_URL_SAFE = "/%:?#[]@!$&'()*+,;=~"


def encoded(url: str) -> str:
    """A URL with letters outside ASCII percent-encoded in UTF-8 ('/fa/تجمع/' ->
    '/fa/%D8%AA.../'), as links, feeds and the sitemap must carry them."""
    return url if url.isascii() else quote(url, safe=_URL_SAFE)


# Windows cannot create a file or folder with these names, whatever the extension: a page
# there would break every Windows checkout of the built site.
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)]
)


RESERVED_MESSAGE = "is a name Windows reserves for devices (CON, NUL, COM1...) and cannot check out"
NAME_BYTES = 255  # the longest file or folder name most file systems allow
TOO_LONG = f"is longer than {NAME_BYTES} bytes, the most a file or folder name may have"


def is_output_path(path: object) -> bool:
    """Whether `path`, read back from bookkeeping on disk (the build cache, a spare's list
    of changed files), names a file inside the output folder: relative, with no '..', '.'
    or empty part and no NUL. Such records are input like any other (a CI cache restored
    from elsewhere): one that fails this is discarded, never used to write or delete."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


# How browsers read a URL in a page (the WHATWG URL standard): C0 controls and spaces around
# it are dropped, tabs and newlines anywhere in it too, and for http(s) pages a backslash is
# a slash. `/\host/x.png` and `/<tab>/host/x.png` are "//host/x.png": another host.
_URL_EDGES = "".join(map(chr, range(0x21)))
_URL_DROPPED = str.maketrans("", "", "\t\n\r")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_A_PATH = ("/", "\\", "\t", "\n", "\r")  # after a first '/': maybe another host


def leaves_site(url: str) -> bool:
    """Whether a browser reading `url` in one of the site's pages goes elsewhere for it:
    another host (`//host/`, `/\\host/`) or another scheme (`https:`, `data:`), as opposed
    to a path on this site. Decided as browsers parse URLs, not by how the text starts."""
    if url[:1] == "/" and url[1:2] not in _NOT_A_PATH:
        return False  # a plain site path, at once: the common case (every link of a page)
    text = as_browsers_read(url)
    return text.startswith("//") or _URL_SCHEME.match(text) is not None


def as_browsers_read(url: str) -> str:
    """`url` as a browser reads it in a page: '/\\host/x.png' -> '//host/x.png'."""
    return url.strip(_URL_EDGES).translate(_URL_DROPPED).replace("\\", "/")


def under_base(url: str, base_path: str) -> str:
    """A site path under the base_url's path ('/x/' -> '/archive/x/'); a URL that leaves
    the site (a lead image left on another host) as it is."""
    return url if leaves_site(url) else encoded(base_path + url)


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
_SUMS_FOLDED = SUMS_PATH.casefold()


def sitegen_name(output_path: str) -> str | None:
    """The part of `output_path` that is a name sitegen writes itself, or None: a first
    part 'SHA256SUMS', or a part starting '.' with '.sitegen-' in it. Compared without
    case, since a copy on macOS or Windows cannot hold both spellings."""
    folded = output_path.casefold()
    if OWN_PREFIX not in folded and not folded.startswith(_SUMS_FOLDED):
        return None  # (nearly every path: this runs for each of them in each build)
    parts = folded.split("/")
    if parts[0] == _SUMS_FOLDED:
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
# The first parts of the URLs of sitegen's own pages (/tags/, /tag/x/, /page/2/, ...), and
# those that are pages themselves: an import renames a slug that would put a page there.
OWN_FOLDERS = frozenset({"tags", "tag", "author", "page", "archive", "search", SEARCH_BUNDLE_DIR})
OWN_PAGES = frozenset({"tags", "archive", "search"})


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
    """Absolute URL when the site has a base_url, else the site-relative one; a URL that
    leaves the site (a lead image on another host) as it is."""
    if leaves_site(url):
        return url
    return encoded(base_url.rstrip("/") + url if base_url else url)


def asset_url(path: str) -> str:
    """A file under static/ as a site-relative URL: 'images/a.jpg' -> '/images/a.jpg'."""
    return path if path.startswith("/") else "/" + path


def image_variant_path(path: str, width: int, extension: str) -> str:
    """Where the image stage publishes one size of a static image, beside it:
    ('images/a.jpg', 480, 'webp') -> 'images/a-480w.webp'."""
    return image_variant_stem(path) + image_variant_suffix(width, extension)


def image_variant_stem(path: str) -> str:
    """What image_variant_path keeps of the image's path: 'images/a.jpg' -> 'images/a'."""
    return path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path


def image_variant_suffix(width: int, extension: str) -> str:
    """What image_variant_path adds to the stem: (480, 'webp') -> '-480w.webp'."""
    return f"-{width}w.{extension}"


_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_./-]*")


def static_url(path: str) -> str:
    """An output path as the URL a page links it by ('images/a b.jpg' -> '/images/a%20b.jpg')."""
    return "/" + (path if _NEEDS_NO_QUOTING.fullmatch(path) else quote(path))


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


# One part of an old address, %-escapes decoded: no folder separator, space, control
# character or character Windows forbids in file names (the part becomes a file or folder).
_ALIAS_PART = re.compile(r'[^\x00-\x20\x7f-\x9f/\\<>"|*?:]+')
# key=value pairs joined by '&': what Netlify's `_redirects` can match (see redirects.py)
_PAIR = r"[^\x00-\x20\x7f-\x9f&=]+=[^\x00-\x20\x7f-\x9f&]*"
_ALIAS_QUERY = re.compile(f"{_PAIR}(?:&{_PAIR})*")


def alias_problem(alias: str) -> str:
    """What is wrong with an old address ('' if nothing)."""
    path, has_query, query = alias.partition("?")
    if not path.startswith("/") or path.startswith("//"):
        return "must be a path on this site starting with one '/', e.g. '/2019/05/old-slug/'"
    if "#" in alias:
        return "has a '#' part, which browsers never send to the server; remove it"
    written = path[1:].removesuffix("/").split("/") if path != "/" else []
    parts = [part for part in map(alias_part, written) if part is not None]
    if len(parts) < len(written):
        return "has %-escapes that are not UTF-8 text"
    if any(part in ("", ".", "..") or not _ALIAS_PART.fullmatch(part) for part in parts):
        return (
            "may not hold '..', empty parts, spaces, backslashes, control characters"
            ' or < > : " | * (nor their %-escapes)'
        )
    if any(part.endswith(".") for part in parts):
        return "has a part ending in '.', which Windows drops from file names"
    if reserved := [part for part in parts if is_reserved(part)]:
        return f"holds {shown(reserved[0])}, which {RESERVED_MESSAGE}"
    if any(len(part.encode("utf-8")) > NAME_BYTES for part in parts):
        return f"has a part (between '/'s) that {TOO_LONG}; shorten it"
    if has_query and not _ALIAS_QUERY.fullmatch(query):
        return "needs key=value pairs joined by '&' after '?' (no spaces), e.g. '/?p=123'"
    return ""


_SITE_LINK = re.compile(r"""(\s(?:href|src)=["'])/(?!/)""")


def under_base_path(html: str, base_path: str) -> str:
    """Links an editor wrote from the site's root ('/2019/vigil/') inside a site hosted
    under a path ('https://example.org/archive/'): '/archive/2019/vigil/'."""
    return _SITE_LINK.sub(lambda m: m.group(1) + base_path + "/", html) if base_path else html
