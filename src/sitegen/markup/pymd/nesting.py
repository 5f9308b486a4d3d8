"""Depth limits for Python-Markdown: markdown="1" HTML nested too deep is kept as raw HTML,
and elements nested deeper than the passes after parsing can walk become text.

Python-Markdown stops block quotes, lists and definition lists short of the interpreter's
recursion limit, but md_in_html parses `markdown="1"` blocks by recursing once per level
(it failed near 330 levels), and several passes over the parsed tree recurse once per
element (prettify, toc, abbr). Both limits here are fixed numbers, so the output does not
depend on how deep the stack was when converting (a worker, `sitegen serve`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import Counter

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

MAX_HTML_DEPTH = 50  # block-level HTML elements nested inside one markdown="1" block
MAX_TREE_DEPTH = 200  # elements nested in the parsed document
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>""")
_MARKDOWN = re.compile(r"""(?i)\smarkdown(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def too_deep_html(text: str, block_tags: frozenset[str]) -> list[tuple[int, int]]:
    """The (start, end) offsets of each HTML block opened by a tag with a `markdown`
    attribute whose block-level elements nest more than MAX_HTML_DEPTH deep. Mirrors
    md_in_html's own reading: inside such a block every block-level tag opens an element,
    an end tag closes up to its match, and a block-level tag closes an open <p>."""
    found: list[tuple[int, int]] = []
    stack: list[str] = []
    open_names: Counter[str] = Counter()
    start = deepest = 0
    for tag in _TAG.finditer(text):
        is_end, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name not in block_tags or (not is_end and attributes.endswith("/")):
            continue
        if not stack and (is_end or not _MARKDOWN.search(attributes)):
            continue  # outside a markdown="1" block: raw HTML, which has no limit
        if is_end:
            while open_names[name]:
                open_names[stack[-1]] -= 1
                if stack.pop() == name:
                    break
            if not stack and deepest > MAX_HTML_DEPTH:
                found.append((start, tag.end()))
            continue
        if not stack:
            start, deepest = tag.start(), 0
        elif stack[-1] == "p":
            open_names[stack.pop()] -= 1
        stack.append(name)
        open_names[name] += 1
        deepest = max(deepest, len(stack))
    if stack and deepest > MAX_HTML_DEPTH:
        found.append((start, len(text)))
    return found


def without_markdown_attributes(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the `markdown` attribute taken out of every tag inside `spans`."""
    pieces, done = [], 0
    for start, end in spans:
        block = _TAG.sub(lambda tag: _MARKDOWN.sub("", tag.group(0)), text[start:end])
        pieces += [text[done:start], block]
        done = end
    return "".join([*pieces, text[done:]])


class _HtmlDepthLimit(Preprocessor):
    """Before md_in_html reads the raw HTML: a markdown="1" block nested too deep loses
    its markdown attributes, so it is kept as the raw HTML it is written as."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("markdown" in line.lower() for line in lines):
            return lines
        text = "\n".join(lines)
        spans = too_deep_html(text, frozenset(self.md.block_level_elements))
        return without_markdown_attributes(text, spans).split("\n") if spans else lines


class _TreeDepthLimit(Treeprocessor):
    """Before any pass that walks the tree: the content of an element at MAX_TREE_DEPTH
    becomes its text (as Python-Markdown turns quote markers past its limit into text)."""

    def run(self, root: etree.Element) -> None:
        if sum(1 for _ in root.iter()) <= MAX_TREE_DEPTH:
            return  # too few elements to nest that deep (most documents): a quick count
        stack = [(root, 0)]
        while stack:
            element, depth = stack.pop()
            if depth == MAX_TREE_DEPTH and len(element):
                _flatten(element)
            else:
                stack.extend((child, depth + 1) for child in element)


def _flatten(element: etree.Element) -> None:
    """The element's descendants replaced by their text, in reading order, without
    recursion."""
    parts = [element.text or ""]
    pending: list[etree.Element | str] = list(reversed(element))
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        parts.append(item.text or "")
        pending.append(item.tail or "")
        pending.extend(reversed(item))
    for child in list(element):
        element.remove(child)
    element.text = "".join(parts)


class NestingLimitExtension(Extension):
    """Registers the limits: the HTML one just before md_in_html's raw HTML pass (after
    fenced code is set aside); the tree one before every tree pass (footnotes: 50), and
    again after the inline pass (20), whose emphasis can nest thousands deep, before
    those that walk the result (toc's marker search recursed in the plain path)."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_HtmlDepthLimit(md), "html_depth_limit", 21)
        md.treeprocessors.register(_TreeDepthLimit(md), "tree_depth_limit", 60)
        md.treeprocessors.register(_TreeDepthLimit(md), "inline_depth_limit", 19.5)
