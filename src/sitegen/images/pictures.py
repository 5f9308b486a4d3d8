"""What the stage made for one source (its stored info) -> output paths and a Picture."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sitegen import urls
from sitegen.images.formats import FILE_EXTENSION, MIME_TYPES
from sitegen.model import ImageFile, Picture


@dataclass(frozen=True)
class Made:
    """One source's published sizes: output path -> file name in its store entry."""

    files: dict[str, str]
    picture: Picture | None  # None: no sizes made (not shown, animated, variants off)


def picture(output_path: str, info: Mapping[str, Any]) -> Made:
    """The sizes of `output_path` the info lists, as files to publish and a Picture."""
    sizes = [(int(w), int(h)) for w, h in info.get("sizes", [])]
    formats = [str(f) for f in info.get("formats", [])]
    if not sizes or not formats:
        return Made({}, None)
    files: dict[str, str] = {}
    by_format: dict[str, tuple[ImageFile, ...]] = {}
    for fmt in formats:
        extension = FILE_EXTENSION[fmt]
        made = []
        for width, height in sizes:
            path = urls.image_variant_path(output_path, width, extension)
            files[path] = f"{width}.{extension}"
            made.append(ImageFile(urls.static_url(path), width, height))
        by_format[fmt] = tuple(made)
    *modern, original = formats
    width, height = sizes[-1]
    sources = tuple((MIME_TYPES[fmt], by_format[fmt]) for fmt in modern)
    return Made(files, Picture(width, height, by_format[original], sources))
