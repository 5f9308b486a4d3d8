"""Property-based tests: whatever bytes an article or sitegen.yaml holds, sitegen either
uses them or reports problems naming the file; it never fails another way, never hangs.

SITEGEN_FUZZ_EXAMPLES=N runs N examples per property (default: a few thousand in all,
about half a minute); examples are derandomized so CI runs the same ones every time.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import build
from sitegen.config.settings import Config, load_config
from sitegen.content.article import ARTICLE_KEYS, load_article
from sitegen.errors import ConfigError, SitegenError
from sitegen.markup.engine import MarkdownRenderer

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "0"))
REL = PurePosixPath("content/fuzz.md")


def fuzz(default: int) -> settings:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=5000,  # ms per example: the property is "no hang", not speed
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# Strategies ----------------------------------------------------------------------------
YAML_SCALARS = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.sampled_from([
        "2025-01-02", "2025-13-45", "2025-01-02T25:00:00Z", "~", "null", ".inf", "0x1F",
        "!!python/object:os.system 'ls'", "!!binary aGk=", "&a x", "*a", "*undefined",
        "[1, 2", "{a: 1", "'unclosed", '"\\u00e9\\x00"', "|\n  block", ">-\n  folded",
        "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "\u202e\u2028", "\x00\x01",
    ]),
)  # fmt: skip


def yaml_value(depth: int = 2) -> st.SearchStrategy[str]:
    scalar = YAML_SCALARS.map(lambda v: v if isinstance(v, str) else repr(v))
    if depth == 0:
        return scalar
    inner = yaml_value(depth - 1)
    return st.one_of(
        scalar,
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.text(max_size=8), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
    )


KEYS = st.one_of(st.sampled_from(sorted(ARTICLE_KEYS)), st.text(max_size=12))
MARKDOWN = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from([
            "# ", "## Heading {#id .c}", "*", "**", "_", "[", "](", "![", "<", "</div>", "<div>",
            "<!--", "<!--more-->", "```", "    code", "> ", "- ", "1. ", "|a|b|\n|-|-|", "[^1]",
            "[^1]: note", "*[ABBR]: x", "&", "&#x0;", "&#99999999;", "\\", "`", "---", "\t",
            "<script>", "</script>", "{{", "}}", "\r", "\x00", "\u2028", "'\"--...",
        ]),
    ),
    max_size=30,
).map("".join)  # fmt: skip


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """Near-valid article files: a front matter block with odd keys and values, a body."""
    lines = [f"{draw(KEYS)}: {draw(yaml_value())}" for _ in range(draw(st.integers(0, 8)))]
    if draw(st.booleans()):
        lines += ["title: Fuzzed", "date: 2025-01-02"]
    closing = draw(st.sampled_from(["---", "...", "--", ""]))
    text = "---\n" + "\n".join(lines) + f"\n{closing}\n" + draw(MARKDOWN)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"", b"\xff\xfe"])) + data
    return data


# Properties ----------------------------------------------------------------------------
def check_loads(data: bytes, config: Config, renderer: MarkdownRenderer) -> None:
    article, problems = load_article(data, REL, config, renderer, strict=False)
    for problem in problems:
        assert str(problem).startswith(f"{REL}:"), str(problem)
        # load_article's safety net turns a bug into this problem: it must not be needed
        assert "cannot be converted" not in problem.message, str(problem)
    if article is None:
        assert any(p.is_error for p in problems)
    else:
        assert article.title and article.body_html is not None


@pytest.fixture(scope="module", params=["markdown", "cmark"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Config, MarkdownRenderer]:
    site = tmp_path_factory.mktemp("fuzz")
    return Config(site_dir=site, markdown_engine=request.param), MarkdownRenderer(request.param)


@fuzz(default=600)
@given(data=st.binary(max_size=600))
def test_any_bytes_load_or_name_the_file(
    engine: tuple[Config, MarkdownRenderer], data: bytes
) -> None:
    check_loads(b"---\n" + data if data[:1] == b"t" else data, *engine)


@fuzz(default=700)
@given(data=documents())
def test_near_valid_articles_load_or_name_the_file(
    engine: tuple[Config, MarkdownRenderer], data: bytes
) -> None:
    check_loads(data, *engine)


CONFIG_KEYS = st.sampled_from(
    ["title", "base_url", "description", "language", "per_page", "permalink", "timezone",
     "default_byline", "copyright", "social", "related_count", "feed_items", "feed_content",
     "markdown_engine", "unknown"]
)  # fmt: skip


@st.composite
def config_files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    lines = [f"{draw(CONFIG_KEYS)}: {draw(yaml_value())}" for _ in range(draw(st.integers(0, 6)))]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@fuzz(default=600)
@given(data=config_files())
def test_any_sitegen_yaml_loads_or_names_the_file(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "sitegen.yaml").write_bytes(data)
    try:
        load_config(tmp_path)
    except ConfigError as exc:
        assert exc.problems
        assert all(str(p).startswith("sitegen.yaml:") for p in exc.problems), exc.problems


@fuzz(default=40)
@given(articles=st.lists(documents(), min_size=1, max_size=3))
def test_a_whole_build_of_fuzzed_articles_fails_only_with_problems(
    tmp_path_factory: pytest.TempPathFactory, articles: list[bytes]
) -> None:
    site = tmp_path_factory.mktemp("site")
    (site / "content").mkdir()
    (site / "sitegen.yaml").write_text("base_url: https://example.org/\n")
    for number, data in enumerate(articles):
        (site / "content" / f"a{number}.md").write_bytes(data)
    try:
        report = build(site, site / "out", use_cache=False, jobs=1)
    except SitegenError as exc:
        assert all(str(p).split(":")[0] in {"content", "static", "templates", "sitegen.yaml"}
                   or str(p).startswith(("content/", "static/", "templates/", "sitegen.yaml"))
                   for p in exc.problems), exc.problems  # fmt: skip
        assert not (site / "out").exists()
    else:
        assert (site / "out/index.html").is_file() and report.articles >= 0


# Deep nesting and odd file names (issue 25 part 3) --------------------------------------
NESTING = {  # opening, closing, deepest: legal Markdown that builds at any depth up to that
    "emphasis": ("*", "*", 3000),
    "strong": ("__", "__", 3000),
    "quotes": ("> ", "", 3000),
    "lists": ("- ", "", 3000),
    "links": ("[", "](/x/)", 3000),
    "spans": ("<span>", "</span>", 3000),
    # Python-Markdown's md_in_html recurses per level itself (RecursionError near 400):
    # deeper is a "cannot be converted" problem for the file (tests/test_no_internal_errors.py)
    "markdown blocks": ('<div markdown="1">\n\n', "\n\n</div>\n\n", 200),
}


@st.composite
def nested_bodies(draw: st.DrawFn) -> str:
    opening, closing, deepest = NESTING[draw(st.sampled_from(sorted(NESTING)))]
    depth = draw(st.integers(0, deepest))
    return opening * depth + draw(st.text(max_size=20)) + closing * depth


FILE_NAMES = st.binary(min_size=1, max_size=200).filter(
    lambda name: b"/" not in name and b"\0" not in name and name not in (b".", b"..")
)


@fuzz(default=30)
@given(
    bodies=st.lists(nested_bodies(), min_size=1, max_size=3),
    names=st.lists(FILE_NAMES, min_size=1, max_size=3, unique=True),
    engine=st.sampled_from(["markdown", "cmark"]),
)
def test_deep_nesting_and_odd_file_names_fail_only_with_problems(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[str], names: list[bytes], engine: str
) -> None:
    """Any nesting depth builds; any file name builds or is a problem naming it."""
    site = tmp_path_factory.mktemp("site")
    (site / "content").mkdir()
    (site / "sitegen.yaml").write_text(
        f"base_url: https://example.org/\nmarkdown_engine: {engine}\n"
    )
    head = "---\ntitle: Deep\ndate: 2025-01-02\n---\n"
    for number, body in enumerate(bodies):
        data = (head + body).encode("utf-8", "surrogatepass")
        (site / "content" / f"deep{number}.md").write_bytes(data)
    for name in names:
        with open(os.path.join(os.fsencode(site / "content"), name + b".md"), "wb") as file:
            file.write((head + "Named.\n").encode())
    try:
        build(site, site / "out", use_cache=False, jobs=1)
    except SitegenError as exc:
        for problem in exc.problems:
            assert str(problem).startswith("content/"), str(problem)
            assert "deep" not in str(problem.location), str(problem)  # nesting is legal
            assert "cannot be converted" not in problem.message, str(problem)
            str(problem).encode("utf-8")  # printable: no lone surrogates
