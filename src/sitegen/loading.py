"""content/**/*.md -> Articles, through the build cache and, for many uncached files, a
pool of processes (Markdown conversion is most of a cold build and uses one core)."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import PurePosixPath

from sitegen import __version__
from sitegen.cache import BuildCache, Loaded, article_key, digest
from sitegen.config import Config
from sitegen.content import CONTENT_DIR, find_sources, load_article
from sitegen.errors import Location, Problem, error
from sitegen.markup import EXTENSIONS, MarkdownRenderer
from sitegen.model import Article

log = logging.getLogger(__name__)
PARALLEL_MIN = 200  # below this many files to parse, starting processes costs more than it saves

Source = tuple[bytes, PurePosixPath]


@dataclass(frozen=True)
class LoadResult:
    articles: list[Article]
    problems: list[Problem]
    parsed: int  # files converted this build (the rest came from the cache)


def load_articles(
    config: Config,
    *,
    strict: bool = False,
    cache: BuildCache | None = None,
    jobs: int | None = None,
) -> LoadResult:
    """Load every article under content/; problems of all files are returned together."""
    if not (config.site_dir / CONTENT_DIR).is_dir():
        where = Location(PurePosixPath(CONTENT_DIR))
        return LoadResult([], [error(where, "no such directory; articles go in content/*.md")], 0)
    site_dir = config.site_dir
    sources = [
        ((site_dir / rel).read_bytes(), PurePosixPath(rel)) for rel in find_sources(site_dir)
    ]
    settings = parse_fingerprint(config, strict)
    keys = [article_key(data, rel, settings) for data, rel in sources]
    known = cache.articles(keys) if cache else {}
    todo = [i for i, key in enumerate(keys) if key not in known]
    fresh = parse_all([sources[i] for i in todo], [keys[i] for i in todo], config, strict, jobs)
    results = dict(known)
    results.update(zip((keys[i] for i in todo), fresh, strict=True))
    if cache:
        cache.store_articles({keys[i]: results[keys[i]] for i in todo}, keep=keys)
    articles = [a for key in keys if (a := results[key][0]) is not None]
    problems = [p for key in keys for p in results[key][1]]
    return LoadResult(articles, problems, len(todo))


def parse_fingerprint(config: Config, strict: bool) -> str:
    """Everything besides a file's bytes that changes how it parses."""
    return digest(
        __version__, ",".join(EXTENSIONS), "typography", config.permalink,
        config.default_byline, config.timezone, str(strict),
    )  # fmt: skip


def parse_all(
    sources: Sequence[Source], keys: Sequence[str], config: Config, strict: bool, jobs: int | None
) -> list[Loaded]:
    """Parse in this process, or spread over `jobs` processes when there is enough work."""
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(sources) < PARALLEL_MIN:
        return _parse_chunk(config, strict, list(zip(sources, keys, strict=True)))
    items = list(zip(sources, keys, strict=True))
    size = -(-len(items) // (jobs * 4))  # a few chunks per process evens out slow files
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    context = multiprocessing.get_context("spawn")  # no fork: callers (serve) run threads
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            done = pool.map(_parse_chunk, [config] * len(chunks), [strict] * len(chunks), chunks)
            return [loaded for chunk in done for loaded in chunk]
    except (BrokenProcessPool, OSError) as exc:
        # e.g. a host program that cannot be re-imported by spawned workers: do it here
        log.warning("parallel parsing unavailable (%s); parsing in one process", exc)
        return _parse_chunk(config, strict, items)


def _parse_chunk(config: Config, strict: bool, items: list[tuple[Source, str]]) -> list[Loaded]:
    renderer = MarkdownRenderer()
    return [
        load_article(data, rel, config, renderer, strict=strict, digest=key)
        for (data, rel), key in items
    ]
