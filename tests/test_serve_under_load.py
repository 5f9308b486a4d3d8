"""`sitegen serve` under a bounded load of concurrent readers while the site rebuilds:
no server errors, no page missing or cut short, every response as long as it says it is."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sitegen.serve.preview import Preview
from tests.conftest import MakeSite, article, running_preview, wait_for

THREADS = 8
REQUESTS = 120  # per thread
PATHS = ["/", "/a/", "/b/", "/tag/vigils/", "/feed.xml", "/css/site.css", "/missing/", "/page/2/"]


@pytest.fixture
def busy_preview(make_site: MakeSite) -> Iterator[tuple[Preview, Path]]:
    files = {
        f"content/{slug}.md": article(f"Article {slug}", slug=slug, tags="[Vigils]", date=f"2025-01-{n + 1:02d}")
        for n, slug in enumerate(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"])
    }  # fmt: skip
    root = make_site(files)
    with running_preview(root) as running:
        yield running, root


def reader(
    base: str, number: int, failures: list[str], seen: set[bytes], stop: threading.Event
) -> None:
    host = urlsplit(base).netloc
    for count in range(REQUESTS):
        if stop.is_set():
            return
        path = PATHS[(number + count) % len(PATHS)]
        connection = http.client.HTTPConnection(host, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except OSError as exc:
            failures.append(f"{path}: {exc!r}")
            continue
        finally:
            connection.close()
        length = response.getheader("Content-Length")
        if length is not None and int(length) != len(body):
            failures.append(f"{path}: Content-Length {length}, body {len(body)}")
        if path.endswith("/") and response.status == 200:
            if not body.rstrip().endswith(b"</html>"):
                failures.append(f"{path}: page cut short ({len(body)} bytes)")
        if path == "/a/" and b"<h1>" in body:
            seen.add(body.split(b"<h1>")[1].split(b"</h1>")[0])
        expected = 404 if path == "/missing/" else 200  # a page never vanishes mid-rebuild
        if response.status != expected:
            failures.append(f"{path}: status {response.status}")


def test_readers_never_see_errors_or_partial_pages_during_rebuilds(
    busy_preview: tuple[Preview, Path],
) -> None:
    running, root = busy_preview
    failures: list[str] = []
    seen: set[bytes] = set()  # versions of /a/ that readers got
    stop = threading.Event()
    readers = [
        threading.Thread(target=reader, args=(running.server.url, n, failures, seen, stop))
        for n in range(THREADS)
    ]
    for thread in readers:
        thread.start()
    for edit in range(1, 5):  # rebuilds while the readers read
        body = "New paragraph. " * (200 * edit)  # the page changes size each time
        (root / "content/a.md").write_text(
            article(
                f"Article a, edit {edit}", slug="a", tags="[Vigils]", date="2025-01-01", body=body
            )
        )
        wait_for(lambda edit=edit: running.server.state.epoch == edit + 1, timeout=20)
    for thread in readers:
        thread.join(timeout=60)
    stop.set()
    assert failures == []
    assert len(seen) >= 2  # the readers really were reading while the site was rebuilt
    assert running.server.state.epoch == 5 and running.server.state.problems == ()
