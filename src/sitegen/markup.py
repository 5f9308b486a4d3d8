"""Markdown -> HTML with the configured engine (Python-Markdown, or cmark through
cmarkgfm with a pass that adds the same heading ids and typography); HTML -> plain text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown
from markdown.extensions.toc import slugify, unique

from sitegen.inline import TriggeredInlineExtension
from sitegen.typography import TypographyExtension, smarten

EXTENSIONS = ("extra", "toc", "sane_lists")
CMARK_EXTENSIONS = ("table", "strikethrough", "autolink")
CMARK_OPTIONS = (
    "CMARK_OPT_UNSAFE",  # raw HTML is kept, as Python-Markdown keeps it
    "CMARK_OPT_FOOTNOTES",
    "CMARK_OPT_SOURCEPOS",  # marks the elements cmark made, to tell them from raw HTML
    "CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE",  # "~30 people" is prose, not strikethrough
    "CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES",  # text-align as Python-Markdown writes it
)
DESCRIPTION_WORDS = 30


class MarkdownRenderer:
    """Converts with one reused engine instance (a new Python-Markdown per article is
    needlessly slow); `engine` is the `markdown_engine` setting."""

    def __init__(self, engine: str = "markdown") -> None:
        if engine == "cmark":
            self._convert: Callable[[str], str] = _cmark_converter()
        elif engine == "markdown":
            md = markdown.Markdown(
                extensions=[*EXTENSIONS, TypographyExtension(), TriggeredInlineExtension()],
                extension_configs={"toc": {"permalink": False}},
                output_format="html",
            )
            self._convert = lambda text: str(md.reset().convert(text))
        else:
            raise ValueError(f"unknown Markdown engine {engine!r}; expected 'markdown' or 'cmark'")

    def render(self, text: str) -> str:
        return self._convert(text)


def _cmark_converter() -> Callable[[str], str]:
    import cmarkgfm  # optional (sitegen[fast]); load_config reports it missing
    from cmarkgfm.cmark import Options

    options = 0
    for name in CMARK_OPTIONS:
        options |= getattr(Options, name)
    convert = cmarkgfm.markdown_to_html_with_extensions

    def render(text: str) -> str:
        return _CmarkPass().run(str(convert(text, options, list(CMARK_EXTENSIONS))))

    return render


# Elements whose content is never made typographic; code, kbd and samp inside text count
# as a word, so quotes around them pair up (as in the default engine).
_SKIPPED = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea"})
_WORDLIKE = frozenset({"code", "kbd", "samp"})
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "del", "dfn", "em", "i", "img", "ins", "mark",
    "q", "s", "small", "span", "strong", "sub", "sup", "u", "br", "wbr", "time", "var",
})  # fmt: skip
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TOKEN = re.compile(
    r"<!--.*?-->|<[!?][^>]*>|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_FOOTNOTE_ID = re.compile(r'id="(fn(?:ref)?-[^"]*)"')
_QUOTES_HIDDEN = str.maketrans("'\"", "\x04\x05")
_QUOTES_SHOWN = str.maketrans("\x04\x05", "'\"")
_WORD = "x"  # stands for a code span while pairing quotes


@dataclass
class _Block:
    """An open block element and the text pieces read in it: (index in output, text)."""

    name: str
    is_generated: bool  # made by cmark from Markdown (raw HTML is left alone)
    start: int
    pieces: list[tuple[int, str]] = field(default_factory=list)


class _CmarkPass:
    """cmark's HTML -> the same HTML with heading ids as Python-Markdown's `toc` makes them
    and smart typography in the text of the blocks cmark made."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.stack: list[_Block] = []
        self.skipping = ""  # inside this element (code, pre, ...), text is copied as is
        self.ids: set[str] = set()

    def run(self, fragment: str) -> str:
        if "data-footnote" in fragment:  # an id taken by a footnote is not a heading's
            self.ids.update(_FOOTNOTE_ID.findall(fragment))
        position = 0
        for match in _TOKEN.finditer(fragment):
            if match.start() > position:
                self._text(fragment[position : match.start()])
            self._tag(match)
            position = match.end()
        self._text(fragment[position:])
        while self.stack:
            self._close_block()
        return "".join(self.out).rstrip("\n")  # as the default engine ends

    def _text(self, text: str) -> None:
        if text and not self.skipping and self.stack and self.stack[-1].is_generated:
            self.stack[-1].pieces.append((len(self.out), html.unescape(text)))
        self.out.append(text)

    def _tag(self, match: re.Match[str]) -> None:
        tag, is_closing, name = match.group(), bool(match.group(1)), (match.group(2) or "").lower()
        if self.skipping:
            if is_closing and name == self.skipping:
                self.skipping = ""
        elif name in _SKIPPED:
            if name in _WORDLIKE and self.stack and self.stack[-1].is_generated:
                self.stack[-1].pieces.append((-1, _WORD))
            self.skipping = "" if is_closing or tag.endswith("/>") else name
        elif name and name not in _INLINE:
            if is_closing:
                self._close_block(name)
            elif name not in _VOID and not tag.endswith("/>"):
                self.stack.append(_Block(name, "data-sourcepos" in tag, len(self.out)))
        if "data-sourcepos" in tag:
            tag = _SOURCEPOS.sub("", tag)
        if tag.endswith(" />") and name in _VOID:
            tag = tag[:-3] + ">"  # HTML, as the default engine writes it
        self.out.append(tag)

    def _close_block(self, name: str = "") -> None:
        """Close the innermost open `name` (raw HTML may leave some unclosed)."""
        if name and all(block.name != name for block in self.stack):
            return
        while self.stack:
            block = self.stack.pop()
            self._smarten(block.pieces)
            if block.is_generated and block.name in _HEADINGS:
                self._add_id(block)
            if not name or block.name == name:
                return

    def _smarten(self, pieces: list[tuple[int, str]]) -> None:
        """Dashes per piece, quotes over the whole block (a quote's partner may sit in
        another element), each piece written back escaped."""
        if not pieces:
            return
        dashed = [_dashes(text) for _, text in pieces]
        joined = "".join(dashed)
        quoted = smarten(joined)
        if len(quoted) == len(joined):
            start, done = 0, []
            for text in dashed:
                done.append(quoted[start : start + len(text)])
                start += len(text)
        else:  # two pieces formed a dash ("-<em>-"): leave it, pair quotes per piece
            done = [smarten(text) for text in dashed]
        for (index, _), text in zip(pieces, done, strict=True):
            if index >= 0:
                self.out[index] = html.escape(text, quote=False)

    def _add_id(self, block: _Block) -> None:
        inner = "".join(self.out[block.start + 1 :])
        text = " ".join(_TOKEN.sub("", _FOOTNOTE_REF.sub("", inner)).split())
        anchor = unique(slugify(html.unescape(text), "-"), self.ids)
        self.out[block.start] = f'{self.out[block.start][:-1]} id="{anchor}">'


def _dashes(text: str) -> str:
    """`smarten` limited to dashes and ellipses: quotes are hidden from it."""
    if "--" not in text and "..." not in text:
        return text
    return smarten(text.translate(_QUOTES_HIDDEN)).translate(_QUOTES_SHOWN)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in ("p", "li", "h2", "h3", "h4", "blockquote", "figcaption"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return " ".join("".join(collector.parts).split())


def first_words(text: str, limit: int = DESCRIPTION_WORDS) -> str:
    """The first `limit` words of plain text, with an ellipsis when cut."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return re.sub(r"[\s,;:.!?-]+$", "", " ".join(words[:limit])) + "…"
