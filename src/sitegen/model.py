"""The content model: frozen data built once per build, read by every renderer. No I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sitegen.config import Config
from sitegen.errors import Location


@dataclass(frozen=True)
class Tag:
    """A tag; two spellings with the same slug are the same tag."""

    slug: str
    name: str = field(compare=False)
    url: str = field(compare=False)


@dataclass(frozen=True)
class LeadImage:
    """The captioned picture at the top of an article and its teaser."""

    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Article:
    """One dated news item, parsed and rendered to HTML, with its place in the site."""

    source: Location
    slug: str
    title: str
    date: dt.datetime
    byline: str
    tags: tuple[Tag, ...]
    image: LeadImage | None
    summary: str
    description: str
    body_html: str
    url: str
    output_path: str
    draft: bool = False
    updated: dt.datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


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
class Site:
    """Everything the renderers need, assembled before anything is written."""

    config: Config
    articles: tuple[Article, ...]
    tags: Mapping[Tag, tuple[Article, ...]]
    listings: tuple[ListingPage, ...]
