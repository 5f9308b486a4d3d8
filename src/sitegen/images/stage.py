"""Static images + the articles that show them -> published files and Pictures.

Every JPEG, PNG and WebP under static/ is published without its metadata (unless the
site keeps it); those shown as lead images, in article bodies or as the default share
image are also made at the configured widths in modern formats (codec.py). Made files
are kept in the build cache (store.py); on a first build, the images are shared among
worker processes (runtime.pool). A rebuild that finds every image in the store imports
no Pillow and does a few dictionary look-ups per image: its cost is measured against a
build without the stage (benchmarks/images.py).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote

import PIL  # the package alone: its version, not its codecs

from sitegen import urls
from sitegen.cache.store import digest
from sitegen.config.images import ImageSettings
from sitegen.errors import Location, Problem, error, warning
from sitegen.images.formats import ENCODER_VERSION, FILE_EXTENSION, Prepared, Sizes, is_rewritten
from sitegen.images.pictures import has_sizes, picture, sizes
from sitegen.images.store import ImageStore, made_info
from sitegen.model import Pictures
from sitegen.runtime.pool import map_ranges

_BODY_IMAGE = re.compile(rb"""<img\s[^>]*?\bsrc=["'](/[^"']+)["']""")


class Source(NamedTuple):
    """One static image to publish: where it goes, where it is, and what to make of it."""

    output_path: str  # 'images/x.jpg' (also its path under static/)
    path: Path
    is_shown: bool  # a page shows it: make its sizes
    key: str  # hashes its bytes and the settings (store.py)


def shown_images(bodies: Iterable[bytes], leads: Iterable[str], base_path: str) -> set[str]:
    """Every site path an article shows: its lead image and its body's <img> sources."""
    found = set(leads)
    for body in bodies:
        found.update(_body_images(body, base_path))
    return found


def site_shown_images(
    bodies: Iterable[tuple[str, bytes]], leads: Iterable[str], base_path: str, store: ImageStore
) -> set[str]:
    """shown_images of (digest, body) pairs; a body the store saw in the last build (by
    its article's digest) is not looked through again (1,000 bodies took 5 ms)."""
    found = set(leads)
    known = store.bodies(base_path)
    seen: dict[str, list[str]] = {}
    for key, body in bodies:
        srcs = known.get(key) if key else None
        if type(srcs) is not list or not all(type(src) is str for src in srcs):  # (input)
            srcs = _body_images(body, base_path)
        if key:
            seen[key] = srcs
        found.update(srcs)
    store.shown(base_path, seen)
    return found


def _body_images(body: bytes, base_path: str) -> list[str]:
    if b"<img" not in body:
        return []
    prefix, found = base_path.encode("utf-8"), []
    for match in _BODY_IMAGE.finditer(body):
        src = match.group(1)
        if prefix and src.startswith(prefix + b"/"):
            src = src[len(prefix) :]
        found.append(src.decode("utf-8", "replace"))
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
    shown_how, unshown_how = _settings_keys(settings, store)
    sources = []
    for rel, path in static.items():
        if is_rewritten(rel):
            is_shown = rel in wanted
            content = _content(store, path)
            key = digest(content, shown_how if is_shown else unshown_how)
            sources.append(Source(rel, path, is_shown, key))
    infos = {s.key: info for s in sources if (info := store.info(s.key)) is not None}
    todo = [s for s in sources if s.key not in infos]
    work = functools.partial(_make_range, todo, settings, store)
    for made in map_ranges(work, len(todo), jobs, "images"):
        infos.update(made)
    collected = _collect(sources, infos, wanted, settings, store, site_dir)
    store.finish({s.key: infos[s.key] for s in sources if "error" not in infos[s.key]})
    published = {**static, **collected.originals}
    named = {path for made in collected.sizes.values() for path in made.paths}
    for rel in named & published.keys():  # a static file of a made size's name: replaced
        del published[rel]
    pictures = Pictures(collected.pictures, collected.keys, picture)
    return Prepared(pictures, collected.sizes, collected.problems, len(todo), published)


def _settings_keys(settings: ImageSettings, store: ImageStore) -> tuple[str, str]:
    """What a shown image's and an unshown one's files are made with, as key parts."""
    formats = store.formats(_pillow_identity(), _modern_formats)
    keys = []
    for is_shown in (True, False):
        widths = settings.widths if settings.variants and is_shown else ()
        how = (widths, settings.keep_metadata, formats, ENCODER_VERSION, PIL.__version__)
        keys.append(repr(how))
    return keys[0], keys[1]


def _pillow_identity() -> str:
    """The installed Pillow: its version, and when its folder last changed (installed)."""
    return f"{PIL.__version__} {os.stat(os.path.dirname(PIL.__file__)).st_mtime_ns}"


def _modern_formats() -> tuple[str, ...]:
    from sitegen.images import codec  # noqa: PLC0415 - Pillow's codecs, when needed

    return codec.modern_formats()


def _content(store: ImageStore, path: Path) -> str:
    try:
        return store.source_hash(path)
    except OSError as exc:
        return f"unreadable {exc}"


def _make_range(
    todo: Sequence[Source], settings: ImageSettings, store: ImageStore, start: int, stop: int
) -> dict[str, dict[str, Any]]:
    """Make the files of todo[start:stop] into the store: key -> info (or its error)."""
    return {todo[i].key: _make(todo[i], settings, store) for i in range(start, stop)}


def _make(source: Source, settings: ImageSettings, store: ImageStore) -> dict[str, Any]:
    from sitegen.images import codec  # noqa: PLC0415 - Pillow, only when there is work

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
    return made_info({**info, "files": sorted(files)})


@dataclass
class _Collected:
    originals: dict[str, Path]  # output path -> its clean copy
    sizes: dict[str, Sizes]
    pictures: dict[str, tuple[str, Mapping[str, Any]]]  # src -> (output path, info)
    keys: dict[str, str]  # src -> what its Picture is made from
    problems: list[Problem]


def _collect(
    sources: Sequence[Source],
    infos: Mapping[str, Mapping[str, Any]],
    wanted: Mapping[str, str],
    settings: ImageSettings,
    store: ImageStore,
    site_dir: Path,
) -> _Collected:
    collected = _Collected({}, {}, {}, {}, [])
    folder = str(store.folder)
    for source in sources:
        rel, info = source.output_path, infos[source.key]
        if "error" in info:  # shown: its pages cannot be made right; else it is copied
            make = error if rel in wanted else warning
            unshown = "" if rel in wanted else "; published as it is"
            where = Location(_shown_path(source.path, site_dir, rel))
            collected.problems.append(make(where, f"{info['error']}{unshown}"))
            continue
        if info.get("gps"):
            where = Location(_shown_path(source.path, site_dir, rel))
            collected.problems.append(warning(where, _gps_message(settings)))
        entry = f"{folder}/{source.key}"
        if info["original"]:
            collected.originals[rel] = store.folder.joinpath(source.key, "original")
        if has_sizes(info):
            collected.sizes[rel] = sizes(rel, info, entry, source.key)
            if rel in wanted:
                src = wanted[rel]
                collected.pictures[src] = (rel, info)
                collected.keys[src] = f"{source.key} {rel}"
    return collected


def _shown_path(path: Path, site_dir: Path, rel: str) -> PurePosixPath:
    """The source as messages name it ('static/images/x.jpg')."""
    try:
        return PurePosixPath(path.relative_to(site_dir).as_posix())
    except ValueError:  # the theme's own
        return PurePosixPath("static", rel)


def _gps_message(settings: ImageSettings) -> str:
    if settings.keep_metadata:
        return (
            "image holds GPS coordinates (where it was taken) and keep_image_metadata is "
            "true, so they are published; remove them, or set keep_image_metadata: false"
        )
    return "image holds GPS coordinates (where it was taken); the published copies leave them out"
