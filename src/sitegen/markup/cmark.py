"""The opt-in fast engine: cmark (GitHub's C CommonMark, through cmarkgfm), with a light
pass that makes its HTML match Python-Markdown's where readers or links would notice.

cmark does the typography itself (its "smart" option follows the same SmartyPants
rules), also between the tags of raw HTML code elements in a paragraph (`<code>"x"</code>`),
where sitegen's rules leave text as written: `kept_as_written` puts it back. This pass
adds heading ids exactly as Python-Markdown's `toc` makes them, and
writes void elements the HTML way (`<br>`, not `<br />`). Only headings cmark made get
ids: when the text holds raw HTML headings, cmark is asked for source positions, which
its own headings carry and raw HTML does not (else every heading is cmark's, and the
positions, on every block, would only cost time to remove). Where runtime/speedups.py
finds a tested cmarkgfm, the conversion frees what cmark allocates (`_Converter`).
"""

from __future__ import annotations

import ctypes
import html
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import cmarkgfm
from cmarkgfm.cmark import Options
from markdown.extensions.toc import slugify, unique

from sitegen.markup.typography import INLINE, KEPT, RAW_TAG, KeptElements
from sitegen.runtime.speedups import check_cmark

EXTENSIONS = ["table", "strikethrough", "autolink"]
OPTIONS = (
    Options.CMARK_OPT_UNSAFE  # raw HTML is kept, as Python-Markdown keeps it
    | Options.CMARK_OPT_SMART  # “quotes”, dashes and ellipses
    | Options.CMARK_OPT_FOOTNOTES
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # "~30 people" is prose
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES  # text-align as Python-Markdown has it
)
POSITIONS = Options.CMARK_OPT_SOURCEPOS  # marks what cmark made, to tell it from raw HTML
_RAW_HEADING = re.compile(r"<h[1-6]", re.IGNORECASE)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_PLACED_HEADING = re.compile(r'<h([1-6]) data-sourcepos="[^"]*">(.*?)</h\1>', re.DOTALL)
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_SELF_CLOSING = re.compile(r"<(br|hr|img)\b([^>]*?) ?/>")
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_FOOTNOTE_ID = re.compile(r'id="(fn(?:ref)?-[^"]*)"')
_ALT = re.compile(r'(<img src="[^"]*" alt=")([^"]*)"')
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": "&quot;", "\u201d": "&quot;"})
_PLAIN_DASHES = {"\u2014": "---", "\u2013": "--", "\u2026": "..."}
# A raw HTML KEPT element in the Markdown (cheap to look for: most articles have none)
_RAW_KEPT = re.compile(rf"<(?:{'|'.join(sorted(KEPT))})[\s/>]", re.IGNORECASE)
_TAG_OR_COMMENT = re.compile(rf"<!--|{RAW_TAG.pattern}")
_SMART = re.compile("[\u2018\u2019\u201c\u201d\u2013\u2014\u2026]")
# What cmark's smart punctuation made each character from: as cmark writes it without the
# option, and as it stands in the Markdown
_TYPED = {
    "\u2018": ("'", "'"), "\u2019": ("'", "'"), "\u201c": ("&quot;", '"'),
    "\u201d": ("&quot;", '"'), "\u2013": ("--", "--"), "\u2014": ("---", "---"),
    "\u2026": ("...", "..."),
}  # fmt: skip
# Whether cmarkgfm is one that `_Converter` was tested on (decided once)
SPEEDUPS = check_cmark()


def cmark_converter() -> Callable[[str], str]:
    """Markdown text -> HTML fragment."""
    convert = converter()

    def render(text: str) -> str:
        options = OPTIONS | POSITIONS if _RAW_HEADING.search(text) else OPTIONS
        fragment = str(convert(text, options, EXTENSIONS))
        if _RAW_KEPT.search(text):
            plain = options & ~Options.CMARK_OPT_SMART
            fragment = kept_as_written(fragment, lambda: str(convert(text, plain, EXTENSIONS)))
        return tidy(fragment, positions=bool(options & POSITIONS))

    return render


def converter() -> Callable[[str, int, list[str]], str]:
    """cmarkgfm's conversion (text, options, extensions) -> HTML: its own function, whose
    memory is never freed, or where the speed-ups may run, `_Converter`, which frees it."""
    if SPEEDUPS.is_on:
        return _Converter()
    return cmarkgfm.markdown_to_html_with_extensions  # type: ignore[no-any-return]


class _CmarkMemory(ctypes.Structure):
    _fields_ = [  # noqa: RUF012 - ctypes' own way of declaring a C struct
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


class _Converter:
    """cmarkgfm.markdown_to_html_with_extensions, but freeing what cmark allocates:
    cmarkgfm frees neither the document tree nor the HTML it returns (27 KiB an article:
    670 MiB in each parse worker of a 50,000-article build, and a `serve` that grows with
    every edit). cmarkgfm's bindings lack cmark_node_free and cmark's allocator, which
    its library exports, so those two are called through ctypes (cmarkgfm's private
    module `_cmark` holds both the bindings and the library)."""

    def __init__(self) -> None:
        bindings: Any = importlib.import_module("cmarkgfm._cmark")
        self._lib, self._ffi = bindings.lib, bindings.ffi
        native = ctypes.CDLL(bindings.__file__)
        native.cmark_node_free.argtypes = [ctypes.c_void_p]
        native.cmark_node_free.restype = None
        native.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_CmarkMemory)
        self._free_node = native.cmark_node_free
        self._free = native.cmark_get_default_mem_allocator().contents.free
        self._lib.cmark_gfm_core_extensions_ensure_registered()
        self._extensions: dict[str, object] = {}

    def __call__(self, text: str, options: int, extensions: list[str]) -> str:
        lib, ffi = self._lib, self._ffi
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(options)
        try:
            for name in extensions:
                lib.cmark_parser_attach_syntax_extension(parser, self._extension(name))
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                found = lib.cmark_parser_get_syntax_extensions(parser)
                result = lib.cmark_render_html(root, options, found)
                try:
                    return str(ffi.string(result).decode("utf-8"))
                finally:
                    self._free(self._address(result))
            finally:
                self._free_node(self._address(root))
        finally:
            lib.cmark_parser_free(parser)

    def _extension(self, name: str) -> object:
        extension = self._extensions.get(name)
        if extension is None:
            extension = self._lib.cmark_find_syntax_extension(name.encode())
            if extension == self._ffi.NULL:
                raise ValueError(f"unknown cmark extension {name!r}")
            self._extensions[name] = extension
        return extension

    def _address(self, pointer: object) -> int:
        return int(self._ffi.cast("uintptr_t", pointer))


def kept_as_written(fragment: str, without_smart: Callable[[], str]) -> str:
    """cmark's HTML with the text inside raw HTML KEPT elements as typed. Where that text
    has smart punctuation, `without_smart()` (the same conversion without the option) tells
    which characters cmark made and which were typed so."""
    kept = _kept_spans(fragment)
    if not any(_SMART.search(fragment, start, end) for start, end in kept):
        return fragment
    plain = without_smart()
    pieces: list[str] = []
    done = at = 0  # where `fragment` is copied up to; the same place in `plain`
    spans = iter(kept)
    span = next(spans, None)
    for match in _SMART.finditer(fragment):
        index = match.start()
        if fragment[done:index] != plain[at : at + index - done]:
            return fragment  # not two renderings of one tree: leave cmark's
        at += index - done
        while span is not None and span[1] <= index:
            span = next(spans, None)
        char = match.group()
        written, typed = _TYPED[char]
        if plain.startswith(char, at):  # typed as it stands
            pieces.append(fragment[done:index] + char)
            at += 1
        elif plain.startswith(written, at):
            is_kept = span is not None and span[0] <= index
            pieces.append(fragment[done:index] + (typed if is_kept else char))
            at += len(written)
        else:
            return fragment
        done = index + 1
    pieces.append(fragment[done:])
    return "".join(pieces)


def _kept_spans(fragment: str) -> list[tuple[int, int]]:
    """Where `fragment` has text inside KEPT elements that HTML tags opened (cmark's own
    code spans and blocks hold no smart punctuation): each run of text between two tags,
    up to the end tag or the next block, as Python-Markdown's tree ends them. Tags are
    left out: tidy() puts back image alt text typed in one."""
    spans: list[tuple[int, int]] = []
    elements = KeptElements()
    start = 0
    for match in _tags(fragment):
        if elements.open:
            spans.append((start, match.start()))
        name = match.group(2).lower()
        if name not in INLINE and name not in KEPT:
            elements.close_all()  # a block begins or ends
        else:
            elements.see(match.group())
        start = match.end()
    if elements.open:
        spans.append((start, len(fragment)))
    return spans


def _tags(fragment: str) -> Iterator[re.Match[str]]:
    """The start and end tags of `fragment` in order, outside comments (one left open is
    text, as the default engine has it). Each character is looked at about once."""
    position = 0
    has_closing = True  # whether a "-->" may still follow
    while match := _TAG_OR_COMMENT.search(fragment, position):
        position = match.end()
        if match.group() != "<!--":
            yield match
        elif has_closing:
            end = fragment.find("-->", position)
            has_closing = end >= 0
            position = end + 3 if has_closing else position


def tidy(fragment: str, *, positions: bool = False) -> str:
    """Heading ids, no source positions, HTML-style void elements, no trailing newline.
    With `positions` (cmark's source positions asked for), only headings carrying one
    are cmark's."""
    if "<h" in fragment:
        used = set(_FOOTNOTE_ID.findall(fragment)) if "data-footnote" in fragment else set()
        heading = _PLACED_HEADING if positions else _HEADING
        fragment = heading.sub(lambda m: _heading(m, used), fragment)
    if positions:
        fragment = _SOURCEPOS.sub("", fragment)
    if "<img" in fragment:  # alt text stays as typed, as with the default engine
        fragment = _ALT.sub(_plain_alt, fragment)
    if "/>" in fragment:
        fragment = _SELF_CLOSING.sub(r"<\1\2>", fragment)
    return fragment.rstrip("\n")  # as the default engine ends


def _heading(match: re.Match[str], used: set[str]) -> str:
    level, inner = match.group(1), match.group(2)
    text = inner
    if "<" in text:  # markup (emphasis, a footnote mark): its text only
        text = _TAG.sub("", _FOOTNOTE_REF.sub("", text))
    text = " ".join(text.split())
    if "&" in text:
        text = html.unescape(text)
    anchor = unique(slugify(text, "-"), used)
    return f'<h{level} id="{anchor}">{inner}</h{level}>'


def _plain_alt(match: re.Match[str]) -> str:
    alt = match.group(2).translate(_PLAIN)
    for typographic, typed in _PLAIN_DASHES.items():
        alt = alt.replace(typographic, typed)
    return f'{match.group(1)}{alt}"'
