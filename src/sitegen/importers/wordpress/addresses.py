"""Old WordPress addresses -> slugs, aliases and `redirects:` that a build accepts.

A site the import writes must build: a slug that is one of sitegen's own pages (`tags`,
`archive`) is renamed; an alias that is the item's own URL, a page of sitegen's, or no
usable path is left out (and listed); the old tag and category archives
(`/tag/%d8%ad%d9%82/`, `/category/news/`), which no article owns, become `redirects:`
in sitegen.yaml, added once (a re-run adds only what is missing).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from slugify import slugify

from sitegen import urls
from sitegen.config.settings import CONFIG_NAME, load_config
from sitegen.errors import ConfigError, shown
from sitegen.importers.wordpress.wxr import Item, Term

HEADER = "# Old tag and category archives of the WordPress site (sitegen import wordpress)"


def item_slug(item: Item, title: str) -> str:
    """WordPress's own slug (made ASCII, as sitegen's URLs are), unless it is one of the
    numbers WordPress gives posts without a title."""
    name = slugify(unquote(item.name))
    if not re.search(r"[a-z]", name):
        name = ""
    return name or slugify(title) or f"{item.post_type}-{item.post_id}"


def url_maker(post_type: str, permalink: str, date: dt.datetime) -> Callable[[str], str]:
    """The new URL an item of this type and date would have with a given slug."""
    if post_type == "page":
        return lambda slug: f"/{slug}/"
    return lambda slug: urls.article_url(permalink, slug, date)


def unique_slug(slug: str, taken: set[str], url_of: Callable[[str], str]) -> str:
    """Two posts may share a slug in WordPress (under different dates): the later gets -2.
    So does one whose URL an earlier item holds (as its URL or an old address: `taken`
    holds both) or that is among sitegen's own pages (`/tags/`, a year's `/2010/`)."""
    candidate, number = slug, 1
    # (a permalink that puts every slug among sitegen's own pages, '/tag/{slug}/', is the
    # build's to refuse: renaming would not end)
    avoid_own = not _is_own(url_of("any-slug"))
    while (
        candidate in taken
        or url_of(candidate) in taken
        or (avoid_own and _is_own(url_of(candidate)))
    ):
        number += 1
        candidate = f"{slug}-{number}"
    taken.update((candidate, url_of(candidate)))
    return candidate


def renamed(described: str, slug: str, new_slug: str, url_of: Callable[[str], str]) -> str:
    """Why an item's slug changed, for the report."""
    if _is_own(url_of(slug)):
        url, own = url_of(slug), f"/{_first_part(url_of(slug))}/"
        why = (
            f"{shown(url)} is the address of one of sitegen's own pages"
            if url == own
            else f"{shown(url)} would be in {shown(own)}, where sitegen's own pages are"
        )
        return f"{described}: {why}; now {shown(new_slug)}"
    return f"{described}: slug or address taken by an earlier item; now {shown(new_slug)}"


def _first_part(url: str) -> str:
    return url.strip("/").split("/")[0]


def _is_own(url: str) -> bool:
    """Whether a URL is one of sitegen's own pages (the home page `/`, `/tags/`, `/2019/`,
    `/2019/05/`) or in a folder of them (`/tag/x/`, `/page/2/`)."""
    return _OWN_URL.fullmatch(url) is not None


_PAGES = "|".join(sorted(urls.OWN_PAGES))
_FOLDERS = "|".join(sorted(urls.OWN_FOLDERS - urls.OWN_PAGES))
_OWN_URL = re.compile(rf"/(?:|\d{{4}}/(?:\d{{2}}/)?|(?:{_PAGES})/|(?:{_FOLDERS})/.*)")  # '/': home


def keep_aliases(
    old: Iterable[str | None], new_url: str, taken: set[str]
) -> tuple[list[str], list[str]]:
    """The old addresses the new site must answer, and why any other was left out: its own
    URL ('/hello' of '/hello/': one page, nothing to do), among sitegen's own pages
    (`/tags/`, `/2019/`, `/tag/x/`),
    an earlier item's URL or old address (`taken`, which gets the kept ones), or an
    address no redirect can have."""
    kept, notes = [], []
    for path in dict.fromkeys(old):
        url = urls.alias_url(path) if path else None
        if not path or url == new_url:
            continue
        if problem := urls.alias_problem(path):
            notes.append(f"old address {shown(path)} is not kept: it {problem}")
        elif url is not None and _is_own(url):
            notes.append(f"old address {shown(path)} is not kept: sitegen's own page is there")
        elif (url or path) in taken:
            notes.append(f"old address {shown(path)} is not kept: an earlier item has it")
        else:
            kept.append(path)
            taken.add(url or path)
    return kept, notes


def archive_redirects(
    terms: Iterable[Term],
    site_path: Callable[[str], str | None],
    site_url: str,
    categories_as_tags: bool,
) -> tuple[dict[str, str], list[str]]:
    """Old tag and category archives -> the tag pages that replace them, and the category
    archives left without one (categories kept as `categories:` have no page).
    `site_path` gives the path of one of the old site's URLs (at `site_url`)."""

    def old_path(path: str) -> str | None:
        return site_path(site_url.rstrip("/") + path) if site_url else path

    used = set(terms)
    tag_urls = {
        urls.tag_url(slug)
        for term in used
        if (term.domain == "post_tag" or categories_as_tags) and (slug := urls.slugify(term.name))
    }
    redirects: dict[str, str] = {}
    unanswered = []
    for term in sorted(used, key=lambda t: (t.domain, t.nicename)):
        folder = {"post_tag": "tag", "category": "category"}.get(term.domain)
        old = old_path(f"/{folder}/{term.nicename}/") if folder and term.nicename else None
        new = urls.tag_url(slug) if (slug := urls.slugify(term.name)) else ""
        if old is None or urls.alias_url(old) == new or urls.alias_problem(old):
            continue
        if new in tag_urls:
            redirects.setdefault(old, new)
        else:
            unanswered.append(old)
    return redirects, unanswered


def add_redirects(site_dir: Path, wanted: Mapping[str, str], *, dry_run: bool) -> list[str]:
    """Append the `redirects:` that sitegen.yaml lacks; the report's lines about it. A file
    that has its own `redirects:` is left alone: the missing entries are listed instead."""
    if not wanted:
        return []
    path = site_dir / CONFIG_NAME
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = [f"  {json.dumps(old)}: {json.dumps(new)}" for old, new in wanted.items()]
    if re.search(r"^redirects\s*:", text, re.MULTILINE):
        written = _written_redirects(site_dir)
        missing = [line for (old, _), line in zip(wanted.items(), lines, strict=True)
                   if old not in written]  # fmt: skip
        if not missing:
            return []
        note = f"{CONFIG_NAME} has its own redirects:; add these old archive addresses to it:"
        return [note, *missing]
    if not dry_run:
        block = "\n".join(["", HEADER, "redirects:", *lines, ""])
        path.write_text(text.rstrip("\n") + "\n" + block if text else block.lstrip("\n"))
    would = "would add" if dry_run else "added"
    return [f"{CONFIG_NAME}: {would} {len(lines)} redirects of old tag and category archives"]


def add_language(site_dir: Path, language: str, *, dry_run: bool) -> list[str]:
    """Set the site's `language` to the export's when sitegen.yaml sets none (so pages say
    what language they are in, and right-to-left sites read right to left); the report's
    line about it."""
    path = site_dir / CONFIG_NAME
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if re.search(r"^language\s*:", text, re.MULTILINE):
        return []
    if not dry_run:
        line = f"language: {json.dumps(language)}  # the WordPress export's\n"
        path.write_text(text.rstrip("\n") + "\n" + line if text.strip() else line)
    would = "would set" if dry_run else "set"
    return [f"{CONFIG_NAME}: {would} language: {shown(language)}, the export's language"]


def _written_redirects(site_dir: Path) -> set[str]:
    try:
        return {redirect.old for redirect in load_config(site_dir).redirects}
    except ConfigError:
        return set()
