#!/usr/bin/env python3
"""Time a CI build of a fresh clone with and without a restored `.sitegen-cache/`.

    python benchmarks/ci_cache.py --articles 5000 --runs 3

It makes an archive (or takes `--corpus DIR`, e.g. one from the shared harness's
gen_corpus.py), builds it once to make a cache, then, RUNS times: copies the site to a new
folder as a fresh `git clone` leaves it (every file time new, no `build/`), once with no
cache (a cold build) and once with the first build's `.sitegen-cache/` copied in, as CI's
cache step restores it, and times `sitegen build --strict` in each. Prints the best of the
runs of each and their ratio; `--csv FILE` appends them as a row.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import generate  # noqa: E402

CACHE = ".sitegen-cache"
REPO = Path(__file__).resolve().parents[1]


def build(site: Path) -> tuple[float, int]:
    """(wall seconds, articles taken from the cache) of `sitegen build --strict --stats`."""
    command = [sys.executable, "-m", "sitegen", "build", str(site), "--strict", "--stats"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    found = re.search(r"(\d+) from cache", done.stdout)
    return wall, int(found.group(1)) if found else 0


def fresh_clone(site: Path, clone: Path, *, with_cache: bool) -> None:
    """The site's sources at a new path with new file times (shutil.copy keeps no times),
    and, `with_cache`, its cache as actions/cache restores it (without `check/`)."""
    shutil.rmtree(clone, ignore_errors=True)
    ignore = shutil.ignore_patterns("build", ".build.spare", CACHE)
    shutil.copytree(site, clone, ignore=ignore, copy_function=shutil.copy)
    if with_cache:
        ignore = shutil.ignore_patterns("check")
        shutil.copytree(site / CACHE, clone / CACHE, ignore=ignore, copy_function=shutil.copy)


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, help="a site folder to copy instead of generating")
    parser.add_argument("--work", type=Path, help="work here and keep it [default: a temp dir]")
    parser.add_argument("--csv", type=Path, help="append the figures to this CSV file")
    parser.add_argument("--machine", default="", help="for the CSV row")
    parser.add_argument("--notes", default="", help="for the CSV row: what else ran, ...")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-ci-cache-"))
    site = work / "site"
    if not (site / "content").is_dir():
        if args.corpus:
            shutil.copytree(args.corpus, site, ignore=shutil.ignore_patterns("build", CACHE))
        else:
            generate(site, args.articles)
    shutil.rmtree(site / CACHE, ignore_errors=True)
    first, _ = build(site)  # makes the cache, as the previous CI run did
    articles = len(list((site / "content").rglob("*.md")))
    cold: list[float] = []
    restored: list[float] = []
    for run in range(args.runs):  # alternating, so that a slow spell hits both
        fresh_clone(site, work / f"clone-{run}-cold", with_cache=False)
        cold.append(build(work / f"clone-{run}-cold")[0])
        fresh_clone(site, work / f"clone-{run}-cached", with_cache=True)
        wall, from_cache = build(work / f"clone-{run}-cached")
        if from_cache < articles * 0.99:  # pages are not articles; a few may be drafts
            raise SystemExit(f"only {from_cache} of {articles} articles came from the cache")
        restored.append(wall)
        shutil.rmtree(work / f"clone-{run}-cold")
        shutil.rmtree(work / f"clone-{run}-cached")
    cache_mib = folder_mib(site / CACHE) - folder_mib(site / CACHE / "check")
    ratio = min(cold) / min(restored)
    print(f"sitegen build --strict of a fresh clone, {articles} articles, best of {args.runs}")
    print(f"  first build (makes the cache) {first:6.2f} s; cache {cache_mib:.0f} MiB")
    for name, samples in (("no cache", cold), ("cache restored", restored)):
        runs = ", ".join(f"{s:.2f}" for s in samples)
        print(f"  {name:14s} {min(samples):6.2f} s  (runs: {runs})")
    print(f"  ratio         {ratio:6.2f}x faster with the restored cache")
    if args.csv:
        _append(args, articles, cold, restored, cache_mib, ratio)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def _append(
    args: argparse.Namespace,
    articles: int,
    cold: list[float],
    restored: list[float],
    cache_mib: float,
    ratio: float,
) -> None:
    now = dt.datetime.now(dt.UTC)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    row = {
        "date": now.date().isoformat(), "time_utc": now.strftime("%H:%M"), "commit": commit,
        "machine": args.machine, "corpus_articles": articles, "runs": args.runs,
        "cold_best_s": f"{min(cold):.2f}", "cold_max_s": f"{max(cold):.2f}",
        "restored_best_s": f"{min(restored):.2f}", "restored_max_s": f"{max(restored):.2f}",
        "ratio": f"{ratio:.2f}", "cache_mib": f"{cache_mib:.0f}", "notes": args.notes,
    }  # fmt: skip
    is_new = not args.csv.exists()
    with args.csv.open("a", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(row))
        if is_new:
            writer.writeheader()
        writer.writerow(row)


if __name__ == "__main__":
    main()
