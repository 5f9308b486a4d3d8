"""The package layout shows the pipeline: each package imports only the ones below it
(docs/dev/architecture.md), and no module grows past what a reader takes in at once."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "sitegen"
# Top to bottom: a package may import those after it, never one before it.
LAYERS = [
    "__main__", "cli", "commands", "check", "serve", "importers", "build", "publish",
    "render", "images", "assemble", "content", "markup", "cache", "runtime", "model", "config",
    "urls", "errors",
]  # fmt: skip
KNOW_NO_MODEL = ("runtime", "cache/store.py")  # they serve any data, not Articles
LONGEST = 400


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, sitegen module) for every import of a sitegen module in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.startswith("sitegen.")]
    return found


def _layer(path: Path) -> str:
    return path.relative_to(SOURCE).with_suffix("").parts[0]


def test_layout_every_module_is_in_a_known_layer() -> None:
    unknown = {_layer(p) for p in SOURCE.rglob("*.py")} - {*LAYERS, "__init__"}
    assert not unknown, f"add {sorted(unknown)} to LAYERS in tests/test_layout.py"


def test_layout_imports_point_down_the_pipeline() -> None:
    upward = []
    for path in sorted(SOURCE.rglob("*.py")):
        mine = _layer(path)
        if mine == "__init__":
            continue
        for line, module in _imports(path):
            theirs = module.split(".")[1]
            if LAYERS.index(theirs) < LAYERS.index(mine):
                where = path.relative_to(SOURCE.parents[1])
                upward.append(f"{where}:{line}: {mine} imports {module}, a layer above it")
    assert not upward, "\n".join(upward)


def test_layout_runtime_and_cache_store_know_no_article_or_site() -> None:
    paths = [
        p for p in SOURCE.rglob("*.py") if str(p.relative_to(SOURCE)).startswith(KNOW_NO_MODEL)
    ]
    assert len(paths) > 3
    for path in paths:
        for line, module in _imports(path):
            assert module.split(".")[1] not in ("model", "content", "assemble", "render"), (
                f"{path.relative_to(SOURCE.parents[1])}:{line}: imports {module}"
            )


def test_layout_no_module_is_longer_than_a_reader_takes_in() -> None:
    long = {
        str(path.relative_to(SOURCE.parents[1])): count
        for path in SOURCE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert not long, f"modules over {LONGEST} lines: {long}"
