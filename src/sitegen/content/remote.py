"""Media an article loads from another host -> warnings (errors under --strict), for the
lead image and for what the body's HTML loads (`<img>`, `<source>`, `<video>`, `<audio>`,
`<iframe>`...), each at the line of the file that holds it.

A page that loads a file from another host tells that host who reads it. An import leaves
such files where they were (nothing is downloaded), so they are a warning, not an error:
the site still builds and shows them, and the editor learns which to copy under static/.
`data:` URLs load nothing from anywhere and are left alone.
"""

from __future__ import annotations

import html
import re

from sitegen import urls
from sitegen.config.yamldoc import FieldReader
from sitegen.errors import Location, Problem, error, shown, warning
from sitegen.markup.typography import smarten
from sitegen.model import LeadImage

_SCHEMES = ("http", "https", "data")
ADVICE = "which tells that host who reads the page; copy it under static/"
# The elements and attributes that make a browser fetch something as the page loads
# (a link's href does not: nothing is fetched until a reader follows it).
_ATTRIBUTE = re.compile(
    r"""\s(src|poster|data|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE
)
_ELEMENT = re.compile(
    r"<(?:img|source|video|audio|iframe|embed|track|input|object)\b[^>]*>", re.IGNORECASE
)


def is_remote(url: str) -> bool:
    """Whether a browser fetches `url` from another host (a `data:` URL fetches nothing)."""
    if not urls.leaves_site(url):
        return False
    return urls.as_browsers_read(url)[:5].lower() != "data:"


def read_image(reader: FieldReader, *, strict: bool) -> LeadImage | None:
    """The `image`, `image_alt` and `image_caption` fields -> the lead image. One on another
    host is shown as written (as browsers read it), with a warning (an error if `strict`)."""
    src, alt, caption = (reader.string(k) for k in ("image", "image_alt", "image_caption"))
    if not src:
        for key in ("image_alt", "image_caption"):
            if key in reader.entries:
                message = f"{key}: given without 'image'; it is not shown"
                reader.problems.append(warning(reader.location(key), message))
        return None
    if urls.leaves_site(src):
        read = urls.as_browsers_read(src)
        if not read.startswith("//") and read.split(":")[0].lower() not in _SCHEMES:
            reader.fail("image", f"{shown(src)} is neither a path under static/ nor an http(s) URL")
            return None
        if is_remote(src):
            make = error if strict else warning
            where = reader.location("image")
            reader.problems.append(make(where, f"image: {shown(src)} is on another host, {ADVICE}"))
        src = read
    else:
        src = urls.asset_url(src)
    if not alt:
        message = "image_alt: missing; describe the image for readers who cannot see it"
        reader.problems.append(warning(reader.location("image"), message))
    return LeadImage(src=src, alt=alt, caption=smarten(caption))


def body_problems(body_html: str, markdown: str, start: Location, *, strict: bool) -> list[Problem]:
    """One warning (error under --strict) per distinct file on another host that the body
    loads, at the line of the Markdown that holds it (`start`: where the body begins).
    Cheap for the common body: only one that has a loading attribute is searched."""
    if "src" not in body_html and "poster" not in body_html and "data=" not in body_html:
        return []
    make = error if strict else warning
    problems: list[Problem] = []
    seen: set[str] = set()
    for element in _ELEMENT.finditer(body_html):
        for match in _ATTRIBUTE.finditer(element.group()):
            name, *values = match.groups()
            value = html.unescape(next(v for v in values if v is not None))
            for url in _candidates(value, is_srcset=name.lower() == "srcset"):
                if url in seen or not is_remote(url):
                    continue
                seen.add(url)
                line = (start.line or 1) + _line_in(markdown, url)
                problems.append(make(Location(start.path, line), _message(element.group(), url)))
    return problems


def _candidates(value: str, *, is_srcset: bool) -> list[str]:
    """The URLs an attribute names: one, or each of a srcset's 'url 2x' candidates."""
    if not is_srcset:
        return [value.strip()] if value.strip() else []
    return [part.split()[0] for part in value.split(",") if part.split()]


def _message(element: str, url: str) -> str:
    name = re.match(r"<(\w+)", element)
    tag = name.group(1).lower() if name else "img"
    return f"<{tag}>: {shown(url)} is on another host, {ADVICE}"


def _line_in(markdown: str, url: str) -> int:
    """How many lines into the body `url` is written (0: the first, or not found as is)."""
    index = markdown.find(url)
    if index < 0:
        index = markdown.find(html.escape(url, quote=False))
    return markdown.count("\n", 0, index) if index >= 0 else 0
