"""Pixel sizes of the site's own images, for width/height attributes: the browser keeps
room for an image before it arrives, so the text does not jump while a page loads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from sitegen import urls


def image_sizes(srcs: Iterable[str], static: Mapping[str, Path]) -> dict[str, tuple[int, int]]:
    """Image URL -> (width, height) for each one a static file provides and whose header
    can be read (JPEG, PNG, GIF, WebP, ...); others are left out, not guessed."""
    sizes = {}
    for src in sorted(set(srcs)):
        path = None if urls.leaves_site(src) else static.get(unquote(src.lstrip("/")))
        if path is None:
            continue
        import imagesize  # noqa: PLC0415 - here, not on top: a site without images never loads it

        try:
            width, height = imagesize.get(path)  # reads the header only
        except (OSError, ValueError):
            continue
        if width > 0 and height > 0:
            sizes[src] = (int(width), int(height))
    return sizes
