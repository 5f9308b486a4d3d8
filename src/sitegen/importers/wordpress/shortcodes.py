"""WordPress shortcodes in a post body (HTML) -> HTML, and the names of those left visible.

Code shortcodes (`[sourcecode]`, `[code]`, `[python]`) become `<pre data-language>` with the
code as WordPress showed it; players (`[youtube]`, `[audio]`...) become labelled links, as
the imported site must not load anything from another host; `[gallery]` becomes its images.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sitegen.importers.wordpress.players import PLAYERS, URL, player_link
from sitegen.importers.wordpress.wxr import Item
from sitegen.markup.engine import DESCRIPTION_WORDS, first_words

# Private-use character that brackets placeholders; content.py removes it from the input
MARK = "\ue001"
_PLACEHOLDER = re.compile(rf"{MARK}(\d+){MARK}")
_NAME = r"[A-Za-z][\w-]*(?![\w-])"
# [[foo]] and [[foo]…[/foo]]: WordPress's way of writing a shortcode as text
_ESCAPED = re.compile(rf"\[(\[({_NAME})[^\[\]]*\](?:[^\[]*(?:\[(?!/\2\])[^\[]*)*\[/\2\])?)\]")
# Text in <pre> and <code> is code: no shortcode in it is expanded, reported or unescaped
_CODE_ELEMENT = re.compile(r"<(pre|code)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_FENCED = re.compile(r"^```.*?^```", re.M | re.S)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
_TOKEN = re.compile(r"""[\w-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'\]]+)|"[^"]*"|'[^']*'|\S+""")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.,;:!?-]*")
_CAPTIONED = re.compile(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)", re.I | re.S)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|svg)$", re.I)
_CANDIDATE = re.compile(r"\[([a-z][a-z0-9_-]*)(?=[\s\]/=])([^\[\]]*)\](?!\()")
_STRICT_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.I)

# SyntaxHighlighter Evolved's language aliases (WordPress.com runs it too), -> the name
# Markdown highlighters know. Each is also a shortcode ([php]...[/php]) but latex and r.
LANGUAGES = {
    "as3": "actionscript3", "actionscript3": "actionscript3", "arduino": "arduino",
    "bash": "bash", "shell": "bash", "coldfusion": "cfm", "cf": "cfm", "clojure": "clojure",
    "clj": "clojure", "cpp": "cpp", "c": "c", "c-sharp": "csharp", "csharp": "csharp",
    "css": "css", "delphi": "delphi", "pas": "pascal", "pascal": "pascal", "diff": "diff",
    "patch": "diff", "erl": "erlang", "erlang": "erlang", "fsharp": "fsharp", "go": "go",
    "golang": "go", "groovy": "groovy", "haskell": "haskell", "java": "java", "jfx": "javafx",
    "javafx": "javafx", "js": "javascript", "jscript": "javascript",
    "javascript": "javascript", "latex": "latex", "tex": "latex", "matlab": "matlab",
    "matlabkey": "matlab", "objc": "objective-c", "obj-c": "objective-c", "perl": "perl",
    "pl": "perl", "php": "php", "plain": "", "text": "", "ps": "powershell",
    "powershell": "powershell", "py": "python", "python": "python", "r": "r", "splus": "r",
    "rails": "ruby", "rb": "ruby", "ror": "ruby", "ruby": "ruby", "scala": "scala",
    "sql": "sql", "swift": "swift", "vb": "vbnet", "vbnet": "vbnet", "xml": "xml",
    "xhtml": "xml", "xslt": "xslt", "html": "html", "yaml": "yaml", "yml": "yaml",
}  # fmt: skip
# and CodeColorer's [cc lang="php"], [ccb]
_CODE_TAGS = sorted({"sourcecode", "source", "code", "cc", "ccb", *LANGUAGES} - {"latex", "r"})
_LINE_BREAK = re.compile(r"<br\s*/?>[ \t]*(?:\n|$)", re.I)
_CLOSING = re.compile(r"\[/([a-z][a-z0-9_-]*)\]")
# Shortcodes of WordPress, Jetpack/WordPress.com and common plugins: reported even bare
KNOWN = {
    "archives", "audio", "bandcamp", "caption", "contact-field", "contact-form",
    "contact-form-7", "crowdsignal", "dailymotion", "embed", "facebook", "flickr", "gallery",
    "gist", "googleapps", "googlemaps", "gravityform", "instagram", "kickstarter", "latex",
    "mixcloud", "ninja_forms", "playlist", "polldaddy", "recipe", "scribd", "sitemap",
    "slideshare", "soundcloud", "spotify", "ted", "tweet", "twitter-timeline", "video",
    "videopress", "vimeo", "wpforms", "wpvideo", "wp_caption", "youtube",
}  # fmt: skip
_ENCLOSING_TAGS = ["caption", "wp_caption", "embed", *PLAYERS]
KNOWN_PREFIXES = ("vc_", "et_pb_", "fusion_", "su_", "aesop_", "av_", "cs_")


@dataclass(frozen=True)
class Gallery:
    """What a `[gallery]` may show: attachment id -> URL, and each post's attachments."""

    attachments: Mapping[int, str]
    attached: Sequence[int] = ()  # the post's own attachments, in WordPress's gallery order


def attached_by_post(attachments: Iterable[Item]) -> dict[int, tuple[int, ...]]:
    """Each post's attachments (post id -> ids), in the order WordPress gives a `[gallery]`
    that names none: `menu_order`, then id."""
    by_parent: dict[int, list[Item]] = {}
    for attachment in attachments:
        if attachment.parent:
            by_parent.setdefault(attachment.parent, []).append(attachment)
    return {
        parent: tuple(a.post_id for a in sorted(items, key=lambda a: (a.menu_order, a.post_id)))
        for parent, items in by_parent.items()
    }


def expand_shortcodes(text: str, gallery: Gallery) -> tuple[str, list[str]]:
    """Known shortcodes -> HTML; returns the text and the names of real shortcodes left."""
    kept: list[str] = []

    def keep(replacement: str) -> str:
        kept.append(replacement)
        return f"{MARK}{len(kept) - 1}{MARK}"

    text = _enclosed(_CODE_TAGS, text, is_code=True, replace=lambda m: _code_block(m, keep))
    text = _CODE_ELEMENT.sub(lambda match: keep(match.group()), text)
    text = _ESCAPED.sub(lambda match: _escaped(match, keep), text)
    text = _enclosed(_ENCLOSING_TAGS, text, is_code=False, replace=_enclosing_shortcode)
    text = _CANDIDATE.sub(lambda match: _media_shortcode(match, gallery), text)
    unknown = unknown_shortcodes(text)
    for _ in range(2):  # an element may hold a code block's placeholder
        text = _PLACEHOLDER.sub(lambda m: _item(kept, m.group(1), ""), text)
    return text, unknown


def _escaped(match: re.Match[str], keep: Callable[[str], str]) -> str:
    """[[gallery]] -> [gallery] as text; [[a wiki term]] is no shortcode and stays."""
    inner = _CANDIDATE.match(match.group(1))
    return keep(match.group(1)) if inner and _is_shortcode(inner) else keep(match.group())


def unknown_shortcodes(text: str) -> list[str]:
    """Names of shortcodes in the text, outside code; bracketed prose is not one (see
    `_is_shortcode`)."""
    text = _FENCED.sub("", _CODE_ELEMENT.sub("", text))
    return [m.group(1) for m in _CANDIDATE.finditer(text) if _is_shortcode(m)]


def strip_shortcodes(text: str) -> str:
    """The text without shortcodes (for summaries): players and code go with what they
    enclose, other shortcodes leave their inner text."""
    text = _enclosed(_CODE_TAGS, text, is_code=True, replace=lambda m: "")
    text = _enclosed(
        _ENCLOSING_TAGS,
        text,
        is_code=False,
        replace=lambda m: m["inner"] if "caption" in m[1] else "",
    )
    text = _CANDIDATE.sub(lambda m: "" if _is_shortcode(m) else m.group(), text)
    return _CLOSING.sub("", text)


def summary_without_shortcodes(content: str, fallback: str) -> str:
    """A summary for a body whose first words show a shortcode left as text (a contact
    form, say), which the build would put in the page's description; else "". With no
    words but shortcodes, the `fallback` (the title). Converted ones (players, captions)
    need none."""
    teaser = re.split(r"<!--more\b", content, maxsplit=1)[0]
    text = re.sub(
        r"<(?:br|/?p|/?div|/?li|/?h\d)\b[^>]*>",
        " ",
        _enclosed(_CODE_TAGS, teaser, is_code=True, replace=lambda m: " "),
        flags=re.I,
    )
    text = re.sub(r"<[^>]*>", "", _CODE_ELEMENT.sub(" ", text))
    start = " ".join(text.split()[:DESCRIPTION_WORDS])
    if not set(unknown_shortcodes(start)) - {"caption", "wp_caption", "embed", "gallery", *PLAYERS}:
        return ""
    return first_words(html.unescape(strip_shortcodes(text))) or fallback


def _is_shortcode(match: re.Match[str]) -> bool:
    """A real shortcode, not prose such as [sic], [and], [1], [a-f0-9] or [r minor]: its
    attributes hold no bare word, and it has a `key=value`, a closing tag, a `/]`, or a
    name WordPress or a common plugin registers."""
    name, attributes = match.group(1), match.group(2).split("|")[0].strip()  # [audio a|titles=]
    known = name in KNOWN or name.startswith(KNOWN_PREFIXES)
    if attributes.startswith("="):
        return known  # WordPress.com's [youtube=URL]; "[n=30]" is prose
    is_closed = attributes.endswith("/")
    tokens = _TOKEN.findall(attributes.removesuffix("/"))
    if any(_WORD.fullmatch(token) for token in tokens):
        return False
    has_pairs = any(_ATTRIBUTE.match(token) for token in tokens)
    if known or has_pairs or is_closed:
        return True
    return name in _closed_names(match.string) and match.string.find(f"[/{name}]", match.end()) >= 0


@functools.lru_cache(maxsize=8)
def _closed_names(text: str) -> frozenset[str]:
    """The names closed (`[/name]`) in a text, found once per text, not once per bracket."""
    return frozenset(_CLOSING.findall(text))


def _item(items: list[str], index: str, default: str) -> str:
    position = int(index[:9])
    return items[position] if position < len(items) else default


def attributes_of(text: str, *, is_decoded: bool = True) -> dict[str, str]:
    """`key="value"` pairs (keys lowercased), entities in values decoded unless asked not."""
    found = {
        match.group(1).lower(): next(value for value in match.groups()[1:] if value is not None)
        for match in _ATTRIBUTE.finditer(text)
    }
    return {key: html.unescape(value) for key, value in found.items()} if is_decoded else found


def _code_block(match: re.Match[str], keep: Callable[[str], str]) -> str:
    """A code shortcode -> `<pre>` (kept aside), or the text as it was if it is not one
    (`[code to the benchmark]`)."""
    name, attributes, code = match.groups()
    if _ATTRIBUTE.sub("", attributes).strip(" /"):
        return match.group()
    given = attributes_of(attributes)
    alias = name if name in LANGUAGES else given.get("language", given.get("lang", "text"))
    language = LANGUAGES.get(alias.lower(), re.sub(r"[^a-z0-9+#-]", "", alias.lower()))
    # SyntaxHighlighter stores code HTML-encoded and shows it decoded; code holding a raw
    # < or > was stored as typed (its older format) and is shown as it is
    code = _undo_editor(code)
    if "<" not in code and ">" not in code:
        code = _STRICT_ENTITY.sub(lambda m: html.unescape(m.group()), code)
    # blank first and last lines go, as SyntaxHighlighter trims them; indentation stays
    code = re.sub(r"\A(?:[ \t]*\n)+|(?:\n[ \t]*)+\Z", "", code.replace("\r\n", "\n"))
    data = f' data-language="{language}"' if language else ""
    return keep(f"<pre{data}>{html.escape(code, quote=False)}</pre>") if code.strip() else ""


def _undo_editor(code: str) -> str:
    """Code saved from the visual editor has `<br />` ending most lines and `</p><p>` for
    blank lines: back to plain lines. An HTML sample with a few `<br>` stays as it is."""
    if len(_LINE_BREAK.findall(code)) * 2 < code.strip().count("\n") + 1:
        return code
    code = re.sub(r"<br\s*/?>\s*(?=</p>)", "", code, flags=re.I)
    code = re.sub(r"</p>\s*<p>", "\n\n", code, flags=re.I)
    code = _LINE_BREAK.sub("\n", code)
    return re.sub(r"^\s*</p>|<p>\s*$", "", code, flags=re.I)


def _enclosed(
    names: Sequence[str], text: str, *, is_code: bool, replace: Callable[[re.Match[str]], str]
) -> str:
    """Each `[name ...]inner[/name]` replaced; only names closed somewhere in the text are
    looked for: an opener with no closer would have the regex read the rest of the text
    again for each (`[c]` footnote markers are SyntaxHighlighter's C tag)."""
    closed = set(_CLOSING.findall(text))
    present = sorted((name for name in names if name in closed), key=len, reverse=True)
    if not present:
        return text
    before, after = (r"(?<!\[)", r"(?!\])") if is_code else ("", "")  # [[code]] is text
    alternatives = "|".join(map(re.escape, present))
    pattern = rf"{before}\[({alternatives})(?![\w-])([^\[\]]*)\](?P<inner>.*?)\[/\1\]{after}"
    return re.sub(pattern, replace, text, flags=re.S)


def _enclosing_shortcode(match: re.Match[str]) -> str:
    """[caption] -> <figure> with <figcaption>; [embed] and players -> a link."""
    name, attributes, inner = match.group(1), attributes_of(match.group(2)), match.group(3)
    if name == "embed" or name in PLAYERS:
        label, url = "", ""
        if name in PLAYERS:  # [soundcloud url=...][/soundcloud], [gist]ID[/gist]
            label, url = player_link(name, match.group(2).removeprefix("=").strip(), attributes)
            url = url or player_link(name, inner.strip(), {})[1]
        url = url or html.unescape(inner.strip())
        return _link_html(url, label) if URL.fullmatch(url) else match.group()
    captioned = _CAPTIONED.match(inner)
    media, caption = captioned.groups() if captioned else (inner, "")
    caption = caption.strip() or attributes_of(match.group(2), is_decoded=False).get("caption", "")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{media}{figcaption}</figure>"


def _media_shortcode(match: re.Match[str], gallery: Gallery) -> str:
    """[gallery] -> a list of images; players -> a labelled link; else as it was."""
    name, attributes = match.group(1), match.group(2)
    if name == "gallery":
        return _gallery(attributes, gallery) or match.group()
    if name not in PLAYERS or not _is_shortcode(match):
        return match.group()
    label, url = player_link(name, attributes.removeprefix("=").strip(), attributes_of(attributes))
    return _link_html(url, label) if url else match.group()


def _gallery(attributes: str, gallery: Gallery) -> str:
    given = attributes_of(attributes)
    wanted = re.findall(r"\d{1,12}", given.get("ids", given.get("include", "")))
    ids = [int(id_) for id_ in wanted] or list(gallery.attached)
    excluded = {int(id_) for id_ in re.findall(r"\d{1,12}", given.get("exclude", ""))}
    shown = [i for i in ids if i in gallery.attachments and i not in excluded]
    urls = [gallery.attachments[i].strip() for i in shown]
    if not wanted:  # the post's attachments: only its images, as WordPress shows
        urls = [url for url in urls if _IMAGE_FILE.search(urlsplit(url).path)]
    items = "".join(f'<li><img src="{_quote(url)}" alt=""></li>' for url in urls)
    return f"<ul>{items}</ul>" if urls else ""


def _quote(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _link_html(url: str, label: str = "") -> str:
    text = f"{label}: " if label else ""
    return f'<p>{text}<a href="{_quote(url)}">{_quote(url)}</a></p>'
