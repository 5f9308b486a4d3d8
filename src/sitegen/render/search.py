"""Articles -> the Pagefind search index (`pagefind/...`), as ordinary output files.

Each article becomes a small HTML document made from the model (title, date, byline, tags,
lead image, text), never from the rendered page, so the index is known at plan time like
the sitemap and is written with every other output: staged and swapped in, or replaced
file by file, stale files removed last. Pagefind's indexer runs on those documents in a
temporary folder only when one of them, or Pagefind itself, changed since the last build.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from sitegen import urls
from sitegen.cache.store import digest
from sitegen.cache.version import code_version
from sitegen.config.settings import CONFIG_NAME, PAGEFIND_MISSING, Config
from sitegen.errors import ConfigError, ContentError, Location, error
from sitegen.model import Article, Site
from sitegen.render.l10n import Localization
from sitegen.render.outputs import Output, constant
from sitegen.render.templates import display_date

log = logging.getLogger(__name__)

DOCUMENT_FORMAT = "3"  # change when document() changes, so every index is made again
ENTRY = f"{urls.SEARCH_BUNDLE_DIR}/pagefind-entry.json"  # read first by the search page


def search_outputs(
    site: Site,
    previous: Mapping[str, str],
    output_dir: Path,
    localization: Localization | None = None,
) -> list[Output]:
    """The index files, or nothing when search is off. One fingerprint covers them all: a
    digest of every article's document, the site's language and Pagefind's version. With
    the renderer's `localization`, a result's date is written as the article's pages
    write it (its language's words, digits and calendar)."""
    if not site.config.search:
        return []
    executable = pagefind_executable()
    # a multilingual site: one index per language, which Pagefind makes from each
    # document's <html lang>; each language's search page reads its own
    language = "" if site.editions else site.config.language.lower()
    documents = {
        a.output_path: document(a, edition.config, _dates(localization, a, edition.config))
        for edition in site.all_editions
        for a in edition.articles
    }
    key = digest(
        code_version(), DOCUMENT_FORMAT, _version(executable), language,
        *(part for item in documents.items() for part in item),
    )  # fmt: skip
    hosts = site.config.hosts
    kept = [
        path
        for path, fingerprint in previous.items()
        if fingerprint == key and not urls.host_of("/" + path, hosts)[0]
    ]
    if kept and all(os.path.isfile(os.path.join(output_dir, path)) for path in kept):
        found = [
            Output(path, constant(key), _reader(output_dir / path), "search")
            for path in _order(kept)
        ]
        return _with_copies(found, hosts)
    log.info("search index…")
    files = index_documents(executable, documents, language)
    made = [Output(path, constant(key), constant(files[path]), "search") for path in _order(files)]
    return _with_copies(made, hosts)


def _with_copies(outputs: list[Output], hosts: Mapping[str, str]) -> list[Output]:
    """The index, and a copy in the folder of each language on its own domain (the root
    of that domain: render/hosts.py), each copy's entry file last as well."""
    copies = [
        Output(f"{prefix[1:]}/{o.path}", o.key, o.make, o.kind) for prefix in hosts for o in outputs
    ]
    return outputs + copies


def pagefind_executable() -> Path:
    """The Pagefind indexer binary (from the `pagefind[bin]` extra, or PAGEFIND_BINARY_PATH)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        executable = None
    else:
        executable = get_executable()
    if executable is None:
        where = Location(PurePosixPath(CONFIG_NAME))
        raise ConfigError([error(where, f"search: {PAGEFIND_MISSING}")])
    return executable


def _dates(
    localization: Localization | None, article: Article, config: Config
) -> Callable[[dt.date], str]:
    """How the article's pages write a date (l10n: its language, else its edition's)."""
    if localization is None:
        return display_date
    return localization.language(article.lang or config.language).date


def document(
    article: Article, config: Config, date_text: Callable[[dt.date], str] = display_date
) -> str:
    """What the index holds of one article: its title, date (shown in results), lead image,
    caption, text, byline and tags; the excerpt comes from the text, byline and tags only.
    Pagefind derives the result's URL from its path."""
    base_path = urlsplit(config.base_url).path.rstrip("/")
    escape = html.escape
    parts = [
        f'<!doctype html><html lang="{escape(config.language)}"><head><meta charset="utf-8">',
        f"<title>{escape(article.title)}</title></head><body>",
        # title and caption are metadata: searched, but kept out of the excerpt, which
        # would otherwise open with them (the result shows the title above it already)
        f'<h1 data-pagefind-ignore data-pagefind-meta="title">{escape(article.title)}</h1>',
        f'<p data-pagefind-ignore><span data-pagefind-meta="date">'
        f"{html.escape(date_text(article.date))}</span></p>",
    ]
    if article.image:
        src, alt = escape(urls.under_base(article.image.src, base_path)), escape(article.image.alt)
        parts.append(
            f'<img src="{src}" alt="{alt}" data-pagefind-meta="image[src], image_alt[alt]">'
        )
        if article.image.caption:
            caption = escape(article.image.caption)
            parts.append(f'<p data-pagefind-ignore data-pagefind-meta="caption">{caption}</p>')
    parts.append(article.body_html)
    tags = ", ".join(tag.name for tag in article.tags)
    parts.append(f"<p>{escape(article.author.name)}. {escape(tags)}</p></body></html>\n")
    return "\n".join(parts)


def index_documents(
    executable: Path, documents: Mapping[str, str], language: str
) -> dict[str, bytes]:
    """Run Pagefind on the documents; its files by output path. One index for the whole
    site in its language, so articles in other languages are found from the same page."""
    with tempfile.TemporaryDirectory(prefix="sitegen-search-") as folder:
        site_dir, bundle_dir = Path(folder, "site"), Path(folder, "bundle")
        for path, text in documents.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        site_dir.mkdir(exist_ok=True)  # a site without articles still gets its (empty) index
        command = [
            str(executable), "--site", str(site_dir), "--output-path", str(bundle_dir),
            *(("--force-language", language) if language else ()), "--silent",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip().splitlines() or ["no message"]
            where = Location(PurePosixPath(CONFIG_NAME))
            raise ContentError([error(where, f"search: Pagefind failed: {said[-1]}")])
        return {
            f"{urls.SEARCH_BUNDLE_DIR}/{path.relative_to(bundle_dir).as_posix()}": path.read_bytes()
            for path in sorted(bundle_dir.rglob("*"))
            if path.is_file()
        }


def _version(executable: Path) -> str:
    result = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def _order(paths: Iterable[str]) -> list[str]:
    """The entry file last: a reader who loads it during an in-place update finds every
    file it names (new files have new names; stale ones are removed after it)."""
    return sorted(paths, key=lambda path: (path == ENTRY, path))


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes
