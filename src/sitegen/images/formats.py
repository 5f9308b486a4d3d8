"""What the image stage knows of formats and hands on to the build, without Pillow: a
build imports Pillow (codec.py) only when it has images to make."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sitegen.errors import Problem
from sitegen.model import Picture

# Formats whose files the stage rewrites: the web's photo formats. GIF, SVG and the rest are
# published as they are (they seldom carry camera metadata; GIFs may be animations).
EXTENSIONS = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
FILE_EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}
ENCODER_VERSION = "1"  # bump when what is made from the same source changes (codec.py)


class Sizes(NamedTuple):
    """One image's made sizes, published beside it ('images/a-480w.webp', ...): made
    together from one source, so a build checks, remembers and remakes them as one, under
    the fingerprint of the image itself (render.outputs). (A tuple: 1,000 made a build.)"""

    paths: tuple[str, ...]  # output paths
    entry: str  # the store's folder of the made files
    names: tuple[str, ...]  # their names there, in the order of `paths`
    key: str  # what they are made from (the source's bytes, the settings)

    @property
    def files(self) -> list[str]:
        """The made files the sizes are copies of, in the order of `paths`."""
        return [f"{self.entry}/{name}" for name in self.names]


@dataclass(frozen=True)
class Prepared:
    """What the image stage gives the build."""

    pictures: Mapping[str, Picture]  # src as pages write it -> its sizes
    sizes: Mapping[str, Sizes]  # an image's output path -> the sizes published beside it
    problems: list[Problem]
    encoded: int  # sources decoded this build (the others came from the cache)
    static: Mapping[str, Path] = dataclasses.field(default_factory=dict)  # images as published


def is_rewritten(output_path: str) -> bool:
    """Whether the stage rewrites a static file of this name (JPEG, PNG, WebP)."""
    return output_path.rsplit(".", 1)[-1].lower() in EXTENSIONS
