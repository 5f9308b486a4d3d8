"""The default engine: Python-Markdown with `extra`, `toc` ids and `sane_lists`, sitegen's
typography, and (where runtime/speedups.py allows) its two passes that skip what a document
cannot hold (inline.py, blocks.py). Imported only by builds that use this engine."""

from __future__ import annotations

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

from sitegen.markup.pymd.nesting import NestingLimitExtension
from sitegen.markup.pymd.typography import TypographyExtension
from sitegen.runtime.speedups import check_markdown

# Whether Python-Markdown is one that the speed-ups were tested on (decided once)
SPEEDUPS = check_markdown()


def markdown_converter() -> Callable[[str], str]:
    """Markdown text -> HTML fragment, with one engine instance reused (a new
    Python-Markdown per article is needlessly slow)."""
    md = engine()
    return lambda text: str(md.reset().convert(text))


def engine() -> markdown.Markdown:
    """Python-Markdown set up as sitegen converts with it."""
    return markdown.Markdown(
        extensions=[
            *_extra(),
            SaneListExtension(),
            NestingLimitExtension(),
            *_ids_and_typography(),
        ],
        output_format="html",
    )


def _ids_and_typography() -> list[markdown.Extension]:
    """toc's heading ids and sitegen's typography; with the speed-ups, toc's table only
    where asked for and the two passes that skip what a document cannot hold. The HTML is
    the same either way (tests/test_plain_path.py)."""
    if not SPEEDUPS.is_on:
        return [TocExtension(permalink=False), TypographyExtension()]
    from sitegen.markup.pymd.blocks import SkipUnneededBlocksExtension
    from sitegen.markup.pymd.inline import TriggeredInlineExtension

    return [
        _HeadingIds(permalink=False),
        TypographyExtension(),
        TriggeredInlineExtension(),
        SkipUnneededBlocksExtension(),  # last: sees every block processor
    ]


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
