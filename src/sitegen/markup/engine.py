"""Markdown -> HTML with the configured engine (Python-Markdown: pymarkdown.py, or cmark:
cmark.py); plain text -> a description."""

from __future__ import annotations

import re
from collections.abc import Callable

EXTENSIONS = ("extra", "toc", "sane_lists")
DESCRIPTION_WORDS = 30


class MarkdownRenderer:
    """Converts with the `markdown_engine` setting's engine. Each engine's module is
    imported here, when first asked for: a build with one never loads the other's
    libraries (Python-Markdown's extensions took 30 ms to import, a cold build's
    start-up waits for that)."""

    def __init__(self, engine: str = "markdown") -> None:
        self._convert: Callable[[str], str]
        if engine == "cmark":
            from sitegen.markup.cmark import cmark_converter  # optional: needs cmarkgfm

            self._convert = cmark_converter()
        elif engine == "markdown":
            from sitegen.markup.pymd.converter import markdown_converter

            self._convert = markdown_converter()
        else:
            raise ValueError(f"unknown Markdown engine {engine!r}; expected 'markdown' or 'cmark'")

    def render(self, text: str) -> str:
        return self._convert(text)


def first_words(text: str, limit: int = DESCRIPTION_WORDS) -> str:
    """The first `limit` words of plain text, with an ellipsis when cut."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return re.sub(r"[\s,;:.!?-]+$", "", " ".join(words[:limit])) + "…"
