#!/usr/bin/env python3
"""Time sitegen alone on a generated archive: cold build, no-op rebuild, one-article edit.

    python benchmarks/bench.py --articles 5000 --runs 3

Each figure is the median wall time of RUNS runs of `python -m sitegen build` in a fresh
process, with the peak memory (max RSS) of that process and its workers. Use it to catch
regressions between commits on the same machine; compare generators with the shared
harness (docs/dev/benchmarking.md), never absolute times from different runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "rights detainees families court prisoners vigil statement campaign lawyers witnesses "
    "protest coalition report hearing release journalists sentence appeal council press "
    "freedom women students workers city night march letter government inquiry evidence"
).split()
TAGS = [f"Topic {n}" for n in range(60)] + [
    "#FreeThePress",
    "Human Rights (UN)",
    "Women's Rights",
    "Kraków",
]


def paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.choices(WORDS, k=rng.randint(8, 18))
        sentences.append(" ".join(words).capitalize() + rng.choice([".", ".", '," she said.']))
    return " ".join(sentences)


def article(rng: random.Random, number: int) -> str:
    tags = sorted({rng.choice(TAGS[: rng.randint(3, len(TAGS))]) for _ in range(rng.randint(3, 8))})
    day = 1 + rng.randrange(3650)
    year, rest = 2015 + day // 365, day % 365
    date = f"{year}-{1 + rest // 31 % 12:02d}-{1 + rest % 28:02d}"
    body = [paragraph(rng) for _ in range(2)]
    for section in range(rng.randint(2, 4)):
        body.append(f"## Section {section} on {rng.choice(WORDS)}")
        body += [paragraph(rng) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.5:
            body.append("> " + paragraph(rng))
        if rng.random() < 0.3:
            body.append("\n".join(f"- {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)))
    summary = f"summary: {json.dumps(paragraph(rng)[:150])}\n" if rng.random() < 0.5 else ""
    tag_list = ", ".join(json.dumps(t) for t in tags)
    return (
        f'---\ntitle: "Article {number}: {rng.choice(WORDS)} {rng.choice(WORDS)}"\n'
        f"date: {date}\ntags: [{tag_list}]\nbyline: Writer {number % 7}\n{summary}---\n\n"
        + "\n\n".join(body)
        + "\n"
    )


def generate(site: Path, count: int) -> None:
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Benchmark\nbase_url: https://bench.example/\n")
    rng = random.Random(42)
    for number in range(count):
        (site / "content" / f"article-{number:05d}.md").write_text(article(rng, number))


def timed_build(site: Path, out: Path, *extra: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB of sitegen and its workers)."""
    command = [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out), "-q", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"build failed: {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024  # the largest of sitegen and its reaped workers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    site, out = work / "site", work / "out"
    if not (site / "content").is_dir():
        generate(site, args.articles)
    results: dict[str, list[tuple[float, float]]] = {"cold": [], "no-op": [], "one edit": []}
    target = site / "content" / "article-00000.md"
    original = target.read_text()
    for run in range(args.runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        results["cold"].append(timed_build(site, out))
        results["no-op"].append(timed_build(site, out))
        target.write_text(original.replace("\n\n", f"\n\nEdited in run {run}.\n\n", 1))
        results["one edit"].append(timed_build(site, out))
    target.write_text(original)
    print(f"sitegen, {args.articles} articles, median of {args.runs} runs")
    for name, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        print(f"  {name:9s} {wall:7.2f} s   peak RSS {max(s[1] for s in samples):7.0f} MiB")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
