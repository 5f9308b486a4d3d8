"""The built site's `_redirects` -> where the preview server sends an old address with a
query (`/?p=123`), as Netlify would: no static file can answer one, and the build's
redirect pages answer the paths already.

It reads the file the build made, so it knows nothing about articles; the parsed rules
are kept until the file changes (a rebuild).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from sitegen.serve.files import Files

NETLIFY = "_redirects"  # (render/redirects.py writes it; serve/ does not import render/)
Rule = tuple[str, frozenset[tuple[str, str]], str]  # path, query pairs, new URL


class QueryRedirects:
    """The query rules of the served site's `_redirects`, read again when it changes."""

    def __init__(self, files: Callable[[], Files]) -> None:
        self.files = files
        self._lock = threading.Lock()
        self._text: bytes | None = None
        self._rules: list[Rule] = []

    def target(self, raw_path: str) -> str | None:
        """Where a request for `raw_path` (path and query, as sent) is sent on, or None."""
        parts = urlsplit(raw_path)
        if not parts.query:
            return None
        path = unquote(parts.path or "/")
        pairs = set(parse_qsl(parts.query, keep_blank_values=True))
        for rule_path, rule_pairs, new in self._current():
            if rule_path == path and rule_pairs <= pairs:
                return new
        return None

    def _current(self) -> list[Rule]:
        text = self.files().read(NETLIFY)
        with self._lock:
            if text != self._text:
                self._rules = read_rules(text or b"")
                self._text = text
            return self._rules


def read_rules(data: bytes) -> list[Rule]:
    """The query lines of a `_redirects` file: `PATH key=value ... NEW 301!`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    rules = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 4 or line.startswith("#") or not words[-1].startswith("301"):
            continue
        pairs = [word.partition("=") for word in words[1:-2]]
        if all(equals for _, equals, _ in pairs):
            query = frozenset((unquote(key), unquote(value)) for key, _, value in pairs)
            rules.append((unquote(words[0]), query, words[-2]))
    return rules
