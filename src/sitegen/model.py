"""The content model: frozen data built once per build, read by every renderer. No I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sitegen.config.settings import Config
from sitegen.errors import Location

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    """A name articles are grouped by; two spellings with the same slug are the same term."""

    slug: str
    name: str = field(compare=False)
    url: str = field(compare=False)


@dataclass(frozen=True)
class Tag(Term):
    """A tag, listed at /tag/<slug>/."""


@dataclass(frozen=True)
class Author(Term):
    """A byline, listed at /author/<slug>/."""


@dataclass(frozen=True)
class LeadImage:
    """The captioned picture at the top of an article and its teaser."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class ImageFile:
    """One published size of an image: its site URL and pixel size."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """One of the site's own images in the sizes and formats the image stage made (the
    templates' <picture>): `fallback` in the original format, `sources` in modern ones."""

    width: int  # the largest size made: the aspect ratio for width/height attributes
    height: int
    fallback: tuple[ImageFile, ...]  # original format, narrowest first
    sources: tuple[tuple[str, tuple[ImageFile, ...]], ...] = ()  # (MIME type, sizes), best first

    @property
    def src(self) -> ImageFile:
        """The <img src> for browsers without srcset: the size nearest 800 px wide."""
        return min(self.fallback, key=lambda f: (abs(f.width - 800), f.width))

    @property
    def share(self) -> ImageFile:
        """The size for share cards (Open Graph, JSON-LD): the widest up to 1200 px."""
        fitting = [f for f in self.fallback if f.width <= 1200]
        return fitting[-1] if fitting else self.fallback[0]


class Pictures(Mapping[str, Picture]):
    """src -> Picture, each made when first asked for: a rebuild renders a few pages, and
    making the 1,000 Pictures of 1,000 photos was a fifth of its image stage. What a
    Picture depends on is known without making it (`key`), for fingerprints."""

    def __init__(self, made: Mapping[str, Any], keys: Mapping[str, str], make: MakePicture) -> None:
        self._made, self._keys, self._make = made, keys, make  # src -> what make takes
        self._pictures: dict[str, Picture] = {}

    def __getitem__(self, src: str) -> Picture:
        picture = self._pictures.get(src)
        if picture is None:
            picture = self._pictures[src] = self._make(self._made[src])
        return picture

    def __iter__(self) -> Iterator[str]:
        return iter(self._made)

    def __len__(self) -> int:
        return len(self._made)

    def __contains__(self, src: object) -> bool:
        return src in self._made

    def key(self, src: str) -> str:
        """What the Picture of `src` is made from ('' if it has none): equal keys, equal
        Pictures."""
        return self._keys.get(src, "")


MakePicture = Callable[[Any], Picture]


# Languages written right to left (primary subtags).
RTL_LANGUAGES = frozenset(
    {"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr", "ku", "prs"}
)


@dataclass(frozen=True)
class Article:
    """One dated news item, parsed and rendered to HTML, with its place in the site."""

    source: Location
    slug: str
    title: str
    date: dt.datetime
    author: Author
    tags: tuple[Tag, ...]
    image: LeadImage | None
    summary: str
    excerpt_html: str
    description: str
    body: bytes  # the body HTML as UTF-8: half the memory of a str with curly quotes in it
    url: str
    output_path: str
    draft: bool = False
    updated: dt.datetime | None = None
    related_slugs: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    lang: str = ""  # the article's language when it is not the site's ('fa', 'ar', ...)
    field_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    digest: str = ""  # identifies the source bytes and parse settings; keys rendered pages
    is_page: bool = False  # from content/pages/: standalone (about, donate), never listed
    categories: tuple[str, ...] = ()  # kept from WordPress for themes; not shown by default
    aliases: tuple[str, ...] = ()  # old addresses that redirect here (redirects.py)
    translation_key: str = ""  # articles sharing it translate each other (multilingual sites)

    @property
    def body_html(self) -> str:
        return self.body.decode("utf-8")

    @property
    def modified(self) -> dt.datetime:
        """When the article last changed: its `updated` date, else its date."""
        return self.updated or self.date

    @property
    def direction(self) -> str:
        """'rtl' for Arabic, Persian, Hebrew, Urdu and other right-to-left scripts."""
        return direction(self.lang)

    def location(self, key: str) -> Location:
        """Where front matter `key` was written (the file's first line if it was not)."""
        return Location(self.source.path, self.field_lines.get(key, 1))


def newest(articles: Iterable[Article]) -> dt.datetime | None:
    """The latest change among articles (`Article.modified`): a listing's or feed's date."""
    dates = [a.updated or a.date for a in articles]  # (a.modified, inlined; a list, not a
    return max(dates) if dates else None  # generator: a quarter faster, 47,000 listing pages)


@dataclass(frozen=True)
class ListingPage:
    """One page of a paginated list of articles ("Continue Reading" pages)."""

    number: int
    total: int
    items: tuple[Article, ...]
    url: str
    output_path: str
    prev_url: str | None
    next_url: str | None
    page_urls: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    """A whole paginated list: the archive, one tag, one author, one year or month."""

    kind: str  # "home", "tag", "author", "year", "month"
    title: str
    url: str
    count: int
    pages: tuple[ListingPage, ...]
    term: Term | None = None


@dataclass(frozen=True)
class Period:
    """A year or a month of the archive, for the /archive/ page."""

    year: int
    month: int | None
    count: int
    url: str


@dataclass(frozen=True)
class Site:
    """Everything the renderers need, assembled before anything is written."""

    config: Config
    articles: tuple[Article, ...]
    tags: Mapping[Tag, tuple[Article, ...]]
    authors: Mapping[Author, tuple[Article, ...]]
    listings: tuple[Listing, ...]
    periods: tuple[Period, ...]
    related: Mapping[str, tuple[Article, ...]]  # article URL -> related articles
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # src -> w, h
    pictures: Mapping[str, Picture] = field(default_factory=dict)  # src -> sizes (images/)
    pages: tuple[Article, ...] = ()  # standalone pages (content/pages/), by URL
    # multilingual sites: each other language's own Site (its config's `language` is its
    # tag, its URLs start '/<tag>/'), on the default language's Site only
    editions: tuple[Site, ...] = ()
    # article or page URL -> every language's version of it (itself too), default first;
    # only for those that have a translation (the same mapping in every edition)
    translations: Mapping[str, tuple[Article, ...]] = field(default_factory=dict)

    @property
    def home(self) -> Listing:
        return self.listings[0]

    @property
    def lang(self) -> str:
        """The language of this site's pages (the default language, or an edition's)."""
        return self.config.language

    @property
    def every_article(self) -> tuple[Article, ...]:
        """The articles of every language, the default language's first."""
        return (
            tuple(a for e in self.all_editions for a in e.articles)
            if self.editions
            else self.articles
        )

    @property
    def every_page(self) -> tuple[Article, ...]:
        """The standalone pages of every language."""
        return tuple(a for e in self.all_editions for a in e.pages) if self.editions else self.pages

    @property
    def all_editions(self) -> tuple[Site, ...]:
        """This site, then every other language's (none on a one-language site)."""
        return (self, *self.editions)


def direction(lang: str) -> str:
    """'rtl' for a language written right to left (Persian, Arabic...), else 'ltr'."""
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
