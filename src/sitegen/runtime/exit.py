"""Leaving the process quickly, once everything sitegen writes is closed."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn


def fast_exit(code: str | int | None) -> NoReturn:
    """Leave without freeing the heap object by object: after a build of 5,000 articles
    that took 0.15-0.2 s, an eighth of a one-article rebuild (mypy exits the same way).
    Everything sitegen writes is closed by then; only the standard streams need a flush.
    Under coverage, a profiler or a debugger, a normal exit lets them save their findings."""
    if "coverage" in sys.modules or sys.getprofile() or sys.gettrace():
        raise SystemExit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)  # what SystemExit would do with a message
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to tell
            stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
