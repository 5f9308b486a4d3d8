"""sitegen.yaml -> Config: every option validated, every problem reported with its line."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import re
import zoneinfo
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from sitegen import urls
from sitegen.config.images import IMAGE_KEYS, ImageSettings, read_image_settings
from sitegen.config.languages import LanguageSettings, hosts, read_languages, settle_domains
from sitegen.config.permalinks import permalink_problem
from sitegen.config.redirects import Redirect, read_redirects
from sitegen.config.yamldoc import Entry, FieldReader, clean_text, decode_utf8, load_mapping
from sitegen.errors import ConfigError, Location, Problem, error, not_installed, shown, warning

CONFIG_NAME = "sitegen.yaml"
LOCAL_BASE_URL = "http://localhost:8000/"
FEED_CONTENT = ("full", "summary")
MARKDOWN_ENGINES = ("markdown", "cmark")
RAW_HTML = ("keep", "sanitize")
SLUGS = ("ascii", "unicode")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")  # whitespace (Unicode too), controls


@dataclass(frozen=True)
class SocialLink:
    """A plain link to the organisation's profile elsewhere (no widgets, no scripts)."""

    name: str
    url: str


@dataclass(frozen=True)
class MenuLink:
    """A link in every page's main navigation, after the theme's own (About, Donate)."""

    name: str
    url: str  # a path on this site ('/about/') or an http(s) or mailto URL

    @property
    def internal(self) -> bool:
        return self.url.startswith("/")


@dataclass(frozen=True)
class Config:
    """Everything sitegen.yaml can say, with its defaults."""

    site_dir: Path
    title: str = "News Archive"
    base_url: str = ""
    description: str = ""
    language: str = "en"
    per_page: int = 10
    permalink: str = "/{slug}/"
    default_byline: str = "Staff Writer"
    copyright: str = ""
    social: tuple[SocialLink, ...] = ()
    menu: tuple[MenuLink, ...] = ()
    menu_line: int | None = None  # where sitegen.yaml says `menu:`, for its warnings
    timezone: str = "UTC"
    related_count: int = 3
    feed_items: int = 20
    feed_content: str = "full"
    markdown_engine: str = "markdown"
    raw_html: str = "keep"  # or "sanitize": bodies keep only what Markdown makes (needs nh3)
    search: bool = False  # a Pagefind index and a /search/ page (needs sitegen[search])
    relative_urls: bool = False  # links relative to each page: the output works anywhere
    explicit_index: bool = False  # links to folders name index.html (file://; `bundle` only)
    redirects: tuple[Redirect, ...] = ()  # old addresses no article owns (config/redirects.py)
    images: ImageSettings = field(default_factory=ImageSettings)  # (config/images.py)
    slugs: str = "ascii"  # or "unicode": slugs keep their own script ('تجمع', percent-encoded)
    # tag -> settings; empty: a one-language site (config/languages.py)
    languages: Mapping[str, LanguageSettings] = field(default_factory=dict)

    @property
    def is_multilingual(self) -> bool:
        return bool(self.languages)

    @property
    def site_url(self) -> str:
        """base_url, or a local address so feeds and the sitemap still get absolute URLs."""
        return self.base_url or LOCAL_BASE_URL

    @functools.cached_property
    def hosts(self) -> dict[str, str]:
        """Language prefix ('/fa') -> base_url, for each language on its own domain."""
        return hosts(self.languages)

    def absolute(self, url: str) -> str:
        """A site URL as an absolute one, on the domain of its language (urls.py)."""
        return urls.hosted_permalink(self.site_url, self.hosts, url)

    @property
    def base_path(self) -> str:
        """The path part of base_url without its last '/' ('' at a domain's root)."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


KNOWN_KEYS = {
    "title", "base_url", "description", "language", "per_page", "permalink",
    "default_byline", "copyright", "social", "timezone", "related_count", "feed_items",
    "feed_content", "markdown_engine", "raw_html", "search", "relative_urls", "menu",
    "redirects", "slugs", "languages", *IMAGE_KEYS,
}  # fmt: skip


def load_config(site_dir: Path) -> Config:
    """Read `site_dir/sitegen.yaml` (optional) and return a checked Config."""
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        return Config(site_dir=site_dir)
    rel = PurePosixPath(CONFIG_NAME)
    try:
        data = path.read_bytes()
    except OSError as exc:  # permission denied, say
        raise ConfigError([error(Location(rel), f"cannot read: {exc.strerror or exc}")]) from None
    text, problems = decode_utf8(data, rel)
    if text is None:
        raise ConfigError(problems)
    entries, problems = load_mapping(text, rel)
    if problems:
        raise ConfigError(problems)
    reader = FieldReader(entries, rel)
    reader.unknown_keys(KNOWN_KEYS, as_error=True)
    config = Config(
        site_dir=site_dir,
        title=_title(reader),
        base_url=_base_url(reader),
        description=reader.string("description"),
        language=_language(reader),
        per_page=reader.integer("per_page", Config.per_page, minimum=1),
        permalink=_permalink(reader),
        default_byline=_default_byline(reader),
        copyright=reader.string("copyright"),
        social=_social(reader),
        menu=_menu(reader),
        menu_line=entry.line if (entry := reader.entries.get("menu")) else None,
        timezone=_timezone(reader),
        related_count=reader.integer("related_count", Config.related_count, minimum=0),
        feed_items=reader.integer("feed_items", Config.feed_items, minimum=1),
        feed_content=_choice(reader, "feed_content", FEED_CONTENT),
        markdown_engine=_markdown_engine(reader),
        raw_html=_raw_html(reader),
        relative_urls=reader.boolean("relative_urls", Config.relative_urls),
        search=_search(reader),
        redirects=read_redirects(reader, text),
        images=read_image_settings(reader),
        slugs=_choice(reader, "slugs", SLUGS),
    )
    defaults = {"title": config.title, "description": config.description}
    languages = read_languages(reader, text, defaults, _menu, base_url_problems, _default_byline)
    languages = settle_domains(languages, config.language, config.base_url, reader)
    config = dataclasses.replace(config, languages=languages)
    if reader.problems:
        raise ConfigError(reader.problems)
    return config


def config_warnings(config: Config, *, strict: bool = False) -> list[Problem]:
    """Settings that build, but not the site the editor wants to publish."""
    make = error if strict else warning
    if config.base_url:
        return []
    message = (
        f"base_url: not set, so feeds, the sitemap and canonical links point at "
        f"{LOCAL_BASE_URL!r}; set it to the address the site is published at"
    )
    return [make(Location(PurePosixPath(CONFIG_NAME), 1), message)]


def _base_url(reader: FieldReader) -> str:
    url = reader.string("base_url")
    if not url:
        return ""
    raw = reader.entries["base_url"].value
    # checked as written: reading it as text drops control characters, and urlsplit
    # drops tabs and line breaks
    problems = base_url_problems(raw if isinstance(raw, str) else url)
    for problem in problems:
        reader.fail("base_url", problem)
    if problems:
        return ""
    return url if url.endswith("/") else url + "/"


def base_url_problems(url: str) -> list[str]:
    """What is wrong with a base_url (without the key), every problem at once."""
    expected = "; expected e.g. 'https://example.org/'"
    problems = []
    if _NOT_IN_URL.search(url):
        problems.append(f"{shown(url)} contains whitespace or a control character{expected}")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 address
        return [*problems, f"{shown(url)} is not a valid URL{expected}"]
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [*problems, f"{shown(url)} is not an absolute URL{expected}"]
    if parts.query or parts.fragment:
        problems.append(f"{shown(url)} must not have a query or fragment")
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = 0
    if port == 0:
        problems.append(f"{shown(url)} has a port that is not a number from 1 to 65535{expected}")
    return problems


def _choice(reader: FieldReader, key: str, choices: tuple[str, ...]) -> str:
    value = reader.string(key, choices[0])
    if value not in choices:
        reader.fail(key, f"{shown(value)} is not one of {', '.join(map(repr, choices))}")
        return choices[0]
    return value


def _markdown_engine(reader: FieldReader) -> str:
    return _choice_needing(reader, "markdown_engine", MARKDOWN_ENGINES, {"cmark": "cmarkgfm fast"})


def _raw_html(reader: FieldReader) -> str:
    return _choice_needing(reader, "raw_html", RAW_HTML, {"sanitize": "nh3 sanitize"})


def _choice_needing(
    reader: FieldReader, key: str, choices: tuple[str, ...], needs: Mapping[str, str]
) -> str:
    """`_choice`, where some values need an optional library ({value: "module extra"}):
    one that is not installed is a problem at the setting's line, not a traceback later."""
    choice = _choice(reader, key, choices)
    if choice in needs:
        module, extra = needs[choice].split()
        if importlib.util.find_spec(module) is None:
            reader.fail(key, f"{choice!r} {not_installed(module, extra)}")
            return choices[0]
    return choice


PAGEFIND_MISSING = not_installed("Pagefind", "search")


def pagefind_installed() -> bool:
    """Whether the Pagefind package and its indexer binary (the `bin` extra) are there."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return False
    return get_executable() is not None


def enable_search(config: Config) -> Config:
    """Search on for one build (`sitegen build --search`), if Pagefind is installed."""
    if not config.search and not pagefind_installed():
        raise ConfigError([error(Location(PurePosixPath("--search")), PAGEFIND_MISSING)])
    return dataclasses.replace(config, search=True)


def _search(reader: FieldReader) -> bool:
    wanted = reader.boolean("search", Config.search)
    if wanted and not pagefind_installed():
        reader.fail("search", PAGEFIND_MISSING)  # here, so the problem has its line
        return False
    return wanted


def _title(reader: FieldReader) -> str:
    title = reader.string("title", Config.title)
    if not title.strip():  # feeds must have one
        reader.fail("title", "is empty; give the site's name, e.g. 'News Archive'")
        return Config.title
    return title


def _default_byline(reader: FieldReader) -> str:
    """Checked as articles' bylines are (content/article.py): a bad one is this file's
    error, not one for every article without a byline."""
    byline = reader.string("default_byline", Config.default_byline)
    slug, shown_byline = urls.slugify(byline), shown(byline)
    if not slug:
        why = "has no letters or digits to make a URL from"
    elif urls.is_reserved(slug):
        why = f"gives the URL name {slug!r}, which Windows reserves (CON, NUL...); change it"
    elif len(slug) > urls.NAME_BYTES:
        why = f"gives a URL name longer than {urls.NAME_BYTES} bytes (a folder name's most)"
    else:
        return byline
    reader.fail("default_byline", f"{shown_byline} {why}")
    return Config.default_byline


def _language(reader: FieldReader) -> str:
    language = reader.string("language", Config.language)
    if not LANGUAGE_TAG.match(language):
        expected = "expected e.g. 'en' or 'fr-CA'"
        reader.fail("language", f"{shown(language)} is not a language tag; {expected}")
        return Config.language
    return language


def _permalink(reader: FieldReader) -> str:
    pattern = reader.string("permalink", Config.permalink)
    if problem := permalink_problem(pattern):
        reader.fail("permalink", problem)
        return Config.permalink
    return pattern


def _social(reader: FieldReader) -> tuple[SocialLink, ...]:
    links = []
    for name, url in _named_links(reader, "social"):
        if urlsplit(url).scheme not in ("http", "https", "mailto"):
            reader.fail("social", f"{shown(url)} is not an http(s) or mailto URL")
        else:
            links.append(SocialLink(name=name, url=url))
    return tuple(links)


def _menu(reader: FieldReader) -> tuple[MenuLink, ...]:
    links = []
    for name, url in _named_links(reader, "menu", ", e.g. {name: About, url: /about/}"):
        site_path = url.startswith("/") and not urls.leaves_site(url)
        if not name:
            reader.fail("menu", f"the link to {shown(url)} has an empty name")
        elif not site_path and urlsplit(url).scheme not in ("http", "https", "mailto"):
            reader.fail(
                "menu",
                f"{shown(url)} is neither a path on this site ('/about/') "
                "nor an http(s) or mailto URL",
            )
        elif site_path and any(c in url for c in ' \\"<>'):
            reader.fail(
                "menu", f"{shown(url)} is not a usable path (spaces, quotes or backslashes)"
            )
        else:
            links.append(MenuLink(name=name, url=url))
    return tuple(links)


def _named_links(reader: FieldReader, key: str, example: str = "") -> list[tuple[str, str]]:
    """(name, url) of each `{name: ..., url: ...}` item of a list; other shapes are problems."""
    entry: Entry | None = reader.entries.get(key)
    if entry is None or entry.value is None:
        return []
    expected = f"a list of {{name: ..., url: ...}} items{example}"
    if not isinstance(entry.value, list):
        reader.fail(key, f"expected {expected}")
        return []
    links = []
    for item in entry.value:
        if not isinstance(item, dict) or set(item) != {"name", "url"}:
            reader.fail(key, f"expected {expected}, got {shown(item)}")
        else:
            links.append((clean_text(str(item["name"])), clean_text(str(item["url"]))))
    return links


def menu_problems(
    config: Config, outputs: Collection[str], *, strict: bool = False
) -> list[Problem]:
    """A menu link to a path this build makes no file for (a typo, a page not written yet)."""
    make = error if strict else warning
    menus = [(config.menu, config.menu_line, "")]  # and each language's own, at its line
    menus += [(s.menu, s.menu_line, f"languages: {s.tag}: ") for s in config.languages.values()]
    problems = []
    for menu, line, key in menus:
        for link in menu:
            path = urlsplit(link.url).path.lstrip("/")
            if not link.internal or not path or path in outputs:
                continue
            if f"{path.rstrip('/')}/index.html" not in outputs:
                message = f"{key}menu: {shown(link.url)} is not a page of this site"
                problems.append(make(Location(PurePosixPath(CONFIG_NAME), line), message))
    return problems


def _timezone(reader: FieldReader) -> str:
    name = reader.string("timezone", Config.timezone)
    try:
        zoneinfo.ZoneInfo(name)
    # OSError: with the tzdata package (no system zone files), a 5,000-character name is
    # opened as a file ("File name too long"), and a folder's name ('Europe') can be too
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        reader.fail(
            "timezone", f"unknown time zone {shown(name)}; expected e.g. 'UTC' or 'Europe/Paris'"
        )
        return Config.timezone
    return name
