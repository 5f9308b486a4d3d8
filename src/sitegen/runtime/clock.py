"""Time in a build: what "now" is (reproducibly), and how long each stage took."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Iterator

log = logging.getLogger(__name__)


def build_time() -> dt.datetime:
    """Now, unless SOURCE_DATE_EPOCH pins it (reproducible builds); decides what is future."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


class Stopwatch:
    """Seconds spent per stage, for --stats and the progress line."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if stage not in self.seconds:
            log.info("%s…", stage)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started
