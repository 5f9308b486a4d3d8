"""What the image stage knows of formats and hands on to the build, without Pillow: a
build imports Pillow (stage.py, codec.py) only when the site has images to make."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import Problem
from sitegen.model import Picture

# Formats whose files the stage rewrites: the web's photo formats. GIF, SVG and the rest are
# published as they are (they seldom carry camera metadata; GIFs may be animations).
EXTENSIONS = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
FILE_EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}


@dataclass(frozen=True)
class Prepared:
    """What the image stage gives the build."""

    pictures: dict[str, Picture]  # src as pages write it -> its sizes
    files: dict[str, Path]  # output path -> the made file to publish in its place
    problems: list[Problem]
    encoded: int  # sources decoded this build (the others came from the cache)
    static: Mapping[str, Path] = dataclasses.field(default_factory=dict)  # with `files` in


def is_rewritten(output_path: str) -> bool:
    """Whether the stage rewrites a static file of this name (JPEG, PNG, WebP)."""
    return output_path.rsplit(".", 1)[-1].lower() in EXTENSIONS
