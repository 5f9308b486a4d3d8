"""Article (and its problems) <-> cache row: JSON, the HTML in columns of its own; and the
fingerprint of the Article's shape, for cache keys. Both derived from `dataclasses.fields`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any, TypeVar

from sitegen import urls
from sitegen.cache.store import Row, digest
from sitegen.cache.version import code_version
from sitegen.errors import Location, Problem, Severity
from sitegen.model import Article, Term

T = TypeVar("T")
Loaded = tuple[Article | None, list[Problem]]  # an article (None if it failed), its problems
Encode = Callable[[Any], dict[str, Any]]
Decode = Callable[[Mapping[str, Any], bytes, str], Any]
# Stored in columns of their own, not in the JSON: JSON-decoding 30 MB of HTML would be
# the slow part of reading the cache.
COLUMNS = ("body", "excerpt_html")


@dataclasses.dataclass(frozen=True)
class _Codec:
    """How one type is stored: each function turns the source text of an expression for a
    value into that of its JSON form (encode) or back (decode), or into a test that a
    decoded value has the type (check: a cache is input, and JSON of another shape
    decodes to values of other types without a complaint)."""

    check: Callable[[str], str]
    encode: Callable[[str], str] = str
    decode: Callable[[str], str] = str

    @property
    def is_plain(self) -> bool:
        """Whether the value is its own JSON form (str, int, bool, None)."""
        return self.encode is str and self.decode is str


def _is(name: str) -> _Codec:
    """A plain value of exactly the type `name` (not bool for int: JSON's true is not 1)."""
    return _Codec(lambda v: f"type({v}) is {name}")


def make_codec(cls: type[Any], columns: Iterable[str] = COLUMNS) -> tuple[Encode, Decode]:
    """An encoder (cls -> JSON-ready dict) and a decoder (dict, body, excerpt -> cls) for
    `cls`. Raises TypeError naming the first field of a type it cannot store."""
    names: dict[str, Any] = {"_datetime": dt.datetime.fromisoformat, "_path": _path}
    names |= {"_encode_value": _encode_value, "_decode_value": _decode_value, "_cls": cls}
    names |= {"datetime": dt.datetime, "PurePosixPath": PurePosixPath, "_wrong": _wrong}
    fields = _made_fields(cls, cls.__name__)
    codecs = {
        f.name: _is(hint.__name__) if f.name in columns and hint in (bytes, str)
        else _codec(hint, f"{cls.__name__}.{f.name}", names)
        for f, hint in fields
    }  # fmt: skip
    stored = {name: c for name, c in codecs.items() if name not in columns}
    encoded = ", ".join(f"{n!r}: {c.encode(f'a.{n}')}" for n, c in stored.items())
    decoded = ", ".join(
        f"{f.name}={stored[f.name].decode(f'd[{f.name!r}]')}" if f.name in stored
        else f"{f.name}={f.name}"
        for f, _ in fields
    )  # fmt: skip
    checked = " and ".join(c.check(f"a.{n}") for n, c in codecs.items())
    which = ", ".join(f"({n!r}, lambda a: {c.check(f'a.{n}')})" for n, c in codecs.items())
    # Generated once, as dataclasses makes __init__: the same code as written by hand. A loop
    # over per-field functions decoded 5,000 cached rows (every rebuild's path) 10 % slower.
    source = (
        f"def encode(a):\n    return {{{encoded}}}\n"
        f"def decode(d, {', '.join(columns)}):\n"
        f"    a = _cls({decoded})\n"
        f"    if not ({checked}):\n"
        f"        raise _wrong(a, [{which}])\n"
        f"    return a\n"
    )
    exec(source, names)  # the source is made above from field names and types only
    return names["encode"], names["decode"]


def _wrong(value: Any, checks: list[tuple[str, Callable[[Any], bool]]]) -> TypeError:
    """What a decoder raises for a value with a field of the wrong type, naming the field."""
    wrong = next((name for name, check in checks if not check(value)), "?")
    return TypeError(f"{type(value).__name__}.{wrong}: not of its type")


def schema_fingerprint(cls: type[Any]) -> str:
    """A digest of the names and types of the fields of `cls` and of the dataclasses they
    hold: part of every cached article's key, so a cached Article of another shape is
    never read back (no hand-kept list of fields to forget)."""
    return digest(*(_shape(held) for held in dict.fromkeys(_dataclasses_in(cls))))


def _shape(cls: type[Any]) -> str:
    fields = ", ".join(f"{f.name}: {_type_text(hint)}" for f, hint in _fields(cls))
    return f"{cls.__qualname__}({fields})"


def _dataclasses_in(hint: Any) -> Iterator[type]:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        yield hint
        for _, field_hint in _fields(hint):
            yield from _dataclasses_in(field_hint)
    for arg in typing.get_args(hint):
        yield from _dataclasses_in(arg)


def _type_text(hint: Any) -> str:
    """`tuple[Tag, ...]`, `UnionType[datetime, NoneType]`: the same for the same type
    however the annotation spelt it (`dt.datetime` or `datetime`)."""
    args = typing.get_args(hint)
    name = getattr(typing.get_origin(hint) or hint, "__qualname__", repr(hint))
    return f"{name}[{', '.join(map(_type_text, args))}]" if args else name


def _fields(cls: type[Any]) -> list[tuple[dataclasses.Field[Any], Any]]:
    """Each field of dataclass `cls` with its type, resolved (model.py's are strings)."""
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls)]


def _made_fields(cls: type[Any], where: str) -> list[tuple[dataclasses.Field[Any], Any]]:
    """The fields of `cls`, all of which its __init__ must take (the decoder passes them)."""
    fields = _fields(cls)
    for f, _ in fields:
        if not f.init:
            raise TypeError(f"{where}.{f.name}: not an __init__ argument; the cache cannot set it")
    return fields


def _codec(hint: Any, where: str, names: dict[str, Any], depth: int = 0) -> _Codec:
    """How values of type `hint` (of field `where`) are stored; constructors that the
    generated code calls go into `names`."""
    if hint in (str, int, bool):
        return _is(hint.__name__)
    if hint is dt.datetime:  # with a time zone, as every date of a site: naive and aware
        return _Codec(  # dates cannot be compared, so one naive date ends sorting
            lambda v: f"(type({v}) is datetime and {v}.tzinfo is not None)",
            lambda v: f"{v}.isoformat()",
            lambda v: f"_datetime({v})",
        )
    if hint is PurePosixPath:
        return _Codec(
            lambda v: f"type({v}) is PurePosixPath", lambda v: f"str({v})", lambda v: f"_path({v})"
        )
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_codec(hint, where, names, depth)
    found = _generic_codec(hint, where, names, depth)
    if found is None:
        raise TypeError(f"{where}: the cache cannot store {hint!r}; teach sitegen/cache/codec.py")
    return found


def _generic_codec(hint: Any, where: str, names: dict[str, Any], depth: int) -> _Codec | None:
    """`X | None`, `tuple[X, ...]`, `Mapping[str, X]`: a container, stored as JSON's."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and args[1] is type(None):
        inner = _codec(args[0], where, names, depth)
        check = lambda v: f"({v} is None or {inner.check(v)})"  # noqa: E731
        if inner.is_plain:
            return _Codec(check)
        return _Codec(
            check,
            lambda v: f"None if {v} is None else {inner.encode(v)}",
            lambda v: f"None if {v} is None else {inner.decode(v)}",
        )
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item, x = _codec(args[0], where, names, depth + 1), f"x{depth}"
        check = lambda v: f"(type({v}) is tuple and all({item.check(x)} for {x} in {v}))"  # noqa: E731
        if item.is_plain:
            return _Codec(check, lambda v: f"list({v})", lambda v: f"tuple({v})")
        return _Codec(
            check,
            lambda v: f"[{item.encode(x)} for {x} in {v}]",
            lambda v: f"tuple([{item.decode(x)} for {x} in {v}])",
        )
    if origin is not Mapping or len(args) != 2 or args[0] is not str:
        return None
    if args[1] is Any:  # front matter's `extra:` as YAML gave it, dates and all
        return _Codec(
            lambda v: f"type({v}) is dict",
            lambda v: f"_encode_value(dict({v}))",
            lambda v: f"_decode_value({v})",
        )
    value, k, x = _codec(args[1], where, names, depth + 1), f"k{depth}", f"x{depth}"
    if value.is_plain:
        return _Codec(
            lambda v: (
                f"(type({v}) is dict and all(type({k}) is str and {value.check(x)}"
                f" for {k}, {x} in {v}.items()))"
            ),
            lambda v: f"dict({v})",
        )
    return None


def _dataclass_codec(cls: type[Any], where: str, names: dict[str, Any], depth: int) -> _Codec:
    """A dataclass as the list of its fields' values, in order."""
    fields = _made_fields(cls, where)
    codecs = [(f.name, _codec(hint, f"{where}.{f.name}", names, depth)) for f, hint in fields]
    make = f"_{cls.__name__}"
    # Terms (tags, bylines) interned: one object per value however many articles carry it.
    # Making 30,000 tags for 5,000 articles was a fifth of decoding them, and equal objects
    # that are not the same one make every later dict look-up compare them field by field.
    interned = functools.lru_cache(maxsize=1 << 14)(cls) if issubclass(cls, Term) else cls
    if getattr(names.setdefault(make, interned), "__wrapped__", names[make]) is not cls:
        raise TypeError(f"{where}: two classes named {cls.__name__}; rename one")

    names[f"{make}_type"] = cls

    def check(v: str) -> str:
        return (
            f"(type({v}) is {make}_type and "
            + " and ".join(c.check(f"{v}.{n}") for n, c in codecs)
            + ")"
        )

    def encode(v: str) -> str:
        return "[" + ", ".join(c.encode(f"{v}.{n}") for n, c in codecs) + "]"

    def decode(v: str) -> str:
        if all(c.is_plain for _, c in codecs):
            return f"{make}(*{v})"
        return (
            f"{make}(" + ", ".join(c.decode(f"{v}[{i}]") for i, (_, c) in enumerate(codecs)) + ")"
        )

    return _Codec(check, encode, decode)


@functools.lru_cache(maxsize=1 << 16)
def _path(text: str) -> PurePosixPath:
    return PurePosixPath(text)  # parsing paths is slow; each appears in several places


def article_key(content_hash: str, fingerprint: str) -> str:
    """What a parse result depends on: the file's name and bytes (hashed), and the settings."""
    return digest(code_version(), fingerprint, content_hash)


def encode_problems(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[str(p.location.path), p.location.line, p.message, p.severity.value] for p in problems]


def decode_problems(rows: Iterable[list[Any]]) -> list[Problem]:
    """Problems as `encode_problems` stored them; TypeError or ValueError for anything
    else (a line that is not a number would end the sorting of a build's problems)."""
    problems = [
        Problem(Location(_path(path), line), message, Severity(severity))
        for path, line, message, severity in rows
    ]
    for problem in problems:
        line = problem.location.line
        if not (type(line) is int or line is None) or type(problem.message) is not str:
            raise TypeError(f"a stored problem of another shape: {problem!r:.80}")
    return problems


def encode_loaded(loaded: Loaded) -> dict[str, Any]:
    article, problems = loaded
    return {
        "article": None if article is None else encode_article(article),
        "problems": encode_problems(problems),
    }


def decode_loaded(
    data: dict[str, Any], body: bytes | None = b"", excerpt: str | None = ""
) -> Loaded:
    problems = decode_problems(data["problems"])
    raw = data["article"]
    if raw is None:
        return None, problems
    article: Article = decode_article(raw, body or b"", excerpt or "")
    return article, problems


def article_row(key: str, loaded: Loaded) -> Row:
    """A parse result as stored. Parse workers send these, not Articles: unpickling 5,000
    Articles cost more than decoding their rows, which the cache needs anyway."""
    article = loaded[0]
    body, excerpt = (article.body, article.excerpt_html) if article else (b"", "")
    return key, json.dumps(encode_loaded(loaded)), body, excerpt


def decode_row(row: Row) -> Loaded:
    """A stored parse result; ValueError if it would place a page outside the output
    (the cache is input: one restored from elsewhere may hold anything)."""
    _, value, body, excerpt = row
    loaded = decode_loaded(json.loads(value), body, excerpt)
    article = loaded[0]
    if article is not None and not (isinstance(body, bytes) and isinstance(excerpt, str)):
        raise ValueError(f"{article.source.path}: no body stored")  # would publish it empty
    if article is not None and not all(map(urls.is_output_path, _output_paths(article))):
        raise ValueError(f"{article.source.path}: a page outside the output folder")
    return loaded


def _output_paths(article: Article) -> Iterator[str]:
    """Where the article's page and its redirect pages are written."""
    yield article.output_path
    for alias in article.aliases:
        if (url := urls.alias_url(alias)) is not None:
            yield urls.output_path(url)


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
    """A mapping's key as it was: lists (from tuples, JSON has none) back to tuples."""
    return tuple(map(_hashable, value)) if isinstance(value, list) else value


encode_article, decode_article = make_codec(Article)  # the helpers above: defined by now
ARTICLE_SCHEMA = schema_fingerprint(Article)
