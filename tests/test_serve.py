"""`sitegen serve`: what changes trigger rebuilds, what the HTTP server answers, how the
preview recovers from bad edits, and that it stops cleanly."""

from __future__ import annotations

import gc
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePath
from urllib.parse import quote

import pytest

from sitegen.serve.files import FolderFiles
from sitegen.serve.preview import Preview, PreviewOptions, rebuilt_line
from sitegen.serve.server import (
    BuildState,
    DevServer,
    inject_script,
    request_path,
)
from sitegen.serve.watch import ChangeCollector, ChangeKind, classify
from tests.conftest import MakeSite, article, running_preview, wait_for
from tests.served import fetch, page_text, settled

SITE = PurePath("/site")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/site/content/a.md", ChangeKind.CONTENT),
        ("/site/content/news/b.md", ChangeKind.CONTENT),
        ("/site/content/news", ChangeKind.CONTENT),  # a folder renamed or removed
        ("/site/templates/base.html", ChangeKind.TEMPLATES),
        ("/site/static/css/site.css", ChangeKind.STATIC),
        ("/site/sitegen.yaml", ChangeKind.CONFIG),
        ("/site/content/.a.md.swp", None),
        ("/site/content/a.md~", None),
        ("/site/content/.#a.md", None),
        ("/site/content/4913", None),
        ("/site/content/notes.txt", None),
        ("/site/templates/__pycache__/x", None),
        ("/site/build/index.html", None),
        ("/site/.git/index", None),
        ("/site/README.md", None),
        ("/elsewhere/content/a.md", None),
    ],
)
def test_classify(path: str, kind: ChangeKind | None) -> None:
    assert classify(PurePath(path), SITE) is kind


def test_change_collector_debounces_a_burst_into_one_batch() -> None:
    collector = ChangeCollector(quiet=0.2)
    for name in ("a.md.tmp", "a.md", "b.md"):
        collector.add(Path(name), ChangeKind.CONTENT)
        time.sleep(0.05)
    assert collector.wait(timeout=0.1) == {}  # still inside the burst's quiet period
    batch = collector.wait(timeout=2)
    assert set(batch) == {Path("a.md.tmp"), Path("a.md"), Path("b.md")}
    assert collector.wait(timeout=0.3) == {}


def test_inject_script_goes_before_body_end() -> None:
    html = inject_script(b"<html><body><p>x</p></body></html>")
    assert html.startswith(b"<html><body><p>x</p><script>")
    assert html.endswith(b"</script>\n</body></html>")
    assert b"/_sitegen/events" in html
    assert inject_script(b"<p>no body</p>").startswith(b"<p>no body</p><script>")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    root = tmp_path / "out"
    (root / "news").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>")
    (root / "news/index.html").write_text("<html><body>news</body></html>")
    (root / "404.html").write_text("<html><body>custom not found</body></html>")
    (root / "style.css").write_text("p{}")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link-out").symlink_to(tmp_path / "secret.txt")
    server = DevServer(FolderFiles(root), "127.0.0.1", 0)
    server.start()
    yield server, root
    server.stop()


def get(server: DevServer, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.putrequest("GET", raw_path, skip_accept_encoding=True)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_server_serves_directory_index_and_redirects_bare_directories(
    served: tuple[DevServer, Path],
) -> None:
    server, _ = served
    status, headers, body = get(server, "/news/")
    assert status == 200 and body.startswith(b"<html><body>news") and b"EventSource" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    status, headers, _ = get(server, "/news")
    assert status == 301 and headers["Location"] == "/news/"
    status, headers, body = get(server, "/style.css")
    assert (status, body, headers["Content-Type"]) == (200, b"p{}", "text/css; charset=utf-8")


def test_server_sends_old_addresses_with_a_query_on_as_the_builds_redirects_say(
    served: tuple[DevServer, Path],
) -> None:
    server, root = served
    assert get(server, "/?p=12")[0] == 200  # no _redirects yet: the home page
    (root / "_redirects").write_text(
        "# comment\n/2019/old/ /news/ 301\n/ p=12 /news/ 301!\n"
        "/index.php p=7 lang=en /news/ 301!\n/caf%C3%A9/ id=%C3%A9 /news/ 301!\n"
    )
    for address in ("/?p=12", "/?p=12&utm_source=x", "/index.php?lang=en&p=7", "/café/?id=é"):
        status, headers, _ = get(server, quote(address, safe="/?=&"))
        assert (status, headers.get("Location")) == (301, "/news/"), address
    assert get(server, "/?p=13")[0] == 200  # another post: no rule
    assert get(server, "/index.php?p=7")[0] == 404  # lang=en missing


def test_server_unknown_path_gets_site_404_page_with_status_404(
    served: tuple[DevServer, Path],
) -> None:
    status, _, body = get(served[0], "/no/such/page/")
    assert status == 404
    assert b"custom not found" in body


@pytest.mark.parametrize(
    "attack",
    [
        "/../secret.txt",
        "/news/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2fsecret.txt",
        "//etc/passwd",
        "/link-out",
        "/%00index.html",
        "/..%5csecret.txt",
    ],
)
def test_server_never_reads_outside_the_output(served: tuple[DevServer, Path], attack: str) -> None:
    status, _, body = get(served[0], attack)
    assert status == 404
    assert b"secret" not in body and b"root:" not in body


def test_requests_are_read_inside_root(served: tuple[DevServer, Path]) -> None:
    _, root = served
    files = FolderFiles(root)
    assert request_path("/news/?q=1") == "news" and files.read("news") is None  # a folder
    assert files.read("news/index.html") == (root / "news/index.html").read_bytes()
    assert files.read(request_path("/../secret.txt") or "") is None  # (root's own: none)
    assert files.read("link-out") is None


def test_server_takes_next_port_when_busy(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = DevServer(FolderFiles(tmp_path), "127.0.0.1", port)
        assert port < server.port < port + 10
        server.httpd.server_close()


def test_cli_serve_reports_busy_ports(
    tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from click.testing import CliRunner

    from sitegen.cli import cli
    from sitegen.serve.server import PORT_TRIES

    root = make_site({"content/a.md": article()})
    scratch = tmp_path / "scratch"  # where serve keeps its private build folder
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    blockers = []
    base = 0
    try:
        while len(blockers) < PORT_TRIES:  # find PORT_TRIES consecutive free ports and hold them
            for sock in blockers:  # a port in the last range was taken: let go and try again
                sock.close()
            blockers = []
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
            probe.close()
            for port in range(base, base + PORT_TRIES):
                sock = socket.socket()
                try:
                    sock.bind(("127.0.0.1", port))
                    sock.listen()
                except OSError:
                    sock.close()
                    break
                blockers.append(sock)
        result = CliRunner().invoke(cli, ["serve", str(root), "--port", str(base)])
    finally:
        for sock in blockers:
            sock.close()
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{base}: Address already in use\n"
    assert list(scratch.iterdir()) == []  # nothing left behind in the temporary folder


def test_preview_rebuilds_on_save_and_survives_a_bad_edit(preview: tuple[Preview, Path]) -> None:
    running, root = preview
    assert "<h1>First title</h1>" in page_text(running, "/a/")
    assert "127.0.0.1" in page_text(running, "/a/")  # canonical links point at the preview
    (root / "content/a.md").write_text(article("Second title", slug="a"))
    wait_for(lambda: running.server.state.epoch == 2)
    assert "<h1>Second title</h1>" in page_text(running, "/a/")
    (root / "content/a.md").write_text("---\ntitle: Broken\n")
    wait_for(lambda: running.server.state.problems != ())
    assert (
        running.server.state.problems[0]
        == "content/a.md:1: front matter is not closed; add a line '---' after the last field"
    )
    assert "<h1>Second title</h1>" in page_text(running, "/a/")  # the last good site
    (root / "content/a.md").write_text(article("Third title", slug="a"))
    wait_for(lambda: running.server.state == BuildState(3, ()))
    assert "<h1>Third title</h1>" in page_text(running, "/a/")


def test_preview_ignores_editor_swap_files(preview: tuple[Preview, Path]) -> None:
    running, root = preview
    (root / "content/.a.md.swp").write_text("swap")
    (root / "content/a.md~").write_text("backup")
    time.sleep(1)
    assert running.server.state.epoch == 1


def test_preview_css_change_is_announced_as_css_only(preview: tuple[Preview, Path]) -> None:
    running, root = preview
    (root / "static/css").mkdir(parents=True)  # static/ did not exist when serve started
    settled(running, 1)  # (two folders: one rebuild or two)
    epoch = running.server.state.epoch
    (root / "static/css/extra.css").write_text("p{color:red}")
    wait_for(lambda: running.server.state.epoch == epoch + 1)
    assert running.server.state.css_only
    assert fetch(running.server.port, "/css/extra.css") == (200, b"p{color:red}")
    (root / "content/a.md").write_text(article("Changed", slug="a"))
    wait_for(lambda: running.server.state.epoch == epoch + 2)
    assert not running.server.state.css_only


def test_preview_says_what_a_rebuild_changed_not_site_totals(make_site: MakeSite) -> None:
    """A one-article edit once printed `rebuilt: 2 articles, 12 pages`, which read as if the
    whole site had been made again."""
    root = make_site({"content/a.md": article("A", slug="a"), "content/b.md": article("B")})
    lines: list[str] = []
    running = Preview(root, PreviewOptions(port=0), report=lines.append)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: running.server.state.epoch == 1)
        (root / "content/a.md").write_text(article("A, edited", slug="a"))
        wait_for(lambda: running.server.state.epoch == 2)
    finally:
        running.stop()
        thread.join(timeout=10)
    rebuilt = [line for line in lines if line.startswith("rebuilt")]
    assert len(rebuilt) == 1, lines
    read = r"1 article read again \(its pages only\)"  # a title: applied in place
    assert re.fullmatch(
        rf"rebuilt after a change to content/a\.md: {read} \(\d+\.\d\d s\)", rebuilt[0]
    )


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["content/a.md"], "a change to content/a.md"),
        (["content/a.md", "content/b.md"], "2 changes (content/a.md, content/b.md)"),
        (["a", "b", "c", "d", "e"], "5 changes (a, b, c and 2 more)"),
    ],
)
def test_rebuilt_line_names_the_changes(changed: list[str], expected: str) -> None:
    line = rebuilt_line(changed, "1 article read again", 0.1234)
    assert line == f"rebuilt after {expected}: 1 article read again (0.12 s)"


def _as_from_a_terminal() -> None:
    """Ctrl-C reaches the server as it does from a shell prompt, even when these tests run
    as a background job (whose children inherit an ignored SIGINT, and would never stop)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_on_ctrl_c(make_site: MakeSite, sig: signal.Signals) -> None:
    root = make_site({"content/a.md": article()})
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_as_from_a_terminal,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith(f"serving {root} at http://127.0.0.1:")
    process.send_signal(sig)
    try:
        _, rest = process.communicate(timeout=30)  # about 1 s; more on a loaded machine
    finally:
        if process.poll() is None:  # hung: end it here, not in a later test's warnings
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert rest == "stopped\n"


def test_preview_shows_a_warning_once_not_on_every_save(make_site: MakeSite) -> None:
    """An archive with thousands of warnings (images without alt text) printed all of
    them again on every save, burying the line that said what the save did."""
    root = make_site(
        {
            "content/a.md": article("A", slug="a", image="/images/x.jpg"),
            "content/b.md": article("B", slug="b"),
        }
    )
    with running_preview(root) as running:
        lines: list[str] = running.report.__self__  # type: ignore[attr-defined]
        first = [line for line in lines if ": warning: " in line]
        assert any("x.jpg" in line for line in first)
        (root / "content/b.md").write_text(article("B, edited", slug="b"))
        # (>=: a save the watcher sees as two changes may be two rebuilds)
        wait_for(lambda: sum(line.startswith("rebuilt") for line in lines) >= 1)
        assert [line for line in lines if ": warning: " in line] == first  # not again
        (root / "content/b.md").write_text(article("B", slug="b", image="/images/y.jpg"))
        wait_for(lambda: any("y.jpg" in line for line in lines))
        new = [line for line in lines if ": warning: " in line][len(first) :]
        assert new and all("content/b.md" in line for line in new)  # only what is new


def test_a_broken_template_of_a_page_nobody_opened_is_reported(
    preview: tuple[Preview, Path],
) -> None:
    """Pages are made when asked for; the others are made in the background after each
    rebuild, so a template error only the tags page meets is shown as a build shows it."""
    running, root = preview
    lines: list[str] = running.report.__self__  # type: ignore[attr-defined]
    (root / "templates").mkdir()
    (root / "templates/tags.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ nope.nope }}{% endblock %}"
    )
    wait_for(lambda: running.server.state.problems != ())
    assert running.server.state.problems == (
        "templates/tags.html:1: 'nope' is undefined (template error)",
    )
    assert running.server.state.problems[0] in lines
    (root / "templates/tags.html").unlink()
    wait_for(lambda: running.server.state.problems == () and running.server.state.epoch == 3)


def test_the_preview_keeps_its_plan_from_the_collector_and_gives_it_back(
    make_site: MakeSite,
) -> None:
    """The plan is frozen for the collector while the preview serves it (its passes held
    the interpreter up to 0.7 s in the middle of a save), and nothing stays frozen once
    the preview stops (a process that goes on, a test run, gets its collector back)."""
    root = make_site({"content/a.md": article("A", slug="a")})
    with running_preview(root) as preview:
        epoch = preview.server.state.epoch
        (root / "content/b.md").write_text(article("B", slug="b"))
        settled(preview, epoch)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
