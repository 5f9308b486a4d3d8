"""Python's cyclic garbage collector, tuned for a build: the model lives to the end of a
build and makes next to no cycles, so walking it again and again frees nothing."""

from __future__ import annotations

import gc

# The collector runs after every 700 new objects and now and then rescans the whole heap:
# decoding 5,000 cached articles set it off hundreds of times, 13-15 % of a one-article
# rebuild (0.25-0.35 s). So collect far less often (mypy does the same); peak memory of a
# 50,000-article build measured unchanged (911 MiB).
GC_THRESHOLDS = (200_000, 30, 30)


# The preview (`serve`) keeps its plan for minutes and renders pages in the background:
# rendering makes cyclic garbage (Jinja's contexts), and with the build's thresholds each
# pass over it held the interpreter 0.1-0.5 s, and one of the older generation 0.7 s,
# in the middle of applying a save at 50,000 articles. Shorter passes, more often; the
# plan itself is kept out of them (`keep_heap`).
SERVE_THRESHOLDS = (20_000, 10, 100)


def tune_collector(serving: bool = False) -> None:
    """Collect less often, for this process and the workers it forks; `serving`: in
    shorter passes, for the preview server."""
    gc.set_threshold(*(SERVE_THRESHOLDS if serving else GC_THRESHOLDS))


def keep_heap() -> None:
    """What this process holds now lives on (the preview's plan, just made): the collector
    leaves it out of its passes from now on (gc.freeze; objects freed as usual when their
    last reference goes; cyclic garbage frozen with them waits for `release_heap`)."""
    gc.freeze()


def release_heap(collect: bool = False) -> None:
    """Give the kept heap back to the collector (a new plan replaces it); with `collect`,
    collect it now and keep what survives (the preview, when it has nothing to do)."""
    gc.unfreeze()
    if collect:
        gc.collect()
        gc.freeze()


class LongLived:
    """Even so, the collector walks every object made since its last pass once 200,000
    have piled up. The articles, listings, pages and outputs a build makes live to its
    end, so walking them frees nothing: at 50,000 articles, 13 passes of up to 0.15 s
    each, most while this process alone worked. So, for the `with` block: a gc.freeze
    (which costs nothing) where many long-lived objects were just made, and no collection
    at all while this process alone makes them; that also spares the forked workers'
    copies of their pages. All is given back to the collector when the block ends, failed
    or not (`serve` builds again and again). A caller that froze objects or turned the
    collector off itself is left alone: its heap, its choice."""

    def __init__(self) -> None:
        self._mine = not gc.get_freeze_count() and gc.isenabled()

    def __enter__(self) -> LongLived:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mine:
            gc.unfreeze()
            gc.enable()

    def keep(self) -> None:
        """Put what this process made so far out of the collector's sight."""
        if self._mine:
            gc.freeze()

    def pause(self) -> None:
        """No collection until `resume`. Workers forked meanwhile inherit that: only for
        short-lived ones that make no cyclic garbage (assemble.related's)."""
        if self._mine:
            gc.disable()

    def resume(self) -> None:
        """Keep what was made while paused, and collect again."""
        if self._mine:
            gc.freeze()
            gc.enable()


class Paused:
    """No collection in the `with` block (the preview applying a save: the collector's
    passes doubled its time), unless the caller turned the collector off itself."""

    def __init__(self, pause: bool = True) -> None:
        self._mine = pause and gc.isenabled()

    def __enter__(self) -> Paused:
        if self._mine:
            gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mine:
            gc.enable()
