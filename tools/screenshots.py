#!/usr/bin/env python3
"""Screenshots of the example archive (content/, static/, templates/ and sitegen.yaml at the
repository root), built afresh and served on 127.0.0.1.

    python3 tools/screenshots.py [OUT_DIR]         # default: screenshots/ (git-ignored)
    python3 tools/screenshots.py --docs [OUT_DIR]  # the docs' screenshots; default: docs/

The first writes the home, an article and a tag page at 375 px (a phone) and 1280 px (a
desktop), light and dark, for a person to look at. The second regenerates the docs'
pictures: docs/screenshot-home.png (home, 1280 px), docs/screenshot-article.png (an article,
1280 px) and docs/screenshot-phone.png (home, 375 px), all light.

Every picture waits for every <img> on its page (lazy ones included) to load and decode,
for the fonts and for the network to go quiet. A broken image stops the run with a non-zero
exit naming the page and the image, and no picture is written. The output is deterministic:
fixed viewports, no animations or caret, and SOURCE_DATE_EPOCH (the last commit's time unless
already set) decides which articles are not yet due.

Needs what the browser tests need: Playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sitegen.build import build

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"home": "/", "article": "/berlin-rally-women-protesters/", "tag": "/tag/refugees/"}
WIDTHS = (375, 1280)
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IMAGE_TIMEOUT_MS = 15_000

# Lazy images below the fold load only once near the viewport: make them eager, then walk
# down the page a screen at a time (for anything else that waits to be seen), then back up.
_LOAD_ALL = """async () => {
    for (const img of document.images) img.loading = "eager";
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
    for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
        window.scrollTo(0, y);
        await frame();
    }
    window.scrollTo(0, 0);
    await frame();
}"""
_ALL_COMPLETE = "() => Array.from(document.images).every((img) => img.complete)"
_PENDING = "() => Array.from(document.images).filter((i) => !i.complete).map((i) => i.src)"
_BROKEN = """() => Array.from(document.images).filter((img) => !img.naturalWidth)
    .map((img) => img.getAttribute("src"))"""
# decoding="async" can leave a loaded image unpainted (an empty box) when the picture is taken.
_DECODED = """() => Promise.all(Array.from(document.images).map((img) => img.decode()))
    .then(() => document.fonts.ready).then(() => true)"""


@dataclass(frozen=True)
class Shot:
    """One picture: which page, where it goes and how the browser is set up for it."""

    path: str
    file: str
    width: int
    height: int = 900
    scheme: Scheme = "light"


def every_shot() -> list[Shot]:
    """Each page at each width in each colour scheme."""
    return [
        Shot(path, f"{name}-{width}-{scheme}.png", width, scheme=scheme)
        for scheme in SCHEMES
        for width in WIDTHS
        for name, path in PAGES.items()
    ]


def docs_shots() -> list[Shot]:
    """The docs' pictures, each 900 px high but the phone's (812 px, an iPhone's)."""
    return [
        Shot(PAGES["home"], "screenshot-home.png", 1280),
        Shot(PAGES["article"], "screenshot-article.png", 1280),
        Shot(PAGES["home"], "screenshot-phone.png", 375, height=812),
    ]


def pin_source_date() -> None:
    """Pin "now" for the build (what is future stays put): the last commit's time."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return
    git = ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"]
    done = subprocess.run(git, capture_output=True, text=True, check=False)
    if done.returncode == 0 and done.stdout.strip().isdigit():
        os.environ["SOURCE_DATE_EPOCH"] = done.stdout.strip()
    else:
        print("screenshots: no git history; building with the current time", file=sys.stderr)


def build_example(scratch: Path) -> Path:
    """Copy the example site into `scratch`, build it there and return the output folder."""
    site = scratch / "site"
    for name in ("content", "static", "templates"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "sitegen.yaml", site / "sitegen.yaml")
    built = scratch / "out"
    build(site, built, use_cache=False)
    return built


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def settle(page: Page, base: str, path: str) -> None:
    """Open the page at `path` and wait until every image on it has loaded and decoded, the
    fonts are ready and the network is quiet; exit naming the page and image if one is broken."""
    page.goto(base + path, wait_until="load")
    page.evaluate(_LOAD_ALL)
    try:
        page.wait_for_function(_ALL_COMPLETE, timeout=IMAGE_TIMEOUT_MS)
    except PlaywrightTimeout:
        pending = ", ".join(page.evaluate(_PENDING))
        seconds = IMAGE_TIMEOUT_MS // 1000
        sys.exit(f"screenshots: page {path}: images still loading after {seconds} s: {pending}")
    broken = page.evaluate(_BROKEN)
    if broken:
        sys.exit(f"screenshots: page {path}: broken image(s): {', '.join(map(str, broken))}")
    page.evaluate(_DECODED)
    page.wait_for_load_state("networkidle")


def take(browser: Browser, base: str, shot: Shot, folder: Path) -> Path:
    """Take one picture into `folder`."""
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height},
        device_scale_factor=1,
        color_scheme=shot.scheme,
        reduced_motion="reduce",
        locale="en-GB",
        timezone_id="Europe/Paris",
    )
    try:
        page = context.new_page()
        settle(page, base, shot.path)
        target = folder / shot.file
        page.screenshot(path=str(target), animations="disabled", caret="hide")
        return target
    finally:
        context.close()


def shoot(shots: list[Shot], out: Path) -> None:
    """Build and serve the example site and take `shots` into `out`. They are all taken
    before any is written, so a broken image leaves `out` as it was."""
    pin_source_date()
    with tempfile.TemporaryDirectory() as scratch:
        taken = Path(scratch) / "shots"
        taken.mkdir()
        with serving(build_example(Path(scratch))) as base, sync_playwright() as playwright:
            chromium = shutil.which("chromium")
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                files = [take(browser, base, shot, taken) for shot in shots]
            finally:
                browser.close()
        out.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy(file, out / file.name)
            print(out / file.name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--docs", action="store_true", help="the docs' screenshots (docs/)")
    parser.add_argument("out", nargs="?", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    if args.docs:
        shoot(docs_shots(), args.out or ROOT / "docs")
    else:
        shoot(every_shot(), args.out or ROOT / "screenshots")


if __name__ == "__main__":
    main()
