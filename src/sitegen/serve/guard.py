"""What the preview server refuses before it looks at a file: requests for another host
name (DNS rebinding) and URL paths that cannot name a file.

Pure functions; `server.py` turns their answers into 403/404/414 responses.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

MAX_REQUEST_LINE = 8192  # longer request lines get 414 (http.server allows 64 KiB)
MAX_SEGMENT_BYTES = 255  # NAME_MAX on Linux, macOS and Windows file systems
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
_PORT = re.compile(r"[0-9]{1,5}")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def host_name(header: str) -> str | None:
    """The name in a Host header, lower case, port and IPv6 brackets removed; None when
    the header is not a host name with an optional port."""
    value = header.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    elif value.count(":") > 1:
        return None  # an IPv6 address without brackets is not a valid Host
    else:
        name, _, port = value.partition(":")
    if port and not _PORT.fullmatch(port):
        return None
    name = name.removesuffix(".")
    return name or None


def allowed_names(bound: str) -> frozenset[str] | None:
    """The Host names a server bound to `bound` answers; None: any (bound to every
    interface, which the user chose with --host for a preview on the local network)."""
    if bound.strip("[]") in ANY_ADDRESS:
        return None
    return LOCAL_NAMES | {bound.strip("[]").lower()}


def host_allowed(headers: list[str], bound: str) -> bool:
    """Whether a request with these Host headers may be answered. No Host (HTTP/1.0) is
    allowed; more than one is not."""
    if not headers:
        return True
    if len(headers) > 1:
        return False
    name = host_name(headers[0])
    names = allowed_names(bound)
    return name is not None and (names is None or name in names)


def refusal(header: str, url: str) -> bytes:
    """The one-line body of a 403 for a Host this server does not answer."""
    shown = header[:80].encode("ascii", "backslashreplace").decode("ascii")
    return (
        f"sitegen serve: refused Host {shown!r}: this preview answers only at {url} "
        "(or on the local network when started with --host 0.0.0.0)\n"
    ).encode()


def url_path(path: str) -> str | None:
    """A URL path percent-decoded as UTF-8, or None when it cannot name a file: a broken
    escape, bytes that are not UTF-8, a NUL or backslash, or a segment too long for any
    file system."""
    if _BAD_ESCAPE.search(path):
        return None
    try:
        decoded = _unquote_strict(path)
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    if any(len(part.encode("utf-8")) > MAX_SEGMENT_BYTES for part in decoded.split("/")):
        return None
    return decoded


def _unquote_strict(path: str) -> str:
    """http.server hands the request line over decoded as Latin-1: undo that, then
    decode the percent escapes and the raw bytes as UTF-8, refusing anything else."""
    try:
        raw = path.encode("latin-1")
    except UnicodeEncodeError:  # not from a request line: already text
        raw = path.encode("utf-8")
    return unquote_to_bytes(raw).decode("utf-8")
