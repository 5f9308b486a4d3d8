"""Front matter of the usual shape is read without PyYAML (flatyaml.py): whatever that
reader accepts, it must read exactly as PyYAML does, types and lines included."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import yamldoc
from sitegen.config.flatyaml import read_flat
from sitegen.config.yamldoc import load_mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
WHERE = PurePosixPath("content/a.md")

# Values where YAML has a say: types, indicators, comments, quoting, flow lists.
VALUES = [
    "A plain title", "Kraków", "Women's Rights", 'He said "no"', "a  b", "a, b", "a [b] {c}",
    "2024-03-01", "2024-3-1", "2024-13-45", "2024-03-01 18:30:00", "2024-03-01T18:30:00+01:00",
    "2024-03-01t18:30:00.5Z", "yes", "No", "ON", "y", "~", "null", "Null", "true", "1_000",
    "0x1F", "0o17", "017", "12:30", "190:20:30", ".inf", "-.INF", ".nan", "3.5e3", "1e3", "-5",
    "+5", "=", "<<", "a: b", "a:b", "a #c", "a#c", "C#", "x:", "?x", ":x", "-x", "- x",
    "'q'", "'it''s'", "''", '""', '"dq"', '"a\\"b"', '"a\\nb"', '"a" b', "'a' b", '"unclosed',
    "[a, b]", '["a, b", c]', '["a]", "b"]', "[]", "[ ]", "[a,]", "[[a]]", "{a: b}", "[a: b]",
    "[a b, 'c d']", "[1, yes, 2024-03-01]", "[Women's Rights]", "[a] # c", "[a]]",
    "!tag x", "!!str 5", "&a x", "*a", "|", ">", "%x", "@x", "`x`", "x\ty", "é\u2019\u201c",
    '"a"b"', "'a'b'", '"a\\tb"', "'a\\tb'", "x\t", "a\ufeffb", "a\ufffeb", "[a}]", "[a{b]",
    "trailing  ", '"q" ', "[a, b]  ", "[a #c]", "[a#c]", "[a:b]", "[a: b]", "[a :b]", "[a:]", "[ab", "[a, bc", "['a, b']", '["a", "b"]', "a]", "a}",
]  # fmt: skip
CONTEXTS = ["k: {}\n", "k: [{}]\n", "k: [a, {}]\n", "k:\n  - {}\n", "k:\n- {}\n", "k: {}\nl: x\n"]
USUAL = [
    "A plain title", '"A quoted: title, #1"', "'single'", "2024-03-01", "2024-03-01 18:30:00",
    '[a, "b c", \'d\']', "[]", "/images/a.jpg", "C# and F#", "Kraków", "12", "yes", "~",
]  # fmt: skip
KEYS = ["title", "date", "tags", "image_alt", "a-b", "_x", "Key2"]
ODD_KEYS = ["yes", "null", "1", "on", "<<"]
SEPARATORS = [": ", ":  ", ":", " : ", ":\t"]
ODD_LINES = ["", "# a comment", "  indented: value", "---", "...", "- stray", "  continued"]


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Mostly lines of the flat shape (so many are read both ways), with odd ones mixed in."""
    tricky = st.sampled_from(VALUES) | st.text(
        st.sampled_from("ab :#-\"',[]{}\\!&*~.é"), min_size=1, max_size=6
    )
    value = st.one_of(*[st.sampled_from(USUAL)] * 3, tricky)
    indents = st.sampled_from(["", "  ", "    "])
    made_up = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,4}", fullmatch=True)
    names = st.one_of(*[st.sampled_from(KEYS)] * 3, made_up, st.sampled_from(ODD_KEYS))
    keys = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 7)) == 7:
        keys.append(keys[0])  # a duplicate
    lines: list[str] = []
    for key in keys:
        kind = draw(st.sampled_from(["value"] * 10 + ["list"] * 5 + ["odd"]))
        if kind == "value":
            separator = draw(st.sampled_from([": "] * 12 + SEPARATORS))
            lines.append(f"{key}{separator}{draw(value)}")
        elif kind == "list":
            lines.append(f"{key}:")
            indent = draw(indents)
            for _ in range(draw(st.integers(0, 3))):
                dash = draw(st.sampled_from(["- "] * 10 + ["-  ", "-"]))
                here = draw(indents) if draw(st.integers(0, 5)) == 5 else indent
                lines.append(f"{here}{dash}{draw(value)}")
        else:
            lines.append(draw(st.sampled_from(ODD_LINES)))
    return "\n".join(lines) + draw(st.sampled_from(["\n"] * 6 + ["", "\n\n"]))


def slow(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], list[str]]:
    with monkeypatch.context() as patch:
        patch.setattr(yamldoc, "read_flat", lambda text: None)
        entries, problems = load_mapping(text, WHERE, first_line=2)
    return {k: (e.value, e.line) for k, e in entries.items()}, [str(p) for p in problems]


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types, all the way down (True is not 1, a date no datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@settings(max_examples=int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "400")))
@given(front_matter())
def test_what_the_flat_reader_accepts_it_reads_as_pyyaml_does(text: str) -> None:
    flat = read_flat(text)
    if flat is None:
        return  # left to PyYAML
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected, problems = slow(text, monkeypatch)
    assert problems == [], text
    fast, fast_problems = load_mapping(text, WHERE, first_line=2)
    assert fast_problems == []
    assert list(fast) == list(expected), text
    for key, entry in fast.items():
        assert same(entry.value, expected[key][0]), (text, key, entry.value, expected[key][0])
        assert entry.line == expected[key][1], text


def test_every_tricky_value_in_every_place_reads_as_pyyaml_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd_lists = [
        "k:\n  - a\n    - b\n",
        "k:\n  - a\n - b\n",
        "k:\n- a\n  - b\n",
        "k:\n  - a\nl: b\n",
    ]
    texts = [c.format(v) for v in USUAL + VALUES for c in CONTEXTS] + odd_lists
    read = 0
    for text in texts:
        flat = read_flat(text)
        if flat is None:
            continue
        read += 1
        expected, problems = slow(text, monkeypatch)
        assert problems == [], text
        assert list(flat) == list(expected), text
        for key, (value, line) in flat.items():
            assert same(value, expected[key][0]), (text, value, expected[key][0])
            assert line + 2 == expected[key][1], text
    assert read > len(texts) // 3  # most take the fast way: the comparison means something


@pytest.mark.parametrize(
    "text",
    [
        'title: "A title"\ndate: 2018-11-20\ntags: ["Geneva", "#FreeIran2018", "Death Penalty"]\n'
        "byline: Staff Writer\nimage: /images/2018/a.jpg\nimage_caption: 'A rally in Geneva.'\n",
        "title: Plain: no, that is YAML's mapping\n",  # not flat, but must still read the same
        "title: A title\ntags:\n  - Iran\n  - Women's Rights\ndraft: true\nupdated: 2024-03-01 18:30:00\n",
        "tags:\n- indentless\n- list\naliases: []\nslug: a-b\n",
    ],
)
def test_usual_front_matter_reads_the_same_both_ways(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, problems = load_mapping(text, WHERE, first_line=2)
    expected, expected_problems = slow(text, monkeypatch)
    assert [str(p) for p in problems] == expected_problems
    assert {k: (e.value, e.line) for k, e in fast.items()} == expected


def test_the_usual_shapes_take_the_fast_way() -> None:
    """Else the speed-up is silently gone: typical front matter, including every example
    article without escapes in its quotes."""
    assert read_flat('title: "A"\ndate: 2024-03-01\ntags: [a, "b c"]\nlist:\n  - x\n  - "y"\n') == {
        "title": ("A", 0),
        "date": (dt.date(2024, 3, 1), 1),
        "tags": (["a", "b c"], 2),
        "list": (["x", "y"], 3),
    }
    examples = [
        path.read_text(encoding="utf-8").split("---\n")[1]
        for path in sorted((REPO_ROOT / "content").rglob("*.md"))
    ]
    plain = [text for text in examples if "\\" not in text]
    assert len(plain) >= 10
    assert all(read_flat(text) is not None for text in plain)


@pytest.mark.parametrize(
    "text",
    ["title: x\ntitle: y\n", "a: 2024-13-45\n", "extra:\n  k: v\n", "tags:\n", "# c\ntitle: x\n"],
)
def test_anything_else_is_left_to_pyyaml_which_reports_it(text: str) -> None:
    assert read_flat(text) is None
