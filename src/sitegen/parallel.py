"""Make many output files on all cores: forked workers inherit the assembled site, so
nothing has to be copied to them; each returns its files' bytes and its problems."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

from sitegen.errors import Problem

PARALLEL_MIN = 400  # below this many files, forking costs more than it saves
Make = Callable[[], bytes]
Sink = Callable[[int, bytes], bytes]

# Set only while a pool forks (the children read it), then cleared: fork hands the parent's
# memory to the children, which is the point, and a module variable is how they find it.
_work: tuple[Sequence[Make], Callable[[], list[Problem]], Sink | None] | None = None


def make_all(
    makers: Sequence[Make],
    problems: Callable[[], list[Problem]],
    jobs: int | None,
    sink: Sink | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[bytes], list[Problem]]:
    """Call every maker, in parallel when there are many, a POSIX fork is available and no
    other thread runs (forking a threaded process can deadlock, so `serve` stays serial).

    With a `sink`, each result goes to sink(index, bytes) where it is made (in a worker:
    no copying back) and the returned list holds what the sink returned (something small).
    `meanwhile` is called in this process while the workers work (else first): bookkeeping
    that would otherwise keep a core idle.
    """
    jobs = jobs or os.cpu_count() or 1
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs < 2 or len(makers) < PARALLEL_MIN or not can_fork or threading.active_count() > 1:
        if meanwhile:
            meanwhile()
        return [_deliver(i, make(), sink) for i, make in enumerate(makers)], problems()
    global _work
    size = -(-len(makers) // (jobs * 16))  # small chunks: the workers finish together
    chunks = [(start, min(start + size, len(makers))) for start in range(0, len(makers), size)]
    _work = (makers, problems, sink)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = pool.map_async(_make_chunk, chunks, chunksize=1)
            if meanwhile:
                meanwhile()
            results = pending.get()
    finally:
        _work = None
    made = [data for chunk, _ in results for data in chunk]
    found = {str(p): p for _, chunk_problems in results for p in chunk_problems}
    return made, list(found.values())


def _make_chunk(bounds: tuple[int, int]) -> tuple[list[bytes], list[Problem]]:
    assert _work is not None
    makers, problems, sink = _work
    return [_deliver(i, makers[i](), sink) for i in range(*bounds)], problems()


def _deliver(index: int, data: bytes, sink: Sink | None) -> bytes:
    return data if sink is None else sink(index, data)
