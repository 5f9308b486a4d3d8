"""A build whose only changes are articles' words: the pages that show them, remade from
what the last full build kept (build.record), without loading the archive.

Taken when all of these hold, else the whole build runs: the last build's record is
there and the inputs but the content files' stamps are as it saw them (config, templates,
static files, options, sitegen's code, the files' names); nothing it left out as
scheduled has come due; at most `MOST` files changed, each of them an article or page
that parses without an error, to the same problems as before, in the same place
(build.words: every field but its words, front matter lines included) and shown by no
page whose templates read `site` that read its words; no page it shows reads `site`; and
rendering finds no problem. The site's warnings are the last build's, as a build with
nothing to do reports them. Output is published as every build's is (publish.staging).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sitegen.build.job import Job
from sitegen.build.snapshot import (
    RECORD,
    SITE,
    as_record,
    lazy_article,
    lazy_listing,
    listing_key,
    loads,
    output_key,
    pages_key,
)
from sitegen.build.words import stays_in_place
from sitegen.cache.codec import Loaded, article_key, article_row, decode_row
from sitegen.cache.store import MALFORMED
from sitegen.cache.warnings import StoredProblems, read_warnings
from sitegen.content.loading import content_hash, parse_fingerprint, parse_one
from sitegen.content.manifest import Inputs
from sitegen.model import Article, Listing, ListingPage, Site
from sitegen.publish.integrity import SUMS, data_hash, patched_sums, read_sums, write_sums
from sitegen.publish.staging import MARKER, Staging, output_error, spare_dir
from sitegen.render.feeds import FeedRenderer
from sitegen.render.pages import PageSpec
from sitegen.render.templates import PageRenderer
from sitegen.runtime.clock import build_time

log = logging.getLogger(__name__)

T = TypeVar("T")
MOST = 20  # changed files: more is no longer a small edit (and its checks cost)


@dataclass(frozen=True)
class Quick:
    """What a word-only build found to do."""

    report: dict[str, Any]  # the last build's summary: counts and warnings
    warnings: StoredProblems  # those warnings
    due: str | None  # its next scheduled article, kept
    record: dict[str, Any]  # what the last full build kept (build.record)
    signature: str  # of this build's inputs
    hashes: dict[str, tuple[str, str]]  # the content files' (stamp, hash) as last built
    changed: dict[str, tuple[str, str]]  # file -> (stamp, hash) now
    parsed: dict[str, tuple[str, Loaded]]  # file whose words changed -> (key, new parse)
    outputs: list[str]  # to remake


@dataclass(frozen=True)
class Done:
    """A word-only build done."""

    articles: int
    pages: int
    static: int
    warnings: StoredProblems  # the last build's
    parsed: int
    written: int


def quick_build(job: Job, inputs: Inputs) -> Done | None:
    """A word-only build, done; None if this build is not one (see the module's
    docstring): nothing was touched then."""
    if job.held is not None or job.cache.db is None or job.config.search:
        return None
    if not (job.output_dir / MARKER).is_file():
        return None
    try:
        with job.clock("load"):
            found = _find(job, inputs)
        with job.clock("render"):
            made = _remake(job, found)
    except _Full as why:
        log.debug("a full build: %s", why)
        return None
    with job.clock("write"):
        written = _publish(job, found, made)
    report = found.report
    counts = report["articles"], report["pages"], report["static"]
    return Done(*counts, found.warnings, len(found.parsed), written)


def _find(job: Job, inputs: Inputs) -> Quick:
    """The changed files and the outputs that show them (_Full if this is no word-only
    build)."""
    cache = job.cache
    if not spare_dir(job.output_dir).exists():  # (a full build makes one while it loads)
        raise _Full("no spare output folder to write into")
    kept = as_record(cache.get_meta(RECORD))
    last = _last_build(job)
    if kept is None or last is None or kept["rest"] != inputs.rest:
        raise _Full("no record, or more than content files changed")
    hashes = cache.file_hashes()  # as the last build left them (a failed one too):
    written = cache.get_meta("files_written")
    if written != kept.get("files") or hashes.keys() != inputs.stamps.keys():
        raise _Full("content files added, removed, or changed by a failed build")
    stamps = inputs.stamps
    changed = [rel for rel, stamp in stamps.items() if hashes[rel][0] != stamp]
    if not changed or len(changed) > MOST:
        raise _Full(f"{len(changed)} content files changed")
    now: dict[str, tuple[str, str]] = {}
    parsed: dict[str, tuple[str, Loaded]] = {}
    outputs: dict[str, None] = {}
    settings = parse_fingerprint(job.config, job.options.strict)
    reads = kept["reads"]
    for rel in changed:
        try:
            content = content_hash(rel, _read(job, rel))
        except OSError as exc:
            raise _Full(f"{rel}: {exc}") from None
        now[rel] = (stamps[rel], content)
        if content == hashes[rel][1]:
            continue  # saved as it was
        old = cache.articles([article_key(hashes[rel][1], settings)], decode_row)
        shows = cache.shows(rel)
        if len(old) != 1 or shows is None:
            raise _Full(f"{rel}: not kept")
        if any(rel in paths for paths in reads.values()):
            raise _Full(f"{rel}: its words are read by a page that reads `site`")
        key, new = parse_one(job.config, job.options.strict, rel)
        before = next(iter(old.values()))
        if new[1] != before[1]:
            raise _Full(f"{rel}: its problems changed")
        if not _same_place(job, before, new, rel, last[2]):
            raise _Full(f"{rel}: more than its words changed")
        parsed[rel] = (key, new)
        outputs.update(dict.fromkeys(shows))
    return Quick(last[0], last[2], last[1], kept, inputs.signature, hashes, now, parsed, [*outputs])


class _Full(Exception):
    """Not a word-only build: why (logged, for --debug)."""


def _read(job: Job, rel: str) -> bytes:
    with open(os.path.join(job.config.site_dir, rel), "rb") as file:
        return file.read()


def _last_build(job: Job) -> tuple[dict[str, Any], str | None, StoredProblems] | None:
    """The last build's summary, next scheduled date and warnings, if none came due
    since."""
    try:
        data = json.loads(job.cache.get_meta("last_build") or "null")
        summary, due = dict(data["summary"]), data["next_due"]
        if due is not None and not isinstance(due, str):
            return None
        warnings = read_warnings(job.cache, summary)
        if not all(type(summary[k]) is int for k in ("articles", "pages", "static")):
            return None
    except (*MALFORMED, TypeError):
        return None
    if due is not None and _come_due(due, job):
        return None
    return summary, due, warnings


def _come_due(due: str, job: Job) -> bool:
    try:
        return dt.datetime.fromisoformat(due) <= (job.now or build_time())
    except ValueError:
        return True


def _same_place(job: Job, old: Loaded, new: Loaded, rel: str, warnings: StoredProblems) -> bool:
    """Whether the new parse changes only the article's words (build.words); its front
    matter's lines may move only if the site has no warning about it (which may point
    at one of them, as a missing lead image's does)."""
    before, after = old[0], new[0]
    if before is None or after is None or any(p.is_error for p in new[1]):
        return False
    if before.field_lines != after.field_lines and rel in warnings.paths():
        return False
    return stays_in_place(before, after, light(job))


def light(job: Job) -> Site:
    """A site of no article with this build's config (all build.words reads of it)."""
    return Site(job.config, (), {}, {}, (), (), {})


def _remake(job: Job, found: Quick) -> dict[str, bytes]:
    """The outputs' new bytes, rendered from their snapshots (_Full if one cannot be)."""
    keys = [SITE, *(output_key(path) for path in found.outputs)]
    blobs = job.cache.snapshots(keys)
    if blobs is None:
        raise _Full("a snapshot is missing")
    resolver = _Resolver(job, found)
    try:
        site = loads(blobs[SITE], resolver)
        if not isinstance(site, Site):
            raise TypeError("the kept site is no Site")
        resolver.site = site
        renderer = PageRenderer(site, job.theme, job.cache.compiled_templates_dir)
        feeds = FeedRenderer()
        made = {}
        for path in found.outputs:
            making = loads(blobs[output_key(path)], resolver)
            if making[0] == "feed":
                made[path] = feeds(making[1])
            else:
                _, url, templates, context = making
                made[path] = renderer(PageSpec(url, templates, context))
    except Exception as exc:  # noqa: BLE001 - a snapshot that does not load: a full build
        raise _Full(f"a snapshot did not load: {exc!r}") from None
    if renderer.found() or resolver.failed:  # a problem the last build did not have, maybe
        raise _Full(f"rendering found problems: {renderer.found()}")
    return made


class _Resolver:
    """The objects snapshots refer to: articles (the changed ones as parsed now, the
    others from the cache when first read), listings (their pages when first read), their
    pages' URLs, each language's site and config."""

    def __init__(self, job: Job, found: Quick) -> None:
        self._job, self._found = job, found
        self._settings = parse_fingerprint(job.config, job.options.strict)
        self._articles: dict[str, Article] = {}
        self._listings: dict[str, Listing] = {}
        self._urls: dict[str, tuple[str, ...]] = {}
        self.site: Site | None = None
        self.failed = False

    def __call__(self, kind: str, key: str, head: tuple[Any, ...] = ()) -> Any:
        if kind == "a":
            article = self._articles.get(key)
            if article is None:
                article = self._articles[key] = self._article(key)
            return article
        if kind == "l":
            listing = self._listings.get(key)
            if listing is None:
                load = functools.partial(self._pages, key)
                listing = self._listings[key] = lazy_listing(head, load)
            return listing
        if kind == "u":
            urls = self._urls.get(key)
            if urls is None:
                urls = self._urls[key] = self._kept(pages_key(key), tuple)
            return urls
        if self.site is None:
            raise ValueError("a site referred to before it is read")
        edition = next(e for e in self.site.all_editions if e.lang == key)
        return edition if kind == "s" else edition.config

    def _article(self, rel: str) -> Article:
        parsed = self._found.parsed.get(rel)
        if parsed is not None and parsed[1][0] is not None:
            return parsed[1][0]
        return lazy_article(functools.partial(self._load, rel))

    def _load(self, rel: str) -> Article:
        now = self._found.changed.get(rel) or self._found.hashes.get(rel)
        key = "" if now is None else article_key(now[1], self._settings)
        article = self._job.cache.articles([key], decode_row).get(key, (None, []))[0]
        if article is None or str(article.source.path) != rel:
            self.failed = True
            raise ValueError(f"{rel}: not in the cache")
        return article

    def _pages(self, url: str) -> tuple[ListingPage, ...]:
        """A listing's pages: kept whole, or as the paths of the pages' own snapshots."""
        pages = self._kept(listing_key(url), tuple)
        if not all(type(path) is str for path in pages):
            return pages
        blobs = self._job.cache.snapshots(output_key(path) for path in pages) or {}
        try:
            makings = [loads(blobs[output_key(path)], self) for path in pages]
            found = tuple(making[3]["listing_page"] for making in makings)
        except Exception:  # noqa: BLE001 - missing or of another shape: a full build
            found = ()
        if len(found) != len(pages) or not all(isinstance(p, ListingPage) for p in found):
            self.failed = True
            raise ValueError(f"{url}: its pages not kept")
        log.debug("listing %s: its %d pages read from their snapshots", url, len(found))
        return found

    def _kept(self, key: str, kind: type[T]) -> T:
        blobs = self._job.cache.snapshots([key])
        found = None if blobs is None else loads(blobs[key], self)
        if not isinstance(found, kind):
            self.failed = True
            raise ValueError(f"{key}: not kept")
        return found


def _publish(job: Job, found: Quick, made: Mapping[str, bytes]) -> int:
    """The remade files that changed, published; the cache told what this build did, in
    the transaction it holds until the output is published (a failure drops it all)."""
    cache = job.cache
    # the remade outputs' fingerprints are not worked out here: the next full build makes
    # them again (a fingerprint that matches no build's)
    cache.set_fingerprints(dict.fromkeys(made, ""))
    cache.store_articles(article_row(key, loaded) for key, loaded in found.parsed.values())
    cache.update_file_hashes(found.changed, ())
    cache.catch_up()
    record = {**found.record, "files": cache.get_meta("files_written")}
    cache.set_meta(RECORD, json.dumps(record), hold=True)
    cache.remember_build_again(found.signature)
    fresh = {path: data for path, data in made.items() if not _holds(job, path, data)}
    if fresh:
        _publish_files(job, fresh)
    cache.commit()
    return len(fresh)


def _publish_files(job: Job, fresh: Mapping[str, bytes]) -> None:
    """As publish.staging.publish for a site whose files stay the same but these: the
    spare brought up to date where it is behind, SHA256SUMS changed on their lines only
    (not all 97,752 read, sorted and written again: 0.3 s)."""
    output_dir = job.output_dir
    staging = Staging(output_dir, knows_output=True)
    try:
        staging.write_all(fresh)
        if staging.behind is None:  # a new folder: every file linked into it
            present = set(read_sums(output_dir / SUMS))
        else:  # (the spare is the output but where it is behind)
            present = staging.behind | fresh.keys()
            present = {rel for rel in present if os.path.lexists(output_dir / rel)}
        staging.fill(present, set(fresh), present)
        remade = {path: data_hash(data) for path, data in fresh.items()}
        sums = patched_sums(output_dir / SUMS, remade)
        if sums is None:
            write_sums(staging.path, output_dir, present | fresh.keys(), set(fresh), remade)
        else:
            (staging.path / SUMS).unlink(missing_ok=True)  # may be a link to the output's
            (staging.path / SUMS).write_bytes(sums)
    except OSError as exc:
        staging.discard()
        raise output_error(output_dir, exc) from exc
    staging.commit(changed={*fresh, SUMS})


def _holds(job: Job, path: str, data: bytes) -> bool:
    try:
        target = job.output_dir / path
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False
