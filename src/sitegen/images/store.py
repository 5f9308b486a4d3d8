"""Made image files kept between builds in `.sitegen-cache/images/<key>/`, where the key
hashes the source's bytes and every setting that changes what is made: a rebuild finds
the files of an unchanged image without reading it, and re-encodes only changed ones."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sitegen.cache.store import CACHE_DIR
from sitegen.images.formats import FILE_EXTENSION

INFO = "info.json"
STAMPS = "stamps.json"  # source path -> [size:mtime, content hash]: no re-hashing
INDEX = "index.json"  # key -> the last build's sources' info (compact): one read, not one each
FORMATS = "formats.json"  # the formats the installed Pillow writes
SHOWN = "shown.json"  # base path -> article digest -> the images its body shows
HASH_CHUNK = 1 << 20


def made_images_dir(site_dir: Path) -> Path:
    """Where a site's made images are kept (in the build cache's folder)."""
    return site_dir / CACHE_DIR / "images"


def content_hash(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


class ImageStore:
    """The folder of made images; with `reuse` off (--no-cache) nothing is read back,
    everything is made afresh (and stored for the next build)."""

    def __init__(self, folder: Path, *, reuse: bool) -> None:
        self.folder = folder
        self.reuse = reuse
        self._stamps = self._read_json(folder / STAMPS) if reuse else {}
        self._index = self._read_json(folder / INDEX) if reuse else {}
        self._used_stamps: dict[str, list[str]] = {}
        self._entries: set[str] | None = None  # the entries' names, listed once
        self._shapes: dict[str, tuple[tuple[str, ...], tuple[tuple[int, int], ...]]] = {}
        self._shown = self._read_json(folder / SHOWN) if reuse else {}
        self._used_shown: dict[str, dict[str, list[str]]] = {}
        self._from_index: dict[str, str] = {}  # key -> its entry, for those found there

    def source_hash(self, path: Path) -> str:
        """The file's content hash, from the last build's if its stamp did not change."""
        name = str(path)
        stat = os.stat(name)
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        known = self._stamps.get(name)
        if type(known) is list and len(known) == 2 and known[0] == stamp:
            found = str(known[1])
        else:
            found = content_hash(path)
        self._used_stamps[name] = [stamp, found]
        return found

    def info(self, key: str) -> dict[str, Any] | None:
        """What was made for `key` (sizes, formats, GPS found), if all of it is there:
        listed in the last build's index (its files were checked then), else in the
        entry's own info, with every file it names."""
        if not self.reuse:
            return None
        known = self._index.get(key)
        if type(known) is str and key in self._listed():
            found = self._expanded(known)
            if found is not None:
                self._from_index[key] = known
                return found
        info = self._read_json(self.folder / key / INFO)
        files = info.get("files")
        if not isinstance(files, list) or not all(
            isinstance(name, str) and (self.folder / key / name).is_file() for name in files
        ):
            return None
        return made_info(info)

    def _expanded(self, text: str) -> dict[str, Any] | None:
        """An index entry ('go|AVIF WEBP JPEG|480x270 800x450') as made_info gives it;
        photos of one camera share the part after the flags, read once."""
        flags, _, shape = text.partition("|")
        parsed = self._shapes.get(shape)
        if parsed is None:
            try:
                names, pixels = shape.split("|")
                parsed = (
                    tuple(names.split()),
                    tuple(
                        (int(w), int(h)) for w, h in (size.split("x") for size in pixels.split())
                    ),
                )
            except ValueError:
                return None
            if not set(parsed[0]) <= FILE_EXTENSION.keys():  # (the cache is input)
                return None
            self._shapes[shape] = parsed
        return {
            "gps": "g" in flags,
            "original": "o" in flags,
            "formats": parsed[0],
            "sizes": parsed[1],
        }

    def bodies(self, base_path: str) -> dict[str, list[str]]:
        """The images article bodies show, by article digest, as the last build found
        them (for this base path); `shown` gets this build's."""
        known = self._shown.get(base_path)
        return known if type(known) is dict else {}

    def shown(self, base_path: str, found: dict[str, list[str]]) -> None:
        self._used_shown = {base_path: found}

    def _listed(self) -> set[str]:
        """The entries there are: one listing, not a look-up of each (1,000 photos)."""
        if self._entries is None:
            try:
                self._entries = set(os.listdir(self.folder))
            except OSError:
                self._entries = set()
        return self._entries

    def formats(self, identity: str, find: Callable[[], Sequence[str]]) -> tuple[str, ...]:
        """The formats the installed Pillow writes (`find` asks it), remembered with its
        `identity`: a rebuild with every image in the store does not import Pillow."""
        known = self._read_json(self.folder / FORMATS) if self.reuse else {}
        found = known.get("formats")
        if known.get("pillow") == identity and type(found) is list:
            return tuple(map(str, found))
        formats = tuple(find())
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"pillow": identity, "formats": formats}, sort_keys=True)
            _write_atomically(self.folder / FORMATS, text.encode("utf-8"))
        return formats

    def save(self, key: str, files: Mapping[str, bytes], info: Mapping[str, Any]) -> None:
        """Store one source's made files, then its info (written last: a killed build
        leaves an entry without info, which is made again)."""
        folder = self.folder / key
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            _write_atomically(folder / name, data)
        text = json.dumps({**info, "files": sorted(files)}, sort_keys=True)
        _write_atomically(folder / INFO, text.encode("utf-8"))

    def finish(self, used: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember the sources' hashes and what was made of them (the index); drop
        entries no source of this build uses."""
        self.folder.mkdir(parents=True, exist_ok=True)
        index = {key: self._from_index.get(key) or _compact(info) for key, info in used.items()}
        for name, value, known in (
            (STAMPS, self._used_stamps, self._stamps),
            (INDEX, index, self._index),
            (SHOWN, self._used_shown, self._shown),
        ):
            if value != known:  # (a rebuild that changed no image writes nothing)
                data = json.dumps(value, sort_keys=True).encode("utf-8")
                _write_atomically(self.folder / name, data)
        keep = set(used)
        if self._entries is None:
            with os.scandir(self.folder) as entries:  # (its file types: no stat per entry)
                gone = [e.path for e in entries if e.is_dir() and e.name not in keep]
        else:  # listed already (those made since are kept)
            gone = [p for n in self._entries - keep if os.path.isdir(p := f"{self.folder}/{n}")]
        for path in gone:
            shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def made_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """What the stage needs of an entry's info (info.json, or what it just made)."""
    formats = tuple(map(str, info.get("formats", ())))
    sizes = tuple((int(w), int(h)) for w, h in info.get("sizes", ()))
    original = "original" in info.get("files", ())
    return {"gps": bool(info.get("gps")), "original": original, "formats": formats, "sizes": sizes}


def _compact(info: Mapping[str, Any]) -> str:
    """made_info as one string in the index: 1,000 of them are read back in a millisecond
    (as JSON objects with lists of sizes and files, in 5)."""
    flags = ("g" if info["gps"] else "") + ("o" if info["original"] else "")
    sizes = " ".join(f"{w}x{h}" for w, h in info["sizes"])
    return f"{flags}|{' '.join(info['formats'])}|{sizes}"


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
