"""Python-Markdown's inline pass, minus the patterns that cannot match.

Python-Markdown tries each of its ~15 inline patterns on every piece of text, even when
the text lacks the one character the pattern starts with (no '[' means no link). That
bookkeeping is a third of converting an article. This processor skips a pattern when its
trigger is absent from the text; everything else is Python-Markdown's own code, so the
output is the same HTML (tests compare the two on the example archive and edge cases).
"""

from __future__ import annotations

from markdown import Markdown, inlinepatterns
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

_P = inlinepatterns
_NOT_IMAGE = r"(?<!\!)\["
# Registered name -> (exact class, exact regex, texts of which any match holds one). A
# pattern that differs in any of these (another extension's, or a future version's) has
# no trigger and always runs: skipping must never change the output.
TRIGGERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "backtick": ("BacktickInlineProcessor", _P.BACKTICK_RE, ("`",)),
    "escape": ("EscapeInlineProcessor", _P.ESCAPE_RE, ("\\",)),
    "footnote": ("FootnoteInlineProcessor", r"\[\^([^\]]*)\]", ("[^",)),
    "reference": ("ReferenceInlineProcessor", _NOT_IMAGE, ("[",)),
    "link": ("LinkInlineProcessor", _NOT_IMAGE, ("[",)),
    "image_link": ("ImageInlineProcessor", _P.IMAGE_LINK_RE, ("![",)),
    "image_reference": ("ImageReferenceInlineProcessor", _P.IMAGE_REFERENCE_RE, ("![",)),
    "short_reference": ("ShortReferenceInlineProcessor", _NOT_IMAGE, ("[",)),
    "short_image_ref": ("ShortImageReferenceInlineProcessor", _P.IMAGE_LINK_RE, ("![",)),
    "autolink": ("AutolinkInlineProcessor", _P.AUTOLINK_RE, ("<",)),
    "automail": ("AutomailInlineProcessor", _P.AUTOMAIL_RE, ("<",)),
    "linebreak": ("SubstituteTagInlineProcessor", _P.LINE_BREAK_RE, ("  \n",)),
    "html": ("HtmlInlineProcessor", _P.HTML_RE, ("<",)),
    "entity": ("HtmlInlineProcessor", _P.ENTITY_RE, ("&",)),
    "em_strong": ("DelimiterProcessor", r"\*|_", ("*", "_")),
}


class TriggeredInlineProcessor(InlineProcessor):
    """InlineProcessor whose per-text loop checks each pattern's trigger first."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._patterns: list[InlineProcessor] = []  # as the stubs type the registry
        self._triggers: list[tuple[str, ...] | None] = []

    def run(self, tree, ancestors=None):  # type: ignore[no-untyped-def]
        registry = self.inlinePatterns
        patterns = list(registry)
        if patterns != self._patterns:  # the first document, or the patterns changed
            self._patterns = patterns
            self._triggers = [None] * len(patterns)
            for name in TRIGGERS:
                if name in registry:
                    index = registry.get_index_for_name(name)
                    self._triggers[index] = _triggers(name, patterns[index])
        return super().run(tree, ancestors)

    # Name-mangled override of InlineProcessor.__handleInline (same contract).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, triggers = self._patterns, self._triggers
        start, count = 0, len(patterns)
        while patternIndex < count:
            needs = triggers[patternIndex]
            if needs is not None:
                for text in needs:
                    if text in data:
                        break
                else:  # not one trigger in the text: the pattern cannot match
                    patternIndex += 1
                    start = 0
                    continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _triggers(name: str, pattern: object) -> tuple[str, ...] | None:
    known = TRIGGERS.get(name)
    if known is None:
        return None
    kind, regex, triggers = known
    compiled = getattr(pattern, "compiled_re", None)
    if type(pattern).__name__ != kind or compiled is None or compiled.pattern != regex:
        return None
    return triggers


class TriggeredInlineExtension(Extension):
    """Replaces the registered 'inline' tree processor (same name, same priority)."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(TriggeredInlineProcessor(md), "inline", 20)
