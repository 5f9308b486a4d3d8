"""What an import did or would do, and the lines the editor reads at the end of it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import Problem, cut, shown
from sitegen.importers.wordpress.download import DownloadReport
from sitegen.importers.wordpress.media import download_lines
from sitegen.importers.wordpress.menus import Menus
from sitegen.importers.wordpress.site import upload_folder


@dataclass
class ImportReport:
    """What an import did or would do; printed at the end, and all of it tested."""

    counts: Counter[str] = field(default_factory=Counter)  # "post: publish" -> 12
    skipped: list[str] = field(default_factory=list)  # "post 45 'Title': private ..."
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the export was read; what to set
    shortcodes: dict[str, list[str]] = field(default_factory=dict)  # name -> files
    media: dict[str, Path | None] = field(default_factory=dict)  # site path -> source
    media_urls: dict[str, str] = field(default_factory=dict)  # site path -> where it was
    external_media: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed, not overwritten
    copied: int = 0
    pages: list[tuple[str, str]] = field(default_factory=list)  # (title, URL) to put in menu:
    menus: Menus = field(default_factory=lambda: Menus({}, []))  # the site's WordPress menus
    redirects: dict[str, str] = field(default_factory=dict)  # old tag/category archive -> tag
    unanswered: list[str] = field(default_factory=list)  # old category archives: no page
    config_notes: list[str] = field(default_factory=list)  # what became of sitegen.yaml
    downloads: DownloadReport | None = None  # with --download-media (planned, if a dry run)
    build_problems: list[Problem] | None = None  # a dry run's trial build (trial.py)


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
    lines += report.notes
    lines += [f"warning: {line}" for line in report.warnings]
    for name, paths in sorted(report.shortcodes.items()):
        files = ", ".join(sorted(set(paths)))
        lines.append(f"shortcode [{cut(name)}] left as text (not converted) in {files}")
    missing = sorted(path for path, source in report.media.items() if source is None)
    if uploads:
        copied = "would copy" if dry_run else "copied"
        lines.append(f"media: {copied} {report.copied} files into static/")
        if report.downloads is None:
            lines += [f"  missing from --uploads: {path}" for path in missing]
    if report.downloads is not None:
        lines += download_lines(report.downloads, dry_run=dry_run)
    elif not uploads:
        for folder, count in sorted(Counter(map(upload_folder, report.media)).items()):
            lines.append(
                f"media: {count} files under {folder} are referenced; copy that folder to "
                f"static{folder}, or import again with --uploads PATH or --download-media"
            )
    for url in sorted(set(report.external_media)):
        lines.append(f"media on another host (readers' browsers would fetch it): {cut(url, 200)}")
    lines += report.config_notes
    for path in report.unanswered:
        lines.append(
            f"old category archive {shown(path)} leads to no page (categories are kept as "
            "'categories:'; --categories-as-tags makes them tags)"
        )
    if report.build_problems is not None:
        lines += _trial_lines(report.build_problems)
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


def _trial_lines(problems: list[Problem]) -> list[str]:
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    noted = f" and {_plural(warnings, 'warning')} (`sitegen check` lists them)" if warnings else ""
    if not errors:
        return [f"build: the imported site would build{noted}"]
    lines = [f"build: the imported site would not build: {_plural(len(errors), 'error')}{noted}"]
    return lines + [f"  {problem}" for problem in errors]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _menu_snippet(links: Iterable[tuple[str, str]]) -> list[str]:
    """`menu:` lines for sitegen.yaml; a JSON string is a YAML string, quotes escaped."""
    lines = ["  menu:"]
    for name, url in links:
        lines.append(
            f"    - {{name: {json.dumps(name, ensure_ascii=False)}, url: {json.dumps(url)}}}"
        )
    return lines
