#!/usr/bin/env python3
"""What the image stage costs: an archive whose every article has a lead photo, built with
the stage and without it (the images then copied as they are, as before the stage).

    python benchmarks/images.py --articles 1000 --runs 1

Figures, each the median wall time of RUNS builds in a fresh process:
  cold      no cache, no output: every size of every photo is made (workers share them)
  rebuild   one article edited, every size already in the cache
and the ratios "with images / without". The articles come from benchmarks/bench.py; the
photos are the example site's 1200x675 JPEGs, each marked so every file differs.
With --csv it appends two rows to benchmarks/results.csv (its columns, as scale.py
does): the build without the stage and the build with it, the ratio in the notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import article  # noqa: E402 - the sibling script's article generator
from scale import append_csv, filesystem, git_commit  # noqa: E402 - results.csv's helpers

EXAMPLE_IMAGES = Path(__file__).resolve().parents[1] / "static" / "images"
# The build without the image stage: the stage replaced by one that publishes static files
# as they are (what sitegen did before it), in the same process as a normal build.
WITHOUT_STAGE = """
import sys
from sitegen.build import stages
from sitegen.images.formats import Prepared
from sitegen.cli import cli

def as_they_are(config, articles, static, cache, jobs):
    return Prepared({}, {}, [], 0, static)

stages.prepare_site_images = as_they_are  # where the build looks it up
sys.exit(cli(sys.argv[1:]))
"""


def generate(site: Path, count: int) -> None:
    """`count` articles, each with its own lead photo under static/images/."""
    (site / "content").mkdir(parents=True)
    (site / "static/images").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Benchmark\nbase_url: https://bench.example/\n")
    rng = random.Random(42)
    sources = sorted(EXAMPLE_IMAGES.glob("*.jpg"))
    for number in range(count):
        with Image.open(sources[number % len(sources)]) as photo:
            marked = photo.convert("RGB")
        ImageDraw.Draw(marked).text((20, 20), f"Photo {number}", fill=(255, 255, 255))
        marked.save(site / f"static/images/photo-{number:05d}.jpg", quality=85)
        text = article(rng, number).replace(
            "---\n\n",
            f"image: /images/photo-{number:05d}.jpg\nimage_alt: Photo {number}\n---\n\n",
            1,
        )
        (site / "content" / f"article-{number:05d}.md").write_text(text)


def timed_build(site: Path, out: Path, *, with_stage: bool) -> float:
    arguments = ["build", str(site), "-o", str(out), "-q"]
    if with_stage:
        command = [sys.executable, "-m", "sitegen", *arguments]
    else:
        command = [sys.executable, "-c", WITHOUT_STAGE, *arguments]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def measure(work: Path, runs: int, rebuilds: int, *, cold: bool) -> dict[str, dict[str, float]]:
    """Median cold build (unless `cold` is off: the caches are kept) and one-edit rebuild
    of each kind, each in its own copy of the site (its own cache and output folder);
    rebuilds alternate between the kinds, so a load on the machine weighs on both."""
    kinds = {kind: (work / kind / "site", work / kind / "out") for kind in ("without", "with")}
    times: dict[str, dict[str, list[float]]] = {k: {"cold": [], "rebuild": []} for k in kinds}
    for kind, (site, out) in kinds.items():
        for _ in range(runs if cold else 0):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
            times[kind]["cold"].append(timed_build(site, out, with_stage=kind == "with"))
        timed_build(site, out, with_stage=kind == "with")  # settled: nothing left to do
        if kind == "without" and next(out.rglob("*.webp"), None):
            sys.exit("the build without the stage made WebP files: WITHOUT_STAGE patches nothing")
    for edit in range(rebuilds):
        for kind, (site, out) in kinds.items():
            target = site / "content" / "article-00000.md"
            target.write_text(target.read_text() + f"\nEdited: {edit}.\n")
            times[kind]["rebuild"].append(timed_build(site, out, with_stage=kind == "with"))
    return {
        kind: {name: statistics.median(got) if got else float("nan") for name, got in by.items()}
        for kind, by in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="cold builds of each kind")
    parser.add_argument("--rebuilds", type=int, default=5, help="timed one-edit rebuilds")
    parser.add_argument(
        "--rebuilds-only", action="store_true", help="keep the caches: time rebuilds alone"
    )
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    parser.add_argument("--csv", type=Path, help="append the figures to this results.csv")
    parser.add_argument("--machine", default="2-core 24 GiB VM", help="for --csv")
    parser.add_argument("--notes", default="", help="for --csv: what else was running, ...")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-images-"))
    if not (work / "with" / "site" / "content").is_dir():
        generate(work / "with" / "site", args.articles)
        shutil.copytree(work / "with" / "site", work / "without" / "site")
    found = measure(work, args.runs, args.rebuilds, cold=not args.rebuilds_only)
    print(
        f"sitegen, {args.articles} articles with a lead photo each: median of {args.runs} "
        f"cold builds and {args.rebuilds} one-edit rebuilds"
    )
    without, with_images = found["without"], found["with"]
    for name in ("cold", "rebuild"):
        ratio = with_images[name] / without[name]
        print(
            f"  {name:8s} without images {without[name]:7.2f} s   with {with_images[name]:7.2f} s"
            f"   ratio {ratio:5.2f} ({(ratio - 1) * 100:+.1f} %)"
        )
    if args.csv:
        append_csv(args.csv, csv_rows(found, args, work))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def csv_rows(
    found: dict[str, dict[str, float]], args: argparse.Namespace, work: Path
) -> list[dict[str, str]]:
    """The build without the stage and the one with it, as rows of results.csv."""
    now = dt.datetime.now(dt.UTC)
    ratios = []
    for name in ("cold", "rebuild"):
        if not math.isnan(found["without"][name]):  # (measured)
            ratio = found["with"][name] / found["without"][name]
            ratios.append(f"{name} {ratio:.2f} ({(ratio - 1) * 100:+.1f} %)")
    version = platform.python_version()
    method = "images.py" + (" --rebuilds-only" if args.rebuilds_only else "")
    rows = []
    for kind, label in (("without", "without the image stage"), ("with", "with it")):
        figures = found[kind]
        rows.append(
            {
                "date": now.strftime("%Y-%m-%d"),
                "time_utc": now.strftime("%H:%M"),
                "commit": git_commit(),
                "machine": args.machine,
                "python": "pyenv" if ".pyenv" in sys.executable else f"Debian {version}",
                "filesystem": filesystem(work.resolve()),
                "method": method,
                "corpus_articles": str(args.articles),
                "engine": "markdown",
                "sitegen_cold_s": "" if math.isnan(figures["cold"]) else f"{figures['cold']:.2f}",
                "sitegen_edit_s": f"{figures['rebuild']:.2f}",
                "notes": f"{label}: a lead photo each, every size cached; median of "
                f"{args.rebuilds} one-edit rebuilds; ratios with/without: {', '.join(ratios)}"
                + (f"; {args.notes}" if args.notes else ""),
            }
        )
    return rows


if __name__ == "__main__":
    main()
