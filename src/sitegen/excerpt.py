"""Article HTML -> the teaser excerpt shown in listings ("Continue Reading" pages).

Rules, in order: the `summary` field; else everything before `<!--more-->`; else the first
paragraphs up to about 55 words. Excerpts keep paragraphs and inline emphasis (em,
strong, i, b, code) and drop everything else to its text: links (the teaser already links
to the article), images, footnote markers, headings, lists, quotes and tables. Cutting
happens between words, never inside a tag or entity, and every opened element is closed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

EXCERPT_WORDS = 55
MORE_MARKER = "<!--more-->"
KEPT_INLINE = frozenset({"em", "strong", "i", "b", "code"})
SKIPPED = frozenset({
    "script", "style", "sup", "figure", "table", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "blockquote", "dl", "div", "template", "svg",
})  # fmt: skip
_WORD = re.compile(r"\S+")
_TRAILING_PUNCTUATION = re.compile(r"[\s,;:.!?\u2013\u2014-]+$")


def excerpt_and_text(summary: str, body_html: str, limit: int = EXCERPT_WORDS) -> tuple[str, str]:
    """The teaser for an article, as safe HTML paragraphs, and its visible text with
    whitespace folded (what a parse of the HTML would give, made without parsing it again)."""
    if summary:
        return f"<p>{html.escape(summary, quote=False)}</p>", " ".join(summary.split())
    before, marker, _ = body_html.partition(MORE_MARKER)
    return _Excerpt(limit=None if marker else limit).run(before)


class _Excerpt(HTMLParser):
    """Copies top-level paragraphs until `limit` words. Text is kept unescaped while
    building (so trimming can never split an entity) and escaped once at the end."""

    def __init__(self, limit: int | None) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.words = 0
        self.out: list[tuple[bool, str]] = []  # (is_text, value)
        self.open_inline: list[str] = []
        self.last_word: tuple[int, list[str]] | None = None  # out index, open tags then
        self.skip_depth = 0
        self.in_paragraph = False
        self.done = False

    def run(self, fragment: str) -> tuple[str, str]:
        # fed a paragraph at a time: parsing the rest of a long article once the excerpt is
        # complete would cost more than everything else here
        start = 0
        while start < len(fragment) and not self.done:
            end = fragment.find("</p>", start)
            end = len(fragment) if end < 0 else end + 4
            self.feed(fragment[start:end])
            start = end
        self.close()
        if self.in_paragraph:
            self._end_paragraph()
        markup = "".join(html.escape(v, quote=False) if is_text else v for is_text, v in self.out)
        text = "".join(v if is_text else " " if v == "</p>" else "" for is_text, v in self.out)
        return markup, " ".join(text.split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag in SKIPPED:
            self.skip_depth += 1
        elif self.skip_depth:
            return
        elif tag == "p" and not self.in_paragraph:
            self.in_paragraph = True
            self.out.append((False, "<p>"))
        elif self.in_paragraph and tag in KEPT_INLINE:
            self.out.append((False, f"<{tag}>"))
            self.open_inline.append(tag)
        elif self.in_paragraph and tag == "br":
            self.out.append((True, " "))

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag in SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif self.skip_depth or not self.in_paragraph:
            return
        elif tag == "p":
            self._end_paragraph()
        elif tag in self.open_inline:
            while self.open_inline:
                closing = self.open_inline.pop()
                self.out.append((False, f"</{closing}>"))
                if closing == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.done or self.skip_depth or not self.in_paragraph:
            return
        words = list(_WORD.finditer(data))
        remaining = self.limit - self.words if self.limit is not None else len(words)
        if len(words) <= remaining:
            self.out.append((True, data))
            if words:
                self.words += len(words)
                self.last_word = (len(self.out) - 1, list(self.open_inline))
            return
        if remaining > 0:
            self.out.append((True, data[: words[remaining - 1].end()]))
        elif self.last_word is not None:
            # the limit fell exactly on an earlier chunk: cut back to its last word
            index, self.open_inline = self.last_word[0], list(self.last_word[1])
            del self.out[index + 1 :]
        is_text, last = self.out[-1]
        self.out[-1] = (is_text, _TRAILING_PUNCTUATION.sub("", last) + "\u2026")
        self.words = self.limit or 0
        self._end_paragraph()

    def _end_paragraph(self) -> None:
        while self.open_inline:
            self.out.append((False, f"</{self.open_inline.pop()}>"))
        if self.out and self.out[-1] == (False, "<p>"):
            self.out.pop()  # an empty paragraph (an image alone, say) is dropped
        else:
            self.out.append((False, "</p>"))
        self.in_paragraph = False
        self.last_word = None
        if self.limit is not None and self.words >= self.limit:
            self.done = True
