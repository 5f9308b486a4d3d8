"""The plan -> the outdated files made, held until the site proved sound, then published.

A first build, or one that remakes most files (a template edit, say), has the workers
write straight into the staging folder; the few files of a small rebuild wait in memory,
so a failed build touches no folder."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen import urls
from sitegen.errors import Problem
from sitegen.publish.integrity import data_hash
from sitegen.publish.staging import Staging, output_error, publish
from sitegen.render.outputs import GROUPED, Output, every_path, grouped_paths
from sitegen.runtime.pool import map_ranges

Make = Callable[[], bytes]
Sink = Callable[[int, bytes], bytes]


def _is_outdated(output: Output, previous: Mapping[str, str], output_dir: Path) -> bool:
    if output.path not in previous:
        return True
    if previous[output.path] != output.fingerprint:
        return True
    return not os.path.isfile(os.path.join(output_dir, output.path))  # deleted by hand since


class _Listed:
    """The files of the output's folders, each folder listed once when first asked about:
    whether an image's sizes are all there (deleted by hand since?) without a look-up of
    each (9,000 at 1,000 photos)."""

    def __init__(self, output_dir: Path) -> None:
        self._root = str(output_dir)
        self._files: dict[str, set[str]] = {}

    def has_all(self, paths: Sequence[str]) -> bool:
        """Whether the files at `paths`, all in one folder (an image's sizes are beside
        it), are in the output."""
        folder = paths[0].rpartition("/")[0] if paths else ""
        files = self._files.get(folder)
        if files is None:
            files = self._files[folder] = self._list(folder)
        return files.issuperset(paths)

    def _list(self, folder: str) -> set[str]:
        prefix = f"{folder}/" if folder else ""
        try:
            with os.scandir(os.path.join(self._root, folder)) as entries:
                return {prefix + entry.name for entry in entries if entry.is_file()}
        except OSError:
            return set()


def _outdated(
    plan: Sequence[Output], previous: Mapping[str, str], output_dir: Path
) -> list[Output]:
    """The files to make: those whose fingerprint changed or that are missing; an image
    with sizes (Output.sizes) is made again whole when any of its files is."""
    listed = _Listed(output_dir)
    outdated: list[Output] = []
    for output in plan:
        if _is_outdated(output, previous, output_dir):
            outdated += output.parts() if output.sizes else (output,)
        elif output.sizes and not listed.has_all(output.sizes.paths):
            outdated += output.parts()
    return outdated


def previous_files(previous: Mapping[str, str], plan: Sequence[Output] = ()) -> list[str]:
    """The files the output holds, as the cache's fingerprints say (`previous`), but for
    the sizes of images whose fingerprint did not change in the `plan` (they are the
    plan's files too). Paths from the cache are input: only those inside the output."""
    unchanged = {o.path: o.fingerprint for o in plan if o.sizes}
    files = list(previous)
    for path, fingerprint in previous.items():
        if type(fingerprint) is not str or GROUPED not in fingerprint:  # (the cache is input)
            continue
        if unchanged.get(path) != fingerprint:
            files += filter(urls.is_output_path, grouped_paths(fingerprint))
    return files


@dataclass
class Pending:
    """Outdated files, made but not yet in the output: either staged already (a first
    build, or one remaking most files) or held in memory until the site proved sound."""

    output_dir: Path
    plan: list[Output]
    outdated: list[Output]
    previous: Mapping[str, str]
    staging: Staging | None
    data: list[bytes]  # the outdated files' bytes; their SHA-256 if staged already
    problems: list[Problem]

    def discard(self) -> None:
        if self.staging:
            self.staging.discard()

    def write(self) -> tuple[int, int]:
        """Bring the output up to date; returns (files written, stale files removed)."""
        paths = [o.path for o in self.outdated]
        staging = self.staging
        if staging is None:  # a small rebuild: its few files waited in memory
            made = {
                path: data
                for path, data in zip(paths, self.data, strict=True)
                if not _holds(self.output_dir / path, data)  # remade, but the same bytes
            }
            remade = {path: data_hash(data) for path, data in made.items()}
            staging = Staging(self.output_dir, knows_output=bool(self.previous))
            staging.write_all(made)
        else:  # (the hashes as bytes are let go: 10 MB at the peak of a first build)
            remade = {path: digest.decode() for path, digest in zip(paths, self.data, strict=True)}
            self.data.clear()
        previous = previous_files(self.previous, self.plan)
        return publish(staging, every_path(self.plan), remade, previous)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def make_outdated(
    plan: list[Output],
    previous: Mapping[str, str],
    output_dir: Path,
    found: Callable[[], list[Problem]],
    jobs: int | None,
    meanwhile: Callable[[], None],
) -> Pending:
    """Make every outdated file (see the module's docstring for where they go); the
    problems found while rendering are in the result. `meanwhile` runs in this process
    while the workers render."""
    outdated = _outdated(plan, previous, output_dir)
    # The slowest (feeds) first, then listings newest to oldest, then the rest: workers
    # take long runs of listings that show the same articles, so each teaser is rendered
    # by one worker, not by all; the short last runs (articles' pages) even them out.
    outdated.sort(key=lambda o: (o.kind != "feed", -o.near))
    big = 2 * len(outdated) > len(plan)
    staging = Staging(output_dir, knows_output=bool(previous)) if big else None

    def stage(index: int, data: bytes) -> bytes:
        """Write a file where it is made; only its hash travels back, for SHA256SUMS."""
        assert staging is not None
        try:
            staging.write(outdated[index].path, data)
        except OSError as exc:  # a full disk, say: in a worker, so said here
            raise output_error(output_dir, exc) from exc
        return data_hash(data).encode()

    try:
        makers = [o.make for o in outdated]
        sink = stage if staging else None
        if staging:
            folders = functools.partial(staging.make_folders, [o.path for o in outdated])
            meanwhile = _in_turn(folders, meanwhile)
        data, problems = make_all(makers, found, jobs, sink, meanwhile)
    except BaseException:
        if staging:
            staging.discard()
        raise
    return Pending(output_dir, plan, outdated, previous, staging, data, problems)


def make_all(
    makers: Sequence[Make],
    problems: Callable[[], list[Problem]],
    jobs: int | None,
    sink: Sink | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[bytes], list[Problem]]:
    """Call every maker, in forked workers when there are many (runtime.pool); returns
    what they made and the problems found (`problems()`, asked in each worker).

    With a `sink`, each result goes to sink(index, bytes) where it is made (in a worker:
    no copying back) and the returned list holds what the sink returned (something small).
    """

    def make(index: int) -> bytes:
        data = makers[index]()
        return data if sink is None else sink(index, data)

    def make_range(start: int, stop: int) -> tuple[list[bytes], list[Problem]]:
        return [make(i) for i in range(start, stop)], problems()

    results = map_ranges(make_range, len(makers), jobs, "render", meanwhile)
    made = [data for chunk, _ in results for data in chunk]
    found = {str(p): p for _, chunk_problems in results for p in chunk_problems}
    return made, list(found.values())


def _in_turn(*steps: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        for step in steps:
            step()

    return run
