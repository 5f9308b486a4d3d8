"""When one build's work runs: helpers forked onto a core that would otherwise wait, and
the collector kept out of the way of what the build keeps (collector.LongLived)."""

from __future__ import annotations

from collections.abc import Callable

from sitegen.runtime.collector import LongLived
from sitegen.runtime.pool import can_fork, job_count, settle, start_forked


class Scheduler:
    """One build's helpers and collector; `with` it, so that however the build ends every
    helper is waited for and the collector is given back."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs
        self._collector = LongLived()
        self._helpers: list[Callable[[], None]] = []

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self._collector.__exit__(*exc)
        self.wait_for_helpers()

    def helper(self, function: Callable[[], object] | None, count: int, kind: str) -> None:
        """Start function() in a forked process while this one goes on, if `count` pieces
        of work of a `kind` are worth a process (runtime.pool); None: nothing to do."""
        if function is not None and can_fork(job_count(self.jobs), count, kind):
            self._helpers.append(start_forked(function))

    def wait_for_helpers(self) -> None:
        while self._helpers:
            self._helpers.pop(0)()

    def keep(self) -> None:
        """What this process made so far lives to the end of the build (see LongLived)."""
        self._collector.keep()

    def pause(self) -> None:
        """From here to the workers' fork, this process alone makes what lasts."""
        self._collector.pause()

    def before_forking(self, *unsettled: object) -> None:
        """Ready this process for forking its workers: what other workers still work out
        is settled (their pipes must not be inherited), the helpers are done, and what
        was made meanwhile is kept."""
        for value in unsettled:
            settle(value)
        self.wait_for_helpers()
        self._collector.resume()

    def meanwhile(self, *steps: Callable[[], object]) -> Callable[[], None]:
        """`steps` as one call, made while the workers work: without collector passes
        (the workers collect as usual), then what they made is kept."""

        def run() -> None:
            self._collector.pause()
            for step in steps:
                step()
            self._collector.resume()

        return run
