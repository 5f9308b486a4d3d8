"""What the stage made for one source (its stored info) -> output paths and a Picture."""

from __future__ import annotations

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
    names = [(w, FILE_EXTENSION[f]) for f in info["formats"] for w, _ in info["sizes"]]
    paths = urls.image_variant_paths(output_path, names)
    files = tuple([f"{entry}/{w}.{extension}" for w, extension in names])
    return Sizes(tuple(paths), files, key)


def picture(made: tuple[str, Mapping[str, Any]]) -> Picture:
    """The Picture of (output path, info) of an image with sizes (has_sizes)."""
    output_path, info = made
    sizes = [(int(w), int(h)) for w, h in info["sizes"]]
    by_format: dict[str, tuple[ImageFile, ...]] = {}
    for fmt in info["formats"]:
        names = [(width, FILE_EXTENSION[fmt]) for width, _ in sizes]
        paths = urls.image_variant_paths(output_path, names)
        by_format[fmt] = tuple(
            ImageFile(urls.static_url(path), width, height)
            for path, (width, height) in zip(paths, sizes, strict=True)
        )
    *modern, original = info["formats"]
    width, height = sizes[-1]
    sources = tuple((MIME_TYPES[fmt], by_format[fmt]) for fmt in modern)
    return Picture(width, height, by_format[original], sources)
