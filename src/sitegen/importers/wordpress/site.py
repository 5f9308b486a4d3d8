"""The old site's address and language -> which URLs are its own, and each post's `lang`.

One site has many spellings: `www.` or bare, `http` or `https`, and on WordPress.com the
blog's uploads live on a host of their own (`myblog.files.wordpress.com`). All of them are
the same site: its links become site paths, its uploads paths under /wp-content/uploads/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from sitegen.config.settings import CONFIG_NAME, LANGUAGE_TAG
from sitegen.errors import shown
from sitegen.importers.wordpress.wxr import Export, Item

UPLOADS = "/wp-content/uploads/"
# The site's uploads in a body: /wp-content/uploads/... and a multisite's /files/2012/05/...
UPLOAD_PATH = re.compile(
    r"(?<![\w/])(?:/[\w.-]+)*"  # WordPress may live in a folder: /blog/wp-content/uploads/
    r"(?:/wp-content/uploads/|/files/(?=\d{4}/\d{2}/))[^\s()\[\]<>\"'?#]+"
)
_MULTISITE_FILES = re.compile(r"/files/(?=\d{4}/\d{2}/[^/])")
# An absolute or protocol-relative URL, not one inside another (web.archive.org/web/…/http://…)
_ABSOLUTE = re.compile(r"(?<![\w/:.])(?:https?:)?//([A-Za-z0-9.-]+(?::\d+)?)([^\s()\[\]<>\"']*)")
_PHOTON = re.compile(r"i\d\.wp\.com")  # Jetpack's image CDN: i0.wp.com/<host>/<path>
_SLASHES = re.compile(r"//+")
_WORDPRESS_COM = ".wordpress.com"
_FILES_HOST = ".files.wordpress.com"


class SiteAddress:
    """The old site's addresses: its own URLs become paths on the new site."""

    def __init__(self, urls: Iterable[str], upload_hosts: Iterable[str] = ()) -> None:
        urls = list(urls)
        self.origin = urls[0].rstrip("/") if urls else ""  # where relative paths are fetched
        hosts = [urlsplit(url).netloc.lower() for url in urls]
        self.hosts = {_bare(host) for host in hosts if host}
        self.upload_hosts = {host.lower() for host in upload_hosts if host.endswith(_FILES_HOST)}
        self.upload_hosts |= {
            host.removesuffix(_WORDPRESS_COM) + _FILES_HOST
            for host in self.hosts
            if host.endswith(_WORDPRESS_COM) and host != _WORDPRESS_COM.lstrip(".")
        }

    def path(self, url: str) -> str | None:
        """The path of one of the old site's URLs (with its query), else None."""
        parts = urlsplit(url.strip())
        host = parts.netloc.lower()
        if _PHOTON.fullmatch(host) and "/" in parts.path[1:]:
            inner_host, inner_path = parts.path[1:].split("/", 1)
            return self.path(f"//{inner_host}/{inner_path}")
        if host in self.upload_hosts:  # its query asks WordPress.com for a size: not a file's
            return UPLOADS + parts.path.lstrip("/")
        if host and _bare(host) not in self.hosts:
            return None
        if not host and not url.startswith("/"):
            return None
        path = _SLASHES.sub("/", parts.path or "/")  # WordPress reads //greek/x/ as /greek/x/
        return path + (f"?{parts.query}" if parts.query else "")

    def localize(self, markdown: str) -> str:
        """Links and images on the old site's addresses -> site-relative paths."""

        def local(match: re.Match[str]) -> str:
            path = self.path(match.group())
            return match.group() if path is None else path

        return _ABSOLUTE.sub(local, markdown)

    def upload(self, url: str) -> str | None:
        """The site path of one of the site's uploads (no query), else None."""
        path = self.path(url)
        if path is None:
            return None
        path = path.split("?")[0].split("#")[0]
        if UPLOADS in path or _MULTISITE_FILES.search(path):
            return path
        return None


def site_address(export: Export) -> SiteAddress:
    """The export's site, with the hosts its media library is on (a WordPress.com blog on
    its own domain keeps its uploads on `<name>.files.wordpress.com`)."""
    media_hosts = (urlsplit(item.attachment_url).netloc for item in export.attachments.values())
    return SiteAddress((export.site_url, *export.also_at), media_hosts)


def upload_file(site_path: str) -> str:
    """Where an upload is in a copy of the uploads folder: `2012/05/x.jpg` for
    /wp-content/uploads/2012/05/x.jpg, /blog/wp-content/uploads/2012/05/x.jpg (WordPress in a
    folder of its own) and a multisite's /files/2012/05/x.jpg alike."""
    return site_path[len(upload_folder(site_path)) :]


def upload_folder(site_path: str) -> str:
    """The folder of the site's uploads an upload's path is in (`/wp-content/uploads/`)."""
    if UPLOADS in site_path:
        return site_path.split(UPLOADS, 1)[0] + UPLOADS
    files = _MULTISITE_FILES.search(site_path)
    return site_path[: files.end()] if files else "/"


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def is_same_language(one: str, other: str) -> bool:
    """`fa` and `fa-IR` are one language (for `lang:`, the primary tag is what matters)."""
    return one.split("-")[0].split("_")[0].lower() == other.split("-")[0].split("_")[0].lower()


def configured_language(site_dir: Path) -> str | None:
    """The `language` sitegen.yaml sets, or None when it sets none (sitegen's default)."""
    path = site_dir / CONFIG_NAME
    settings = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    language = settings.get("language") if isinstance(settings, dict) else None
    return language if isinstance(language, str) else None


def language_fields(item: Item, site_language: str) -> tuple[dict[str, object], str]:
    """`lang` when a post's language (Polylang's `language` term, WPML's import meta) is not
    the site's, and its translation group as `translation_key`; and what to warn about."""
    terms = {term.domain: term.nicename for term in reversed(item.terms)}
    lang = terms.get("language") or item.meta.get("_wpml_import_language_code", "")
    group = terms.get("post_translations") or item.meta.get("_wpml_import_translation_group", "")
    fields: dict[str, object] = {}
    warning = ""
    if lang and not LANGUAGE_TAG.match(lang):
        warning = f"language {shown(lang)} is not a language tag; no lang: written"
    elif lang and not is_same_language(lang, site_language):
        fields["lang"] = lang
    if group:
        fields["translation_key"] = group
    return fields, warning
