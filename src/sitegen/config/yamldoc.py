"""YAML mapping text -> typed values, each remembering its line, plus the problems found.

Shared by sitegen.yaml and article front matter, so both report `path:line: key: ...`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from sitegen.config.flatyaml import LOADER, read_flat
from sitegen.errors import Location, Problem, cut, error, shown, suggest, warning

# Items a value may stand for once its YAML aliases are written out: far more than any
# front matter or config needs (a list of 500 tags is 501), far less than a memory bomb.
MAX_EXPANDED = 10_000
# What a message keeps of the YAML parser's complaint, which may quote a value (a tag).
_SAID = 160
# How PyYAML says a quoted value ran to the end of the text: a quote left open.
_RAN_OFF_END = ("found unexpected end of stream", "found unexpected document separator")


@dataclass(frozen=True)
class Entry:
    """One top-level `key: value` of a YAML mapping and the line it starts on."""

    key: str
    value: Any
    line: int


def decode_utf8(data: bytes, path: PurePosixPath) -> tuple[str | None, list[Problem]]:
    """Bytes of a site file -> text (a leading BOM dropped), or a problem naming line and byte
    (counted from 0 in the file, BOM included, as hex editors and `xxd` count)."""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8"), []
    except UnicodeDecodeError as exc:
        start = bom + exc.start
        before = data[:start]  # lines end in LF, CRLF or (old Mac) a lone CR
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        where = f"byte {start}: {data[start : start + 1]!r}"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            where += "; the file is UTF-16, as Windows saves 'Unicode' text"
        message = f"not valid UTF-8 text ({where}); save the file as UTF-8"
        return None, [error(Location(path, line), message)]


def load_mapping(
    text: str, path: PurePosixPath, first_line: int = 1
) -> tuple[dict[str, Entry], list[Problem]]:
    """Parse `text` as one YAML mapping; `first_line` is the file line of the text's line 1."""
    # Invisible characters pasted from word processors: YAML refuses control characters
    # (clean_text drops them from values anyway) and reads NEL, LS and PS as line breaks
    # that editors do not show, which would put every later error on the wrong line.
    text = _CONTROL.sub("", text).replace("\u2028", " ").replace("\u2029", " ")
    if (flat := read_flat(text)) is not None:  # the usual shape, read as PyYAML reads it
        return {
            key: Entry(key, value, line + first_line) for key, (value, line) in flat.items()
        }, []
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, []
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + first_line
            return {}, [error(Location(path, line), "expected 'key: value' lines at the top level")]
        return _entries(loader, node, path, first_line)
    except yaml.MarkedYAMLError as exc:
        return {}, [_syntax_problem(exc, path, first_line)]
    except yaml.YAMLError as exc:
        return {}, [error(Location(path, first_line), f"invalid YAML: {cut(str(exc), _SAID)}")]
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, path: PurePosixPath, first_line: int) -> Problem:
    """A YAML syntax error at the line a person would fix."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    # An unclosed quote swallows every later line, so the scanner gives up at the end of the
    # text, lines below the mistake; the context mark is where the quoted value started.
    if exc.context == "while scanning a quoted scalar" and exc.problem in _RAN_OFF_END:
        mark = exc.context_mark
        what = "a quoted value starts here and is never closed; end it with the same quote"
    line = mark.line + first_line if mark is not None else first_line
    return error(Location(path, line), f"invalid YAML: {cut(what, _SAID)}")


def _entries(
    loader: yaml.SafeLoader, node: yaml.MappingNode, path: PurePosixPath, first_line: int
) -> tuple[dict[str, Entry], list[Problem]]:
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + first_line
        if alias_problem := _alias_problem(key_node) or _alias_problem(value_node):
            named = f"{cut(key_node.value)}: " if isinstance(key_node, yaml.ScalarNode) else ""
            problems.append(error(Location(path, line), named + alias_problem))
            continue
        try:
            key = loader.construct_object(key_node, deep=True)
        except (ValueError, OverflowError, TypeError, RecursionError) as exc:
            problems.append(
                error(Location(path, line), f"cannot read this key ({cut(str(exc), _SAID)})")
            )
            continue
        if not isinstance(key, str):
            problems.append(error(Location(path, line), f"key {shown(key)} is not a name"))
            continue
        if key in entries:
            other = entries[key].line
            problems.append(
                error(Location(path, line), f"{cut(key)}: duplicate key (first on line {other})")
            )
            continue
        try:
            value = loader.construct_object(value_node, deep=True)
        except (ValueError, OverflowError, TypeError, RecursionError) as exc:
            # e.g. '2025-13-45' looks like a date to YAML but is none
            problems.append(
                error(
                    Location(path, line),
                    f"{cut(key)}: cannot read this value ({cut(str(exc), _SAID)})",
                )
            )
            continue
        entries[key] = Entry(key, value, line)
    return entries, problems


def _alias_problem(node: yaml.Node) -> str | None:
    """What is wrong with the YAML aliases (*name) in `node`, if anything: one inside what
    it names (endless), or more than MAX_EXPANDED items once they are written out. A few
    hundred bytes of nested aliases (a "billion laughs") stand for billions: the parser
    shares them, but the cache's encoder and any message showing the value write them out."""
    sizes: dict[int, int] = {}
    ancestors: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if children_done:
            ancestors.discard(id(current))
            sizes[id(current)] = 1 + sum(sizes[id(child)] for child in _children(current))
            if sizes[id(current)] > MAX_EXPANDED:
                return (
                    f"YAML aliases (*name) here stand for more than {MAX_EXPANDED:,} items "
                    "written out; write the value without them"
                )
        elif id(current) in ancestors:
            return "a YAML alias (*name) here is inside the value it names; remove it"
        elif id(current) not in sizes:
            ancestors.add(id(current))
            stack.append((current, True))
            stack.extend((child, False) for child in _children(current))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


# C0 and C1 control characters but tab and newlines: invisible, meaningless in a title,
# not allowed in XML 1.0 (feeds, sitemap), and parse errors in HTML.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """A front matter or config string as it should reach readers: trimmed, and without
    control characters (pasted text from word processors and PDFs carries them)."""
    return _CONTROL.sub("", text).strip()


class FieldReader:
    """Reads typed fields out of parsed entries, collecting a problem for each bad one."""

    def __init__(self, entries: Mapping[str, Entry], path: PurePosixPath) -> None:
        self.entries = entries
        self.path = path
        self.problems: list[Problem] = []

    def location(self, key: str | None = None) -> Location:
        entry = self.entries.get(key) if key else None
        return Location(self.path, entry.line if entry else 1)

    def fail(self, key: str, message: str) -> None:
        self.problems.append(error(self.location(key), f"{key}: {message}"))

    def unknown_keys(self, known: set[str], *, as_error: bool) -> None:
        """Flag keys nobody reads: they are nearly always typos."""
        for key, entry in self.entries.items():
            if key not in known:
                make = error if as_error else warning
                message = f"unknown key {shown(key)}{suggest(key, known)}"
                self.problems.append(make(Location(self.path, entry.line), message))

    def require(self, key: str) -> bool:
        if key not in self.entries or self.entries[key].value is None:
            self.problems.append(error(self.location(), f"{key}: required field is missing"))
            return False
        return True

    def string(self, key: str, default: str = "") -> str:
        if key not in self.entries:
            return default
        value = self.entries[key].value
        # Numbers read as text (`title: 1984`); booleans and lists are almost always mistakes.
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return clean_text(str(value))
        self.fail(key, f"expected text, got {_describe(value)}")
        return default

    def boolean(self, key: str, default: bool = False) -> bool:
        if key not in self.entries:
            return default
        value = self.entries[key].value
        if isinstance(value, bool):
            return value
        self.fail(key, f"expected true or false, got {_describe(value)}")
        return default

    def integer(self, key: str, default: int, minimum: int) -> int:
        if key not in self.entries:
            return default
        value = self.entries[key].value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {_describe(value)}")
            return default
        if value < minimum:
            self.fail(key, f"{shown(value)} is too small; expected at least {minimum}")
            return default
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        if key not in self.entries or self.entries[key].value is None:
            return ()
        value = self.entries[key].value
        if isinstance(value, str):
            self.fail(key, f"expected a list, got text {shown(value)}; write [{shown(value)}]")
            return ()
        if not isinstance(value, list):
            self.fail(key, f"expected a list of text, got {_describe(value)}")
            return ()
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.fail(key, f"expected a list of text, got an item {_describe(item)}")
                return ()
            items.append(clean_text(str(item)))
        return tuple(items)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"text {shown(value)}"
    return f"{shown(value)} ({type(value).__name__})"
