"""A WordPress export -> sitegen articles and pages in content/, with a report.

Three steps: `plan_import` decides every file from the export (pure: nothing is written),
`copy_media` and `write_files` carry it out unless it is a dry run. Every old address of
a post (its permalink and `/?p=ID`) becomes an alias, so links keep working after the move.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

from sitegen.config.settings import CONFIG_NAME, Config, load_config
from sitegen.errors import cut, shown
from sitegen.importers.wordpress.addresses import (
    add_redirects,
    archive_redirects,
    item_slug,
    keep_aliases,
    renamed,
    unique_slug,
    url_maker,
)
from sitegen.importers.wordpress.content import to_markdown
from sitegen.importers.wordpress.menus import Menus, read_menus
from sitegen.importers.wordpress.wxr import Export, Item, Term, read_export

UPLOADS = "/wp-content/uploads/"
_UPLOAD_PATH = re.compile(r"(?<![\w/])/wp-content/uploads/[^\s()\[\]<>\"']+")
SKIPPED_STATUSES = {
    "private": "private (readers of the old site could not see it)",
    "trash": "in the trash",
    "auto-draft": "an automatic draft WordPress made",
}


@dataclass(frozen=True)
class ImportOptions:
    uploads: Path | None = None  # a copy of wp-content/uploads
    categories_as_tags: bool = False


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the site folder: content/<slug>.md, content/pages/<slug>.md
    text: str
    kind: str  # "article" or "page"


@dataclass
class ImportReport:
    """What an import did or would do; printed at the end, and all of it tested."""

    counts: Counter[str] = field(default_factory=Counter)  # "post: publish" -> 12
    skipped: list[str] = field(default_factory=list)  # "post 45 'Title': private ..."
    warnings: list[str] = field(default_factory=list)
    shortcodes: dict[str, list[str]] = field(default_factory=dict)  # name -> files
    media: dict[str, Path | None] = field(default_factory=dict)  # site path -> source
    external_media: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed, not overwritten
    copied: int = 0
    pages: list[tuple[str, str]] = field(default_factory=list)  # (title, URL) to put in menu:
    menus: Menus = field(default_factory=lambda: Menus({}, []))  # the site's WordPress menus
    redirects: dict[str, str] = field(default_factory=dict)  # old tag/category archive -> tag
    unanswered: list[str] = field(default_factory=list)  # old category archives: no page
    config_notes: list[str] = field(default_factory=list)  # what became of sitegen.yaml


def plan_import(
    export: Export, config: Config, options: ImportOptions, report: ImportReport
) -> Iterator[PlannedFile]:
    """Every file the import would write, one by one; what to report goes to `report`."""
    zone = zoneinfo.ZoneInfo(config.timezone)
    attachments = export.attachments
    urls = {post_id: item.attachment_url for post_id, item in attachments.items()}
    site = _SiteAddress(export.site_url)
    taken: set[str] = set()
    menu_items: list[Item] = []
    imported: dict[int, tuple[str, str]] = {}  # post id -> (title, URL), for the menus
    terms: set[Term] = set()  # of what is published: their archives get redirects
    for item in export.items():
        if item.post_type == "nav_menu_item":
            menu_items.append(item)
            continue
        if item.post_type not in ("post", "page"):
            report.counts[f"{cut(item.post_type)}: not imported"] += 1
            continue
        described = f"{item.post_type} {item.post_id} {shown(item.title or '(no title)')}"
        reason = _skip_reason(item)
        if reason:
            report.skipped.append(f"{described}: {reason}")
            continue
        report.counts[f"{item.post_type}: {cut(item.status)}"] += 1
        date = _date(item, zone)
        title = item.title.strip()
        if not title:
            title = f"Untitled, {date.day} {date:%B %Y}"
            report.warnings.append(f"{described}: no title; called it {title!r}")
        url_of = url_maker(item.post_type, config.permalink, date)
        wanted = item_slug(item, title)
        slug = unique_slug(wanted, taken, url_of)  # pages and posts share one URL space
        if slug != wanted:
            report.warnings.append(renamed(described, wanted, slug, url_of))
        folder = "content/pages" if item.post_type == "page" else "content"
        path = f"{folder}/{slug}.md"
        fields: dict[str, object] = {"title": title}
        if item.post_type == "post":
            fields["date"] = date.isoformat()
        fields.update(_byline(item, export.authors))
        fields.update(_terms(item, options.categories_as_tags))
        if summary := _text_of(item.excerpt):
            fields["summary"] = summary
        fields.update(_lead_image(item, attachments, site, report))
        if item.status in ("draft", "pending"):
            fields["draft"] = True
        new_url = url_of(slug)
        if aliases := _aliases(item, site, new_url, taken, (described, report)):
            fields["aliases"] = aliases
        if "draft" not in fields:
            terms.update(t for t in item.terms if t.name != "Uncategorized")
            imported[item.post_id] = (title, new_url)
            if item.post_type == "page":
                report.pages.append((title, new_url))
        converted = to_markdown(item.content, attachments=urls)
        for name in converted.unknown_shortcodes:
            report.shortcodes.setdefault(name, []).append(path)
        body = site.localize(converted.markdown)
        for url in converted.images:
            site.media(url, report)
        for upload in _UPLOAD_PATH.findall(body):  # also files only linked (full-size images)
            report.media.setdefault(upload, None)
        yield PlannedFile(path, _document(fields, body), item.post_type)
    report.menus = read_menus(
        menu_items, imported, export.terms, site.path, options.categories_as_tags
    )
    found = archive_redirects(terms, site.path, export.site_url, options.categories_as_tags)
    report.redirects, report.unanswered = found


def copy_media(site_dir: Path, uploads: Path, report: ImportReport, dry_run: bool) -> None:
    """Copy each referenced upload into static/ at the same path (so old image URLs work)."""
    for site_path in sorted(report.media):
        source = uploads / site_path.removeprefix(UPLOADS)
        target = site_dir / "static" / site_path.lstrip("/")
        if not source.is_file():
            report.media[site_path] = None
            continue
        report.media[site_path] = source
        if target.exists():
            continue
        report.copied += 1
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def write_files(site_dir: Path, planned: Iterable[PlannedFile], report: ImportReport, *,
                force: bool, dry_run: bool) -> None:  # fmt: skip
    """Write the planned files; an existing one is kept unless `force`."""
    for item in planned:
        target = site_dir / item.path
        if target.exists() and not force:
            report.kept.append(item.path)
            continue
        report.written.append(item.path)
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.text, encoding="utf-8")


class _SiteAddress:
    """The old site's address: its own URLs become paths on the new site."""

    def __init__(self, site_url: str) -> None:
        parts = urlsplit(site_url)
        self.host = parts.netloc.lower()
        self.prefixes = sorted(
            {f"{scheme}://{parts.netloc}" for scheme in ("http", "https")} if self.host else set()
        )

    def path(self, url: str) -> str | None:
        """The path of one of the old site's URLs (with its query), else None."""
        parts = urlsplit(url)
        if parts.netloc and parts.netloc.lower() != self.host:
            return None
        if not parts.netloc and not url.startswith("/"):
            return None
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def localize(self, markdown: str) -> str:
        """Links and images on the old site's address -> site-relative paths."""
        for prefix in self.prefixes:
            markdown = re.sub(re.escape(prefix) + r"(?=[/)\s\"'>]|$)", "", markdown)
        return markdown

    def media(self, url: str, report: ImportReport) -> str:
        """Where an image will be on the new site; notes what must be copied or fetched."""
        path = self.path(url)
        if path is None or UPLOADS not in path:
            if path is None:
                report.external_media.append(url)
            return url
        path = path.split("?")[0]
        report.media.setdefault(path, None)
        return path


def _skip_reason(item: Item) -> str:
    if item.status in SKIPPED_STATUSES:
        return SKIPPED_STATUSES[item.status]
    if item.password:
        return "password-protected (only some readers could see it)"
    return ""


def _date(item: Item, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The publication time in the site's time zone, from WordPress's UTC time when set."""
    for text, given in ((item.date_gmt, dt.UTC), (item.date, zone)):
        try:
            value = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        if value.year > 1:
            return value.replace(tzinfo=given).astimezone(zone)
    return dt.datetime(1970, 1, 1, tzinfo=zone)


def _byline(item: Item, authors: Mapping[str, str]) -> dict[str, object]:
    name = authors.get(item.creator, item.creator)
    return {"byline": name} if name else {}


def _terms(item: Item, categories_as_tags: bool) -> dict[str, object]:
    tags = [t.name for t in item.terms if t.domain == "post_tag"]
    categories = [t.name for t in item.terms if t.domain == "category"]
    categories = [c for c in categories if c != "Uncategorized"]  # WordPress's default
    if categories_as_tags:
        tags += [c for c in categories if c not in tags]
        categories = []
    fields: dict[str, object] = {}
    if tags:
        fields["tags"] = tags
    if categories:
        fields["categories"] = categories
    return fields


def _lead_image(
    item: Item, attachments: Mapping[int, Item], site: _SiteAddress, report: ImportReport
) -> dict[str, object]:
    """The featured image (`_thumbnail_id` -> its attachment), with alt text and caption."""
    thumbnail = item.meta.get("_thumbnail_id", "")
    attachment = attachments.get(int(thumbnail)) if thumbnail.isdigit() else None
    if attachment is None or not attachment.attachment_url:
        return {}
    fields: dict[str, object] = {"image": site.media(attachment.attachment_url, report)}
    if alt := attachment.meta.get("_wp_attachment_image_alt", "").strip():
        fields["image_alt"] = alt
    if caption := _text_of(attachment.excerpt):
        fields["image_caption"] = caption
    return fields


def _aliases(
    item: Item, site: _SiteAddress, new_url: str, taken: set[str],
    noted: tuple[str, ImportReport],
) -> list[str]:  # fmt: skip
    """The old addresses of the item that the new site must answer (`taken`: the slugs,
    URLs and old addresses of earlier items)."""
    query = "page_id" if item.post_type == "page" else "p"
    by_id = f"/?{query}={item.post_id}" if item.post_id > 0 else None  # 0: none given
    old = [site.path(item.link) if item.link else None, by_id]
    kept, notes = keep_aliases(old, new_url, taken)
    described, report = noted
    report.warnings += [f"{described}: {note}" for note in notes]
    return kept


def _text_of(fragment: str) -> str:
    """Plain text of a bit of HTML (excerpts, captions)."""
    spaced = re.sub(r"<(?:br|/?p|/?div|/?li|/?h\d)\b[^>]*>", " ", fragment, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]*>", "", spaced))  # inline tags: no space added
    return " ".join(text.split())


def _document(fields: Mapping[str, object], body: str) -> str:
    front = yaml.safe_dump(
        dict(fields), sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=None
    )
    return f"---\n{front}---\n{body}"


def run_import(
    export_path: Path,
    site_dir: Path,
    options: ImportOptions,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """The whole `sitegen import wordpress` command, less its printing."""
    export = read_export(export_path, PurePosixPath(export_path.name))
    config = load_config(site_dir) if (site_dir / CONFIG_NAME).is_file() else Config(site_dir)
    report = ImportReport()
    planned = plan_import(export, config, options, report)
    write_files(site_dir, planned, report, force=force, dry_run=dry_run)
    if options.uploads is not None:  # after the files: they say which media are used
        copy_media(site_dir, options.uploads, report, dry_run)
    report.config_notes = add_redirects(site_dir, report.redirects, dry_run=dry_run)
    return report


def report_lines(report: ImportReport, *, dry_run: bool, uploads: bool) -> list[str]:
    """What the editor reads at the end: counts, then everything that needs a look."""
    would = "would write" if dry_run else "wrote"
    lines = [f"{would} {len(report.written)} files in content/"]
    if report.kept:
        lines.append(f"kept {len(report.kept)} existing files (--force replaces them):")
        lines += [f"  {path}" for path in report.kept]
    lines.append("items: " + ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items())))
    if report.skipped:
        lines.append(f"skipped {len(report.skipped)}:")
        lines += [f"  {line}" for line in report.skipped]
    lines += [f"warning: {line}" for line in report.warnings]
    for name, paths in sorted(report.shortcodes.items()):
        files = ", ".join(sorted(set(paths)))
        lines.append(f"shortcode [{cut(name)}] left as text (not converted) in {files}")
    missing = sorted(path for path, source in report.media.items() if source is None)
    if uploads:
        copied = "would copy" if dry_run else "copied"
        lines.append(f"media: {copied} {report.copied} files into static/")
        lines += [f"  missing from --uploads: {path}" for path in missing]
    elif report.media:
        lines.append(
            f"media: {len(report.media)} files under /wp-content/uploads/ are referenced; copy "
            "that folder to static/wp-content/uploads/ or import again with --uploads PATH"
        )
    for url in sorted(set(report.external_media)):
        lines.append(f"media on another host (readers' browsers would fetch it): {cut(url, 200)}")
    lines += report.config_notes
    for path in report.unanswered:
        lines.append(
            f"old category archive {shown(path)} leads to no page (categories are kept as "
            "'categories:'; --categories-as-tags makes them tags)"
        )
    lines += report.menus.notes
    biggest_first = sorted(report.menus.by_name.items(), key=lambda m: (-len(m[1]), m[0]))
    for name, links in biggest_first:
        lines.append(f"WordPress menu {shown(name)}: to put it in the header, add to sitegen.yaml:")
        lines += _menu_snippet((link.name, link.url) for link in links)
    if report.pages and not report.menus.by_name:
        lines.append("pages are linked from no other page; to put them in the header, add to")
        lines.append("sitegen.yaml (and keep the ones readers look for):")
        lines += _menu_snippet(report.pages)
    return lines


def _menu_snippet(links: Iterable[tuple[str, str]]) -> list[str]:
    """`menu:` lines for sitegen.yaml; a JSON string is a YAML string, quotes escaped."""
    lines = ["  menu:"]
    for name, url in links:
        lines.append(
            f"    - {{name: {json.dumps(name, ensure_ascii=False)}, url: {json.dumps(url)}}}"
        )
    return lines
