"""The plain library path (SITEGEN_PLAIN_LIBRARIES set, or a library the speed-ups were not
tested on) makes every page byte for byte as the speed-ups do, with both Markdown engines;
`sitegen build --stats` says which libraries took it (runtime/speedups.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import markdown
import pytest
from click.testing import CliRunner

import sitegen
from sitegen.build import build
from sitegen.cli import cli
from sitegen.markup import cmark
from sitegen.markup.pymd import converter
from sitegen.render import templates
from sitegen.runtime import speedups
from sitegen.runtime.speedups import PLAIN_LIBRARIES
from tests.conftest import REPO_ROOT, article, copy_site
from tests.test_blocks import EDGES
from tests.test_build import tree
from tests.test_engines import COMMON_GROUND, HEADINGS
from tests.test_inline import SNIPPETS

ENGINES = ("markdown", "cmark")
SRC = Path(sitegen.__file__).resolve().parents[1]  # this checkout's, not an installed one


def _require_speedups_here(engine: str) -> None:
    """The builds of this process must take the speed-ups, or there is nothing to compare."""
    engine_module: ModuleType = cmark if engine == "cmark" else converter
    if not (engine_module.SPEEDUPS.is_on and templates.SPEEDUPS.is_on):
        pytest.skip("the speed-ups are off in this process: nothing to compare with")


# Builds a site in a new process with SITEGEN_PLAIN_LIBRARIES set, and says whether the
# modules that converted and rendered in it had their speed-ups on
PLAIN_BUILD = """
import sys
from pathlib import Path
from sitegen.build import build
report = build(Path(sys.argv[1]), Path(sys.argv[2]))
engine = report.site.config.markdown_engine
markup = "sitegen.markup.cmark" if engine == "cmark" else "sitegen.markup.pymd.converter"
for name in (markup, "sitegen.render.templates"):
    print(name, sys.modules[name].SPEEDUPS.is_on)
"""


def _plain_environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, PLAIN_LIBRARIES: "1"}


def build_plain(site: Path, out: Path, engine: str) -> None:
    """Build `site` into `out` in a new process that takes the plain library path."""
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_BUILD, str(site), str(out)],
        env=_plain_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    markup = "sitegen.markup.cmark" if engine == "cmark" else "sitegen.markup.pymd.converter"
    assert done.stdout.splitlines() == [f"{markup} False", "sitegen.render.templates False"]


# Every kind of Markdown the engines' tests try, one article each, and all of it at once
HARD_DOCUMENTS = [
    *SNIPPETS,
    *EDGES,
    *HEADINGS,
    COMMON_GROUND.split("\n---\n", 1)[1],
    "~~gone~~, ~30\n\nSee https://example.org\n\nItems:\n- one\n\n- a\n  - b\n\n1) one",
    "a\\\nb\n\n#Title\n\n## Title {#own}\n\n<div>\n\n*a*\n\n</div>",
    "[TOC]\n\n# A\n\n## B *em*\n\nText with [TOC] inside it.",
    'Teaser "one".\n\n<!--more-->\n\n<script>let a = "b" -- 1;</script>\n\nRest.',
]


def make_hard_site(root: Path, engine: str) -> Path:
    """The example archive with an article for each of HARD_DOCUMENTS and one of them all."""
    site = copy_site(REPO_ROOT, root)
    documents = [*HARD_DOCUMENTS, "\n\n".join(HARD_DOCUMENTS)]
    for number, body in enumerate(documents):
        text = article(
            f"Hard case {number}",
            date=f"2023-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
            body=body,
            slug=f"hard-{number}",
            tags="[markdown, edge cases]",
        )
        (site / f"content/hard-{number}.md").write_text(text, encoding="utf-8")
    return _with_engine(site, engine)


def _with_engine(site: Path, engine: str) -> Path:
    if engine == "cmark":
        with (site / "sitegen.yaml").open("a", encoding="utf-8") as file:
            file.write("markdown_engine: cmark\n")
    return site


def _assert_same_tree(fast: Path, plain: Path) -> None:
    fast_files, plain_files = tree(fast), tree(plain)
    assert sorted(fast_files) == sorted(plain_files)
    different = [rel for rel, data in fast_files.items() if plain_files[rel] != data]
    assert different == [], f"the plain library path changed {different}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["example", "hard"])
def test_plain_library_path_makes_the_same_site(engine: str, kind: str, tmp_path: Path) -> None:
    _require_speedups_here(engine)

    def make(name: str) -> Path:
        if kind == "hard":
            return make_hard_site(tmp_path / name, engine)
        return _with_engine(copy_site(REPO_ROOT, tmp_path / name), engine)

    report = build(make("fast-site"), tmp_path / "fast")
    remote = "is on another host"  # the hard cases' images at http://x.org/: warned, built
    assert [w for w in report.warnings if remote not in w.message] == []
    build_plain(make("plain-site"), tmp_path / "plain", engine)
    _assert_same_tree(tmp_path / "fast", tmp_path / "plain")
    if kind == "hard":  # each hard case made its page
        assert len(list((tmp_path / "plain").glob("hard-*/index.html"))) == len(HARD_DOCUMENTS) + 1


def test_plain_library_path_makes_the_golden_site(tmp_path: Path) -> None:
    golden = REPO_ROOT / "tests/sites/basic"
    build_plain(copy_site(golden / "input", tmp_path / "site"), tmp_path / "out", "markdown")
    _assert_same_tree(golden / "expected", tmp_path / "out")


def test_build_stats_says_nothing_of_speedups_that_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _require_speedups_here("markdown")
    monkeypatch.delenv(PLAIN_LIBRARIES, raising=False)
    site = copy_site(REPO_ROOT / "tests/sites/basic/input", tmp_path / "site")
    result = CliRunner().invoke(cli, ["build", str(site), "-o", str(tmp_path / "out"), "--stats"])
    assert result.exit_code == 0, result.output
    assert "speed-ups" not in result.output
    assert result.output.splitlines()[-1].startswith("articles: ")


@pytest.mark.parametrize("engine", ENGINES)
def test_build_stats_names_each_library_taken_the_plain_way(engine: str, tmp_path: Path) -> None:
    site = _with_engine(copy_site(REPO_ROOT / "tests/sites/basic/input", tmp_path / "site"), engine)
    command = ["build", str(site), "-o", str(tmp_path / "out"), "--stats", "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", *command],
        env=_plain_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    library, version = (
        ("cmarkgfm", speedups.check_cmark().version)
        if engine == "cmark"
        else ("markdown", markdown.__version__)
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("articles: ")
    assert lines[1:] == [
        f"speed-ups off for {library} {version}: {PLAIN_LIBRARIES} is set; "
        "using the plain library path",
        f"speed-ups off for jinja2 {jinja2.__version__}: {PLAIN_LIBRARIES} is set; "
        "using the plain library path",
    ]
