"""A WordPress export -> sitegen articles and pages in content/, with a report.

Three steps: `plan_import` decides every file from the export (pure: nothing is written),
`copy_media` and `write_files` carry it out unless it is a dry run. Every old address of
a post (its permalink and `/?p=ID`) becomes an alias, so links keep working after the move.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

from sitegen.config.settings import CONFIG_NAME, LANGUAGE_TAG, Config, load_config
from sitegen.errors import cut, shown
from sitegen.importers.wordpress.addresses import (
    add_language,
    add_redirects,
    archive_redirects,
    item_slug,
    keep_aliases,
    renamed,
    unique_slug,
    url_maker,
)
from sitegen.importers.wordpress.content import to_markdown
from sitegen.importers.wordpress.download import Download, DownloadReport, download_all
from sitegen.importers.wordpress.media import copy_media, media_downloads, remote_media_path
from sitegen.importers.wordpress.menus import read_menus
from sitegen.importers.wordpress.report import ImportReport
from sitegen.importers.wordpress.shortcodes import (
    attached_by_post,
    strip_shortcodes,
    summary_without_shortcodes,
)
from sitegen.importers.wordpress.site import (
    UPLOAD_PATH,
    SiteAddress,
    configured_language,
    language_fields,
    site_address,
)
from sitegen.importers.wordpress.trial import trial_build
from sitegen.importers.wordpress.wxr import Export, Item, Term, read_export

SKIPPED_STATUSES = {
    "private": "private (readers of the old site could not see it)",
    "trash": "in the trash",
    "auto-draft": "an automatic draft WordPress made",
}


@dataclass(frozen=True)
class ImportOptions:
    uploads: Path | None = None  # a copy of wp-content/uploads
    categories_as_tags: bool = False
    download_media: bool = False  # fetch the site's uploads that --uploads did not provide
    remote_media: bool = False  # also fetch images on other hosts, into static/media/<host>/


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the site folder: content/<slug>.md, content/pages/<slug>.md
    text: str
    kind: str  # "article" or "page"


def plan_import(
    export: Export,
    config: Config,
    options: ImportOptions,
    report: ImportReport,
    language: str | None = None,  # the site's, when sitegen.yaml sets one
) -> Iterator[PlannedFile]:
    """Every file the import would write, one by one; what to report goes to `report`."""
    zone = zoneinfo.ZoneInfo(config.timezone)
    attachments = export.attachments
    urls = {post_id: item.attachment_url for post_id, item in attachments.items()}
    attached = attached_by_post(attachments.values())
    site = site_address(export)
    report.notes += _reading_notes(export)
    language = language or export.language or config.language
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
        summary = _text_of(strip_shortcodes(item.excerpt))
        if summary := summary or summary_without_shortcodes(item.content, title):
            fields["summary"] = summary
        fields.update(_lead_image(item, attachments, site, report))
        if item.status in ("draft", "pending"):
            fields["draft"] = True
        languages, warning = language_fields(item, language)
        fields.update(languages)
        if warning:
            report.warnings.append(f"{described}: {warning}")
        new_url = url_of(slug)
        if aliases := _aliases(item, site, new_url, taken, (described, report)):
            fields["aliases"] = aliases
        if "draft" not in fields:
            terms.update(t for t in item.terms if t.name != "Uncategorized")
            imported[item.post_id] = (title, new_url)
            if item.post_type == "page":
                report.pages.append((title, new_url))
        converted = to_markdown(
            item.content, attachments=urls, attached=attached.get(item.post_id, ())
        )
        for name in converted.unknown_shortcodes:
            report.shortcodes.setdefault(name, []).append(path)
        body = site.localize(converted.markdown)
        for url in converted.images:
            if (local := _media(url, site, report, options.remote_media)) != url and not (
                site.path(url)
            ):
                body = body.replace(url, local)  # on another host, fetched with the site's
        for upload in UPLOAD_PATH.findall(body):  # also files only linked (full-size images)
            _media(upload, site, report)
        yield PlannedFile(path, _document(fields, body), item.post_type)
    report.menus = read_menus(
        menu_items, imported, export.terms, site.path, options.categories_as_tags
    )
    found = archive_redirects(terms, site.path, export.site_url, options.categories_as_tags)
    report.redirects, report.unanswered = found


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


def _reading_notes(export: Export) -> list[str]:
    """How the export was read, where it is not as WordPress writes exports today."""
    notes = [
        f"the export uses the prefix {shown(prefix + ':')} without declaring it (older "
        f"WordPress.com exports do); read it as {cut(uri)}"
        for prefix, uri in export.declared.items()
    ]
    if export.repaired:
        notes.append(
            f"the export has ']]>' inside texts {export.repaired} times, which older WordPress "
            "wrote unescaped (ending its own CDATA sections); read them as text"
        )
    return notes


def _media(url: str, site: SiteAddress, report: ImportReport, remote: bool = False) -> str:
    """Where an image will be on the new site; notes what must be copied or fetched (and,
    with `remote`, fetches images on other hosts too)."""
    path = site.upload(url)
    if path is None:
        if site.path(url) is None:
            if remote and (local := remote_media_path(url)):
                report.media.setdefault(local, None)
                report.media_urls.setdefault(local, url)
                return local
            report.external_media.append(url)
        return url
    report.media.setdefault(path, None)
    absolute = "https:" + url if url.startswith("//") else url
    where = absolute.split("?")[0].split("#")[0] if urlsplit(url).netloc else site.origin + path
    report.media_urls.setdefault(path, where)  # its full size: no ?w=600 of WordPress.com
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
    item: Item, attachments: Mapping[int, Item], site: SiteAddress, report: ImportReport
) -> dict[str, object]:
    """The featured image (`_thumbnail_id` -> its attachment), with alt text and caption."""
    thumbnail = item.meta.get("_thumbnail_id", "")
    attachment = attachments.get(int(thumbnail)) if thumbnail.isdigit() else None
    if attachment is None or not attachment.attachment_url:
        return {}
    fields: dict[str, object] = {"image": _media(attachment.attachment_url, site, report)}
    if alt := attachment.meta.get("_wp_attachment_image_alt", "").strip():
        fields["image_alt"] = alt
    if caption := _text_of(attachment.excerpt):
        fields["image_caption"] = caption
    return fields


def _aliases(
    item: Item, site: SiteAddress, new_url: str, taken: set[str],
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
    progress: Callable[[int], Callable[[Download], None]] = lambda _: lambda _: None,
) -> ImportReport:
    """The whole `sitegen import wordpress` command, less its printing; `progress` is
    given the number of files to download and returns what to tell of each one done."""
    export = read_export(export_path, PurePosixPath(export_path.name))
    config = load_config(site_dir) if (site_dir / CONFIG_NAME).is_file() else Config(site_dir)
    report = ImportReport()
    planned = list(plan_import(export, config, options, report, configured_language(site_dir)))
    write_files(site_dir, planned, report, force=force, dry_run=dry_run)
    report.config_notes = add_redirects(site_dir, report.redirects, dry_run=dry_run)
    if configured_language(site_dir) is None and LANGUAGE_TAG.match(export.language):
        report.config_notes += add_language(site_dir, export.language, dry_run=dry_run)
    if dry_run:  # what `sitegen build` would say of the site the import leaves
        files = [(item.path, item.text) for item in planned]
        problems = trial_build(site_dir, files, report.media, report.redirects, force=force)
        report.build_problems = problems
    if options.uploads is not None:  # after the files: they say which media are used
        report.copied = copy_media(site_dir, options.uploads, report.media, dry_run)
    if options.download_media or options.remote_media:
        wanted = media_downloads(report.media, report.media_urls)
        if dry_run:
            report.downloads = DownloadReport(fetched=len(wanted))
        else:
            told = progress(len(wanted))
            report.downloads = download_all(wanted, site_dir / "static", progress=told)
    return report
