"""A WordPress post body (a WXR `<content:encoded>`, HTML) -> Markdown for a sitegen article.

WordPress's own steps come first (comments, `wpautop`, shortcodes), then markdownify. Embeds
become plain links: the imported site must not load third-party players.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import NavigableString
from markdownify import ASTERISK, ATX, MarkdownConverter

from sitegen.importers.wordpress import shortcodes

log = logging.getLogger(__name__)

MORE_MARKER = "<!--more-->"
# Private-use character that brackets placeholders; removed from the input first
_MARK = "\ue000"
# WordPress's `$allblocks` (wp-includes/formatting.php)
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_START = re.compile(rf"</?{_BLOCKS}(?=[\s/>])", re.I)
_BLOCK_OPEN = re.compile(rf"(<{_BLOCKS}(?=[\s/>]))", re.I)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCKS}>)", re.I)
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)
_PRE_PLACEHOLDER = re.compile(rf"<pre>{_MARK}(\d+){_MARK}</pre>")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_END = re.compile(r"(?:<br\s*/?>)?[ \t]*\n[ \t]*", re.I)

_MORE = re.compile(r"<!--more\b.*?-->", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_URL = re.compile(r"https?://[^\s<>\"]+")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.M)
_CLASS_LANGUAGE = re.compile(r"(?:\b(?:brush|lang)\s*:\s*|\b(?:lang|language)-)([\w#+-]+)")

_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START_MARKER = re.compile(r"^(\s*)(#{1,6}|>|[-+]+)(?=\s|$)")
_LINE_START_NUMBER = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
_LINK_END = re.compile(r"\](?=[(\[:])")
_INLINE_IMAGE_PARENTS = ["td", "th", "a", "h1", "h2", "h3", "h4", "h5", "h6", "span"]


@dataclass(frozen=True)
class Converted:
    markdown: str  # the body as Markdown, ending in exactly one "\n"
    unknown_shortcodes: tuple[str, ...]  # names of shortcodes left visible, sorted, unique
    images: tuple[str, ...]  # every image src referenced (not data: URIs), in order, unique


def to_markdown(
    content: str, *, attachments: Mapping[int, str] | None = None, attached: Sequence[int] = ()
) -> Converted:
    """Convert one post body; never raises, and the same input gives the same output.

    wpautop runs unless the body has `<!-- wp:` block comments: WordPress itself skips it
    for block-editor posts. `[caption]` and figures become the image line then the caption
    as an italic line; `[gallery]` needs `attachments` (id -> URL) to become a list of
    images, and `attached` (the post's attachment ids) when it names none. Line breaks
    are written `<br>` (both Markdown engines read it, with no trailing spaces). The first
    `<!--more-->` stays, as a line of its own.
    """
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace(_MARK, "").replace(shortcodes.MARK, "")
    is_classic = "<!-- wp:" not in text
    gallery = shortcodes.Gallery(attachments or {}, attached)
    parts = [_convert_part(part, is_classic, gallery) for part in _MORE.split(text, 1)]
    markdown = f"\n\n{MORE_MARKER}\n\n".join(markdown for markdown, _, _ in parts)
    return Converted(
        markdown=_tidy(markdown),
        unknown_shortcodes=tuple(sorted({name for _, names, _ in parts for name in names})),
        images=tuple(dict.fromkeys(src for _, _, images in parts for src in images)),
    )


def wpautop(text: str) -> str:
    """Blank-line separated text -> `<p>` paragraphs, single newlines -> `<br />`.

    WordPress's rules, simplified: block-level tags get paragraphs of their own and are
    left as they are; the insides of `<pre>` are not touched.
    """
    pres: list[str] = []

    def protect(match: re.Match[str]) -> str:
        pres.append(match.group())
        return f"<pre>{_MARK}{len(pres) - 1}{_MARK}</pre>"

    text = _PRE.sub(protect, text.replace("\r\n", "\n"))
    text = _BLOCK_CLOSE.sub(r"\1\n\n", _BLOCK_OPEN.sub(r"\n\n\1", text))
    chunks = (chunk.strip() for chunk in _BLANK_LINE.split(text))
    text = "\n".join(_paragraph(chunk) for chunk in chunks if chunk)
    return _PRE_PLACEHOLDER.sub(lambda m: _item(pres, m.group(1), m.group()), text)


def _paragraph(chunk: str) -> str:
    if _BLOCK_START.match(chunk):
        return chunk
    return "<p>" + _LINE_END.sub("<br />\n", chunk) + "</p>"


def _item(items: list[str], index: str, default: str) -> str:
    """A stored piece by placeholder number; a number that was never issued stays as it is."""
    position = int(index[:9])
    return items[position] if position < len(items) else default


def _convert_part(
    text: str, is_classic: bool, gallery: shortcodes.Gallery
) -> tuple[str, list[str], list[str]]:
    """One side of the `<!--more-->` break -> (Markdown, unknown shortcodes, image srcs)."""
    text = _COMMENT.sub("", text)
    text, unknown = shortcodes.expand_shortcodes(text, gallery)
    soup = _prepare(BeautifulSoup(wpautop(text) if is_classic else text, "html.parser"))
    images = [src for img in soup.find_all("img") if (src := _attribute(img, "src"))]
    try:
        markdown = _markdown(soup)
    except RecursionError:  # tags nested thousands deep (unclosed <span>s, say)
        log.warning("HTML nested too deeply to convert; keeping its text only")
        markdown = _Converter().escape(soup.get_text(), set())
    return markdown, unknown, [src for src in images if not src.startswith("data:")]


def _attribute(tag: Tag, name: str) -> str:
    value = tag.get(name)
    return value.strip() if isinstance(value, str) else ""


def _prepare(soup: BeautifulSoup) -> BeautifulSoup:
    """Drop scripts and styles, turn players into links, link URLs that stand alone."""
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    for img in soup.find_all("img"):
        if not _attribute(img, "src"):  # lazy-loading plugins keep the address in data-src
            img.attrs["src"] = _attribute(img, "data-src")
        if not img.attrs["src"]:
            img.decompose()
    for tag in soup.find_all(["iframe", "embed", "video", "audio"]):
        source = tag.find("source", src=True)
        url = _attribute(tag, "src") or (_attribute(source, "src") if source else "")
        url = f"https:{url}" if url.startswith("//") else url
        tag.replace_with(_link(soup, url, block=True) if url else "")
    for string in soup.find_all(string=_URL):
        if _is_alone(string) and _URL.fullmatch(string.strip()):
            string.replace_with(_link(soup, string.strip(), block=False))
    for br in soup.find_all("br"):
        if isinstance(after := br.next_sibling, NavigableString) and not br.find_parent("pre"):
            after.replace_with(after.lstrip())  # the source's newline, not text
    for tag in soup.select("figcaption em, figcaption i"):
        tag.unwrap()  # the whole caption is italic already
    return soup


def _link(soup: BeautifulSoup, url: str, *, block: bool) -> Tag:
    link = soup.new_tag("a", href=url)
    link.string = url
    if not block:
        return link
    paragraph = soup.new_tag("p")
    paragraph.append(link)
    return paragraph


def _is_alone(string: NavigableString) -> bool:
    """A text that is a whole paragraph or line (what WordPress would have embedded)."""
    parent = string.parent
    if isinstance(string, Comment) or parent is None or parent.find_parent(["a", "pre"]):
        return False
    if parent.name not in ("[document]", "p", "div", "figure", "li"):
        return False
    edges = (string.previous_sibling, string.next_sibling)
    return all(edge is None or (isinstance(edge, Tag) and edge.name == "br") for edge in edges)


class _Converter(MarkdownConverter):
    """markdownify, with what sitegen's two Markdown engines need."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Text stays text: `&lt;iframe&gt;` must not become a tag, nor "1989." a list."""
        text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
        text = re.sub(r"([\\*_`])", r"\\\1", text)
        text = _LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START_MARKER.sub(r"\1\\\2", text))
        return _LINK_END.sub(r"\\]", text)

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return " "
        return "\n" if "pre" in parent_tags else "<br>\n"

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Continuation lines indented by four: Python-Markdown nests lists only then."""
        text = text.strip()
        if not text:
            return "\n"
        parent = el.parent
        marker = "-"
        if parent is not None and parent.name == "ol":
            start = _attribute(parent, "start")
            first = int(start) if start.isdigit() and len(start) < 10 else 1
            marker = f"{first + len(el.find_previous_siblings('li'))}."
        indented = text.replace("\n", "\n    ")
        return f"{marker} {indented}\n"

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A fence longer than any in the code, and the code's language when it is known."""
        text = text.strip("\n")
        if not text.strip():
            return ""
        longest = max((len(fence) for fence in _FENCE.findall(text)), default=2)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}{_language(el)}\n{text}\n{fence}\n\n"

    def convert_figure(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip()
        return f"\n\n{text}\n\n" if text else ""

    def convert_figcaption(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""


def _language(pre: Tag) -> str:
    """The language of a `<pre>`, as a code shortcode or a highlighting plugin wrote it:
    `lang="python"` (WP-Syntax), `class="brush: bash"` (SyntaxHighlighter), `lang:r`
    (Crayon), `language-go` (Prism, also on the `<code>` inside), Enlighter's attribute."""
    code = pre.find("code")
    named = [_attribute(pre, name) for name in ("data-language", "lang")]
    named.append(_attribute(pre, "data-enlighter-language"))
    tags = [tag for tag in (pre, code) if isinstance(tag, Tag)]
    classes = " ".join(str(name) for tag in tags for name in tag.get_attribute_list("class"))
    named += _CLASS_LANGUAGE.findall(classes)
    for alias in (name.lower() for name in named if name):
        language = shortcodes.LANGUAGES.get(alias, re.sub(r"[^a-z0-9+#-]", "", alias))
        if language not in ("", "other", "none", "nohighlight"):
            return language
    return ""


# markdownify trims inline elements' text with str.strip, which takes no-break spaces too
# (`<sup>21&nbsp;</sup>She` became "21She"), and emphasis may not end in a space anyway
# (CommonMark): a no-break space at an inline element's edge is moved out of it.
_NO_BREAK = "\xa0"
_INLINE = (
    "a", "abbr", "b", "cite", "del", "em", "i", "ins", "mark", "q", "s", "small", "span",
    "strong", "sub", "sup", "u",
)  # fmt: skip


def _markdown(soup: BeautifulSoup) -> str:
    converter = _Converter(
        heading_style=ATX,
        bullets="-",
        strong_em_symbol=ASTERISK,
        sup_symbol="<sup>",  # kept as HTML: verse and footnote numbers stay raised
        sub_symbol="<sub>",
        table_infer_header=True,
        wrap=True,  # newlines in HTML text are spaces; with no width, nothing is re-wrapped
        wrap_width=None,
        keep_inline_images_in=_INLINE_IMAGE_PARENTS,
    )
    for tag in soup.find_all(_INLINE):
        _move_edge_spaces(tag)
    return converter.convert_soup(soup)


def _move_edge_spaces(tag: Tag) -> None:
    """`<em>a&nbsp;</em>b` -> `<em>a</em>&nbsp;b`, and the same at the start."""
    strings = tag.find_all(string=True)
    if strings and (end := len(strings[-1]) - len(strings[-1].rstrip(_NO_BREAK))):
        strings[-1].replace_with(strings[-1].rstrip(_NO_BREAK))
        tag.insert_after(_NO_BREAK * end)
    strings = tag.find_all(string=True)
    if strings and (start := len(strings[0]) - len(strings[0].lstrip(_NO_BREAK))):
        strings[0].replace_with(strings[0].lstrip(_NO_BREAK))
        tag.insert_before(_NO_BREAK * start)


def _tidy(markdown: str) -> str:
    """No trailing spaces, no run of blank lines (outside code), one final newline."""
    lines: list[str] = []
    fence = ""  # the open code block's fence
    for line in markdown.split("\n"):
        line = line.rstrip()
        if found := _FENCE.match(line):
            if not fence:
                fence = found.group(1)
            elif line.strip() == fence:
                fence = ""
        is_code = bool(fence) or line.strip().startswith("`" * 3)
        if line == "<br>" and not is_code:
            continue  # an empty line break; alone at a line start it is an HTML block for cmark
        if not line and not is_code and lines and lines[-1].endswith("<br>"):
            lines[-1] = lines[-1].removesuffix("<br>").rstrip()  # a break that ends a paragraph
        if line or is_code or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n").removesuffix("<br>").rstrip() + "\n"
