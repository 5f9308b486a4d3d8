"""The speed-ups that use a library's internals run only on versions they were tested on
that have those internals, and SITEGEN_PLAIN_LIBRARIES unset; otherwise the plain library
path is taken (runtime/speedups.py; test_plain_path.py compares the pages of the two)."""

from __future__ import annotations

import tomllib
from types import SimpleNamespace

import cmarkgfm
import jinja2
import jinja2.runtime
import pytest
from markdown.extensions.toc import TocTreeprocessor
from markdown.treeprocessors import InlineProcessor
from markdown.util import Registry

from sitegen.config.settings import load_config
from sitegen.markup import cmark
from sitegen.markup.pymd import converter
from sitegen.markup.pymd.inline import TriggeredInlineProcessor
from sitegen.render import templates
from sitegen.render.jinja_speedups import ThemeEnvironment, ThemeTemplate
from sitegen.render.theme import resolve_theme
from sitegen.runtime import speedups
from sitegen.runtime.speedups import (
    CMARK_EXPORTS,
    CMARK_FUNCTIONS,
    PLAIN_LIBRARIES,
    Speedups,
    VersionRange,
    cmark_internals_missing,
    decide,
    is_plain_forced,
    jinja_internals_missing,
    markdown_internals_missing,
)
from tests.conftest import REPO_ROOT

TESTED = VersionRange("3.5", "3.11")


def _notice(library_version: str, why: str) -> str:
    return f"speed-ups off for {library_version}: {why}; using the plain library path"


@pytest.mark.parametrize("version", ["3.5", "3.5.0", "3.8.2", "3.11", "3.11.4", "3.11.4.post1"])
def test_decide_tested_version_with_every_internal_keeps_speedups(version: str) -> None:
    decision = decide("markdown", version, TESTED, [], forced=False)
    assert decision.is_on
    assert decision.notice() is None


@pytest.mark.parametrize("version", ["3.12", "3.12.0", "3.12.0rc1", "4.0"])
def test_decide_newer_version_selects_plain_path(version: str) -> None:
    decision = decide("markdown", version, TESTED, [], forced=False)
    assert not decision.is_on
    assert decision.notice() == _notice(
        f"markdown {version}", "newer than the versions they were tested on (3.5-3.11)"
    )


@pytest.mark.parametrize("version", ["3.4.4", "3.4", "2.6.11"])
def test_decide_older_version_selects_plain_path(version: str) -> None:
    decision = decide("markdown", version, TESTED, [], forced=False)
    assert decision.off_because == "older than the versions they were tested on (3.5-3.11)"


@pytest.mark.parametrize("version", ["", "unknown", "(version unknown)"])
def test_decide_unreadable_version_selects_plain_path(version: str) -> None:
    decision = decide("jinja2", version, VersionRange("3.1", "3.1"), [], forced=False)
    assert decision.off_because == "a version they were not tested on (3.1)"


def test_decide_missing_private_name_selects_plain_path() -> None:
    missing = ["InlineProcessor._InlineProcessor__handleInline", "Registry._priority"]
    decision = decide("markdown", "3.11.4", TESTED, missing, forced=False)
    assert decision.notice() == _notice(
        "markdown 3.11.4",
        "it has no InlineProcessor._InlineProcessor__handleInline, Registry._priority, "
        "which they rely on",
    )


def test_decide_forced_selects_plain_path_whatever_the_version() -> None:
    decision = decide("cmarkgfm", "2025.10.22", VersionRange("2024.1", "2025"), [], forced=True)
    assert decision == Speedups("cmarkgfm", "2025.10.22", "SITEGEN_PLAIN_LIBRARIES is set")


def test_decide_calendar_versions_take_in_the_whole_last_year() -> None:
    tested = VersionRange("2024.1", "2025")
    assert decide("cmarkgfm", "2025.12.31", tested, [], forced=False).is_on
    assert decide("cmarkgfm", "2024.1.14", tested, [], forced=False).is_on
    assert not decide("cmarkgfm", "2026.1.1", tested, [], forced=False).is_on
    assert not decide("cmarkgfm", "2022.10.27", tested, [], forced=False).is_on


@pytest.mark.parametrize(
    ("environ", "forced"),
    [({}, False), ({PLAIN_LIBRARIES: ""}, False), ({PLAIN_LIBRARIES: "0"}, False),
     ({PLAIN_LIBRARIES: "1"}, True), ({PLAIN_LIBRARIES: "yes"}, True)],
)  # fmt: skip
def test_is_plain_forced_reads_the_variable(environ: dict[str, str], forced: bool) -> None:
    assert is_plain_forced(environ) is forced


def test_markdown_internals_missing_names_what_a_release_lacks() -> None:
    assert markdown_internals_missing(InlineProcessor, Registry(), TocTreeprocessor) == []

    class Renamed:  # __handleInline renamed, __applyPattern given another parameter
        def _InlineProcessor__applyPattern(self, pattern, data, index, start=0):  # type: ignore[no-untyped-def]  # noqa: N802
            pass

    class Toc:
        def build_toc_div(self, toc_list):  # type: ignore[no-untyped-def]
            pass

    assert markdown_internals_missing(Renamed, object(), Toc) == [
        "Renamed._InlineProcessor__handleInline",
        "Renamed._InlineProcessor__applyPattern(self, pattern, data, patternIndex, startIndex)",
        "object._priority",
        "Toc.replace_marker",
    ]


def test_jinja_internals_missing_names_what_a_release_lacks() -> None:
    marked = jinja2.pass_eval_context(lambda: None)
    exported = jinja2.runtime.exported
    real = (jinja2.Environment, jinja2.Template, jinja2.runtime.Context)
    assert jinja_internals_missing(*real, exported, marked) == []

    class Environment:
        def make_globals(self, d):  # type: ignore[no-untyped-def]
            pass

    class Context:
        def call(self, obj, *args, **kwargs):  # type: ignore[no-untyped-def]
            pass

    missing = jinja_internals_missing(Environment, jinja2.Template, Context, ["Markup"], object())
    assert missing == [
        "Environment._load_template",
        "Context.call(_Context__self, _Context__obj, args, kwargs)",
        "jinja2.runtime.exported['escape']",
        "object.jinja_pass_arg",
    ]


def test_cmark_internals_missing_names_what_a_release_lacks() -> None:
    assert cmark_internals_missing(None, None) == ["cmarkgfm._cmark"]
    lib = SimpleNamespace(**{name: print for name in CMARK_FUNCTIONS[1:]})
    native = SimpleNamespace(**{name: print for name in CMARK_EXPORTS[:1]})
    assert cmark_internals_missing(SimpleNamespace(lib=lib), native) == [
        f"_cmark.lib.{CMARK_FUNCTIONS[0]}",
        "_cmark.ffi",
        f"_cmark's {CMARK_EXPORTS[1]}",
    ]
    assert cmark_internals_missing(SimpleNamespace(lib=lib, ffi=None), None)[-1] == (
        "_cmark's shared library (through ctypes)"
    )


def test_installed_libraries_are_ones_the_speedups_were_tested_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fails when a library outside the tested range is installed: re-test, then widen
    the bounds in runtime/speedups.py and pyproject.toml (docs/dev/speedups.md)."""
    monkeypatch.delenv(PLAIN_LIBRARIES, raising=False)
    for check in (speedups.check_markdown, speedups.check_jinja, speedups.check_cmark):
        decision = check.__wrapped__()  # decided again, not the one this process holds
        assert decision.is_on, decision.notice()
    monkeypatch.setenv(PLAIN_LIBRARIES, "1")
    assert not speedups.check_jinja.__wrapped__().is_on


@pytest.mark.parametrize("is_on", [True, False])
def test_decision_chooses_between_sitegen_s_classes_and_the_library_s(
    is_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision = Speedups("any", "0", None if is_on else "for this test")
    for module in (converter, templates, cmark):
        monkeypatch.setattr(module, "SPEEDUPS", decision)
    md = converter.engine()
    env = templates.theme_environment(load_config(REPO_ROOT), resolve_theme(REPO_ROOT))
    if is_on:
        assert type(md.treeprocessors["inline"]) is TriggeredInlineProcessor
        assert "skip_unneeded_blocks" in md.preprocessors
        assert (type(env), env.template_class) == (ThemeEnvironment, ThemeTemplate)
        assert isinstance(cmark.converter(), cmark._Converter)
    else:
        assert type(md.treeprocessors["inline"]) is InlineProcessor
        assert type(md.treeprocessors["toc"]) is TocTreeprocessor
        assert "skip_unneeded_blocks" not in md.preprocessors
        assert (type(env), env.template_class) == (jinja2.Environment, jinja2.Template)
        assert env.context_class is jinja2.runtime.Context
        assert cmark.converter() is cmarkgfm.markdown_to_html_with_extensions


def _next_series(version: str) -> str:
    """'3.11' -> '3.12', '2025' -> '2026': the first release a `last` does not take in."""
    *head, tail = version.split(".")
    return ".".join([*head, str(int(tail) + 1)])


def test_pyproject_bounds_are_the_tested_ranges() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["fast"],
        *project["project"]["optional-dependencies"]["test"],
    ]
    for library, tested in [
        ("markdown", speedups.MARKDOWN_TESTED),
        ("jinja2", speedups.JINJA_TESTED),
        ("cmarkgfm", speedups.CMARKGFM_TESTED),
    ]:
        bound = f"{library}>={tested.first},<{_next_series(tested.last)}"
        assert requirements.count(bound) == (2 if library == "cmarkgfm" else 1), bound
