"""A player shortcode (`[youtube URL]`, `[vimeo 123]`, `[soundcloud url=...]`) -> the
address of what it played, and a label saying what that is ("Video").

The import links to it instead of embedding it: the new site loads nothing from another host.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

URL = re.compile(r"https?://[^\s<>\"\]|]+")
_MEDIA = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "m4a", "wav")
Address = Callable[[str, Mapping[str, str]], str]  # (positional text, attributes) -> URL


def player_link(name: str, positional: str, given: Mapping[str, str]) -> tuple[str, str]:
    """(label, URL) of a player shortcode, URL "" when it names nothing to link to."""
    label, address = PLAYERS[name]
    return label, address(positional, given)


def _first_url(positional: str, given: Mapping[str, str], *keys: str) -> str:
    """The address a player shortcode names: an attribute, else its first URL."""
    for key in keys:
        if URL.fullmatch(given.get(key, "").strip()):
            return given[key].strip()
    found = URL.search(html.unescape(positional))
    return found.group() if found else ""


def _youtube(positional: str, given: Mapping[str, str]) -> str:
    """youtube.com/watch?v=ID, youtu.be/ID, /embed/ID -> the watch page; Jetpack's
    size and player options (w, h, rel, fs...) are dropped."""
    url = _first_url(positional, given, "url")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    video = query.get("v", [""])[0]
    if parts.netloc.endswith("youtu.be") or "/embed/" in parts.path or "/v/" in parts.path:
        video = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not re.fullmatch(r"[\w-]{6,20}", video):
        return url
    kept = {"v": video} | {k: query[k][0] for k in ("list", "t") if k in query}
    if "start" in query and "t" not in kept:
        kept["t"] = query["start"][0]
    return f"https://www.youtube.com/watch?{urlencode(kept)}"


def _by_id(pattern: str, address: str, *keys: str) -> Address:
    """A player named by an id (or by its URL): [vimeo 12345], [dailymotion id=x7]."""

    def build(positional: str, given: Mapping[str, str]) -> str:
        if url := _first_url(positional, given, "url"):
            return url
        candidates = [given.get(key, "") for key in keys] + positional.split()[:1]
        found = next((c for c in candidates if re.fullmatch(pattern, c)), "")
        return address.format(found) if found else ""

    return build


def _without_size(url: str) -> str:
    """Jetpack reads the player's size from `&w=` and `&h=` in the URL; the map needs none."""
    return re.sub(r"&(?:w|h)=\d{1,5}(?=&|$)", "", url)


def _slideshare(positional: str, given: Mapping[str, str]) -> str:
    found = re.search(r"id=(\d{1,12})", html.unescape(positional))
    return f"https://www.slideshare.net/slideshow/embed_code/{found.group(1)}" if found else ""


def _googleapps(positional: str, given: Mapping[str, str]) -> str:
    domain, path = given.get("domain", ""), given.get("dir", "")
    if not re.fullmatch(r"[a-z]{1,20}", domain) or not path:
        return ""
    query = f"?{given['query']}" if given.get("query") else ""
    return f"https://{domain}.google.com/{path.lstrip('/')}{query}"


def _codepen(positional: str, given: Mapping[str, str]) -> str:
    user, pen = given.get("user", ""), given.get("slug_hash", "")
    if re.fullmatch(r"[\w-]{1,64}", user) and re.fullmatch(r"\w{1,32}", pen):
        return f"https://codepen.io/{user}/pen/{pen}"
    return ""


PLAYERS: dict[str, tuple[str, Address]] = {
    "youtube": ("Video", _youtube),
    "vimeo": ("Video", _by_id(r"\d{1,15}", "https://vimeo.com/{}", "id")),
    "dailymotion": ("Video", _by_id(r"\w{2,20}", "https://www.dailymotion.com/video/{}", "id")),
    "wpvideo": ("Video", _by_id(r"\w{4,20}", "https://videopress.com/v/{}", "id")),
    "videopress": ("Video", _by_id(r"\w{4,20}", "https://videopress.com/v/{}", "id")),
    "ted": ("Video", _by_id(r"\d{1,9}", "https://www.ted.com/talks/view/id/{}", "id")),
    "video": ("Video", lambda p, given: _first_url("", given, *_MEDIA)),
    "audio": ("Audio", lambda p, given: _first_url(p.split("|")[0], given, *_MEDIA)),
    "soundcloud": ("Audio", lambda p, given: _first_url(p, given, "url")),
    "slideshare": ("Slides", _slideshare),
    "googlemaps": ("Map", lambda p, given: _without_size(_first_url(p, given))),
    "googleapps": ("Document", _googleapps),
    "gist": ("Code", _by_id(r"[0-9a-f]{5,40}", "https://gist.github.com/{}", "id")),
    "codepen_embed": ("Code", _codepen),
    "tweet": ("Tweet", _by_id(r"\d{5,25}", "https://twitter.com/i/status/{}", "tweet", "id")),
    "instagram": ("Instagram", lambda p, given: _first_url(p, given, "url")),
}
