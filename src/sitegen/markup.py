"""Markdown -> HTML with the configured engine (Python-Markdown, or cmark: see cmark.py);
plain text -> a description."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

import markdown
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor

from sitegen.blocks import SkipUnneededBlocksExtension
from sitegen.inline import TriggeredInlineExtension
from sitegen.typography import TypographyExtension

EXTENSIONS = ("extra", "toc", "sane_lists")
DESCRIPTION_WORDS = 30


class MarkdownRenderer:
    """Converts with one reused engine instance (a new Python-Markdown per article is
    needlessly slow); `engine` is the `markdown_engine` setting."""

    def __init__(self, engine: str = "markdown") -> None:
        self._markdown: markdown.Markdown | None = None  # the Python-Markdown engine, if used
        if engine == "cmark":
            from sitegen.cmark import cmark_converter  # optional: needs cmarkgfm

            self._convert: Callable[[str], str] = cmark_converter()
        elif engine == "markdown":
            md = markdown.Markdown(
                extensions=[
                    *_extra(),
                    SaneListExtension(),
                    _HeadingIds(permalink=False),
                    TypographyExtension(),
                    TriggeredInlineExtension(),
                    SkipUnneededBlocksExtension(),  # last: sees every block processor
                ],
                output_format="html",
            )
            self._markdown = md
            self._convert = lambda text: str(md.reset().convert(text))
        else:
            raise ValueError(f"unknown Markdown engine {engine!r}; expected 'markdown' or 'cmark'")

    def render(self, text: str) -> str:
        return self._convert(text)


def _extra() -> list[markdown.Extension]:
    """Python-Markdown's "extra", as the extensions it registers, in its order. Named ones
    are looked up among every installed package's entry points (importlib.metadata: 30 ms
    for each process that converts, a tenth of a one-article rebuild's parsing)."""
    return [
        FencedCodeExtension(), FootnoteExtension(), AttrListExtension(), DefListExtension(),
        TableExtension(), AbbrExtension(), MarkdownInHtmlExtension(),
    ]  # fmt: skip


class _TableOnRequest(TocTreeprocessor):
    """toc's heading ids, but its table of contents is built only for a document that
    asks for one with the marker ([TOC]): building it was 4 % of converting an article."""

    def run(self, doc: etree.Element) -> None:
        lines = getattr(self.md, "lines", None)  # the source, as Markdown.convert keeps it
        self._wanted = bool(self.marker) and (
            lines is None or any(self.marker in line for line in lines)
        )
        super().run(doc)

    def build_toc_div(self, toc_list: list[Any]) -> etree.Element:
        return super().build_toc_div(toc_list) if self._wanted else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self._wanted:
            super().replace_marker(root, elem)


class _HeadingIds(TocExtension):
    TreeProcessorClass = _TableOnRequest


def first_words(text: str, limit: int = DESCRIPTION_WORDS) -> str:
    """The first `limit` words of plain text, with an ellipsis when cut."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return re.sub(r"[\s,;:.!?-]+$", "", " ".join(words[:limit])) + "…"
