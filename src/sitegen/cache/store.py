"""The build cache in `.sitegen-cache/`: parsed articles keyed by content hash, and the
fingerprint of every output file, so a rebuild redoes only what an edit changed.

Stored as JSON in SQLite (never pickle: a cache file is data, and a corrupt or foreign one
is discarded with a warning, never trusted and never fatal).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from sitegen import __version__
from sitegen.assemble.related import RelatedResult, RelateFn
from sitegen.errors import Location, Problem, Severity, warning
from sitegen.model import Article, Author, LeadImage, Tag

CACHE_DIR = ".sitegen-cache"
SCHEMA = 4
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles
    (key TEXT PRIMARY KEY, value TEXT NOT NULL, body BLOB, excerpt TEXT);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, hash TEXT NOT NULL);
"""

Loaded = tuple[Article | None, list[Problem]]
Row = tuple[str, str, bytes, str]  # an article's cache row: key, JSON, body HTML, excerpt HTML


def digest(*parts: str | bytes) -> str:
    """A short, stable hash of the parts (each length-prefixed, so parts cannot run together)."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:32]


class BuildCache:
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
            (self.path.parent / ".gitignore").write_text("*\n")
            db = _connect(self.path)
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found[0] != str(SCHEMA):
                raise sqlite3.DatabaseError(f"schema {found[0]!r}, expected {SCHEMA}")
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
        if self.db is None:
            return False
        try:
            return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
        except sqlite3.Error as exc:
            self._discard(exc)
            return False

    def articles(self, keys: Iterable[str]) -> dict[str, Loaded]:
        """Cached parse results for the keys that have one."""
        if self.db is None:
            return {}
        found: dict[str, Loaded] = {}
        wanted = list(keys)
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT key, value, body, excerpt FROM articles WHERE key IN ({marks})", chunk
                )
                for row in rows:
                    found[row[0]] = decode_row(row)
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
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
        """Save parse results (see `article_row`)."""
        self._write(
            lambda db: db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", rows)
        )

    def keep_articles(self, keys: Iterable[str]) -> None:
        """Forget the parse results of all but `keys` (files deleted, or changed since)."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM keep")
            db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keys))
            db.execute("DELETE FROM articles WHERE key NOT IN (SELECT key FROM keep)")

        self._write(work)

    # content files ---------------------------------------------------------------------
    def file_hashes(self) -> dict[str, tuple[str, str]]:
        """Path -> ("size:mtime_ns", content hash) as last seen."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT path, stat, hash FROM files").fetchall()
        except sqlite3.Error as exc:
            self._discard(exc)
            return {}
        return {path: (stat, content) for path, stat, content in rows}

    def store_file_hashes(self, hashes: Mapping[str, tuple[str, str]]) -> None:
        """Put off (see `catch_up`): a memo of hashes, needed by the next build only."""

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM files")
            rows = ((path, stat, content) for path, (stat, content) in hashes.items())
            db.executemany("INSERT INTO files VALUES (?, ?, ?)", rows)

        self._later.append(lambda: self._write(work))

    # outputs -------------------------------------------------------------------------
    def outputs(self, output_dir: Path) -> dict[str, str]:
        """Fingerprints of the files last written to `output_dir` (empty for another dir)."""
        if self.db is None:
            return {}
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'output_dir'").fetchone()
            if row is None or row[0] != str(output_dir.resolve()):
                return {}
            return dict(self.db.execute("SELECT path, fingerprint FROM outputs").fetchall())
        except sqlite3.Error as exc:
            self._discard(exc)
            return {}

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
        stored = self._meta("uses_site")
        try:
            loaded = json.loads(stored) if stored else {}
            return {str(k): bool(v) for k, v in loaded.items()}
        except (ValueError, AttributeError):
            return {}

    def store_template_memo(self, memo: Mapping[str, bool]) -> None:
        recent = dict(list(memo.items())[-64:])  # newest last: older template versions go
        self._set_meta("uses_site", json.dumps(recent))

    # related articles ------------------------------------------------------------------
    def related(self, relate: RelateFn) -> RelateFn:
        """`relate`, remembered across builds: related articles depend only on every
        article's URL, slug, date and tags, which most edits leave alone."""

        def key(articles: Sequence[Article], count: int) -> str:
            return digest(__version__, str(count), *map(_relatedness, articles))

        def remembered(articles: Sequence[Article], count: int) -> RelatedResult:
            stored = self._meta("related")
            if stored is not None:  # (a first build has none: no key to work out first)
                try:
                    data = json.loads(stored)
                    if data["key"] == key(articles, count):
                        by_url = {a.url: a for a in articles}
                        chosen = {
                            url: tuple(by_url[u] for u in urls)
                            for url, urls in data["related"].items()
                        }
                        return chosen, decode_problems(data["problems"])
                except (ValueError, KeyError, TypeError):
                    pass  # recompute below
            related, problems = relate(articles, count)

            def store() -> None:
                encoded = {url: [a.url for a in items] for url, items in related.items()}
                data = {"key": key(articles, count), "related": encoded}
                self._set_meta(
                    "related", json.dumps({**data, "problems": encode_problems(problems)})
                )

            self._later.append(store)
            return related, problems

        return remembered

    def catch_up(self) -> None:
        """Make the writes put off while the build was in a hurry (related articles chosen
        afresh, the content files' hashes): called while the workers render, and on closing."""
        while self._later:
            self._later.pop(0)()

    # whole builds -----------------------------------------------------------------
    def unchanged_build(self, signature: str, now: dt.datetime) -> dict[str, Any] | None:
        """The summary of the last build if its inputs had this signature and nothing it
        left out as scheduled has come due since."""
        stored = self._meta("last_build")
        try:
            data = json.loads(stored) if stored else None
            if data is None or data["signature"] != signature:
                return None
            due = data["next_due"]
            if due is not None and dt.datetime.fromisoformat(due) <= now:
                return None
            return dict(data["summary"])
        except (ValueError, KeyError, TypeError):
            return None

    def remember_build(
        self, signature: str, summary: dict[str, Any], next_due: dt.datetime | None
    ) -> None:
        """What `unchanged_build` will answer for these inputs: held until `commit`."""
        due = None if next_due is None else next_due.isoformat()
        data = json.dumps({"signature": signature, "summary": summary, "next_due": due})
        self._write(
            lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES ('last_build', ?)", (data,)),
            hold=True,
        )

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

    def _meta(self, key: str) -> str | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._discard(exc)
            return None
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        if self.db is None:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        except sqlite3.Error as exc:
            self._discard(exc)


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


def _relatedness(a: Article) -> str:
    return f"{a.url} {a.slug} {a.date.isoformat()} {[t.slug for t in a.tags]} {a.related_slugs}"


def article_key(content_hash: str, fingerprint: str) -> str:
    """What a parse result depends on: the file's name and bytes (hashed), and the settings."""
    return digest(__version__, fingerprint, content_hash)


# JSON codec ---------------------------------------------------------------------------
def encode_problems(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[str(p.location.path), p.location.line, p.message, p.severity.value] for p in problems]


def decode_problems(rows: Iterable[list[Any]]) -> list[Problem]:
    return [
        Problem(Location(_path(path), line), message, Severity(severity))
        for path, line, message, severity in rows
    ]


def encode_loaded(loaded: Loaded) -> dict[str, Any]:
    article, problems = loaded
    return {
        "article": None if article is None else _encode_article(article),
        "problems": encode_problems(problems),
    }


@functools.lru_cache(maxsize=1 << 16)
def _path(text: str) -> PurePosixPath:
    return PurePosixPath(text)  # parsing paths is slow; each appears in several places


@functools.lru_cache(maxsize=1 << 14)
def _tag(slug: str, name: str, url: str) -> Tag:
    """One object per tag however many articles carry it (tags are immutable): making
    30,000 for 5,000 articles was a fifth of decoding them, and equal objects that are
    not the same one make every later dict look-up compare them field by field."""
    return Tag(slug, name, url)


@functools.lru_cache(maxsize=1 << 14)
def _author(slug: str, name: str, url: str) -> Author:
    return Author(slug, name, url)  # as _tag


def decode_loaded(
    data: dict[str, Any], body: bytes | None = b"", excerpt: str | None = ""
) -> Loaded:
    problems = decode_problems(data["problems"])
    raw = data["article"]
    if raw is None:
        return None, problems
    return _decode_article(raw, body or b"", excerpt or ""), problems


def article_row(key: str, loaded: Loaded) -> Row:
    """A parse result as stored. Parse workers send these, not Articles: unpickling 5,000
    Articles cost more than decoding their rows, which the cache needs anyway. The HTML
    goes in columns of its own: JSON-decoding 30 MB of it would be the slow part."""
    article = loaded[0]
    body, excerpt = (article.body, article.excerpt_html) if article else (b"", "")
    return key, json.dumps(encode_loaded(loaded)), body, excerpt


def decode_row(row: Row) -> Loaded:
    _, value, body, excerpt = row
    return decode_loaded(json.loads(value), body, excerpt)


def _encode_article(a: Article) -> dict[str, Any]:
    return {
        "source": [str(a.source.path), a.source.line], "slug": a.slug, "title": a.title,
        "date": a.date.isoformat(), "author": [a.author.slug, a.author.name, a.author.url],
        "tags": [[t.slug, t.name, t.url] for t in a.tags],
        "image": None if a.image is None else [a.image.src, a.image.alt, a.image.caption],
        "summary": a.summary, "description": a.description, "url": a.url,
        "output_path": a.output_path, "draft": a.draft,
        "updated": None if a.updated is None else a.updated.isoformat(),
        "related_slugs": list(a.related_slugs), "extra": _encode_value(dict(a.extra)),
        "lang": a.lang, "field_lines": dict(a.field_lines), "digest": a.digest,
        "is_page": a.is_page, "categories": list(a.categories), "aliases": list(a.aliases),
    }  # fmt: skip


def _decode_article(d: dict[str, Any], body: bytes, excerpt_html: str) -> Article:
    return Article(
        source=Location(_path(d["source"][0]), d["source"][1]),
        slug=d["slug"], title=d["title"], date=dt.datetime.fromisoformat(d["date"]),
        author=_author(*d["author"]), tags=tuple([_tag(*t) for t in d["tags"]]),
        image=None if d["image"] is None else LeadImage(*d["image"]),
        summary=d["summary"], excerpt_html=excerpt_html, description=d["description"],
        body=body, url=d["url"], output_path=d["output_path"], draft=d["draft"],
        updated=None if d["updated"] is None else dt.datetime.fromisoformat(d["updated"]),
        related_slugs=tuple(d["related_slugs"]), extra=_decode_value(d["extra"]), lang=d["lang"],
        field_lines=d["field_lines"], digest=d["digest"], is_page=d["is_page"],
        categories=tuple(d["categories"]), aliases=tuple(d["aliases"]),
    )  # fmt: skip


def _encode_value(value: Any) -> Any:
    """YAML values (with dates) as JSON; dates become {"$date": ...} or {"$datetime": ...}."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {"$map": [[_encode_value(k), _encode_value(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode_value(v) for v in value]
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_value(v) for v in value]
    if isinstance(value, dict):
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$bytes" in value:
            return bytes.fromhex(value["$bytes"])
        return {_hashable(_decode_value(k)): _decode_value(v) for k, v in value["$map"]}
    return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
