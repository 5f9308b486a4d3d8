"""The usual shape of front matter, read without a YAML parser: one `key: value` per line,
where a value is a quoted or plain scalar or a list of them (`[a, "b"]`, or `- item`
lines). Anything else is left to PyYAML, which also reports every mistake.

Why: PyYAML builds a node object for every scalar before making values of them; on an
archive that was a fifth of parsing an article with the fast Markdown engine. What this
accepts, it must read exactly as PyYAML does: plain scalars get PyYAML's own types
(its resolver decides between text, dates, numbers, booleans and null), and a test
compares the two on generated front matter.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# The loader yamldoc reads the rest with (libyaml's when installed): its resolver and
# constructors are the ones used here, so both ways give the same types.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
_ITEM = re.compile(r"( *)- +")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_UNSURE = "\t\r\ufeff\ufffe\uffff"  # characters PyYAML reads specially, or refuses


class _NotFlat(Exception):
    """The text is not of the simple shape: PyYAML must read it."""


def read_flat(text: str) -> dict[str, tuple[Any, int]] | None:
    """{key: (value, 0-based line)} for front matter of the simple shape, else None."""
    if not text.strip() or any(c in text for c in _UNSURE):
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    constructor = yaml.constructor.SafeConstructor()
    found: dict[str, tuple[Any, int]] = {}
    try:
        at = 0
        while at < len(lines):
            match = _KEY.match(lines[at])
            if match is None or match[1] in found or _resolve(match[1]) != _STR:
                return None
            rest = lines[at][match.end() :].rstrip(" ")
            if rest:
                found[match[1]] = (_value(rest, constructor), at)
                at += 1
            else:
                items, at = _block_items(lines, at + 1, constructor)
                found[match[1]] = (items, at - len(items) - 1)
    except _NotFlat:
        return None
    return found


def _value(text: str, constructor: yaml.constructor.SafeConstructor) -> Any:
    if text[0] == "[":
        return _flow_items(text, constructor)
    return _scalar(text, constructor, flow=False)


def _block_items(
    lines: list[str], at: int, constructor: yaml.constructor.SafeConstructor
) -> tuple[list[Any], int]:
    """`- item` lines from `at` on, all indented alike; and the line after them."""
    items: list[Any] = []
    indent = None
    while at < len(lines) and (match := _ITEM.match(lines[at])):
        if indent is None:
            indent = match[1]
        elif match[1] != indent:
            raise _NotFlat
        items.append(_scalar(lines[at][match.end() :].rstrip(" "), constructor, flow=False))
        at += 1
    if not items:  # `key:` alone is null, or the start of something bigger
        raise _NotFlat
    return items, at


def _flow_items(text: str, constructor: yaml.constructor.SafeConstructor) -> list[Any]:
    if text[-1] != "]":
        raise _NotFlat
    inner = text[1:-1].strip(" ")
    if not inner:
        return []
    return [_scalar(part.strip(" "), constructor, flow=True) for part in inner.split(",")]


def _scalar(text: str, constructor: yaml.constructor.SafeConstructor, *, flow: bool) -> Any:
    """A quoted scalar without escapes, or a plain one that cannot be mistaken for more."""
    if not text:
        raise _NotFlat
    first = text[0]
    if first in "\"'":
        if len(text) < 2 or text[-1] != first or first in text[1:-1] or "\\" in text:
            raise _NotFlat
        return text[1:-1]
    if first in _INDICATORS or text[-1] == ":" or ": " in text or " #" in text:
        raise _NotFlat
    if flow and any(c in text for c in ",[]{}"):
        raise _NotFlat
    tag = _resolve(text)
    if tag == _STR:
        return text
    make = LOADER.yaml_constructors.get(tag)
    if make is None:
        raise _NotFlat
    try:
        return make(constructor, yaml.ScalarNode(tag, text))
    except (ValueError, OverflowError, TypeError) as exc:  # '2025-13-45': PyYAML says why
        raise _NotFlat from exc


def _resolve(text: str) -> str:
    """The type PyYAML gives a plain scalar (its implicit resolvers, as its loader does)."""
    for tag, pattern in LOADER.yaml_implicit_resolvers.get(text[0], ()):
        if pattern.match(text):
            return str(tag)
    return _STR
