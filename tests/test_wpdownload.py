"""`sitegen import wordpress --download-media`: the old site's uploads (and, when asked,
images on other hosts) fetched into static/, from local HTTP servers on 127.0.0.1 only."""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.cli import cli
from sitegen.importers.wordpress.download import Download, download_all
from tests.conftest import tiny_jpeg
from tests.test_wpimport import CONFIG, DATA, front_matter

JPEG = tiny_jpeg()  # a real one: the build decodes every upload (images/)


class _Server(http.server.ThreadingHTTPServer):
    requests: Counter[str]
    failures_left: dict[str, int]
    running = 0
    most_at_once = 0
    lock: threading.Lock


class _Handler(http.server.BaseHTTPRequestHandler):
    """Replies by path: a JPEG, a flaky one (503 twice), 404, a login page, an oversized
    file with and without Content-Length, and a slow one (to see how many run at once)."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        with self.server.lock:
            self.server.requests[self.path] += 1
        self._reply()

    def _wait(self) -> None:
        """A slow reply's pause, counted as running: it ends before the reply is sent, so
        a client's next request cannot overlap it (counting until the handler returned
        saw a fourth request of three workers, once their replies had arrived)."""
        server = self.server
        with server.lock:
            server.running += 1
            server.most_at_once = max(server.most_at_once, server.running)
        time.sleep(0.2)
        with server.lock:
            server.running -= 1

    def _reply(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        if name.startswith("flaky") and self.server.failures_left.get(self.path, 2) > 0:
            self.server.failures_left[self.path] = self.server.failures_left.get(self.path, 2) - 1
            return self.send_error(503)
        if name.startswith("missing"):
            return self.send_error(404)
        if name.startswith("slow"):
            self._wait()
        body, kind = JPEG, "image/jpeg"
        if name.startswith("login"):
            body, kind = b"<!doctype html><title>Log in</title>", "text/html; charset=utf-8"
        if name.startswith("huge"):
            body = JPEG * 100
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if not name.startswith("huge-unsaid"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests, httpd.failures_left, httpd.lock = Counter(), {}, threading.Lock()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_files_are_fetched_into_static_and_failures_listed(server: _Server, tmp_path: Path) -> None:
    names = ["a.jpg", "flaky.jpg", "missing.jpg", "login.jpg", "huge.jpg", "huge-unsaid.jpg"]
    wanted = [Download(url(server, f"/up/{n}"), f"wp-content/uploads/{n}") for n in names]
    report = download_all(wanted, tmp_path, max_bytes=len(JPEG) * 10, backoff=0.01)
    uploads = tmp_path / "wp-content/uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["a.jpg", "flaky.jpg"]  # no .part left
    assert (uploads / "a.jpg").read_bytes() == JPEG
    assert report.fetched == 2
    why = {u.rsplit("/", 1)[1]: reason for u, reason in report.failed}
    assert why["missing.jpg"].startswith("HTTP 404")
    assert "web page" in why["login.jpg"]
    assert "over the limit" in why["huge.jpg"] and "over the limit" in why["huge-unsaid.jpg"]
    assert server.requests["/up/flaky.jpg"] == 3  # two 503s, then the file
    assert server.requests["/up/missing.jpg"] == 1  # a 404 is not asked again


def test_a_second_run_fetches_only_what_is_missing(server: _Server, tmp_path: Path) -> None:
    wanted = [Download(url(server, f"/up/{n}"), f"up/{n}") for n in ("a.jpg", "b.jpg")]
    (tmp_path / "up").mkdir()
    (tmp_path / "up/a.jpg").write_bytes(b"edited by hand")
    done: list[Download] = []
    report = download_all(wanted, tmp_path, progress=done.append)
    assert (report.fetched, report.present) == (1, 1)
    assert (tmp_path / "up/a.jpg").read_bytes() == b"edited by hand"  # kept as it was
    assert server.requests == Counter({"/up/b.jpg": 1})
    assert sorted(d.target for d in done) == ["up/a.jpg", "up/b.jpg"]  # the bar moves for both


def test_downloads_run_a_few_at_a_time(server: _Server, tmp_path: Path) -> None:
    wanted = [Download(url(server, f"/up/slow{i}.jpg"), f"up/slow{i}.jpg") for i in range(8)]
    report = download_all(wanted, tmp_path, parallel=3)
    assert report.fetched == 8
    assert 1 < server.most_at_once <= 3


def test_paths_and_addresses_from_the_export_are_checked(server: _Server, tmp_path: Path) -> None:
    outside = tmp_path / "static"
    wanted = [
        Download(url(server, "/up/a.jpg"), "../escaped.jpg"),
        Download("file:///etc/hostname", "up/hostname.jpg"),
    ]
    report = download_all(wanted, outside)
    assert not (tmp_path / "escaped.jpg").exists() and not (outside / "up").exists()
    assert sorted(why for _, why in report.failed) == [
        "not a path inside static/",
        "not an http(s) address: file:///etc/hostname",
    ]
    assert server.requests == Counter()


# -- the whole import ------------------------------------------------------------------------
@pytest.fixture
def old_site(tmp_path: Path, serve_dir: Callable[[Path], str]) -> tuple[str, str]:
    """The old WordPress site's uploads, and another host with one photo."""
    www = tmp_path / "www"
    shutil.copytree(DATA / "uploads", www / "wp-content/uploads")
    other = tmp_path / "other"
    (other / "photos").mkdir(parents=True)
    (other / "photos/march.jpg").write_bytes(JPEG)
    return serve_dir(www), serve_dir(other)


def test_import_downloads_uploads_and_remote_photos_and_the_site_builds(
    tmp_path: Path, old_site: tuple[str, str]
) -> None:
    site_url, other_url = old_site
    export = (DATA / "export.xml").read_text(encoding="utf-8")
    export = export.replace("https://openvoices.example", site_url).replace(
        "<figcaption>The panel on stage.</figcaption></figure>",
        f'<figcaption>The panel on stage.</figcaption></figure><img src="{other_url}/photos/march.jpg" alt="March" />',
    )
    (tmp_path / "export.xml").write_text(export, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitegen.yaml").write_text(CONFIG)
    command = ["import", "wordpress", str(tmp_path / "export.xml"), str(site), "--download-media"]
    result = CliRunner().invoke(cli, [*command, "--remote-media"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    static = site / "static"
    for name in ("vigil.jpg", "panel.jpg"):
        got = static / "wp-content/uploads/2019/05" / name
        assert got.read_bytes() == (DATA / "uploads/2019/05" / name).read_bytes()
    assert (static / "media/127.0.0.1/photos/march.jpg").read_bytes() == JPEG
    _, body = front_matter(site / "content/panel-in-london.md")
    assert "(/media/127.0.0.1/photos/march.jpg)" in body and other_url not in body
    assert "media: downloaded 3 files into static/" in result.output
    assert "media: 1 not downloaded" in result.output  # linked full-size file, not on the server
    assert "vigil-full.jpg: HTTP 404" in result.output
    assert "media on another host" not in result.output

    out = tmp_path / "out"
    report = build(site, out)
    assert not [w for w in report.warnings if "another host" in w.message]
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "/media/127.0.0.1/photos/march-32w.jpg" in pages and other_url not in pages  # sizes

    again = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert "media: downloaded 0 files into static/ (2 there already)" in again.output


def test_dry_run_downloads_nothing(tmp_path: Path, old_site: tuple[str, str]) -> None:
    site_url, _ = old_site
    export = (
        (DATA / "export.xml")
        .read_text(encoding="utf-8")
        .replace("https://openvoices.example", site_url)
    )
    (tmp_path / "export.xml").write_text(export, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitegen.yaml").write_text(CONFIG)
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "wordpress",
            str(tmp_path / "export.xml"),
            str(site),
            "--download-media",
            "--dry-run",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "media: would download up to 3 files into static/" in result.output
    assert not (site / "static").exists()


def test_media_paths_leading_out_of_static_are_neither_copied_nor_fetched(tmp_path: Path) -> None:
    from sitegen.importers.wordpress.media import copy_media, media_downloads

    uploads, site = tmp_path / "uploads", tmp_path / "site"
    (uploads / "2019").mkdir(parents=True)
    (uploads / "2019/a.jpg").write_bytes(JPEG)
    (tmp_path / "secret.txt").write_text("not for the web")
    hostile = "/wp-content/uploads/../secret.txt"  # the copy would publish ../secret.txt
    media: dict[str, Path | None] = {"/wp-content/uploads/2019/a.jpg": None, hostile: None}
    assert copy_media(site, uploads, media, dry_run=False) == 1
    assert [p.name for p in site.rglob("*") if p.is_file()] == ["a.jpg"]
    assert media[hostile] is None
    wanted = media_downloads(media, {hostile: "https://old.example" + hostile})
    assert wanted == []
