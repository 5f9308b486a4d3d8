"""Walks a built site and lists every internal link or asset reference that does not resolve."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if (tag, name) in LINK_ATTRIBUTES and value:
                self.links.append(value)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _target(out: Path, path: str) -> Path | None:
    candidate = out / unquote(path).lstrip("/")
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(out: Path) -> list[str]:
    """'page.html -> link' for each internal link whose file (or #fragment) is missing."""
    broken = []
    pages = sorted(out.rglob("*.html"))
    parsed = {page: _parse(page) for page in pages}
    for page, collector in parsed.items():
        page_url = "/" + page.relative_to(out).as_posix()
        for link in collector.links:
            parts = urlsplit(urljoin(page_url, link))
            if parts.scheme or parts.netloc:
                continue  # external: not ours to check
            target = _target(out, parts.path)
            if target is None:
                broken.append(f"{page_url} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page_url} -> {link} (no such id)")
    return broken


def count_links(out: Path) -> int:
    return sum(len(_parse(page).links) for page in out.rglob("*.html"))
