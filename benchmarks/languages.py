#!/usr/bin/env python3
"""Cold build of a two-language archive against a one-language archive of the same size.

    python benchmarks/languages.py --articles 5000 --runs 3 --corpus ../shared/bench/gen_corpus.py

One language: N articles from the shared corpus generator. Two languages: N/2 of the same
articles, each with a Persian translation beside it (`NAME.fa.md`, same body, its own
title), and `languages: {fa: ...}` in sitegen.yaml: the same number of article pages,
plus a second set of listings, tag pages and feeds and the hreflang alternates. Runs
alternate between the two sites in one session, each in a fresh process with no
`.sitegen-cache/` and a fresh output folder (as a new clone builds), and the figure is
the ratio of the medians. Compare ratios, never absolute times from different runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
title: Benchmark Archive
base_url: https://bench.example.org/
description: Synthetic advocacy news archive for side-by-side timing.
per_page: 10
"""
LANGUAGES = """\
languages:
  fa:
    title: آرشیو خبر
    description: آرشیو نمونه برای زمان‌سنجی
"""


def make_corpus(generator: Path, articles: int, out: Path) -> Path:
    """The shared generator's sitegen flavour: out/content/articles/*.md."""
    subprocess.run(
        [sys.executable, str(generator), "--articles", str(articles), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    (out / "sitegen.yaml").write_text(CONFIG, encoding="utf-8")
    return out


def make_translations(site: Path) -> None:
    """Every article gets a Persian version beside it: `NAME.fa.md`, its title marked."""
    for path in sorted((site / "content" / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'^title: "(.*)"$', r'title: "\1 (فارسی)"', text, count=1, flags=re.M)
        path.with_name(f"{path.stem}.fa.md").write_text(text, encoding="utf-8")
    with (site / "sitegen.yaml").open("a", encoding="utf-8") as config:
        config.write(LANGUAGES)


def cold_build(site: Path) -> tuple[float, float, int]:
    """Seconds for `sitegen build` from nothing (wall clock, and CPU time of the build and
    its workers: steadier on a machine other jobs share), and the HTML files it wrote."""
    out = site / "out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, sum(1 for _ in out.rglob("*.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py",
        help="the shared corpus generator (gen_corpus.py)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-languages-") as folder:
        one = make_corpus(args.corpus, args.articles, Path(folder, "one"))
        two = make_corpus(args.corpus, args.articles // 2, Path(folder, "two"))
        make_translations(two)
        times: dict[str, list[float]] = {"one language": [], "two languages": []}
        cpu: dict[str, list[float]] = {"one language": [], "two languages": []}
        pages: dict[str, int] = {}
        for _ in range(args.runs):
            for name, site in (("one language", one), ("two languages", two)):
                seconds, cpu_seconds, count = cold_build(site)
                times[name].append(seconds)
                cpu[name].append(cpu_seconds)
                pages[name] = count
        for name, values in times.items():
            runs = ", ".join(f"{v:.2f}" for v in values)
            median, cpu_median = statistics.median(values), statistics.median(cpu[name])
            print(
                f"{name:14} median {median:6.2f} s  ({runs})  CPU {cpu_median:6.2f} s  "
                f"{pages[name]} HTML files"
            )
        ratio = statistics.median(times["two languages"]) / statistics.median(times["one language"])
        cpu_ratio = statistics.median(cpu["two languages"]) / statistics.median(cpu["one language"])
        print(
            f"ratio two/one: {ratio:.2f}, CPU time {cpu_ratio:.2f}  "
            f"(articles: {args.articles}, runs: {args.runs})"
        )


if __name__ == "__main__":
    main()
