"""Image bytes -> decoded, upright, sRGB pictures -> encoded sizes, through Pillow.

Everything here is pure: bytes in, bytes out, no paths. Published files get only what a
browser needs (pixels and, where it could not be converted, the colour profile): EXIF,
XMP and IPTC (GPS coordinates, camera serial numbers, owners' names, thumbnails) are left
behind unless the site keeps them on purpose.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

# Quality settings: read at 375-1200 px these are indistinguishable from the originals, at
# a third of their bytes (docs/images.md). Encoders run single-threaded: the same bytes
# every build (tests/test_images_output.py checks it).
ENCODER_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 80, "optimize": True, "progressive": True},
    "WEBP": {"quality": 75, "method": 4},
    "AVIF": {"quality": 50, "speed": 7, "max_threads": 1},
    "PNG": {"optimize": False},
}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


class UnreadableImage(Exception):
    """Pillow could not decode the file (damaged, truncated, not an image, too large)."""


@dataclass
class Decoded:
    """One source image, upright, ready for encoding at any size."""

    image: Image.Image
    format: str  # Pillow's name of the source format: "JPEG", "PNG", "WEBP"
    has_gps: bool
    icc_profile: bytes | None  # kept only if it could not be converted to sRGB
    metadata: dict[str, bytes]  # EXIF/XMP to publish: empty unless the site keeps them
    source: Image.Image  # as opened (for a lossless-quality JPEG copy)
    is_animated: bool


@functools.cache
def modern_formats() -> tuple[str, ...]:
    """The formats made besides the original's, best first: AVIF only where the
    installed Pillow writes it."""
    return ("AVIF", "WEBP") if features.check("avif") else ("WEBP",)


def decode(data: bytes, *, keep_metadata: bool) -> Decoded:
    """The image in `data`, turned upright (EXIF orientation) and into sRGB."""
    try:
        source = Image.open(io.BytesIO(data))
        source.load()
        exif = source.getexif()
        has_gps = bool(exif.get_ifd(GPS_IFD)) or b"GPSLatitude" in _xmp(source)
        image = ImageOps.exif_transpose(source)
        image, icc = _to_srgb(image, source.info.get("icc_profile"))
    except UnidentifiedImageError:  # (its message names an in-memory file object)
        raise UnreadableImage("not a JPEG, PNG or WebP file Pillow can identify") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds; each is the file's fault
        raise UnreadableImage(str(exc) or type(exc).__name__) from None
    metadata = {}
    if keep_metadata:
        exif[ORIENTATION] = 1  # the pixels are upright now
        metadata = {"exif": exif.tobytes(), "xmp": _xmp(source)}
    animated = bool(getattr(source, "is_animated", False))
    return Decoded(image, source.format or "", has_gps, icc, metadata, source, animated)


def _xmp(image: Image.Image) -> bytes:
    xmp = image.info.get("xmp", b"")
    return xmp.encode("utf-8") if isinstance(xmp, str) else bytes(xmp)


def _to_srgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """Pixels in sRGB, the web's colour space, so no profile needs publishing; a profile
    that cannot be converted from is kept instead (colours stay right either way)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("P", "PA") and "transparency" in image.info
        image = image.convert("RGBA" if has_alpha or image.mode == "PA" else "RGB")
    if not icc:
        return image, None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower().replace(" ", ""):
            return image, None
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, profile, srgb, outputMode=image.mode)
        return (converted or image), None
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image, icc


def resize(decoded: Decoded, width: int) -> Image.Image:
    """The picture `width` pixels wide (never wider than it is), its aspect kept."""
    image = decoded.image
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def encode(image: Image.Image, format: str, decoded: Decoded) -> bytes:
    """`image` as a file of `format`, carrying only the profile and kept metadata."""
    if format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # (a PNG's alpha: its fallback stays PNG; a safeguard)
    image.info = {}  # Pillow copies some of info (comments, XMP) into what it saves
    options = dict(ENCODER_OPTIONS[format])
    if decoded.icc_profile:
        options["icc_profile"] = decoded.icc_profile
    options.update({k: v for k, v in decoded.metadata.items() if v})
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def clean_copy(decoded: Decoded) -> bytes:
    """The original at its full size without its metadata: a JPEG that needs no turning
    keeps its quantisation tables ("keep": no visible loss), others are encoded afresh."""
    source = decoded.source
    is_upright = source.getexif().get(ORIENTATION, 1) == 1
    if decoded.format == "JPEG" and is_upright and source.mode in ("RGB", "L"):
        options: dict[str, object] = {"quality": "keep", "subsampling": "keep", "optimize": True}
        icc = source.info.get("icc_profile")
        if icc:
            options["icc_profile"] = icc  # a full-size copy keeps its own colours exactly
        source.info = {}
        out = io.BytesIO()
        source.save(out, "JPEG", **options)
        return out.getvalue()
    fmt = decoded.format if decoded.format in ("JPEG", "PNG", "WEBP") else "PNG"
    return encode(decoded.image, fmt, decoded)
