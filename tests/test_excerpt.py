from __future__ import annotations

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.markup.excerpt import _Excerpt, _NotPlain, excerpt_and_text
from tests.conftest import excerpt_html, plain_text


def words_of(fragment: str) -> list[str]:
    document = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    return " ".join(document.itertext()).split()


def test_excerpt_summary_wins_and_is_escaped() -> None:
    assert excerpt_html("Fish & <chips>", "<p>Body</p>") == "<p>Fish &amp; &lt;chips&gt;</p>"


def test_excerpt_more_marker_keeps_everything_before_it() -> None:
    body = "<p>" + "word " * 80 + "</p>\n<p>Second</p>\n<!--more-->\n<p>Hidden</p>"
    excerpt = excerpt_html("", body)
    assert "Hidden" not in excerpt
    assert excerpt.endswith("<p>Second</p>")
    assert len(words_of(excerpt)) == 81  # no word limit before the marker


def test_excerpt_first_paragraphs_up_to_55_words() -> None:
    first = " ".join(f"a{i}" for i in range(40))
    second = " ".join(f"b{i}" for i in range(40))
    excerpt = excerpt_html("", f"<p>{first}</p><p>{second}</p><p>third</p>")
    assert words_of(excerpt)[-1] == "b14\u2026"
    assert len(words_of(excerpt)) == 55
    assert excerpt.count("<p>") == 2 and excerpt.endswith("</p>")


def test_excerpt_short_article_is_whole_without_ellipsis() -> None:
    assert (
        excerpt_html("", "<p>Short <em>and</em> sweet.</p>") == "<p>Short <em>and</em> sweet.</p>"
    )


def test_excerpt_closes_open_inline_elements_when_cut() -> None:
    excerpt = excerpt_html(
        "", "<p><strong>one two <em>three four five</em></strong> six</p>", limit=3
    )
    assert excerpt == "<p><strong>one two <em>three\u2026</em></strong></p>"


def test_excerpt_never_cuts_inside_an_entity_and_reescapes_text() -> None:
    excerpt = excerpt_html(
        "", "<p>AT&amp;T &lt;b&gt; caf&eacute; &#8220;quoted&#8221; more words</p>", limit=4
    )
    assert excerpt == "<p>AT&amp;T &lt;b&gt; café “quoted”\u2026</p>"


def test_excerpt_keeps_emphasis_and_strips_links_images_and_footnotes() -> None:
    body = (
        '<p>See <a href="/other/">the <em>report</em></a><sup id="fnref:1"><a href="#fn:1">1</a></sup> '
        '<img src="/x.jpg" alt="x"> <code>code</code> now.</p>'
    )
    assert excerpt_html("", body) == "<p>See the <em>report</em>  <code>code</code> now.</p>"


def test_excerpt_skips_headings_lists_quotes_tables_and_scripts() -> None:
    body = (
        "<h2>Heading</h2><ul><li>item</li></ul><blockquote><p>quote</p></blockquote>"
        "<table><tr><td>cell</td></tr></table><script>alert(1)</script><p>Real text.</p>"
    )
    assert excerpt_html("", body) == "<p>Real text.</p>"


def test_excerpt_drops_empty_paragraphs() -> None:
    assert excerpt_html("", '<p><img src="a.jpg" alt=""></p><p>Text</p>') == "<p>Text</p>"


def test_excerpt_ends_on_word_boundary_without_dangling_punctuation() -> None:
    assert excerpt_html("", "<p>One, two, three, four.</p>", limit=2) == "<p>One, two\u2026</p>"


@pytest.mark.parametrize(
    "nasty",
    [
        "<p>unclosed <em>emphasis and <strong>more words here than the limit allows",
        "<p>a<b>b<i>c</b>d</i> e f g h</p>",
        "<p>x &amp y &#x26; z &notanentity; w v u t</p>",
        "<p>" + "<em>w</em> " * 100 + "</p>",
        "<p>text</p></div></p><p>after stray closers, which are ignored by the parser anyway</p>",
    ],
)
def test_excerpt_output_is_always_well_formed(nasty: str) -> None:
    excerpt = excerpt_html("", nasty, limit=6)
    reparsed = html5lib.serializer.serialize(
        html5lib.parseFragment(excerpt, namespaceHTMLElements=False), omit_optional_tags=False
    )
    assert reparsed == excerpt  # nothing for a browser to repair: every tag closed, nested right
    assert len(words_of(excerpt)) <= 6


PIECES = [
    "<p>", "</p>", "<em>", "</em>", "<strong>", "</strong>", '<a href="/x/">', "</a>", "<br>",
    '<sup id="fnref:1"><a href="#fn:1">1</a></sup>', "<ul><li>item</li></ul>", "<code>c</code>",
    "<blockquote><p>quoted</p></blockquote>", "&amp;", "&lt;b&gt;", "&#8220;", "&eacute;",
    '<img src="/a.jpg" alt="alt">', "<h2>Heading</h2>", "<!--more-->", "\n", "  ", "word",
]  # fmt: skip


PIECE = st.one_of(st.sampled_from(PIECES), st.text(max_size=12))


@given(
    paragraphs=st.lists(st.lists(PIECE, max_size=8).map("".join), max_size=6),
    limit=st.integers(min_value=1, max_value=12),
)
def test_excerpt_text_is_the_visible_text_of_the_excerpt(paragraphs: list[str], limit: int) -> None:
    """The description is made from the excerpt's text as the excerpt is made, not by
    parsing its HTML again: both must give the same words, cut or not."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    markup, text = excerpt_and_text("", body, limit)
    assert markup == excerpt_html("", body, limit)
    assert text == plain_text(markup)


# the pieces above and what HTMLParser reads in its own ways: comments, stray '<', entities
# without ';', upper-case and self-closing tags, quoted '>', raw-text elements, odd names
ODD_PIECES = [
    "<EM>", "</EM >", "<br/>", "<p/>", "<a title='x>y' href=\"/\">", '<span class="c">',
    "</span>", "<!-- note -->", "< 3", "a<b", "<script>x<p>y</script>", "&amp", "&#169",
    "<a href=x>", "<my-tag>", "</p class='x'>", "<p\nclass=\"a\">", "<b >", "<input disabled>",
]  # fmt: skip


@settings(max_examples=500)  # two readings of HTML must agree on its odd corners too
@given(
    paragraphs=st.lists(
        st.lists(st.one_of(PIECE, st.sampled_from(ODD_PIECES)), max_size=10).map("".join),
        max_size=6,
    ),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
)
def test_excerpt_short_way_reads_html_as_htmlparser_does(
    paragraphs: list[str], limit: int | None
) -> None:
    """Plain HTML is read without HTMLParser (the short way); where the short way takes
    the HTML, it must give exactly what HTMLParser's reading gives."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    try:
        short = _Excerpt(limit).run_plain(body)
    except _NotPlain:
        return
    assert short == _Excerpt(limit).run(body)
