"""What every cache key and build signature holds of sitegen itself: its version and a
digest of its own source files. With the version alone, a changed sitegen of the same
version (a developer's checkout, a fix installed from Git) kept using parse results and
pages its old code made."""

from __future__ import annotations

import functools
from pathlib import Path

from sitegen import __version__
from sitegen.cache.store import digest

PACKAGE = Path(__file__).resolve().parents[1]  # src/sitegen, or site-packages/sitegen


@functools.cache
def code_version() -> str:
    """`0.1.0+<digest of every .py file of the package>`: read once per process (about
    100 files, a few milliseconds)."""
    parts: list[str | bytes] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix(), path.read_bytes()]
    return f"{__version__}+{digest(*parts)[:16]}"
