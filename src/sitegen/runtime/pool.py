"""Work on all cores: forked workers inherit the parent's memory (the assembled site), so
nothing has to be copied to them; each sends back only what it made."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sitegen.errors import Problem

PARALLEL_MIN = 400  # below this many files, forking costs more than it saves
CHUNKS_PER_JOB = 48  # the smallest range: this many per worker would share out all the work
Make = Callable[[], bytes]
Sink = Callable[[int, bytes], bytes]
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")

# Set only while a pool forks (the children read it), then cleared: fork hands the parent's
# memory to the children, which is the point, and a module variable is how they find it.
_job: Callable[[int, int], Any] | None = None


def job_count(jobs: int | None) -> int:
    """How many processes to use: `jobs` as asked (`--jobs`), else one per core."""
    return jobs or os.cpu_count() or 1


def can_fork(jobs: int, count: int, minimum: int) -> bool:
    """Whether `count` pieces of work should go to forked workers: there are enough, there
    is more than one core to use, and no other thread runs (forking a threaded process can
    deadlock, so `serve` stays serial)."""
    return (
        jobs > 1
        and count >= minimum
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def start_map(
    function: Callable[[int], R], count: int, jobs: int | None, minimum: int
) -> Callable[[], list[R]]:
    """Start [function(i) for i in range(count)] in `jobs` equal shares, one forked worker
    each (when `can_fork`), and return what waits for the results: this process goes on
    with other work meanwhile. Without workers, the list is worked out when asked for."""
    jobs = job_count(jobs)
    if not can_fork(jobs, count, minimum):
        return lambda: [function(i) for i in range(count)]
    context = multiprocessing.get_context("fork")
    started: list[tuple[Any, Any, int, int]] = []  # (worker, its read end, its share)
    for n in range(jobs):
        start, stop = count * n // jobs, count * (n + 1) // jobs
        receiving, sending = context.Pipe(duplex=False)
        readers = [receiving, *(reader for _, reader, _, _ in started)]
        worker = context.Process(
            target=_send_share, args=(sending, readers, function, start, stop), daemon=True
        )
        worker.start()
        sending.close()
        started.append((worker, receiving, start, stop))

    def results() -> list[R]:
        made: list[R] = []
        for worker, receiving, start, stop in started:
            with receiving:
                try:
                    share = receiving.recv()
                except EOFError:  # the worker died
                    share = None
            worker.join()
            if share is None:  # it failed: work it out here, where a failure is raised
                share = [function(i) for i in range(start, stop)]
            made += share
        return made

    return results


def _send_share(
    sending: Any, readers: list[Any], function: Callable[[int], R], start: int, stop: int
) -> None:
    """In a forked worker: send back its share of a `start_map` (None if it failed). The
    pipes' read ends it inherited are closed first: should this process's parent be gone
    (its build failed), sending then fails at once instead of waiting for ever."""
    for reader in readers:
        reader.close()
    try:
        share: list[R] | None = [function(i) for i in range(start, stop)]
    except BaseException:  # noqa: BLE001 - said by the parent, which works it out again
        share = None
    with sending, contextlib.suppress(OSError):  # the parent is gone (its build failed)
        sending.send(share)


class Awaited(Mapping[K, V]):
    """A mapping that forked workers are still working out: the first look at it waits
    for them (`settle` waits at once)."""

    def __init__(self, finish: Callable[[], Mapping[K, V]]) -> None:
        self._finish: Callable[[], Mapping[K, V]] | None = finish
        self._done: Mapping[K, V] = {}

    def settle(self) -> Awaited[K, V]:
        if self._finish is not None:
            self._done, self._finish = self._finish(), None
        return self

    def __getitem__(self, key: K) -> V:
        return self.settle()._done[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self.settle()._done)

    def __len__(self) -> int:
        return len(self.settle()._done)


def settle(value: object) -> None:
    """Wait for `value` if forked workers are still working it out (see `Awaited`):
    before forking again, as new workers must not inherit the unfinished work's pipes."""
    if isinstance(value, Awaited):
        value.settle()


def start_forked(function: Callable[[], object]) -> Callable[[], None]:
    """Start function() in a forked process (see `can_fork`); returns what waits for it."""
    process = multiprocessing.get_context("fork").Process(target=function, daemon=True)
    process.start()
    return process.join


def make_all(
    makers: Sequence[Make],
    problems: Callable[[], list[Problem]],
    jobs: int | None,
    sink: Sink | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[bytes], list[Problem]]:
    """Call every maker, in forked workers when there are many (see `can_fork`); returns
    what they made and the problems found (`problems()`, asked in each worker).

    With a `sink`, each result goes to sink(index, bytes) where it is made (in a worker:
    no copying back) and the returned list holds what the sink returned (something small).
    `meanwhile` is called in this process while the workers work (else first): bookkeeping
    that would otherwise keep a core idle.
    """
    jobs = job_count(jobs)
    if not can_fork(jobs, len(makers), PARALLEL_MIN):
        if meanwhile:
            meanwhile()
        return [_deliver(i, make(), sink) for i, make in enumerate(makers)], problems()
    job = functools.partial(_make_range, makers, problems, sink)
    results = _in_workers(job, len(makers), jobs, meanwhile)
    made = [data for chunk, _ in results for data in chunk]
    found = {str(p): p for _, chunk_problems in results for p in chunk_problems}
    return made, list(found.values())


def _in_workers(
    job: Callable[[int, int], R], count: int, jobs: int, meanwhile: Callable[[], object] | None
) -> list[R]:
    """job(start, stop) over the ranges of `work_ranges`, dealt to forked workers as they
    become free, so they finish together; the results in order."""
    global _job
    ranges = work_ranges(count, jobs)
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = pool.map_async(_run, ranges, chunksize=1)
            if meanwhile:
                meanwhile()
            return pending.get()
    finally:
        _job = None


def work_ranges(count: int, jobs: int) -> list[tuple[int, int]]:
    """range(count) cut into ranges that shrink towards the end ("guided" scheduling): each
    worker's first ranges are long runs of neighbouring work (pages showing the same
    articles, whose teasers a worker renders once for all its pages), the last ones are
    small, so the workers finish within a few milliseconds of each other."""
    smallest = max(1, count // (jobs * CHUNKS_PER_JOB))
    ranges, start = [], 0
    while start < count:
        size = max(smallest, (count - start) // (2 * jobs))
        ranges.append((start, min(start + size, count)))
        start += size
    return ranges


def _run(bounds: tuple[int, int]) -> Any:
    assert _job is not None
    return _job(*bounds)


def _make_range(
    makers: Sequence[Make], problems: Callable[[], list[Problem]], sink: Sink | None,
    start: int, stop: int,
) -> tuple[list[bytes], list[Problem]]:  # fmt: skip
    return [_deliver(i, makers[i](), sink) for i in range(start, stop)], problems()


def _deliver(index: int, data: bytes, sink: Sink | None) -> bytes:
    return data if sink is None else sink(index, data)
