#!/usr/bin/env python3
"""Follow "Moving from WordPress" (docs/wordpress.md) on real exports and print a table.

    python3 tools/wordpress_trial.py EXPORT.xml [EXPORT.xml ...] [--keep DIR]

For each export, in a scratch folder: `sitegen init`, a `base_url`, `sitegen import
wordpress`, `sitegen build`. Then, for every published post and page of the export: does
its old address (the `<link>` WordPress gave it) answer in the built site, as the page itself
or as a redirect page (an address with a query, `/?p=ID`, must be in `_redirects`), and do
the first words of its text show on the page the address leads to?

Exports are other people's writing: keep them out of the repository (tests use fixtures
shaped like them). The exports tried, and the table, are in the notes of issue 26.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from sitegen.importers.wordpress.wxr import read_export

WORD = re.compile(r"\w+")
REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
SHORTCODE = re.compile(r"\[/?[a-zA-Z][\w-]*[^\]]*\]")
FIRST_WORDS = 5
PUBLISHED = ("post", "page")
BASE_URL = "https://archive.example/"  # any address: the trial only needs one set


@dataclass
class Row:
    export: str
    posts: int = 0
    imported: str = "no"
    built: str = "no"
    resolved: int = 0
    shown: int = 0
    note: str = ""
    misses: list[str] = field(default_factory=list)  # old addresses that fail, and why

    def cells(self) -> list[str]:
        counts = [f"{self.resolved}/{self.posts}", f"{self.shown}/{self.posts}"]
        return [self.export, str(self.posts), self.imported, self.built, *counts, self.note]


def sitegen(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sitegen", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def words(fragment: str) -> list[str]:
    fragment = SCRIPT.sub(" ", SHORTCODE.sub(" ", fragment))  # code is not what readers read
    text = html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    return [w.casefold() for w in WORD.findall(text)]


def shows(page: str, first: list[str]) -> bool:
    body = page.split("<main", 1)[-1]
    found = words(body)
    n = len(first)
    return any(found[i : i + n] == first for i in range(len(found) - n + 1))


def page_at(out: Path, path: str) -> str | None:
    """The page a server would answer for `path`, after a redirect page if it is one."""
    for _ in range(2):
        rel = unquote(path).lstrip("/")
        file = out / rel / "index.html" if not rel or path.endswith("/") else out / rel
        if not file.is_file() and (out / rel / "index.html").is_file():
            file = out / rel / "index.html"
        if not file.is_file():
            return None
        text = file.read_text(encoding="utf-8", errors="replace")
        target = REFRESH.search(text)
        if target is None:
            return text
        path = urlsplit(html.unescape(target[1])).path
    return None


def trial(export: Path, scratch: Path) -> Row:
    row = Row(export.name)
    site = scratch / "site"
    if (done := sitegen("init", str(site), "--base-url", BASE_URL)).returncode != 0:
        row.note = done.stderr.strip().splitlines()[-1]
        return row
    for sample in (site / "content").rglob("*.md"):
        sample.unlink()  # init's sample article: only the export's
    items = []
    try:
        data = read_export(export, PurePosixPath(export.name))
        items = [i for i in data.items() if i.post_type in PUBLISHED and i.status == "publish"]
    except Exception as exc:  # noqa: BLE001 (a table cell, not a crash)
        row.note = f"export unreadable here: {type(exc).__name__}"
    row.posts = len(items)
    imported = sitegen("import", "wordpress", str(export), str(site))
    if imported.returncode != 0:
        row.note = (imported.stderr.strip().splitlines() or ["?"])[-1][:120]
        return row
    row.imported = "yes"
    out = scratch / "out"
    built = sitegen("build", str(site), "-o", str(out))
    if built.returncode != 0:
        errors = [line for line in built.stderr.splitlines() if ": warning:" not in line]
        row.note = f"{len(errors) - 1} errors, first: {errors[0][:100]}" if errors else "?"
        return row
    row.built = "yes"
    redirects = (out / "_redirects").read_text() if (out / "_redirects").is_file() else ""
    for item in items:
        parts = urlsplit(item.link or "")
        if parts.query:
            answered = f"/?{parts.query} " in redirects
            page = None
            if answered:
                line = next(x for x in redirects.splitlines() if x.startswith(f"/?{parts.query} "))
                page = page_at(out, line.split()[1])
        else:
            page = page_at(out, parts.path or "/")
            answered = page is not None
        row.resolved += answered
        first = words(item.content)[:FIRST_WORDS]
        shown = page is not None and (not first or shows(page, first))
        row.shown += shown
        if not (answered and shown):
            row.misses.append(f"{item.link} ({'not answered' if not answered else first})")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exports", nargs="+", type=Path)
    parser.add_argument("--keep", type=Path, help="Keep each site and output under DIR.")
    args = parser.parse_args()
    rows = []
    for export in args.exports:
        scratch = Path(tempfile.mkdtemp(prefix="wp-trial-"))
        try:
            rows.append(trial(export.resolve(), scratch))
        finally:
            if args.keep:
                shutil.copytree(scratch, args.keep / export.stem, dirs_exist_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)
        print(" | ".join(rows[-1].cells()), file=sys.stderr, flush=True)
        for miss in rows[-1].misses:
            print(f"  {miss}", file=sys.stderr)
    header = ["export", "posts", "import ok", "build ok", "addresses resolved", "text shown"]
    header.append("note")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


if __name__ == "__main__":
    main()
