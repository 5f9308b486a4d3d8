"""Static images + the articles that show them -> published files and Pictures.

Every JPEG, PNG and WebP under static/ is published without its metadata (unless the
site keeps it); those shown as lead images, in article bodies or as the default share
image are also made at the configured widths in modern formats (codec.py). Made files
are kept in the build cache (store.py); on a first build, the images are shared among
worker processes (runtime.pool).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from PIL import __version__ as pillow_version

from sitegen import urls
from sitegen.cache.store import digest
from sitegen.config.images import ImageSettings
from sitegen.errors import Location, Problem, error, warning
from sitegen.images import codec
from sitegen.images.formats import FILE_EXTENSION, Prepared, is_rewritten
from sitegen.images.pictures import picture
from sitegen.images.store import ImageStore
from sitegen.model import Picture
from sitegen.runtime.pool import map_ranges

_BODY_IMAGE = re.compile(rb"""<img\s[^>]*?\bsrc=["'](/[^"']+)["']""")


@dataclass(frozen=True)
class Source:
    """One static image to publish: where it goes, where it is, and what to make of it."""

    output_path: str  # 'images/x.jpg' (also its path under static/)
    path: Path
    shown_path: PurePosixPath  # 'static/images/x.jpg', for messages
    is_shown: bool  # a page shows it: make its sizes
    key: str = ""  # hashes its bytes and the settings (store.py)


def shown_images(bodies: Iterable[bytes], leads: Iterable[str], base_path: str) -> set[str]:
    """Every site path an article shows: its lead image and its body's <img> sources."""
    found = set(leads)
    prefix = base_path.encode("utf-8")
    for body in bodies:
        if b"<img" in body:
            for match in _BODY_IMAGE.finditer(body):
                src = match.group(1)
                if prefix and src.startswith(prefix + b"/"):
                    src = src[len(prefix) :]
                found.add(src.decode("utf-8", "replace"))
    return found


def prepare_images(
    settings: ImageSettings,
    site_dir: Path,
    static: Mapping[str, Path],
    srcs: Iterable[str],
    store: ImageStore,
    jobs: int | None = None,
) -> Prepared:
    """Publishable files and Pictures for the static images; a file that does not decode
    is its problem (`static/x.jpg: cannot read image: ...`), never a crash."""
    wanted = {unquote(src.lstrip("/")): src for src in srcs if not urls.leaves_site(src)}
    sources = [
        _keyed(Source(rel, path, _shown_path(path, site_dir, rel), rel in wanted), settings, store)
        for rel, path in static.items()
        if is_rewritten(rel)
    ]
    infos = {s.key: info for s in sources if (info := store.info(s.key)) is not None}
    todo = [s for s in sources if s.key not in infos]
    work = functools.partial(_make_range, todo, settings, store)
    for made in map_ranges(work, len(todo), jobs, "images"):
        infos.update(made)
    prepared = _collect(sources, infos, wanted, settings, store)
    store.finish({s.key: infos[s.key] for s in sources if "error" not in infos[s.key]})
    published = {**static, **prepared.files}
    return Prepared(prepared.pictures, prepared.files, prepared.problems, len(todo), published)


def _shown_path(path: Path, site_dir: Path, rel: str) -> PurePosixPath:
    try:
        return PurePosixPath(path.relative_to(site_dir).as_posix())
    except ValueError:  # the theme's own
        return PurePosixPath("static", rel)


def _keyed(source: Source, settings: ImageSettings, store: ImageStore) -> Source:
    """The source with its key: what it is made from, and how."""
    try:
        content = store.source_hash(source.path)
    except OSError as exc:
        content = f"unreadable {exc}"
    how = (
        settings.widths if settings.variants and source.is_shown else (),
        settings.keep_metadata,
        codec.modern_formats(),
        codec.ENCODER_VERSION,
        pillow_version,
    )
    return Source(**{**source.__dict__, "key": digest(content, repr(how))})


def _make_range(
    todo: Sequence[Source], settings: ImageSettings, store: ImageStore, start: int, stop: int
) -> dict[str, dict[str, Any]]:
    """Make the files of todo[start:stop] into the store: key -> info (or its error)."""
    return {todo[i].key: _make(todo[i], settings, store) for i in range(start, stop)}


def _make(source: Source, settings: ImageSettings, store: ImageStore) -> dict[str, Any]:
    try:
        data = source.path.read_bytes()
        decoded = codec.decode(data, keep_metadata=settings.keep_metadata)
    except OSError as exc:
        return {"error": f"cannot read: {exc.strerror or exc}"}
    except codec.UnreadableImage as exc:
        return {"error": f"cannot read image: {exc}"}
    image = decoded.image
    info: dict[str, Any] = {"width": image.width, "height": image.height}
    info.update(gps=decoded.has_gps, format=decoded.format, sizes=[], formats=[])
    files: dict[str, bytes] = {}
    if not settings.keep_metadata and not decoded.is_animated:
        files["original"] = codec.clean_copy(decoded)
    if settings.variants and source.is_shown and not decoded.is_animated:
        formats = [f for f in codec.modern_formats() if f != decoded.format]
        info["formats"] = [*formats, decoded.format]
        for width in sorted({min(w, image.width) for w in settings.widths}):
            resized = codec.resize(decoded, width)
            info["sizes"].append([resized.width, resized.height])
            for fmt in info["formats"]:
                files[f"{width}.{FILE_EXTENSION[fmt]}"] = codec.encode(resized, fmt, decoded)
    store.save(source.key, files, info)
    return {**info, "files": sorted(files)}


@dataclass
class _Collected:
    pictures: dict[str, Picture]
    files: dict[str, Path]
    problems: list[Problem]


def _collect(
    sources: Sequence[Source],
    infos: Mapping[str, Mapping[str, Any]],
    wanted: Mapping[str, str],
    settings: ImageSettings,
    store: ImageStore,
) -> _Collected:
    collected = _Collected({}, {}, [])
    for source in sources:
        info, where = infos[source.key], Location(source.shown_path)
        if "error" in info:  # shown: its pages cannot be made right; else it is copied
            make = error if source.output_path in wanted else warning
            unshown = "" if source.output_path in wanted else "; published as it is"
            collected.problems.append(make(where, f"{info['error']}{unshown}"))
            continue
        if info.get("gps"):
            collected.problems.append(warning(where, _gps_message(settings)))
        # with_name: a sibling without parsing a path again (12,000 of them at 1,000
        # photos were a third of a rebuild's image stage)
        original = store.entry(source.key) / "original"
        if "original" in info["files"]:
            collected.files[source.output_path] = original
        made = picture(source.output_path, info)
        for path, name in made.files.items():
            collected.files[path] = original.with_name(name)
        if made.picture is not None and source.output_path in wanted:
            collected.pictures[wanted[source.output_path]] = made.picture
    return collected


def _gps_message(settings: ImageSettings) -> str:
    if settings.keep_metadata:
        return (
            "image holds GPS coordinates (where it was taken) and keep_image_metadata is "
            "true, so they are published; remove them, or set keep_image_metadata: false"
        )
    return "image holds GPS coordinates (where it was taken); the published copies leave them out"
