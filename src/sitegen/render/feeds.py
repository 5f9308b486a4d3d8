"""Site -> RSS 2.0 and Atom feeds (whole site and one pair per tag) as bytes, via feedgen.

Feeds carry absolute URLs only: links and images inside article HTML are made absolute.
Every date in them comes from the articles, never from the clock, so builds repeat exactly.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from sitegen import __version__, urls
from sitegen.config.settings import Config
from sitegen.model import Article, Site, newest
from sitegen.render.hosts import on_own_domains

if TYPE_CHECKING:  # imported where used: a rebuild that remakes no feed never loads it
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster)=")([^"]*)(")')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RSS_SHORT_YEAR = re.compile(rb"(<(?:pubDate|lastBuildDate)>\w{3}, \d{1,2} \w{3} )(\d{1,3}) ")


@dataclass(frozen=True)
class FeedSpec:
    """One feed file: RSS or Atom, of the whole site or of one tag."""

    path: str
    kind: str  # "rss" or "atom"
    page_url: str
    title: str
    articles: tuple[Article, ...]
    config: Config


def feed_specs(site: Site) -> list[FeedSpec]:
    """/feed.xml and /atom.xml, then each tag's pair; then each other language's
    (/fa/feed.xml, /fa/tag/x/feed.xml), in its own title and language."""
    return [spec for edition in site.all_editions for spec in _edition_feeds(edition)]


def _edition_feeds(site: Site) -> list[FeedSpec]:
    config = site.config
    sources = [(site.home.url, config.title, site.articles)]
    sources += [(tag.url, f"{config.title}: {tag.name}", items) for tag, items in site.tags.items()]
    specs = []
    for page_url, title, articles in sources:
        rss_url, atom_url = urls.feed_urls(page_url)
        newest = tuple(articles[: config.feed_items])
        for url, kind in ((rss_url, "rss"), (atom_url, "atom")):
            specs.append(FeedSpec(urls.output_path(url), kind, page_url, title, newest, config))
    return specs


class FeedRenderer:
    """FeedSpec -> the feed's bytes. A page's RSS and Atom feeds are made one after the
    other and differ only in their own address, so the second reuses the first's
    generator: feedgen's entries are half the cost of a feed."""

    def __init__(self) -> None:
        self._last: tuple[FeedSpec, FeedGenerator] | None = None
        # article URL -> its entry, made once for the feeds it is in: the site's and its
        # tags' (feedgen lets one entry be added to several feeds, and makes each feed's
        # XML afresh from its entries)
        self._entries: dict[str, FeedEntry] = {}

    def forget(self, changed: Collection[Article]) -> None:
        """Make these articles' entries again (they were changed in place: serve.patch)."""
        for article in changed:
            self._entries.pop(article.url, None)
        self._last = None

    def __call__(self, spec: FeedSpec) -> bytes:
        if self._last and _same_source(self._last[0], spec):
            generator = self._last[1]
        else:
            generator = _generator(spec, self._entries)
            self._last = spec, generator
        # feedgen gives RSS's <link> the last link added: the page, not the feed itself
        generator.link(href=spec.config.absolute("/" + spec.path), rel="self", replace=True)
        generator.link(href=spec.config.absolute(spec.page_url), rel="alternate")
        if spec.kind == "atom":
            return bytes(generator.atom_str(pretty=True))
        rss = bytes(generator.rss_str(pretty=True))
        return _four_digit_years(rss) if _has_early_year(spec.articles) else rss


def _same_source(a: FeedSpec, b: FeedSpec) -> bool:
    """The same page's feeds (feed_specs gives a page's pair one tuple of articles)."""
    return a.articles is b.articles and (a.page_url, a.title) == (b.page_url, b.title)


def _has_early_year(articles: tuple[Article, ...]) -> bool:
    """Whether a date in the feed is before the year 1000 (every RSS date is an article's)."""
    return any(article.date.year < 1000 or article.modified.year < 1000 for article in articles)


def _four_digit_years(rss: bytes) -> bytes:
    """RFC 822 dates with the year in four digits, as RFC 2822 requires: feedgen writes
    them with strftime('%Y'), which gives '999' on some platforms (glibc) and '0999' on
    others."""
    return _RSS_SHORT_YEAR.sub(lambda m: m[1] + m[2].zfill(4) + b" ", rss)


def _generator(spec: FeedSpec, entries: dict[str, FeedEntry]) -> FeedGenerator:
    """A page's feed, all but its links (set for each file); its entries are taken from
    `entries` or made and put there."""
    config, articles, title = spec.config, spec.articles, spec.title
    latest = newest(articles) or EPOCH
    from feedgen.feed import FeedGenerator  # noqa: PLC0415 - see the top of the module

    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.id(config.absolute(spec.page_url))
    feed.title(_xml(title))
    feed.description(_xml(config.description or config.title))
    feed.language(config.language)
    feed.generator("sitegen", version=__version__)
    if config.copyright:
        feed.rights(_xml(config.copyright))
    feed.updated(latest)
    feed.lastBuildDate(latest)
    for article in articles:
        if (entry := entries.get(article.url)) is not None:
            feed.add_entry(entry, order="append")
        else:
            entries[article.url] = _add_entry(feed, config, article)
    return feed


def _add_entry(feed: FeedGenerator, config: Config, article: Article) -> FeedEntry:
    permalink = config.absolute(article.url)
    entry = feed.add_entry(order="append")
    # feedgen makes an entry's XML element afresh for each feed it writes; an article in
    # several feeds has its element made once, which moves from one feed's tree to the
    # next (each feed is written out before the next one is made: see FeedRenderer)
    entry.rss_entry = functools.cache(entry.rss_entry)
    entry.atom_entry = functools.cache(entry.atom_entry)
    entry.id(permalink)
    entry.guid(permalink, permalink=True)
    entry.title(_xml(article.title))
    entry.link(href=permalink, rel="alternate")
    entry.published(article.date)
    entry.updated(article.modified)
    entry.author(name=_xml(article.author.name))
    entry.dc.dc_creator(_xml(article.author.name))
    for tag in article.tags:
        entry.category(term=_xml(tag.name))
    entry.summary(_xml(article.description))
    content = article.excerpt_html if config.feed_content == "summary" else _full_html(article)
    if hosts := config.hosts:  # a language on its own domain: links as its pages have them
        content = on_own_domains(content, article.url, config.base_path, config.site_url, hosts)
    entry.content(_xml(absolute_links(content, permalink)), type="html")
    return entry


def _full_html(article: Article) -> str:
    """The lead figure, then the body: what a reader of the page sees."""
    if article.image is None:
        return article.body_html
    image = article.image
    caption = f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else ""
    img = f'<img src="{html.escape(image.src)}" alt="{html.escape(image.alt)}">'
    figure = f"<figure>{img}{caption}</figure>"
    return figure + "\n" + article.body_html


def absolute_links(fragment: str, page_permalink: str) -> str:
    """Make every href/src in an HTML fragment absolute, resolved against the article's URL."""
    return _URL_ATTRIBUTE.sub(
        lambda m: m.group(1) + urljoin(page_permalink, m.group(2)) + m.group(3), fragment
    )


def _xml(text: str) -> str:
    """Control characters are not allowed in XML 1.0; they never carry meaning here."""
    return _NOT_XML.sub("", text)
