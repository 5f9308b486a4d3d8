"""What a word-only build reads, kept in the cache by the full build before it
(build.record writes it, build.quick reads it): snapshots of what each output is made
from, and which outputs show each content file. Part of BuildCache (store.py)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")


class Snapshots:
    """BuildCache's tables `snapshots` and `shows`."""

    def _read(self, query: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        raise NotImplementedError  # BuildCache's

    def _write(self, work: Callable[[sqlite3.Connection], object], *, hold: bool = False) -> None:
        raise NotImplementedError  # BuildCache's

    def snapshot_stamps(self) -> dict[str, str]:
        """Key -> stamp of every snapshot kept (what it was made from)."""
        query = "SELECT key, stamp FROM snapshots"
        return self._read(lambda db: dict(db.execute(query).fetchall()), {})

    def store_snapshots(self, rows: Iterable[tuple[str, str, bytes]], gone: Iterable[str]) -> None:
        """Keep these (key, stamp, data) and forget `gone`: held until `commit`."""
        checked = ((key, stamp, data, zlib.crc32(data)) for key, stamp, data in rows)
        removed = [(key,) for key in gone]

        def work(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM snapshots WHERE key = ?", removed)
            db.executemany("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?)", checked)

        self._write(work, hold=True)

    def snapshots(self, keys: Iterable[str]) -> dict[str, bytes] | None:
        """The data kept under these keys; None if one is missing or damaged."""
        wanted = list(keys)

        def query(db: sqlite3.Connection) -> list[tuple[object, object, object]]:
            marks = ",".join("?" * len(wanted))
            sql = f"SELECT key, data, checksum FROM snapshots WHERE key IN ({marks})"
            return db.execute(sql, wanted).fetchall()

        found: dict[str, bytes] = {}
        nothing: list[tuple[object, object, object]] = []
        for key, data, check in self._read(query, nothing) if wanted else nothing:
            if type(key) is not str or type(data) is not bytes or zlib.crc32(data) != check:
                return None
            found[key] = data
        return found if len(found) == len(set(wanted)) else None

    def store_shows(self, shows: Mapping[str, Iterable[str]]) -> None:
        """Source file -> the outputs that show it: held until `commit`."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM shows")
            rows = ((source, json.dumps(list(outputs))) for source, outputs in shows.items())
            db.executemany("INSERT INTO shows VALUES (?, ?)", rows)

        self._write(work, hold=True)

    def shows(self, source: str) -> list[str] | None:
        """The outputs that show this source file, as last stored (None: not known)."""
        query = "SELECT outputs FROM shows WHERE source = ?"
        row = self._read(lambda db: db.execute(query, (source,)).fetchone(), None)
        try:
            found = json.loads(row[0]) if row is not None else None
        except (TypeError, ValueError):
            return None
        if type(found) is not list or not all(type(path) is str for path in found):
            return None
        return found

    def set_fingerprints(self, fingerprints: Mapping[str, str]) -> None:
        """Change some outputs' fingerprints (the others stay as they are)."""
        query = "UPDATE outputs SET fingerprint = ? WHERE path = ?"
        rows = [(value, path) for path, value in fingerprints.items()]
        self._write(lambda db: db.executemany(query, rows), hold=True)
