"""Fault injection into the build cache (`.sitegen-cache/`): random bytes, truncation, rows
of other types in every table, forged parse results and memos. The cache is input (a CI
cache restored from elsewhere may hold anything): whatever it holds, the next build ends
as a clean `--no-cache` build does, and touches no file outside its output."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import time
import types
import typing
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from sitegen.build import build
from sitegen.cache.codec import article_row, decode_row
from sitegen.cache.store import checksum
from sitegen.errors import Location
from sitegen.model import Article
from sitegen.publish.staging import spare_dir
from tests.conftest import article
from tests.test_codec import SAMPLE

CACHE = ".sitegen-cache/cache.sqlite"
TABLES = ("articles", "outputs", "files", "meta")
# Values of every SQLite type, and JSON text of shapes the cache never writes.
ODD_VALUES = (None, 0, 1.5, "x", b"\xff\x00", '{"article": null, "problems": [[1, 2, 3, 4]]}')
# Before the faults: the site as first built, then with a1 edited (so every table holds
# rows: outputs, related articles, file hashes). After: a2 edited too.
BEFORE = {
    "sitegen.yaml": "base_url: https://example.org/\nrelated_count: 2\n",
    **{
        f"content/a{i}.md": article(
            f"A{i}", f"2025-01-0{i + 1}", tags="[Vigil, Rights]", aliases=f'["/old-a{i}/"]'
        )
        for i in range(4)
    },
}
EDITS = [
    ("content/a1.md", article("A1, edited", tags="[Vigil]")),
    ("content/a2.md", article("A2!")),
]


def tree(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, bytes]:
    """Every file under `folder` (but those under `skip`) and its bytes; links as text."""
    found: dict[str, bytes] = {}
    for path in folder.rglob("*"):
        if any(path == s or s in path.parents for s in skip):
            continue
        if path.is_symlink():
            found[path.relative_to(folder).as_posix()] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """What clean builds make of the site before and after the last edit."""
    root = tmp_path_factory.mktemp("clean")
    write(root, BEFORE)
    write(root, dict(EDITS[:1]))
    build(root, root / "before", use_cache=False)
    write(root, dict(EDITS[1:]))
    build(root, root / "after", use_cache=False)
    return tree(root / "before"), tree(root / "after")


@dataclasses.dataclass
class Primed:
    """A site built twice with its cache, beside a file no build may touch."""

    root: Path
    out: Path
    outside: dict[str, bytes]  # every file of the test's folder but the output's and cache's

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    def rebuilt_twice(self, clean: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
        """Build as the site stands (equal to a clean build), then after one more edit."""
        build(self.root, self.out)
        assert tree(self.out) == clean[0]
        write(self.root, dict(EDITS[1:]))
        build(self.root, self.out)
        assert tree(self.out) == clean[1]
        edited = {f"site/{rel}": text.encode() for rel, text in EDITS[1:]}
        assert self.files_outside() == self.outside | edited  # nothing else was touched

    def files_outside(self) -> dict[str, bytes]:
        """Once a spare the build could not use, moved aside, is removed (in the background)."""
        deadline = time.monotonic() + 30
        while list(self.out.parent.glob(f".{self.out.name}.dropped-*")):
            assert time.monotonic() < deadline, "a spare set aside was not removed"
            time.sleep(0.05)
        mine = (self.out, spare_dir(self.out), self.root / ".sitegen-cache")
        return tree(self.out.parent, skip=mine)


@pytest.fixture
def primed(tmp_path: Path) -> Primed:
    root, out = tmp_path / "site", tmp_path / "out"
    write(root, BEFORE)
    build(root, out)
    write(root, dict(EDITS[:1]))
    build(root, out)
    (tmp_path / "victim.txt").write_text("not the build's")
    with contextlib.closing(sqlite3.connect(root / CACHE)) as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    assert all(counts), counts  # every table has rows to damage
    primed = Primed(root, out, {})
    primed.outside = primed.files_outside()
    return primed


@contextlib.contextmanager
def database(path: Path) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        yield db


# -- the cache file as bytes --------------------------------------------------------------
def random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(len(data))


def flipped_bits(data: bytes, rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(40):
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def header_zeroed(data: bytes, rng: random.Random) -> bytes:
    return bytes(100) + data[100:]


def truncated_to_half(data: bytes, rng: random.Random) -> bytes:
    return data[: len(data) // 2]


def truncated_in_header(data: bytes, rng: random.Random) -> bytes:
    return data[:50]


def emptied(data: bytes, rng: random.Random) -> bytes:
    return b""


@pytest.mark.parametrize(
    "damage",
    [random_bytes, flipped_bits, header_zeroed, truncated_to_half, truncated_in_header, emptied],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_damaged_cache_file_ends_in_a_clean_build(
    primed: Primed, clean: Any, damage: Callable[[bytes, random.Random], bytes], seed: int
) -> None:
    primed.cache.write_bytes(damage(primed.cache.read_bytes(), random.Random(seed)))
    primed.rebuilt_twice(clean)


# -- rows of other types, in every table ----------------------------------------------------
def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def untyped(db: sqlite3.Connection, table: str) -> None:
    """`table` made again without types or constraints, as a foreign cache may have it."""
    names = columns(db, table)
    db.execute(f"CREATE TABLE loose ({', '.join(names)})")
    db.execute(f"INSERT INTO loose SELECT * FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE loose RENAME TO {table}")


CELLS = [
    (table, column)
    for table, names in {
        "articles": ("key", "value", "body", "excerpt", "checksum"),
        "outputs": ("path", "fingerprint"),
        "files": ("path", "stat", "hash"),
        "meta": ("key", "value"),
    }.items()
    for column in names
]


@pytest.mark.parametrize(("table", "column"), CELLS, ids=[f"{t}.{c}" for t, c in CELLS])
def test_cache_rows_of_other_types_end_in_a_clean_build(
    primed: Primed, clean: Any, table: str, column: str
) -> None:
    with database(primed.cache) as db:
        assert columns(db, table) == [c for t, c in CELLS if t == table]  # each one covered
    for value in ODD_VALUES:
        with database(primed.cache) as db:
            untyped(db, table)
            db.execute(f"UPDATE {table} SET {column} = ?", (value,))
        primed.rebuilt_twice(clean)
        write(primed.root, {"content/a2.md": BEFORE["content/a2.md"]})  # as it was again
        primed.outside = primed.files_outside()


# -- forged parse results: JSON of other shapes, with a checksum that matches ----------------
REPLACEMENTS = (None, 0, True, 1.5, "x", [], {}, [["x", "y", "z"]], "2025-01-02T10:00:00")


def conforms(value: Any, hint: Any) -> bool:
    """Whether `value` is of type `hint` all the way down (a reference written plainly)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (types.UnionType, typing.Union):
        return any(conforms(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if origin is tuple:
        return type(value) is tuple and all(conforms(v, args[0]) for v in value)
    if origin is Mapping:
        return isinstance(value, dict) and (
            args[1] is Any
            or all(conforms(k, str) and conforms(v, args[1]) for k, v in value.items())
        )
    if dataclasses.is_dataclass(hint):
        fields = typing.get_type_hints(hint)
        return type(value) is hint and all(
            conforms(getattr(value, n), t) for n, t in fields.items()
        )
    if hint is dt.datetime:
        return type(value) is dt.datetime and value.tzinfo is not None
    return type(value) is hint


def forged_rows() -> Iterator[tuple[str, Any]]:
    encoded = json.loads(article_row("k", (Article(**SAMPLE), []))[1])["article"]
    for field in encoded:
        for value in REPLACEMENTS:
            yield field, value


@pytest.mark.parametrize(
    ("field", "value"), list(forged_rows()), ids=[f"{f}={json.dumps(v)}" for f, v in forged_rows()]
)
def test_forged_article_row_is_refused_or_of_the_article_s_types(field: str, value: Any) -> None:
    """Decoding either refuses the row (the cache then discards it, see below) or makes an
    Article whose every field has its declared type: nothing later trips over a value."""
    key, text, body, excerpt = article_row("k", (Article(**SAMPLE), []))
    data = json.loads(text)
    data["article"][field] = value
    try:
        loaded, _ = decode_row((key, json.dumps(data), body, excerpt))
    except (TypeError, ValueError, LookupError, AttributeError):
        return
    assert conforms(loaded, Article)


def test_forged_problems_of_a_parse_result_are_refused() -> None:
    key, text, body, excerpt = article_row("k", (Article(**SAMPLE), []))
    for forged in ([["a.md", "3", "m", "warning"]], [["a.md", 3, 5, "warning"]], [[1, 2]], "x"):
        data = json.loads(text) | {"problems": forged}
        with pytest.raises((TypeError, ValueError)):
            decode_row((key, json.dumps(data), body, excerpt))


def forge_articles(db: sqlite3.Connection, change: Callable[[dict[str, Any]], None]) -> None:
    """Change every stored parse result and sign it, as a forger would."""
    for key, value, body, excerpt in db.execute(
        "SELECT key, value, body, excerpt FROM articles"
    ).fetchall():
        data = json.loads(value)
        change(data)
        value = json.dumps(data)
        db.execute(
            "UPDATE articles SET value = ?, checksum = ? WHERE key = ?",
            (value, checksum(value, body, excerpt), key),
        )


FORGERIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "title a number": lambda d: d["article"].update(title=5),
    "source a string": lambda d: d["article"].update(source="x"),  # IndexError in decoding
    "tags a string": lambda d: d["article"].update(tags="abc"),
    "a date without zone": lambda d: d["article"].update(date="2025-01-02T10:00:00"),
    "a line not a number": lambda d: d.update(problems=[["content/a0.md", "x", "m", "warning"]]),
    "deep nesting": lambda d: d["article"].update(extra={"$map": [["k", [[[[[0]]]]]]]}),
}


@pytest.mark.parametrize("change", FORGERIES.values(), ids=FORGERIES)
def test_forged_parse_results_of_other_types_end_in_a_clean_build(
    primed: Primed, clean: Any, change: Callable[[dict[str, Any]], None]
) -> None:
    with database(primed.cache) as db:
        forge_articles(db, change)
    primed.rebuilt_twice(clean)


def test_a_forged_parse_result_nested_beyond_json_s_depth_is_discarded(
    primed: Primed, clean: Any
) -> None:
    with database(primed.cache) as db:
        for key, body, excerpt in db.execute("SELECT key, body, excerpt FROM articles"):
            value = "[" * 100_000 + "]" * 100_000  # json.loads: RecursionError
            db.execute(
                "UPDATE articles SET value = ?, checksum = ? WHERE key = ?",
                (value, checksum(value, body, excerpt), key),
            )
    primed.rebuilt_twice(clean)


def test_a_flipped_bit_in_a_cached_body_is_never_published(primed: Primed, clean: Any) -> None:
    """SQLite checks its pages' structure, not the values in them: the checksum does."""
    with database(primed.cache) as db:
        for key, body in db.execute("SELECT key, body FROM articles").fetchall():
            damaged = bytearray(body)
            damaged[len(damaged) // 2] ^= 1
            db.execute("UPDATE articles SET body = ? WHERE key = ?", (bytes(damaged), key))
    primed.rebuilt_twice(clean)


# -- forged memos: the last build's summary, the related articles, file hashes ---------------
def forge_meta(db: sqlite3.Connection, key: str, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])
    change(data)
    db.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(data), key))


MEMOS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "summary counts": ("last_build", lambda d: d["summary"].update(articles="4", pages=[])),
    "summary warnings": ("last_build", lambda d: d["summary"].update(warnings=[[1, "x", 2]])),
    "summary checksum": ("last_build", lambda d: d["summary"].update(checksum="7")),
    "summary missing": ("last_build", lambda d: d.update(summary=[])),
    "related problems": ("related", lambda d: d.update(problems=[["a.md", "3", "m", "warning"]])),
    "related unknown": ("related", lambda d: d.update(related={"/a0/": ["/nowhere/", 3]})),
}


@pytest.mark.parametrize(("key", "change"), MEMOS.values(), ids=MEMOS)
def test_forged_memos_end_in_a_clean_build(
    primed: Primed, clean: Any, key: str, change: Callable[[dict[str, Any]], None]
) -> None:
    with database(primed.cache) as db:
        forge_meta(db, key, change)
    primed.rebuilt_twice(clean)


@pytest.mark.parametrize("key", ["last_warnings_text", "last_warnings_rows"])
@pytest.mark.parametrize("value", [b"x\x9c not zlib", "text, not bytes", zlib.compress(b"[]")])
def test_forged_remembered_warnings_end_in_a_clean_build(
    primed: Primed, clean: Any, key: str, value: str | bytes
) -> None:
    with database(primed.cache) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    primed.rebuilt_twice(clean)


def test_forged_file_hashes_end_in_a_clean_build(primed: Primed, clean: Any) -> None:
    """A hash of another type where the file's size and time match (so it would be used)."""
    with database(primed.cache) as db:
        untyped(db, "files")
        db.execute("UPDATE files SET hash = 7")
        db.execute("INSERT INTO files VALUES ('../victim.txt', 'x', 'y')")
    primed.rebuilt_twice(clean)


def test_a_cache_without_its_schema_mark_is_discarded(primed: Primed, clean: Any) -> None:
    with database(primed.cache) as db:
        db.execute("DELETE FROM meta WHERE key = 'schema'")
    primed.rebuilt_twice(clean)


# -- compiled templates ------------------------------------------------------------------------
@pytest.mark.parametrize("damage", [random_bytes, truncated_to_half, truncated_in_header, emptied])
def test_damaged_compiled_templates_end_in_a_clean_build(
    primed: Primed, clean: Any, damage: Callable[[bytes, random.Random], bytes]
) -> None:
    """In a subprocess: Jinja runs compiled templates with marshal, which can crash the
    interpreter; a crash fails the test, not pytest. (Flipped bits: test_bookkeeping.)"""
    rng = random.Random(7)
    compiled = [p for p in (primed.root / ".sitegen-cache/templates").rglob("*") if p.is_file()]
    assert len(compiled) >= 5
    for path in compiled:
        path.write_bytes(damage(path.read_bytes(), rng))
    command = [sys.executable, "-m", "sitegen", "build", str(primed.root), "-o", str(primed.out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    primed.rebuilt_twice(clean)


def test_every_location_read_back_is_checked() -> None:
    """The forged-row test above covers every field: Location and the rest included."""
    assert {f.name for f in dataclasses.fields(Article)} <= {f for f, _ in forged_rows()} | {
        "body",
        "excerpt_html",
    }
    assert conforms(Location(PurePosixPath("a.md"), 1), Location)
