"""A full build -> what the next build needs to remake a few pages without the archive.

When the next build finds only articles' words changed (build.quick), it remakes the
outputs that show them, from what this keeps in the cache while the workers render:

- each page's and feed's making (templates and context, or feed spec), as a snapshot
  (build.snapshot), made again only for outputs whose fingerprint changed, and each
  listing's;
- which outputs show each content file (what their fingerprints were made from);
- for each page whose templates read `site` (the archive, the tag index, 404), which
  files' words it read: it was rendered once more here with every article telling when a
  word field of it is read (`words_read`). A word-only build that changes one of those
  files is a full one (the default 404 page shows the five newest titles);
- the site without its articles (config, pictures, image sizes: what rendering a page
  needs besides its context) and the inputs' signature without the content files'
  stamps, which a word-only build must find unchanged.

Anything it cannot keep exactly (an article other than the one loaded from its file, a
search index, which every word is in) leaves the record empty: the next build is full.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sitegen.build.snapshot import (
    RECORD,
    SITE,
    UnsafeSnapshot,
    Writer,
    listing_key,
    output_key,
    page_urls,
    pages_key,
    plain_dumps,
)
from sitegen.build.stages import Planned
from sitegen.build.words import WORDS
from sitegen.cache.store import BuildCache, digest
from sitegen.model import Article, Site
from sitegen.render.feeds import FeedSpec
from sitegen.render.fingerprints import Shown
from sitegen.render.pages import PageSpec
from sitegen.render.templates import PageRenderer
from sitegen.render.theme import Theme


def record(
    cache: BuildCache,
    planned: Planned,
    loaded: Iterable[Article],
    trace: dict[str, Shown] | None,
    fingerprints: Mapping[str, str],
    rest: str,
    theme: Theme,
) -> None:
    """Keep, held with the output's fingerprints, what build.quick reads (or nothing).
    The trace is emptied then: the rest of the build (checks, publishing) has no use for
    it, and it was 20 MB of the main process's peak at 50,000 articles."""
    try:
        _record(cache, planned, loaded, trace, fingerprints, rest, theme)
    finally:
        if trace is not None:
            trace.clear()


def _record(
    cache: BuildCache,
    planned: Planned,
    loaded: Iterable[Article],
    trace: Mapping[str, Shown] | None,
    fingerprints: Mapping[str, str],
    rest: str,
    theme: Theme,
) -> None:
    site = planned.assembled.site
    if site.config.search or not trace:  # (None: serve, no record wanted)
        cache.set_meta(RECORD, "{}", hold=True)
        return
    try:
        writer = Writer(site, {id(article) for article in loaded})
        kept = cache.snapshot_stamps()
        rows = itertools.chain(  # made as they are stored: all at once, 100 MB more
            _outputs(writer, trace, fingerprints, kept),
            _listings(writer, site, trace, fingerprints, kept),
            [(SITE, "", plain_dumps(light_site(site)))],
        )
        cache.store_snapshots(rows, _gone(kept, site, trace))
    except UnsafeSnapshot:  # (what was stored before is right for its stamp, and unused)
        cache.set_meta(RECORD, "{}", hold=True)
        return
    cache.store_shows(_shows(trace))
    readers = {path: shown for path, shown in trace.items() if shown.reads_site}
    reads = words_read(site, readers, theme, cache)
    data = {"rest": rest, "reads": reads, "files": cache.get_meta("files_written")}
    cache.set_meta(RECORD, json.dumps(data), hold=True)


def _gone(kept: Iterable[str], site: Site, trace: Mapping[str, Shown]) -> list[str]:
    """The snapshots kept of what is no more (none after a cold build: no key made)."""
    urls = [listing.url for edition in site.all_editions for listing in edition.listings]
    listings = {SITE, *map(listing_key, urls), *map(pages_key, urls)}
    return [
        key
        for key in kept
        if key not in listings and not (key[2:] in trace and key == output_key(key[2:]))
    ]


def _outputs(
    writer: Writer,
    trace: Mapping[str, Shown],
    fingerprints: Mapping[str, str],
    kept: Mapping[str, str],
) -> Iterator[tuple[str, str, bytes]]:
    """The snapshots of outputs made from other things than the last kept ones."""
    for path, shown in trace.items():
        key, stamp = output_key(path), fingerprints.get(path, "")
        if shown.reads_site or (stamp and kept.get(key) == stamp):
            continue
        spec = shown.spec
        if isinstance(spec, FeedSpec):
            making: tuple[Any, ...] = ("feed", spec)
        else:
            making = ("page", spec.url, spec.templates, dict(spec.context))
        yield key, stamp, writer.dumps(making)


def _listings(
    writer: Writer,
    site: Site,
    trace: Mapping[str, Shown],
    fingerprints: Mapping[str, str],
    kept: Mapping[str, str],
) -> Iterator[tuple[str, str, bytes]]:
    """Each listing's pages: the output paths of its pages, whose snapshots hold them (a
    third of the bytes and of the pickling when they were written again here, whole), or
    whole if a page has no snapshot (its templates read `site`)."""
    for edition in site.all_editions:
        for listing in edition.listings:
            key = listing_key(listing.url)
            stamp = digest(*(fingerprints.get(page.output_path, "") for page in listing.pages))
            if kept.get(key) == stamp:
                continue
            paths = tuple(page.output_path for page in listing.pages)
            if all(path in trace and not trace[path].reads_site for path in paths):
                yield key, stamp, plain_dumps(paths)
            else:
                yield key, stamp, writer.dumps(listing.pages, pages=True)
            yield pages_key(listing.url), stamp, plain_dumps(page_urls(listing))


def _shows(trace: Mapping[str, Shown]) -> dict[str, list[str]]:
    """Source file -> the outputs (not reading `site`) whose fingerprints know it. Lists
    by article, not a dict each (50,000 of them were 30 MB). An output may name an article
    twice (as `newer` and as `related`, say): its path is then the article's last yet."""
    shows: dict[int, list[str]] = {}
    sources: dict[int, str] = {}
    for path, shown in trace.items():
        if shown.reads_site:
            continue
        for article in shown.articles:
            paths = shows.get(id(article))
            if paths is None:
                paths = shows[id(article)] = []
                sources[id(article)] = str(article.source.path)
            elif paths[-1] is path:
                continue
            paths.append(path)
    return {sources[key]: paths for key, paths in shows.items()}


def light_site(site: Site) -> Site:
    """The site without its articles: what rendering a page of a template that does not
    read `site` needs besides the page's context (config, pictures, image sizes)."""
    editions = tuple(light_site(edition) for edition in site.editions)
    return Site(
        site.config, (), {}, {}, (), (), {}, site.image_sizes, site.pictures, (), editions, {}
    )


def words_read(
    site: Site, readers: Mapping[str, Shown], theme: Theme, cache: BuildCache
) -> dict[str, list[str]]:
    """For each page that reads `site`: the files whose words it read, rendered here once
    more with every article of the site telling (its context's articles count too)."""
    if not readers:
        return {}
    renderer = PageRenderer(site, theme, cache.compiled_templates_dir)  # no teaser made yet
    every = {id(a): a for a in (*site.every_article, *site.every_page)}
    for group in site.translations.values():
        every.update((id(a), a) for a in group)
    read: set[str] = set()

    def getattribute(self: Article, name: str) -> Any:
        if name in WORDS:
            read.add(str(object.__getattribute__(self, "source").path))
        return object.__getattribute__(self, name)

    tracked = type(
        "TrackedArticle", (Article,), {"__slots__": (), "__getattribute__": getattribute}
    )
    found: dict[str, list[str]] = {}
    for article in every.values():
        object.__setattr__(article, "__class__", tracked)
    try:
        for path, shown in readers.items():
            read.clear()
            assert isinstance(shown.spec, PageSpec)
            renderer(shown.spec)
            read.update(str(article.source.path) for article in shown.articles)
            found[path] = sorted(read)
    finally:
        for article in every.values():
            object.__setattr__(article, "__class__", Article)
    return found
