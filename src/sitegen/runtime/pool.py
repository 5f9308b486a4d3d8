"""Work on all cores, by one policy: how many workers, when forking pays, and what runs
where threads run (`serve`). Forked workers inherit the parent's memory (the assembled
site), so nothing has to be copied to them; each sends back only what it made."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext

log = logging.getLogger(__name__)
# Below this many pieces of work of a kind, starting processes costs more than it saves
# (each kind's piece costs differently: a file to parse, a page to render or scan, an
# article whose related articles are chosen; a helper is one process for one long job).
MIN_ITEMS = {
    "parse": 200, "render": 400, "links": 400, "related": 2000, "helper": 1, "images": 4,
}  # fmt: skip
CHUNKS_PER_JOB = 48  # the smallest range: this many per worker would share out all the work
R = TypeVar("R")
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

# Set only while a pool forks (the children read it), then cleared: fork hands the parent's
# memory to the children, which is the point, and a module variable is how they find it.
_job: Callable[[int, int], Any] | None = None


def job_count(jobs: int | None) -> int:
    """How many processes to use: `jobs` as asked (`--jobs`), else one per core."""
    return jobs or os.cpu_count() or 1


def can_fork(jobs: int, count: int, kind: str) -> bool:
    """Whether `count` pieces of work of a `kind` should go to forked workers: there are
    enough (MIN_ITEMS), more than one process is allowed, and no other thread runs (forking
    a threaded process can deadlock: under `serve` such work stays in this process)."""
    return jobs > 1 and count >= MIN_ITEMS[kind] and _forking_is_safe()


def _forking_is_safe() -> bool:
    import multiprocessing  # noqa: PLC0415 - see _forked

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _forked() -> ForkContext:
    """multiprocessing's fork context. multiprocessing is imported only when work is shared
    out: with concurrent.futures, 7 ms of a build with nothing to do."""
    import multiprocessing  # noqa: PLC0415

    return multiprocessing.get_context("fork")


def start_map(
    function: Callable[[int], R], count: int, jobs: int | None, kind: str
) -> Callable[[], list[R]]:
    """Start [function(i) for i in range(count)] in `jobs` equal shares, one forked worker
    each (when `can_fork`), and return what waits for the results: this process goes on
    with other work meanwhile. Without workers, the list is worked out when asked for."""
    jobs = job_count(jobs)
    if not can_fork(jobs, count, kind):
        return lambda: [function(i) for i in range(count)]
    context = _forked()
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
    process = _forked().Process(target=function, daemon=True)
    process.start()
    return process.join


def map_ranges(
    job: Callable[[int, int], R],
    count: int,
    jobs: int | None,
    kind: str,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """job(start, stop) over range(count) cut in ranges, in forked workers when `can_fork`
    (else one job over all of it, here); the results in order. `meanwhile` is called in
    this process while the workers work (else first): bookkeeping that would otherwise
    keep a core idle."""
    jobs = job_count(jobs)
    if not can_fork(jobs, count, kind):
        if meanwhile:
            meanwhile()
        return [job(0, count)]
    return _in_workers(job, count, jobs, meanwhile)


def _in_workers(
    job: Callable[[int, int], R], count: int, jobs: int, meanwhile: Callable[[], object] | None
) -> list[R]:
    """job(start, stop) over the ranges of `work_ranges`, dealt to forked workers as they
    become free, so they finish together; the results in order."""
    global _job
    ranges = work_ranges(count, jobs)
    _job = job
    try:
        with _forked().Pool(jobs) as pool:
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


def stream_chunks(
    function: Callable[[Sequence[T]], Iterable[R]], items: Sequence[T], jobs: int | None,
    kind: str,
) -> Iterator[R]:  # fmt: skip
    """function(chunk) for `items` cut in chunks, the results in order as they come: in a
    pool of processes when there are enough items. Unlike the work above, `function`
    needs nothing but its arguments (it must pickle), so where threads run (`serve`) the
    pool is spawned rather than forked. Should the pool break down (a host program that
    spawned workers cannot import, say), this process does what it did not get back."""
    jobs = job_count(jobs)
    if jobs < 2 or len(items) < MIN_ITEMS[kind]:
        yield from function(items)
        return
    size = -(-len(items) // (jobs * CHUNKS_PER_JOB))  # many per process: they finish together
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - see _forked
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    context = _forked() if _forking_is_safe() else multiprocessing.get_context("spawn")
    sent = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for chunk in pool.map(_listed, [function] * len(chunks), chunks):
                yield from chunk
                sent += len(chunk)
    except (BrokenProcessPool, OSError) as exc:
        log.warning("parallel work unavailable (%s); working in one process", exc)
        yield from function(items[sent:])


def _listed(function: Callable[[Sequence[T]], Iterable[R]], chunk: Sequence[T]) -> list[R]:
    return list(function(chunk))


def start_detached(module: str, *arguments: str) -> bool:
    """Start `python -m module arguments` on its own and do not wait for it: for work that
    may outlive the build, no input, no output (its own session: a ^C in the terminal was
    for the build). A long-lived caller keeps the ended process's entry, a zombie, until
    it ends itself; starting it is best effort. Whether it was started."""
    if not sys.executable:
        return False
    command = [sys.executable, "-m", module, *arguments]
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:
        os.posix_spawn(sys.executable, command, os.environ, file_actions=quiet, setsid=True)
    except OSError:
        return False
    return True
