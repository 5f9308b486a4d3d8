"""`.sitegen-cache/cache.sqlite` <-> what a rebuild can reuse: parse results as rows
(cache/codec.py makes and reads them), output fingerprints, memos under named keys. JSON in
SQLite, never pickle: a corrupt or foreign cache is discarded with a warning, never trusted."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from sitegen import urls
from sitegen.cache.snapshots import Snapshots
from sitegen.errors import Location, Problem, warning

CACHE_DIR = ".sitegen-cache"
SCHEMA = 5
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles
    (key TEXT PRIMARY KEY, value TEXT NOT NULL, body BLOB, excerpt TEXT, checksum INTEGER);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots
    (key TEXT PRIMARY KEY, stamp TEXT NOT NULL, data BLOB NOT NULL, checksum INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS shows (source TEXT PRIMARY KEY, outputs TEXT NOT NULL);
"""

T = TypeVar("T")
# What reading data of another shape than sitegen wrote raises (JSON of other types, a
# string where a list was, nesting past reading): the cache is input, never trusted.
MALFORMED = (ValueError, LookupError, TypeError, AttributeError, RecursionError)
Row = tuple[str, str, bytes, str]  # a parse result: key, JSON, body HTML, excerpt HTML


def checksum(value: str, body: bytes, excerpt: str) -> int:
    """CRC-32 of a stored parse result: SQLite checks the structure of its file, not the
    bytes of the values in it, and one flipped bit in an article's HTML would be published.
    (Not a defence against a forged cache: that is what decoding checks, see decode_row.)"""
    crc = zlib.crc32(value.encode("utf-8", "surrogatepass"))
    return zlib.crc32(excerpt.encode("utf-8", "surrogatepass"), zlib.crc32(body, crc))


def digest(*parts: str | bytes) -> str:
    """A short, stable hash of the parts (each length-prefixed, so parts cannot run together)."""
    return digest_all(parts)


def digest_all(parts: Iterable[str | bytes]) -> str:
    """digest(*parts) of parts that can be made one by one as they are hashed."""
    sha = hashlib.sha256()
    for part in parts:
        # surrogatepass: a file name that is not UTF-8 (os.fsdecode's lone surrogates)
        # hashes too; any other text encodes exactly as with plain UTF-8
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:32]


class BuildCache(Snapshots):
    """One open cache; `None`-like behaviour (no reads, no writes) when disabled."""

    def __init__(self, site_dir: Path, *, enabled: bool = True) -> None:
        self.path = site_dir / CACHE_DIR / "cache.sqlite"
        self.problems: list[Problem] = []
        self.db: sqlite3.Connection | None = None
        self._later: list[Callable[[], None]] = []  # see catch_up
        if enabled:
            self.db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():  # (the folder may be a link to a folder of the user's)
                ignore.write_text("*\n")
            db = _connect(self.path)
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None or found[0] != str(SCHEMA):
                schema = None if found is None else found[0]
                raise sqlite3.DatabaseError(f"schema {schema!r:.20}, expected {SCHEMA}")
            return db
        except (sqlite3.Error, OSError) as exc:
            self._discard(exc)
            return self.db  # the fresh database _discard made, if it could

    def _discard(self, exc: Exception) -> None:
        where = Location(PurePosixPath(CACHE_DIR, self.path.name))
        self.problems.append(warning(where, f"cache: unreadable ({exc}); discarded and rebuilt"))
        try:
            self.path.unlink(missing_ok=True)
            self.db = _connect(self.path)
        except (sqlite3.Error, OSError):
            self.db = None

    def close(self) -> None:
        self._end_held("ROLLBACK")  # what a build held and did not commit: it failed after all
        self.catch_up()
        if self.db is not None:
            self.db.close()
            self.db = None

    # articles ------------------------------------------------------------------------
    def holds_articles(self) -> bool:
        """Whether any parse result is kept: without one, looking up is wasted work."""
        query = "SELECT 1 FROM articles LIMIT 1"
        return self._read(lambda db: db.execute(query).fetchone() is not None, False)

    def articles(self, keys: Iterable[str], decode: Callable[[Row], T]) -> dict[str, T]:
        """The parse results stored for the keys that have one, as `decode` makes them of
        their rows (one it cannot read, raising one of MALFORMED, makes the whole cache
        suspect: discarded, as is one whose checksum does not match)."""
        if self.db is None:
            return {}
        found: dict[str, T] = {}
        wanted = list(keys)
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT key, value, body, excerpt, checksum FROM articles"
                    f" WHERE key IN ({marks})",
                    chunk,
                )
                for key, value, body, excerpt, check in rows:
                    if check != checksum(value, body, excerpt):
                        raise ValueError(f"article {key!r:.40}: checksum does not match")
                    found[key] = decode((key, value, body, excerpt))
        except (sqlite3.Error, *MALFORMED) as exc:
            self._discard(exc)
            return {}
        return found

    @contextlib.contextmanager
    def storing(self) -> Iterator[None]:
        """What is stored inside is one transaction, committed at the end (dropped if
        that is an exception). Each commit writes every page it changed, and each batch
        of parse results changes pages all over the index of their keys: committed batch
        by batch, 50,000 parse results wrote 1.2 GB for a cache of 0.43 GB, in one go
        0.76 GB. Not inside a transaction held already (it joins that one)."""
        if self.db is None or self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN")
        except sqlite3.Error as exc:
            self._discard(exc)
        try:
            yield
        except BaseException:
            self._end_held("ROLLBACK")
            raise
        self._end_held("COMMIT")

    def store_articles(self, rows: Iterable[Row]) -> None:
        """Save parse results (rows as `codec.article_row` makes them)."""
        checked = ((*row, checksum(*row[1:])) for row in rows)
        query = "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)"
        self._write(lambda db: db.executemany(query, checked))

    def keep_articles(self, keys: Iterable[str]) -> None:
        """Forget the parse results of all but `keys` (files deleted, or changed since)."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM keep")
            db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keys))
            db.execute("DELETE FROM articles WHERE key NOT IN (SELECT key FROM keep)")

        self._write(work)

    def forget_articles(self, keys: Iterable[str]) -> None:
        """Forget these parse results (as keep_articles, for a caller that knows which)."""
        gone = [(key,) for key in keys]
        self._write(lambda db: db.executemany("DELETE FROM articles WHERE key = ?", gone))

    # content files ---------------------------------------------------------------------
    def file_hashes(self) -> dict[str, tuple[str, str]]:
        """Path -> ("size:mtime_ns", content hash) as last seen."""
        query = "SELECT path, stat, hash FROM files"
        rows: list[tuple[str, str, str]] = self._read(lambda db: db.execute(query).fetchall(), [])
        if not all(type(x) is str for row in rows for x in row):  # a hash would key articles
            self._discard(TypeError("a file hash that is not text"))
            return {}
        return {path: (stat, content) for path, stat, content in rows}

    def store_file_hashes(self, hashes: Mapping[str, tuple[str, str]]) -> None:
        """Put off (see `catch_up`): a memo of hashes, needed by the next build only."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM files")
            rows = ((path, stat, content) for path, (stat, content) in hashes.items())
            db.executemany("INSERT INTO files VALUES (?, ?, ?)", rows)
            _files_written(db)

        self._later.append(lambda: self._write(work))

    def update_file_hashes(
        self, changed: Mapping[str, tuple[str, str]], removed: Iterable[str]
    ) -> None:
        """As store_file_hashes, for a caller that knows what the table holds (`serve`):
        only the rows that changed, not all 5,000 after one save."""
        gone = [(path,) for path in removed]

        def work(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM files WHERE path = ?", gone)
            rows = ((path, stat, content) for path, (stat, content) in changed.items())
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", rows)
            _files_written(db)

        self._later.append(lambda: self._write(work))

    # outputs -------------------------------------------------------------------------
    def outputs(self, output_dir: Path) -> dict[str, str]:
        """Fingerprints of the files last written to `output_dir` (empty for another dir)."""
        if self.get_meta("output_dir") != str(output_dir.resolve()):
            return {}
        query = "SELECT path, fingerprint FROM outputs"
        known: dict[str, str] = self._read(lambda db: dict(db.execute(query).fetchall()), {})
        if not all(map(urls.is_output_path, known)):  # used to link and delete files
            self._discard(ValueError("an output path outside the output folder"))
            return {}
        return known

    def store_outputs(self, output_dir: Path, fingerprints: Mapping[str, str]) -> None:
        """What the output will hold once this build is published: held until `commit`."""

        def work(db: sqlite3.Connection) -> None:
            folder = str(output_dir.resolve())
            db.execute("INSERT OR REPLACE INTO meta VALUES ('output_dir', ?)", (folder,))
            db.execute("DELETE FROM outputs")
            db.executemany("INSERT INTO outputs VALUES (?, ?)", fingerprints.items())

        self._write(work, hold=True)

    # templates -------------------------------------------------------------------------
    @property
    def compiled_templates_dir(self) -> Path | None:
        """Where Jinja keeps compiled templates (keyed by their source, so never stale;
        in a folder for each base URL, see render.folded_settings)."""
        if self.db is None:
            return None
        folder = self.path.parent / "templates"
        folder.mkdir(exist_ok=True)
        return folder

    def template_memo(self) -> dict[str, bool]:
        stored = self.get_meta("uses_site")
        try:
            loaded = json.loads(stored) if stored else {}
            return {str(k): bool(v) for k, v in loaded.items()}
        except (ValueError, AttributeError):
            return {}

    def store_template_memo(self, memo: Mapping[str, bool]) -> None:
        recent = dict(list(memo.items())[-64:])  # newest last: older template versions go
        self.set_meta("uses_site", json.dumps(recent))

    # memos ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """What was stored under `key` (`set_meta`), if anything."""
        value = self._meta(key)
        return None if value is None else str(value)

    def get_meta_bytes(self, key: str) -> bytes | None:
        """What was stored under `key` as bytes (`set_meta`), if anything."""
        value = self._meta(key)
        return value if type(value) is bytes else None

    def _meta(self, key: str) -> object:
        query = "SELECT value FROM meta WHERE key = ?"
        row = self._read(lambda db: db.execute(query, (key,)).fetchone(), None)
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str | bytes, *, hold: bool = False) -> None:
        """Store `value` under `key` (with `hold`, kept only once `commit`ted: see `_write`)."""
        query = "INSERT OR REPLACE INTO meta VALUES (?, ?)"
        self._write(lambda db: db.execute(query, (key, value)), hold=hold)

    def set_meta_later(self, key: str, value: Callable[[], str]) -> None:
        """Put off (see `catch_up`): store `value()`, which may wait for workers, under `key`."""
        self._later.append(lambda: self.set_meta(key, value()))

    def catch_up(self) -> None:
        """Make the writes put off while the build was in a hurry (related articles chosen
        afresh, the content files' hashes): called while the workers render, and on closing."""
        while self._later:
            self._later.pop(0)()

    # whole builds -----------------------------------------------------------------
    def unchanged_build(self, signature: str, now: dt.datetime) -> dict[str, Any] | None:
        """The summary of the last build if its inputs had this signature and nothing it
        left out as scheduled has come due since."""
        if self.get_meta("last_signature") != signature:
            return None
        stored = self.get_meta("last_build")
        try:
            data = json.loads(stored) if stored else None
            if data is None:
                return None
            due = data["next_due"]
            if due is not None and dt.datetime.fromisoformat(due) <= now:
                return None
            return dict(data["summary"])
        except MALFORMED:
            return None

    def remember_build(
        self,
        signature: str,
        summary: dict[str, Any],
        next_due: dt.datetime | None,
        blobs: Mapping[str, bytes],
    ) -> None:
        """What `unchanged_build` will answer for these inputs: held until `commit`. The
        summary is small JSON; `blobs` are kept beside it, read when asked for."""
        due = None if next_due is None else next_due.isoformat()
        data = json.dumps({"summary": summary, "next_due": due})
        self.set_meta("last_build", data, hold=True)
        for key, blob in blobs.items():
            self.set_meta(key, blob, hold=True)
        self.remember_build_again(signature)

    def remember_build_again(self, signature: str) -> None:
        """The last build's summary, remembered for these inputs (held until `commit`)."""
        self.set_meta("last_signature", signature, hold=True)

    def commit(self) -> None:
        """Keep what is held: the build it describes is published. Closing the cache
        without this (a build that failed after all) drops it."""
        self._end_held("COMMIT")

    def _end_held(self, statement: str) -> None:
        """COMMIT or ROLLBACK what `_write(hold=True)` left open, if anything."""
        if self.db is not None and self.db.in_transaction:
            try:
                self.db.execute(statement)
            except sqlite3.Error as exc:
                self._discard(exc)

    def _read(self, query: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """What `query` answers, or `fallback` without a cache or if it fails (discarded)."""
        if self.db is None:
            return fallback
        try:
            return query(self.db)
        except sqlite3.Error as exc:
            self._discard(exc)
            return fallback

    def _write(self, work: Callable[[sqlite3.Connection], object], *, hold: bool = False) -> None:
        """Run `work` in one transaction; a cache that fails is discarded (`_discard`).
        With `hold`, the transaction stays open until `commit` (and whatever is written
        while one is held joins it): a build stores what describes its output while its
        workers render, not after the output is published."""
        if self.db is None:
            return
        try:
            held = self.db.in_transaction
            if not held:
                self.db.execute("BEGIN")
            work(self.db)
            if not (held or hold):
                self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._discard(exc)


def _files_written(db: sqlite3.Connection) -> None:
    """Mark a change of the table of files (`files_written`: what build.record compares)."""
    token = os.urandom(8).hex()
    db.execute("INSERT OR REPLACE INTO meta VALUES ('files_written', ?)", (token,))


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating if need be) a cache database; a new one is stamped with SCHEMA."""
    db = sqlite3.connect(path, isolation_level=None)
    # No flush to disk per transaction (a cold build made 160, waiting 0.1 s, most of it
    # after the site was written): a build killed midway still leaves the database
    # consistent (the rollback journal is kept), only a crash of the whole machine could
    # damage it, and a damaged cache is discarded like any unreadable one.
    db.execute("PRAGMA synchronous = OFF")
    # Pages of 16 KiB for a new database (an existing one keeps its own): with SQLite's
    # 4 KiB, each article's HTML ran over two pages; storing 5,000 parse results took
    # 80-110 ms of a first build, now 55-80 ms.
    db.execute("PRAGMA page_size = 16384")
    db.executescript(_TABLES)
    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
    return db
