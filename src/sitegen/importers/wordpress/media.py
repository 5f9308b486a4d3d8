"""The media an import refers to: copied from a copy of `wp-content/uploads`, or listed
for downloading (download.py), each at the path the new site will serve it from."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitegen.errors import cut
from sitegen.importers.wordpress.download import Download, DownloadReport
from sitegen.importers.wordpress.site import upload_file, upload_folder
from sitegen.urls import is_output_path


def is_safe(site_path: str) -> bool:
    """Whether a media path from the export names a file inside static/ (no '..', no
    empty part): the export is input like any other."""
    return is_output_path(site_path.lstrip("/"))


def copy_media(site_dir: Path, uploads: Path, media: dict[str, Path | None], dry_run: bool) -> int:
    """Copy each referenced upload into static/ at the same path (so old image URLs work);
    `media` learns where each one came from. Returns how many were (or would be) copied."""
    copied = 0
    for site_path in sorted(media):
        source = uploads / upload_file(site_path)
        target = site_dir / "static" / site_path.lstrip("/")
        if not (upload_folder(site_path) != "/" and is_safe(site_path) and source.is_file()):
            media[site_path] = None
            continue
        media[site_path] = source
        if target.exists():
            continue
        copied += 1
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return copied


def media_downloads(
    media: Mapping[str, Path | None], media_urls: Mapping[str, str]
) -> list[Download]:
    """The media to fetch: each one referenced that no --uploads copy provided."""
    return [
        Download(media_urls[path], path.lstrip("/"))
        for path, source in sorted(media.items())
        if source is None and path in media_urls and is_safe(path)
    ]


def remote_media_path(url: str) -> str | None:
    """Where a file on another host goes on the new site: `/media/<host>/<its path>`
    (None for an address that cannot be a file name there)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    path = f"/media/{parts.hostname}/{unquote(parts.path).strip('/')}"
    return path if is_safe(path) and not any(c in path for c in '\\"<>|*?:') else None


def download_lines(downloads: DownloadReport, *, dry_run: bool) -> list[str]:
    """The report's lines on downloading."""
    if dry_run:
        return [f"media: would download up to {downloads.fetched} files into static/"]
    there = f" ({downloads.present} there already)" if downloads.present else ""
    lines = [f"media: downloaded {downloads.fetched} files into static/{there}"]
    if downloads.failed:
        lines.append(f"media: {len(downloads.failed)} not downloaded (run the import again to")
        lines.append("  retry them; files in place are kept, --force only replaces articles):")
        lines += [f"  {cut(url, 200)}: {why}" for url, why in downloads.failed]
    return lines
