"""Article text -> (front matter entries with their lines, Markdown body)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sitegen.config.yamldoc import Entry, load_mapping
from sitegen.errors import Location, Problem, error

_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    """A content file split in two; `body_line` is the file line the body starts on."""

    entries: dict[str, Entry]
    body: str
    body_line: int


def parse_document(text: str, path: PurePosixPath) -> tuple[Document | None, list[Problem]]:
    """Split the `---` block off `text` and parse it as YAML, keeping each key's line.
    Windows (CRLF) and old Mac (CR) line endings read as plain newlines."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    opening = _OPENING.match(text)
    if opening is None:
        if not text.strip():
            message = (
                "the file is empty; start it with front matter "
                "(see sitegen's docs/writing-articles.md) or remove it"
            )
        else:
            message = "missing front matter; the file must start with a line '---'"
        return None, [error(Location(path, 1), message)]
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        message = "front matter is not closed; add a line '---' after the last field"
        return None, [error(Location(path, 1), message)]
    yaml_text = text[opening.end() : closing.start()]
    entries, problems = load_mapping(yaml_text, path, first_line=2)
    if problems:
        return None, problems
    body_line = 2 + yaml_text.count("\n") + 1
    return Document(entries, text[closing.end() :], body_line), []
