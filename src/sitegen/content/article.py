"""One content file -> an Article (front matter checked, Markdown rendered); plus the
checks that need the whole set. `loading.py` runs this over content/ with cache and pool."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath
from typing import TypeVar
from urllib.parse import unquote

from sitegen import urls
from sitegen.config.settings import LANGUAGE_TAG, Config
from sitegen.config.yamldoc import FieldReader, decode_utf8
from sitegen.content.frontmatter import Document, parse_document
from sitegen.content.remote import body_problems as remote_media
from sitegen.content.remote import read_image
from sitegen.content.symlinks import is_text, link_problem, root_problem, walk
from sitegen.content.translations import (
    default_translation_key,
    edition,
    file_language,
    plain_stem,
)
from sitegen.errors import Location, Problem, cut, error, shown, warning
from sitegen.markup.engine import MarkdownRenderer, first_words
from sitegen.markup.excerpt import excerpt_and_text
from sitegen.markup.sanitize import sanitize_body
from sitegen.markup.typography import smarten
from sitegen.model import Article, Author, Tag, Term

T = TypeVar("T", bound=Term)
CONTENT_DIR = "content"
PAGES_DIR = "content/pages/"  # standalone pages: about, contact, donate
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # a page without a date (it shows none)
_MINUTE = dt.timedelta(minutes=1)
ARTICLE_KEYS = {
    "title", "date", "tags", "byline", "image", "image_alt", "image_caption", "summary",
    "slug", "draft", "updated", "related", "extra", "lang", "categories", "aliases",
    "translation_key",  # a WordPress import's translation group, kept for multilingual sites
}  # fmt: skip
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_UNICODE_SLUG = re.compile(r"[^\W_A-Z][\w-]*")  # letters of any script, not upper case
_RESERVED = urls.RESERVED_MESSAGE
NAME_BYTES = urls.NAME_BYTES
_TOO_LONG = urls.TOO_LONG
_DATE_HELP = "use YYYY-MM-DD or ISO 8601 (2024-03-01T18:30:00+01:00)"


def find_sources(site_dir: Path) -> list[str]:
    """Every article file as a POSIX path relative to the site ('content/news/a.md'), in a
    stable order; hidden files and folders (editor locks, .git) are skipped, and so are
    links that lead out of the site or nowhere, names that are not UTF-8, and content/
    itself when it is such a link (the build reports those)."""
    if root_problem(site_dir, CONTENT_DIR):
        return []
    return sorted(
        f"{CONTENT_DIR}/{rel}"
        for rel, entry in walk(site_dir / CONTENT_DIR)
        if entry.name.endswith(".md")
        and is_text(rel)
        and not (entry.is_symlink() and link_problem(Path(entry.path), site_dir))
        and entry.is_file()
    )


def load_article(
    data: bytes,
    rel: PurePosixPath,
    config: Config,
    renderer: MarkdownRenderer,
    *,
    strict: bool = False,
    digest: str = "",
) -> tuple[Article | None, list[Problem]]:
    """One file's bytes -> an Article, or the problems that stop it from being one.

    Pure: the result depends only on the bytes, the name and the settings, so it can be
    cached by their hash (`digest`, stored on the article) and computed in any process.
    Whatever goes wrong inside (a RecursionError on pathological nesting, a bug) becomes
    an error for this file, so the rest of the build still reports together.
    """
    try:
        return _load_article(data, rel, config, renderer, strict=strict, digest=digest)
    except MemoryError:
        raise
    except Exception as exc:  # the per-file safety net
        return None, [error(Location(rel, 1), _failure(exc))]


_UNFORESEEN = "cannot be converted ("
_UNREADABLE = "cannot read: "


def unforeseen(problems: Iterable[Problem]) -> bool:
    """Whether the safety net made one of these problems, or the file could not be read:
    such a result is not cached, as it depends on more than the file's bytes (the stack's
    depth, sitegen's own code, the file system)."""
    return any(problem.message.startswith((_UNFORESEEN, _UNREADABLE)) for problem in problems)


def unreadable(rel: PurePosixPath, exc: OSError) -> tuple[None, list[Problem]]:
    """The result for a file that could not be read (removed since it was listed,
    permission denied): an error naming it."""
    return None, [error(Location(rel), f"{_UNREADABLE}{exc.strerror or exc}")]


def _failure(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    detail = f"{type(exc).__name__}: {cut(text)}"
    return (
        f"{_UNFORESEEN}{detail.rstrip(': ')}); simplify the file (deep nesting?) "
        "or report this with the file"
    )


def _load_article(
    data: bytes,
    rel: PurePosixPath,
    config: Config,
    renderer: MarkdownRenderer,
    *,
    strict: bool,
    digest: str,
) -> tuple[Article | None, list[Problem]]:
    text, problems = decode_utf8(data, rel)
    if text is None:
        return None, problems
    document, problems = parse_document(text, rel)
    if document is None:
        return None, problems
    reader = FieldReader(document.entries, rel)
    reader.unknown_keys(ARTICLE_KEYS, as_error=strict)
    article = _build_article(reader, document, config, renderer, digest, strict)
    if article is None or any(p.is_error for p in reader.problems):
        return None, reader.problems
    return article, reader.problems


def _build_article(
    reader: FieldReader,
    document: Document,
    config: Config,
    renderer: MarkdownRenderer,
    digest: str,
    strict: bool,
) -> Article | None:
    is_page = str(reader.path).startswith(PAGES_DIR)
    has_title = reader.require("title")
    has_date = reader.require("date") if not is_page else "date" in reader.entries
    title = smarten(reader.string("title"))  # typographic quotes, as in the body
    if has_title and isinstance(reader.entries["title"].value, str) and not title:
        reader.fail("title", "is empty")
    date = _read_date(reader, "date", config) if has_date else (UNDATED if is_page else None)
    updated = _read_date(reader, "updated", config) if "updated" in reader.entries else None
    lang = _read_lang(reader, config)
    prefix = urls.language_prefix(edition(lang, config))
    slug = _read_slug(reader, config)
    tags = _read_tags(reader, prefix, config.slugs)
    image = read_image(reader, strict=strict)
    summary = smarten(reader.string("summary"))
    author = _read_author(reader, config, prefix)
    related_slugs = reader.string_list("related")
    categories = tuple(smarten(name) for name in reader.string_list("categories"))
    aliases = _read_aliases(reader)
    is_draft = reader.boolean("draft")
    extra = _read_extra(reader)
    translation_key = reader.string("translation_key") or default_translation_key(
        reader.path, config
    )
    if not (title and date and slug and author):
        return None
    url = prefix + (f"/{slug}/" if is_page else urls.article_url(config.permalink, slug, date))
    if any(len(part) > NAME_BYTES for part in url.split("/")):  # '/{year}-{slug}/'
        too_long = f"{shown(slug)} in the permalink pattern gives a URL part that {_TOO_LONG}"
        reader.fail("slug", f"{too_long}; choose a shorter one")
        return None
    body_html = renderer.render(document.body)
    start = Location(reader.path, document.body_line)
    if config.raw_html == "sanitize":
        body_html, removed = sanitize_body(body_html, document.body, start, strict=strict)
        reader.problems.extend(removed)
    reader.problems += remote_media(body_html, document.body, start, strict=strict)
    body_html = urls.under_base_path(body_html, config.base_path)
    excerpt, excerpt_text = excerpt_and_text(summary, body_html)
    return Article(
        source=reader.location("slug") if "slug" in reader.entries else Location(reader.path, 1),
        slug=slug,
        title=title,
        date=date,
        author=author,
        tags=tags,
        image=image,
        summary=summary,
        excerpt_html=excerpt,
        description=summary or first_words(excerpt_text),
        body=body_html.encode("utf-8"),
        url=url,
        output_path=urls.output_path(url),
        draft=is_draft,
        updated=updated,
        related_slugs=related_slugs,
        extra=extra,
        lang=lang,
        translation_key=translation_key if config.languages else "",
        field_lines={key: entry.line for key, entry in reader.entries.items()},
        is_page=is_page,
        categories=categories,
        aliases=aliases,
        digest=digest,
    )


def parse_date(value: object, zone: dt.tzinfo) -> dt.datetime | None:
    """A YAML date, datetime or ISO 8601 text -> a time-zone-aware datetime (or None)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return whole_minute_offset(value if value.tzinfo else value.replace(tzinfo=zone))
    if isinstance(value, dt.date):
        return whole_minute_offset(dt.datetime(value.year, value.month, value.day, tzinfo=zone))
    return None


def whole_minute_offset(when: dt.datetime) -> dt.datetime:
    """The same instant, at an offset of whole minutes: RFC 3339, RFC 822 and W3C dates
    cannot write seconds in an offset (local mean time before ~1900 has them).

    The offset is rounded up, so the clock time moves forward by under a minute and a
    date given without a time stays on its day (and in its permalink)."""
    offset = when.utcoffset() or dt.timedelta(0)
    if not offset % _MINUTE:
        return when
    return when.astimezone(dt.timezone(-(-offset // _MINUTE) * _MINUTE))


def _read_date(reader: FieldReader, key: str, config: Config) -> dt.datetime | None:
    value = reader.entries[key].value
    parsed = parse_date(value, config.zone)
    if parsed is None:
        written = value if isinstance(value, str) else str(value)
        reader.fail(key, f"cannot parse {shown(written)}; {_DATE_HELP}")
    return parsed


def _read_aliases(reader: FieldReader) -> tuple[str, ...]:
    """Old addresses that must lead here (`/2019/05/03/old-slug/`, `/?p=123`): paths on
    this site, checked like slugs since each becomes a redirect page (redirects.py)."""
    if not reader.string_list("aliases"):  # nothing, or not a list of text (reported)
        return ()
    aliases: dict[str, None] = {}
    for item in reader.entries["aliases"].value:
        alias = str(item).strip()  # as written: control characters are refused, not dropped
        if problem := urls.alias_problem(alias):
            reader.fail("aliases", f"{shown(alias)} {problem}")
        else:
            aliases.setdefault(alias)
    return tuple(aliases)


def _read_slug(reader: FieldReader, config: Config) -> str:
    """The `slug` field, else the file name: editing a title must not move its article."""
    if "slug" not in reader.entries:
        stem = plain_stem(PurePosixPath(reader.path), config)
        slug = urls.slugify(stem, unicode=config.slugs == "unicode")
        if not slug:
            reader.fail("slug", f"file name {stem!r} gives an empty URL slug; add a 'slug' field")
        elif urls.is_reserved(slug):
            reader.fail("slug", f"file name {stem!r} {_RESERVED}; add a 'slug' field")
            return ""
        return slug
    slug = reader.string("slug")
    raw = reader.entries["slug"].value
    if isinstance(raw, str) and raw.strip() != slug:  # held control characters, e.g. NUL
        slug = raw
    if not (_SLUG if config.slugs == "ascii" else _UNICODE_SLUG).fullmatch(slug):
        example = urls.slugify(slug) or "my-article"
        reader.fail(
            "slug", f"{shown(slug)} may only hold a-z, 0-9, '-' and '_'; e.g. {shown(example)}"
        )
        return ""
    if urls.is_reserved(slug):
        reader.fail("slug", f"{shown(slug)} {_RESERVED}; choose another")
        return ""
    if len(slug) > NAME_BYTES:
        reader.fail("slug", f"{shown(slug)} {_TOO_LONG}; choose a shorter one")
        return ""
    return slug


def _read_author(reader: FieldReader, config: Config, prefix: str) -> Author | None:
    """The byline; without one, the `default_byline` of the article's language, else
    the site's."""
    language = config.languages.get(prefix[1:]) if prefix else None
    name = reader.string("byline") or (language and language.default_byline)
    name = name or config.default_byline
    author: Author | str = _term(Author, name, prefix, config.slugs)
    if isinstance(author, str):
        reader.fail("byline", author)
        return None
    return author


def _read_tags(reader: FieldReader, prefix: str, slugs: str) -> tuple[Tag, ...]:
    tags: dict[Tag, None] = {}
    for name in reader.string_list("tags"):
        tag: Tag | str = _term(Tag, name, prefix, slugs)
        if isinstance(tag, str):
            reader.fail("tags", tag)
        else:
            tags.setdefault(tag)
    return tuple(tags)


# Remembered: an archive's few hundred tags and bylines are on thousands of articles.
@functools.lru_cache(maxsize=8192)
def _term(kind: type[T], name: str, prefix: str = "", slugs: str = "ascii") -> T | str:
    """The tag or byline a name makes, or what is wrong with the name; `prefix` is the
    URL prefix of the article's language ('/fa'): each language has its own tag pages."""
    slug = urls.slugify(name, unicode=slugs == "unicode")
    named = f"tag {shown(name)}" if kind is Tag else shown(name)
    if not slug:
        return f"{named} has no letters or digits to make a URL from"
    if urls.is_reserved(slug):
        return f"{named} gives the URL name {shown(slug)}, which {_RESERVED}"
    if len(slug) > NAME_BYTES:
        return f"{named} gives a URL name that {_TOO_LONG}; shorten it"
    url = urls.tag_url(slug) if kind is Tag else urls.author_url(slug)
    return kind(slug=slug, name=name, url=prefix + url)


def missing_images(articles: Iterable[Article], static_paths: Collection[str]) -> list[Problem]:
    """Lead images that no static file provides (checked apart from loading, which stays
    a pure function of a file's bytes and so can be cached)."""
    return [
        warning(
            article.location("image"), f"image: {shown(article.image.src)} not found under static/"
        )
        for article in articles
        if article.image
        and not urls.leaves_site(article.image.src)
        and unquote(article.image.src.lstrip("/")) not in static_paths
    ]


def _read_lang(reader: FieldReader, config: Config) -> str:
    """`lang:`, else the language in the file name (`vigil.fa.md`), else '' (the site's)."""
    named = file_language(PurePosixPath(reader.path), config)
    named = "" if named == config.language else named
    lang = reader.string("lang")
    if lang and not LANGUAGE_TAG.match(lang):
        reader.fail(
            "lang", f"{shown(lang)} is not a language tag; expected e.g. 'fa', 'ar' or 'fr'"
        )
        return named
    if lang and named and lang != named:
        reader.fail("lang", f"{shown(lang)} contradicts the file name's language {named!r}")
    return lang or named


def _read_extra(reader: FieldReader) -> dict[str, object]:
    entry = reader.entries.get("extra")
    if entry is None or entry.value is None:
        return {}
    if not isinstance(entry.value, dict):
        reader.fail("extra", "expected a mapping of your own keys")
        return {}
    return dict(entry.value)
