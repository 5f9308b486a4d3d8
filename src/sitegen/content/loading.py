"""content/**/*.md -> Articles, through the build cache and, for many uncached files, a
pool of processes (Markdown conversion is most of a cold build and uses one core)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sitegen.cache.codec import ARTICLE_SCHEMA, Loaded, article_key, article_row, decode_row
from sitegen.cache.store import BuildCache, Row, digest
from sitegen.cache.version import code_version
from sitegen.config.settings import Config
from sitegen.content.article import (
    CONTENT_DIR,
    find_sources,
    load_article,
    unforeseen,
    unreadable,
)
from sitegen.content.manifest import stamp_or_unreadable
from sitegen.errors import Location, Problem, error
from sitegen.markup.engine import EXTENSIONS, MarkdownRenderer
from sitegen.markup.sanitize import fingerprint as sanitizer_fingerprint
from sitegen.model import Article
from sitegen.runtime.pool import stream_chunks

log = logging.getLogger(__name__)
# Parse results go to the cache in batches as they come (in one transaction, see
# BuildCache.storing): kept for one save at the end, their rows held 85 MB more at
# 50,000 articles.
SAVE_EVERY = 256


@dataclass
class Held:
    """What a long-lived caller (`serve`) keeps from load to load, so that a load after
    one save costs what the save changed: the parse results by key, and the files' hashes
    and keys as the cache last stored them (reading and rewriting 5,000 rows of them was
    a fifth of a preview's rebuild)."""

    loaded: dict[str, Loaded] = field(default_factory=dict)
    hashes: dict[str, tuple[str, str]] | None = None  # path -> (stamp, hash), as stored
    keys: list[str] | None = None  # the articles the cache was last told to keep
    key_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (hash, settings) -> key


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
    stamps: Mapping[str, str] | None = None,
    keep: Callable[[], None] | None = None,
    held: Held | None = None,
) -> LoadResult:
    """Load every article under content/; problems of all files are returned together.
    `stamps` are files' stamps taken already (manifest.survey_inputs), before reading;
    `keep` is called as each batch of articles is made (see build._LongLived); `held`
    is looked up before the cache and left holding this build's results."""
    if not (config.site_dir / CONTENT_DIR).is_dir():
        where = Location(PurePosixPath(CONTENT_DIR))
        return LoadResult([], [error(where, "no such directory; articles go in content/*.md")], 0)
    site_dir = config.site_dir
    rels = find_sources(site_dir)
    first = not (cache and cache.holds_articles())
    stamps = _stamps(site_dir, rels, stamps or {})
    if first:  # nothing to look up: the parsers hash the files they read anyway
        keys: list[str] = [""] * len(rels)
        known: dict[str, Loaded] = {}
    else:
        settings = parse_fingerprint(config, strict)
        hashes = _content_hashes(rels, stamps, site_dir, cache, held)
        keys = _article_keys([hashes[rel] for rel in rels], settings, held)
        kept = held.loaded if held else {}
        known = {key: kept[key] for key in keys if key in kept}
        missing = [key for key in keys if key not in known]
        if cache and missing:
            known |= cache.articles(missing, decode_row)
        if keep:
            keep()
    todo = [i for i, key in enumerate(keys) if key not in known]
    # parsers read their files themselves: on big archives the bytes never all sit here
    fresh = parse_all([rels[i] for i in todo], config, strict, jobs)
    results = dict(known)
    seen: dict[str, tuple[str, str]] = {}  # a first build's file hashes, from the parsers
    batch: list[Row] = []
    with cache.storing() if cache else contextlib.nullcontext():
        for i, (content, row) in zip(todo, fresh, strict=True):  # as the workers send them
            keys[i] = row[0]  # of the bytes parsed, should the file have changed since hashed
            results[row[0]] = loaded = decode_row(row)
            if loaded[0] is None and unforeseen(loaded[1]):  # tried again next build
                continue
            if first:
                seen[rels[i]] = (stamps[rels[i]], content)
            batch.append(row)
            if len(batch) >= SAVE_EVERY:
                if cache:
                    cache.store_articles(batch)
                if keep:
                    keep()
                batch = []
        if cache:
            cache.store_articles(batch)
            if first:  # the cache holds what this build stored, and nothing else to forget
                cache.store_file_hashes(seen)
            elif held is not None and held.keys is not None:  # one save: what it replaced
                cache.forget_articles(set(held.keys).difference(keys))
            else:
                cache.keep_articles(keys)
    if held is not None:  # what the next build may reuse: this one's, unforeseen failures aside
        held.keys = None if first else keys
        held.loaded = {
            key: loaded for key in keys
            if (loaded := results[key])[0] is not None or not unforeseen(loaded[1])
        }  # fmt: skip
    articles = [a for key in keys if (a := results[key][0]) is not None]
    problems = [p for key in keys for p in results[key][1]]
    return LoadResult(articles, problems, len(todo))


def _stamps(site_dir: Path, rels: Sequence[str], known: Mapping[str, str]) -> dict[str, str]:
    """Each file's stamp (size and modification time), from `known` when there."""
    return {rel: known.get(rel) or stamp_or_unreadable(os.path.join(site_dir, rel)) for rel in rels}


def _content_hashes(
    rels: Sequence[str],
    stamps: Mapping[str, str],
    site_dir: Path,
    cache: BuildCache | None,
    held: Held | None,
) -> dict[str, str]:
    """Hash of each file's name and bytes; a file whose size and modification time are
    as the cache last saw them is not read again."""
    if held is not None and held.hashes is not None:
        seen = held.hashes
    else:
        seen = cache.file_hashes() if cache else {}
    hashes: dict[str, str] = {}
    for rel in rels:
        known = seen.get(rel)
        if known is not None and known[0] == stamps[rel]:
            hashes[rel] = known[1]
        else:
            try:
                hashes[rel] = content_hash(rel, _read(site_dir, rel))
            except OSError:
                hashes[rel] = ""  # no cached article has this key: parsing reports the error
    stored = {rel: (stamps[rel], h) for rel, h in hashes.items() if h}
    if cache and stored != seen:
        if held is not None and held.hashes is seen:  # what the cache holds: say what changed
            changed = {rel: value for rel, value in stored.items() if seen.get(rel) != value}
            cache.update_file_hashes(changed, (rel for rel in seen if rel not in stored))
        else:
            cache.store_file_hashes(stored)
    if held is not None:
        held.hashes = stored
    return hashes


def _article_keys(hashes: Sequence[str], settings: str, held: Held | None) -> list[str]:
    """Each file's cache key (codec.article_key); the ones worked out before come from
    `held`, kept by a long-lived caller."""
    if held is None:
        return [article_key(h, settings) for h in hashes]
    memo = held.key_of
    keys = []
    for h in hashes:
        key = memo.get((h, settings))
        if key is None:
            key = memo[(h, settings)] = article_key(h, settings)
        keys.append(key)
    return keys


def content_hash(rel: str, data: bytes) -> str:
    """A content file's identity: its name and bytes."""
    return digest(rel, data)


def _read(site_dir: Path, rel: str) -> bytes:
    """A file's bytes with three system calls: open() adds four more (fstat twice, a
    terminal check, a seek) and pathlib more again, for each of thousands of articles."""
    descriptor = os.open(os.path.join(site_dir, rel), os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(descriptor, 1 << 16):  # most articles: one read, then EOF
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def parse_fingerprint(config: Config, strict: bool) -> str:
    """Everything besides a file's bytes that changes what it parses to, or how that is stored:
    the settings, the Article's fields (ARTICLE_SCHEMA), and named changes to parsing."""
    return digest(
        code_version(), ARTICLE_SCHEMA, ",".join(EXTENSIONS),
        "typography: body, title, summary, caption",  # a change to parsing, not to a field
        "typography: not inside raw code, pre, kbd, samp, script, style, math, svg, textarea",
        "dates: offsets in whole minutes",
        "media on other hosts: warnings, lead image kept",
        config.permalink, config.base_path,
        config.default_byline, config.timezone, str(strict), config.markdown_engine,
        config.raw_html, sanitizer_fingerprint() if config.raw_html == "sanitize" else "",
        config.slugs, config.language, ",".join(config.languages),
        repr([settings.default_byline for settings in config.languages.values()]),
    )  # fmt: skip


def parse_all(
    rels: Sequence[str], config: Config, strict: bool, jobs: int | None
) -> Iterator[tuple[str, Row]]:
    """Parse in this process, or spread over `jobs` processes when there is enough work.
    Yields each file's content hash and its parse result as a cache row (`article_row`,
    keyed by the bytes parsed): what workers send, as rows are cheaper to move than
    Articles, and what the cache keeps."""
    parse = functools.partial(_parsed, config, strict)
    return stream_chunks(parse, rels, jobs, "parse")


def _parsed(config: Config, strict: bool, rels: Sequence[str]) -> Iterator[tuple[str, Row]]:
    renderer = MarkdownRenderer(config.markdown_engine)
    settings = parse_fingerprint(config, strict)
    for rel in rels:
        try:
            data = _read(config.site_dir, rel)
        except OSError as exc:  # removed since it was listed, unreadable: that file's error
            key = article_key(f"{rel} unreadable", settings)  # this file's, and no content's
            yield "", article_row(key, unreadable(PurePosixPath(rel), exc))
            continue
        content = content_hash(rel, data)
        key = article_key(content, settings)
        loaded = load_article(data, PurePosixPath(rel), config, renderer, strict=strict, digest=key)
        yield content, article_row(key, loaded)


def parse_one(config: Config, strict: bool, rel: str) -> tuple[str, Loaded]:
    """One file parsed here and now, as a load parses it: its cache key and result (for a
    long-lived caller that applies a save in place, serve.patch)."""
    _, row = next(_parsed(config, strict, [rel]))
    return row[0], decode_row(row)
