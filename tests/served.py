"""What a running preview serves, read over HTTP as a browser reads it, and compared with
a clean build of the same sources (tests of `sitegen serve`)."""

from __future__ import annotations

import http.client
import tempfile
import time
from pathlib import Path

from sitegen import urls
from sitegen.build import build
from sitegen.serve.files import FolderFiles
from sitegen.serve.live import LiveSite
from sitegen.serve.preview import Preview
from sitegen.serve.server import inject_script
from tests.conftest import copy_site, wait_for


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def page_text(preview: Preview, path: str) -> str:
    """The page at `path` as served (200 only)."""
    status, body = fetch(preview.server.port, path)
    assert status == 200, (path, status)
    return body.decode()


def served_files(preview: Preview) -> list[str]:
    source = preview.source
    if isinstance(source, LiveSite):
        return source.paths()
    assert isinstance(source.files, FolderFiles)  # type: ignore[attr-defined]
    root = source.files.root  # type: ignore[attr-defined]
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def assert_served_as_built(preview: Preview, root: Path, tmp_path: Path, step: str) -> None:
    """Every file of a clean build of `root` (its own copy, no cache, built with the
    preview's base_url) is served with the same bytes (HTML: plus the live-reload script),
    and the preview has no other file."""
    reference = Path(tempfile.mkdtemp(prefix="reference-", dir=tmp_path))  # (step: any text)
    build(copy_site(root, reference / "site"), reference / "out", base_url=preview.server.url)
    out = reference / "out"
    built_files = (p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # SHA256SUMS and the output's marker are a published build's, not a preview's
    expected = sorted(rel for rel in built_files if urls.sitegen_name(rel) is None)
    assert served_files(preview) == expected, step
    different = []
    for rel in expected:
        url = "/" + (rel.removesuffix("index.html") if rel.endswith("/index.html") else rel)
        url = "/" if rel == "index.html" else url
        status, body = fetch(preview.server.port, url)
        built = (out / rel).read_bytes()
        if rel.endswith(".html"):
            built = inject_script(built)
        if status != 200 or body != built:
            different.append(f"{url} ({status})")
    assert different == [], f"after {step}, served differently from a clean build"


def settled(preview: Preview, epoch: int) -> None:
    """Wait for a rebuild after `epoch`, then for the preview to stay quiet: a save seen
    as two batches of events (a new folder and what is made in it, say) is planned twice,
    and only the last one must hold."""
    wait_for(lambda: preview.server.state.epoch > epoch)
    while True:
        seen = preview.server.state
        time.sleep(0.5)
        if preview.server.state == seen:
            return
