"""What the stage made for one source (its stored info) -> output paths and a Picture."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sitegen import urls
from sitegen.images.formats import FILE_EXTENSION, MIME_TYPES, Sizes
from sitegen.model import ImageFile, Picture


def has_sizes(info: Mapping[str, Any]) -> bool:
    """Whether sizes were made (not for an image no page shows, an animation, or with
    image_widths off)."""
    return bool(info.get("sizes")) and bool(info.get("formats"))


def sizes(output_path: str, info: Mapping[str, Any], entry: str, key: str) -> Sizes:
    """The sizes the info lists: where they are published, and their files in the store
    `entry` ('<width>.<extension>')."""
    suffixes, names = _names(tuple(info["formats"]), tuple(info["sizes"]))
    stem = urls.image_variant_stem(output_path)
    return Sizes(tuple([stem + suffix for suffix in suffixes]), entry, names, key)


@functools.lru_cache(maxsize=256)
def _names(
    formats: tuple[str, ...], sizes: tuple[tuple[int, int], ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The output paths' suffixes and the store's file names of these formats and sizes:
    photos from one camera share them."""
    made = [(w, FILE_EXTENSION[f]) for f in formats for w, _ in sizes]
    suffixes = tuple(urls.image_variant_suffix(w, extension) for w, extension in made)
    return suffixes, tuple(f"{w}.{extension}" for w, extension in made)


def picture(made: tuple[str, Mapping[str, Any]]) -> Picture:
    """The Picture of (output path, info) of an image with sizes (has_sizes)."""
    output_path, info = made
    sizes = [(int(w), int(h)) for w, h in info["sizes"]]
    by_format: dict[str, tuple[ImageFile, ...]] = {}
    for fmt in info["formats"]:
        extension = FILE_EXTENSION[fmt]
        by_format[fmt] = tuple(
            ImageFile(urls.static_url(urls.image_variant_path(output_path, w, extension)), w, h)
            for w, h in sizes
        )
    *modern, original = info["formats"]
    width, height = sizes[-1]
    sources = tuple((MIME_TYPES[fmt], by_format[fmt]) for fmt in modern)
    return Picture(width, height, by_format[original], sources)
