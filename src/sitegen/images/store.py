"""Made image files kept between builds in `.sitegen-cache/images/<key>/`, where the key
hashes the source's bytes and every setting that changes what is made: a rebuild finds
the files of an unchanged image without reading it, and re-encodes only changed ones."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sitegen.cache.store import CACHE_DIR

INFO = "info.json"
STAMPS = "stamps.json"  # source path -> [size:mtime, content hash]: no re-hashing
INDEX = "index.json"  # key -> info of the last build's sources: one read, not one per source
HASH_CHUNK = 1 << 20


def made_images_dir(site_dir: Path) -> Path:
    """Where a site's made images are kept (in the build cache's folder)."""
    return site_dir / CACHE_DIR / "images"


def file_stamp(path: Path) -> str:
    """Size and modification time: what tells a changed file from the same one."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


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

    def source_hash(self, path: Path) -> str:
        """The file's content hash, from the last build's if its stamp did not change."""
        stamp = file_stamp(path)
        known = self._stamps.get(str(path))
        if isinstance(known, list) and len(known) == 2 and known[0] == stamp:
            found = str(known[1])
        else:
            found = content_hash(path)
        self._used_stamps[str(path)] = [stamp, found]
        return found

    def info(self, key: str) -> dict[str, Any] | None:
        """What was made for `key` (sizes, formats, GPS found), if all of it is there:
        listed in the last build's index (its files were checked then), else in the
        entry's own info, with every file it names."""
        if not self.reuse:
            return None
        info = self._index.get(key)
        if isinstance(info, dict) and os.path.isdir(f"{self.folder}/{key}"):
            return info
        info = self._read_json(self.folder / key / INFO)
        files = info.get("files")
        if not isinstance(files, list) or not all(
            isinstance(name, str) and (self.folder / key / name).is_file() for name in files
        ):
            return None
        return info

    def entry(self, key: str) -> Path:
        return self.folder / key

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
        for name, value, known in (
            (STAMPS, self._used_stamps, self._stamps),
            (INDEX, used, self._index),
        ):
            if value != known:  # (a rebuild that changed no image writes nothing)
                data = json.dumps(value, sort_keys=True).encode("utf-8")
                _write_atomically(self.folder / name, data)
        keep = set(used)
        with os.scandir(self.folder) as entries:  # (its file types: no stat per entry)
            gone = [e.path for e in entries if e.is_dir() and e.name not in keep]
        for path in gone:
            shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
