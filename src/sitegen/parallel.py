"""Work on all cores: forked workers inherit the parent's memory (the assembled site), so
nothing has to be copied to them; each sends back only what it made."""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sitegen.errors import Problem

PARALLEL_MIN = 400  # below this many files, forking costs more than it saves
CHUNKS_PER_JOB = 48  # the smallest range: this many per worker would share out all the work
Make = Callable[[], bytes]
Sink = Callable[[int, bytes], bytes]
R = TypeVar("R")

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


def forked_map(function: Callable[[int], R], count: int, jobs: int | None, minimum: int) -> list[R]:
    """[function(i) for i in range(count)], in `jobs` equal shares when `can_fork`: this
    process works out the first share while a forked worker works out each other one
    (a pool of `jobs` workers would leave this process waiting, and cost more to start)."""
    jobs = job_count(jobs)
    if not can_fork(jobs, count, minimum):
        return [function(i) for i in range(count)]
    shares = [(count * n // jobs, count * (n + 1) // jobs) for n in range(jobs)]
    context = multiprocessing.get_context("fork")
    others = []
    for start, stop in shares[1:]:
        receiving, sending = context.Pipe(duplex=False)
        worker = context.Process(target=_send_share, args=(sending, function, start, stop))
        worker.start()
        sending.close()
        others.append((worker, receiving, start, stop))
    results = [function(i) for i in range(*shares[0])]
    for worker, receiving, start, stop in others:
        with receiving:
            try:
                share = receiving.recv()
            except EOFError:  # the worker died
                share = None
        worker.join()
        if share is None:  # it failed: work the share out here, where a failure is raised
            share = [function(i) for i in range(start, stop)]
        results += share
    return results


def _send_share(sending: Any, function: Callable[[int], R], start: int, stop: int) -> None:
    """In a forked worker: send back its share of a `forked_map` (None if it failed)."""
    try:
        share: list[R] | None = [function(i) for i in range(start, stop)]
    except BaseException:  # noqa: BLE001 - said by the parent, which works it out again
        share = None
    with sending:
        sending.send(share)


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
