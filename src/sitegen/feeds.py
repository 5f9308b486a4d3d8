"""Site -> RSS 2.0 and Atom feeds (whole site and one pair per tag) as bytes, via feedgen.

Feeds carry absolute URLs only: links and images inside article HTML are made absolute.
Every date in them comes from the articles, never from the clock, so builds repeat exactly.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from sitegen import __version__, urls
from sitegen.config import Config
from sitegen.model import Article, Site

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster)=")([^"]*)(")')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_feeds(site: Site) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) for /feed.xml, /atom.xml and each tag's pair."""
    config = site.config
    yield from _feed_pair(config, "/", config.title, site.articles)
    for tag, articles in site.tags.items():
        yield from _feed_pair(config, tag.url, f"{config.title}: {tag.name}", articles)


def _feed_pair(
    config: Config, page_url: str, title: str, articles: Sequence[Article]
) -> Iterator[tuple[str, bytes]]:
    rss_url, atom_url = urls.feed_urls(page_url)
    for url, kind in ((rss_url, "rss"), (atom_url, "atom")):
        generator = _generator(config, page_url, url, title, articles[: config.feed_items])
        data = generator.rss_str(pretty=True) if kind == "rss" else generator.atom_str(pretty=True)
        yield urls.output_path(url), data


def _generator(
    config: Config, page_url: str, feed_url: str, title: str, articles: Sequence[Article]
) -> FeedGenerator:
    base = config.site_url
    newest = max((a.updated or a.date for a in articles), default=EPOCH)
    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.id(urls.permalink(base, page_url))
    feed.title(_xml(title))
    feed.description(_xml(config.description or config.title))
    # feedgen gives RSS's <link> the last link added: the page, not the feed itself
    feed.link(href=urls.permalink(base, feed_url), rel="self")
    feed.link(href=urls.permalink(base, page_url), rel="alternate")
    feed.language(config.language)
    feed.generator("sitegen", version=__version__)
    if config.copyright:
        feed.rights(_xml(config.copyright))
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for article in articles:
        _add_entry(feed, config, article)
    return feed


def _add_entry(feed: FeedGenerator, config: Config, article: Article) -> None:
    permalink = urls.permalink(config.site_url, article.url)
    entry = feed.add_entry(order="append")
    entry.id(permalink)
    entry.guid(permalink, permalink=True)
    entry.title(_xml(article.title))
    entry.link(href=permalink, rel="alternate")
    entry.published(article.date)
    entry.updated(article.updated or article.date)
    entry.author(name=_xml(article.author.name))
    entry.dc.dc_creator(_xml(article.author.name))
    for tag in article.tags:
        entry.category(term=_xml(tag.name))
    entry.summary(_xml(article.description))
    content = article.excerpt_html if config.feed_content == "summary" else _full_html(article)
    entry.content(_xml(absolute_links(content, permalink)), type="html")


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
