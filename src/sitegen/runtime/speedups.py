"""Library version and internals -> whether sitegen's speed-ups that reach into them may run
(docs/dev/speedups.md). Decided once per process, when a module that uses them is imported;
otherwise the plain library path is used, with the same output."""

from __future__ import annotations

import ctypes
import functools
import importlib
import inspect
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

# Set to anything but "" or "0": every library is used the plain way (a user who hits a
# problem in a speed-up; the tests that compare the two paths).
PLAIN_LIBRARIES = "SITEGEN_PLAIN_LIBRARIES"


class VersionRange(NamedTuple):
    """The releases the speed-ups were tested on: from `first` to every release of the
    series `last` ("3.11" takes in 3.11.4). pyproject.toml's bounds say the same."""

    first: str
    last: str

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


MARKDOWN_TESTED = VersionRange("3.5", "3.11")
JINJA_TESTED = VersionRange("3.1", "3.1")
CMARKGFM_TESTED = VersionRange("2024.1", "2025")


class Speedups(NamedTuple):
    """The decision for one library: `off_because` is None when its speed-ups run. (Named
    tuples: their classes are made at every start, a dataclass's in four times the time.)"""

    library: str
    version: str
    off_because: str | None = None

    @property
    def is_on(self) -> bool:
        return self.off_because is None

    def notice(self) -> str | None:
        """The line `sitegen build --stats` prints when the plain path is used."""
        if self.off_because is None:
            return None
        return (
            f"speed-ups off for {self.library} {self.version}: {self.off_because}; "
            "using the plain library path"
        )


def decide(
    library: str, version: str, tested: VersionRange, missing: Sequence[str], *, forced: bool
) -> Speedups:
    """Speed-ups on only for a tested version that has every internal they use, unforced."""
    release = _release(version)
    if forced:
        why = f"{PLAIN_LIBRARIES} is set"
    elif not release:
        why = f"a version they were not tested on ({tested})"
    elif release < _release(tested.first):
        why = f"older than the versions they were tested on ({tested})"
    elif release[: len(_release(tested.last))] > _release(tested.last):
        why = f"newer than the versions they were tested on ({tested})"
    elif missing:
        why = f"it has no {', '.join(missing)}, which they rely on"
    else:
        why = None
    return Speedups(library, version, why)


def _release(version: str) -> tuple[int, ...]:
    """'3.11.4' -> (3, 11, 4); a pre-release counts as its release, nonsense as ()."""
    found = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in found.group().split(".")) if found else ()


def is_plain_forced(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for the plain library path."""
    return environ.get(PLAIN_LIBRARIES, "") not in ("", "0")


def lacking(owner: Any, name: str, parameters: Sequence[str] | None = None) -> list[str]:
    """['Owner.name'] if `owner` has no attribute `name`, or `parameters` are not its own
    parameter names; else []."""
    label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"
    found = getattr(owner, name, None)
    if found is None:
        return [label]
    if parameters is not None and _parameters(found) != tuple(parameters):
        return [f"{label}({', '.join(parameters)})"]
    return []


def _parameters(function: Callable[..., Any]) -> tuple[str, ...]:
    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # not a Python function: nothing to compare
        return ()


def markdown_internals_missing(
    inline_processor: type, registry: object, toc_processor: type
) -> list[str]:
    """What the Python-Markdown speed-ups use that these objects lack (markup/pymd/)."""
    inline = ("self", "data", "patternIndex")
    apply = ("self", "pattern", "data", "patternIndex", "startIndex")
    return [
        # inline.py overrides the first and calls the second (name-mangled, private)
        *lacking(inline_processor, "_InlineProcessor__handleInline", inline),
        *lacking(inline_processor, "_InlineProcessor__applyPattern", apply),
        *lacking(registry, "_priority"),  # blocks.py reads each processor's priority
        # converter.py's _TableOnRequest overrides these (undocumented toc methods)
        *lacking(toc_processor, "build_toc_div", ("self", "toc_list")),
        *lacking(toc_processor, "replace_marker", ("self", "root", "elem")),
    ]


@functools.cache
def check_markdown() -> Speedups:
    """markup/pymd/: the trigger-checked inline pass, skipped block processors, and toc
    ids without the table."""
    import markdown
    from markdown.extensions.toc import TocTreeprocessor
    from markdown.treeprocessors import InlineProcessor
    from markdown.util import Registry

    missing = markdown_internals_missing(InlineProcessor, Registry(), TocTreeprocessor)
    forced = is_plain_forced()
    version = getattr(markdown, "__version__", "")
    return decide("markdown", version, MARKDOWN_TESTED, missing, forced=forced)


def jinja_internals_missing(
    environment: type, template: type, context: type, exported: Sequence[str], marked: object
) -> list[str]:
    """What the Jinja speed-ups use that these lack (render/jinja_speedups.py): `exported`
    is jinja2.runtime.exported, `marked` a function marked by jinja2.pass_eval_context."""
    return [
        *lacking(environment, "_load_template", ("self", "name", "globals")),
        *lacking(environment, "make_globals", ("self", "d")),
        *lacking(template, "_get_default_module", ("self", "ctx")),
        *lacking(template, "from_code", ("environment", "code", "globals", "uptodate")),
        *lacking(context, "call", ("_Context__self", "_Context__obj", "args", "kwargs")),
        # compiled templates call the `escape` among these names, from their own globals
        *([] if "escape" in exported else ["jinja2.runtime.exported['escape']"]),
        *lacking(marked, "jinja_pass_arg"),  # how pass_context and its kin mark a function
    ]


@functools.cache
def check_jinja() -> Speedups:
    """render/jinja_speedups.py: ThemeEnvironment, ThemeTemplate and ThemeContext."""
    import jinja2
    import jinja2.runtime

    missing = jinja_internals_missing(
        jinja2.Environment,
        jinja2.Template,
        jinja2.runtime.Context,
        getattr(jinja2.runtime, "exported", ()),
        getattr(jinja2, "pass_eval_context", lambda function: function)(lambda: None),
    )
    forced = is_plain_forced()
    version = getattr(jinja2, "__version__", "")
    return decide("jinja2", version, JINJA_TESTED, missing, forced=forced)


# What markup/cmark.py calls in cmarkgfm's private cffi module, and in its shared library
CMARK_FUNCTIONS = (
    "cmark_gfm_core_extensions_ensure_registered", "cmark_find_syntax_extension",
    "cmark_parser_new", "cmark_parser_attach_syntax_extension", "cmark_parser_feed",
    "cmark_parser_finish", "cmark_parser_get_syntax_extensions", "cmark_render_html",
    "cmark_parser_free",
)  # fmt: skip
CMARK_EXPORTS = ("cmark_node_free", "cmark_get_default_mem_allocator")


def cmark_internals_missing(bindings: object | None, native: object | None) -> list[str]:
    """What markup/cmark.py's converter uses that `bindings` (cmarkgfm._cmark; None: not
    importable) and `native` (its shared library opened by ctypes; None: not) lack."""
    if bindings is None:
        return ["cmarkgfm._cmark"]
    lib = getattr(bindings, "lib", None)
    missing = [f"_cmark.lib.{name}" for name in CMARK_FUNCTIONS if not hasattr(lib, name)]
    missing += [] if hasattr(bindings, "ffi") else ["_cmark.ffi"]
    if native is None:
        return [*missing, "_cmark's shared library (through ctypes)"]
    return missing + [f"_cmark's {name}" for name in CMARK_EXPORTS if not hasattr(native, name)]


@functools.cache
def check_cmark() -> Speedups:
    """markup/cmark.py: freeing what cmark allocates, through ctypes."""
    try:
        bindings: Any = importlib.import_module("cmarkgfm._cmark")
    except ImportError:
        bindings = None
    try:
        native = None if bindings is None else ctypes.CDLL(bindings.__file__)
    except (OSError, AttributeError, TypeError):  # no file, or not a library ctypes opens
        native = None
    missing = cmark_internals_missing(bindings, native)
    forced = is_plain_forced()
    return decide("cmarkgfm", _cmarkgfm_version(), CMARKGFM_TESTED, missing, forced=forced)


def _cmarkgfm_version() -> str:
    """cmarkgfm has no __version__; its wheel's dist-info folder beside it has it in its
    name, found for a fraction of importlib.metadata's import (20 ms, cmark's cold start)."""
    import cmarkgfm

    beside = Path(cmarkgfm.__file__).parent.parent
    found = [path.name for path in beside.glob("cmarkgfm-*.dist-info")]
    if len(found) == 1:
        return found[0].removeprefix("cmarkgfm-").removesuffix(".dist-info")
    import importlib.metadata  # installed otherwise (an egg, a source checkout)

    try:
        return importlib.metadata.version("cmarkgfm")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


def speedup_notices(markdown_engine: str) -> list[str]:
    """One line for each library a build with this engine uses whose speed-ups are off."""
    engine_check = check_cmark if markdown_engine == "cmark" else check_markdown
    notices = (check().notice() for check in (engine_check, check_jinja))
    return [notice for notice in notices if notice is not None]
