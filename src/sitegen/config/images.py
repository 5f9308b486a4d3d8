"""The image settings of sitegen.yaml -> ImageSettings: which widths the image stage makes,
whether published images keep their metadata, the share image of articles without one."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen import urls
from sitegen.config.yamldoc import FieldReader
from sitegen.errors import shown

DEFAULT_WIDTHS = (480, 800, 1200)
MOST_PIXELS = 8192  # wider than any screen shows; larger widths are a typo ('12000')
IMAGE_KEYS = {"image_widths", "keep_image_metadata", "default_image", "image_variants"}


@dataclass(frozen=True)
class ImageSettings:
    """How the image stage (sitegen.images) treats the site's own photos."""

    widths: tuple[int, ...] = DEFAULT_WIDTHS  # ascending, no duplicates
    keep_metadata: bool = False  # True: EXIF/XMP (GPS, serial numbers) published as they are
    default_image: str = ""  # site path of the share image for articles without a lead image
    variants: bool = True  # False: no sizes or formats made (metadata is still removed)


def read_image_settings(reader: FieldReader) -> ImageSettings:
    """The image keys of sitegen.yaml, each checked (problems go to the reader)."""
    return ImageSettings(
        widths=_widths(reader),
        keep_metadata=reader.boolean("keep_image_metadata", ImageSettings.keep_metadata),
        default_image=_default_image(reader),
        variants=reader.boolean("image_variants", ImageSettings.variants),
    )


def _widths(reader: FieldReader) -> tuple[int, ...]:
    entry = reader.entries.get("image_widths")
    if entry is None:
        return DEFAULT_WIDTHS
    value = entry.value
    expected = "expected a list of widths in pixels, e.g. [480, 800, 1200]"
    if not isinstance(value, list) or not value:
        reader.fail("image_widths", f"{expected}, got {shown(value)}")
        return DEFAULT_WIDTHS
    bad = [w for w in value if isinstance(w, bool) or not isinstance(w, int)]
    bad += [w for w in value if isinstance(w, int) and not 16 <= w <= MOST_PIXELS]
    if bad:
        reader.fail(
            "image_widths", f"{shown(bad[0])} is not a width from 16 to {MOST_PIXELS}; {expected}"
        )
        return DEFAULT_WIDTHS
    return tuple(sorted(set(value)))


def _default_image(reader: FieldReader) -> str:
    src = reader.string("default_image")
    if src and (urls.leaves_site(src) or not src.startswith("/")):
        reader.fail(
            "default_image", f"{shown(src)} is not a path under static/, e.g. '/images/card.jpg'"
        )
        return ""
    return src
