"""Shared fixtures: write a small site from a dict, build it, read the output."""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from sitegen.build import build
from sitegen.images.store import made_images_dir
from sitegen.markup.excerpt import EXCERPT_WORDS, excerpt_and_text
from sitegen.serve.preview import Preview, PreviewOptions

REPO_ROOT = Path(__file__).resolve().parents[1]

# Property tests replay the same pseudo-random inputs on every run, so a rare input cannot
# fail one CI run of an unchanged tree and pass the next; `HYPOTHESIS_PROFILE=explore`
# draws new ones each run (docs/dev/testing.md).
settings.register_profile("replay", derandomize=True)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))

MakeSite = Callable[[dict[str, str | bytes]], Path]
BuildSite = Callable[..., Path]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/sites/*/expected/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright keeps threads alive for the rest of the session,
    and sitegen never forks workers while other threads run (serve), so the tests of the
    parallel paths would silently have tested the one-process ones after them."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


def article(
    title: str = "A title", date: str = "2025-01-02", body: str = "Body text.", **fields: str
) -> str:
    """Text of an article file; extra fields are written as given (already YAML)."""
    lines = [f"title: {json.dumps(title)}", f"date: {date}"] + [
        f"{k}: {v}" for k, v in fields.items()
    ]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write {relative path: text} under a fresh site folder and return the folder.

    Unless the test gives its own sitegen.yaml, the site has a base_url (and so no warning).
    """

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "content").mkdir(exist_ok=True)
        files = {"sitegen.yaml": "base_url: https://example.org/\n", **files}
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):  # an image, say (tiny_png)
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


def tiny_png(width: int = 16, height: int = 9) -> bytes:
    """A real PNG (the image stage decodes every static image: b"x" is a broken one)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


def tiny_jpeg(width: int = 32, height: int = 18) -> bytes:
    """A real JPEG, as tiny_png."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


def copy_site(source: Path, destination: Path, *, made_images: bool = True) -> Path:
    """A copy of a site's inputs, so building it (which writes .sitegen-cache/) never
    touches the repository. A copy of the example site also gets the images its photos
    are made into (AVIF, WebP: 5 s of CPU per build, some 70 builds in the suite), made
    once per test session, and a copy of another site those it made already; the image
    tests make theirs (`made_images=False`)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates", "static"):
        if (source / name).is_dir():
            shutil.copytree(source / name, destination / name)
    if (source / "sitegen.yaml").is_file():
        shutil.copy(source / "sitegen.yaml", destination / "sitegen.yaml")
    if made_images and source.resolve() == REPO_ROOT.resolve():
        shutil.copytree(_example_images(), made_images_dir(destination))
    elif made_images and made_images_dir(source).is_dir():  # a copy of the example, say
        shutil.copytree(made_images_dir(source), made_images_dir(destination))
    return destination


@functools.cache
def _example_images() -> Path:
    """The example site's made images, from one build of a copy of it."""
    scratch = Path(tempfile.mkdtemp(prefix="sitegen-test-images-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    site = copy_site(REPO_ROOT, scratch / "site", made_images=False)
    build(site, scratch / "out")
    return made_images_dir(site)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's example archive."""
    return copy_site(REPO_ROOT, tmp_path_factory.mktemp("example") / "site")


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory, example_site: Path) -> Path:
    """The example archive, built once for the tests that only read it (browser tests)."""
    out = tmp_path_factory.mktemp("example-out") / "out"
    build(example_site, out)
    return out


@pytest.fixture
def build_site(tmp_path: Path) -> BuildSite:
    """Build a site into tmp_path/out (or `out`) and return the output folder."""

    def run(root: Path, out: Path | None = None, **options: bool) -> Path:
        out = out or tmp_path / "out"
        build(root, out, **options)
        return out

    return run


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright; skipped locally without it, required in CI."""
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over HTTP on 127.0.0.1 (a free port); returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def running_preview(root: Path, *, search: bool = False) -> Iterator[Preview]:
    """`sitegen serve` of `root`, running in a thread on a free port, after its first build."""
    lines: list[str] = []
    running = Preview(root, PreviewOptions(port=0, search=search), report=lines.append)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    wait_for(lambda: running.server.state.epoch == 1)
    yield running
    running.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.fixture
def preview(make_site: MakeSite) -> Iterator[tuple[Preview, Path]]:
    """`sitegen serve` of a one-article site."""
    root = make_site({"content/a.md": article("First title", slug="a")})
    with running_preview(root) as running:
        yield running, root


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll `condition` until true; the bound is generous: a rebuild of a hostile file
    under a loaded machine took over 10 s (a CI runner shares its cores too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the preview")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in ("p", "li", "h2", "h3", "h4", "blockquote", "figcaption"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded (a block's end is a space)."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return " ".join("".join(collector.parts).split())


def excerpt_html(summary: str, body_html: str, limit: int = EXCERPT_WORDS) -> str:
    """An article's teaser HTML alone, as pages show it."""
    return excerpt_and_text(summary, body_html, limit)[0]
