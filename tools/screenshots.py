#!/usr/bin/env python3
"""Screenshots of the example archive for a person to look at: home, an article and a tag
page, each at 375 px (a phone) and 1280 px (a desktop), light and dark.

    python3 tools/screenshots.py [OUT_DIR]      # default: screenshots/ (git-ignored)

Needs what the browser tests need: Playwright and Debian's chromium.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitegen.build import build

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"home": "/", "article": "/berlin-rally-women-protesters/", "tag": "/tag/refugees/"}
WIDTHS = (375, 1280)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        for name in ("content", "static", "templates"):
            shutil.copytree(ROOT / name, site / name)
        shutil.copy(ROOT / "sitegen.yaml", site / "sitegen.yaml")
        built = Path(scratch) / "out"
        build(site, built)
        handler = functools.partial(_Quiet, directory=str(built))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        chromium = shutil.which("chromium")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            for scheme in ("light", "dark"):
                for width in WIDTHS:
                    page = browser.new_page(
                        viewport={"width": width, "height": 900}, color_scheme=scheme
                    )
                    for name, path in PAGES.items():
                        page.goto(base + path)
                        page.wait_for_load_state("load")
                        target = out / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(target))
                        print(target)
                    page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
