"""`sitegen serve` against hostile or careless clients: paths no file can have, Host
headers of other sites (DNS rebinding), idle connections and more of them than threads.

Every test talks to a real DevServer on 127.0.0.1 with a short idle timeout, opens a
bounded number of sockets and waits a bounded time."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.serve.files import FolderFiles
from sitegen.serve.guard import allowed_names, host_allowed, host_name, url_path
from sitegen.serve.server import BuildState, DevServer

IDLE = 1.0  # the servers' idle timeout here, in seconds
SLOTS = 4  # their bound on handler threads


@pytest.fixture
def server(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[DevServer]:
    root = tmp_path / "out"
    root.mkdir()
    (root / "index.html").write_text("<html><body>home</body></html>")
    (root / "404.html").write_text("<html><body>custom not found</body></html>")
    caplog.set_level(logging.DEBUG, logger="sitegen")
    dev = DevServer(FolderFiles(root), "127.0.0.1", 0, idle_timeout=IDLE, max_connections=SLOTS)
    dev.start()
    yield dev
    dev.stop()
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []  # nothing went wrong on the server's side


def exchange(dev: DevServer, data: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes and read until the server closes (or `timeout`)."""
    with socket.create_connection(("127.0.0.1", dev.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(reply: bytes) -> int:
    assert reply.startswith(b"HTTP/1."), reply[:80]
    return int(reply.split(b" ", 2)[1])


def get(dev: DevServer, path: str, host: str | None = "127.0.0.1") -> bytes:
    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    return exchange(dev, (head + "Connection: close\r\n\r\n").encode("latin-1"))


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300,  # a segment longer than any file system allows
        "/" + "a" * 300 + "/",
        "/" + "%C3%A9" * 200,  # 400 bytes once decoded
        "/" + "a/" * 3000,  # a path longer than PATH_MAX
        "/%zz",
        "/%e9t%e9/",  # Latin-1, not UTF-8
        "/%c3",
        "/a%00b",
        "/\xe9",  # a raw byte that is not UTF-8
    ],
)
def test_server_path_no_file_can_have_gets_404_and_no_traceback(
    server: DevServer, path: str, capfd: pytest.CaptureFixture[str]
) -> None:
    reply = get(server, path)
    assert status_of(reply) == 404
    assert b"custom not found" in reply
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("length", [9000, 70_000])
def test_server_overlong_request_line_gets_414(
    server: DevServer, length: int, capfd: pytest.CaptureFixture[str]
) -> None:
    reply = get(server, "/" + "a" * length)
    assert status_of(reply) == 414
    assert reply.split(b"\r\n\r\n", 1)[1] != b""  # a short explanation, not an empty reply
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8000",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "[::2]",
        "::1",  # IPv6 without brackets is not a valid Host
        "127.0.0.1:http",
        "",
    ],
)
def test_server_refuses_other_host_names(server: DevServer, host: str) -> None:
    reply = get(server, "/", host)
    assert status_of(reply) == 403
    body = reply.split(b"\r\n\r\n", 1)[1]
    assert body.startswith(b"sitegen serve: refused Host") and body.count(b"\n") == 1
    assert b"home" not in reply
    events = get(server, "/_sitegen/events", host)  # the live-reload stream too
    assert status_of(events) == 403


def test_server_refuses_two_host_headers(server: DevServer) -> None:
    reply = exchange(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n")
    assert status_of(reply) == 403


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LOCALHOST:{port}", "localhost.", "[::1]"]
    + ["[::1]:{port}", None],
)
def test_server_answers_local_host_names(server: DevServer, host: str | None) -> None:
    reply = get(server, "/", None if host is None else host.format(port=server.port))
    assert status_of(reply) == 200 and b"home" in reply


def test_server_answers_http_1_0_without_host(server: DevServer) -> None:
    reply = exchange(server, b"GET / HTTP/1.0\r\n\r\n")
    assert status_of(reply) == 200 and b"home" in reply


def test_host_rules() -> None:
    assert host_name("[::1]:8000") == "::1" and host_name("Example.COM.:80") == "example.com"
    assert host_name("[::1]x") is None and host_name("a:b:c") is None
    assert allowed_names("0.0.0.0") is None and allowed_names("::") is None  # --host: any
    assert host_allowed(["preview.lan:8000"], "0.0.0.0")
    assert host_allowed(["192.168.1.5:8000"], "192.168.1.5")
    assert not host_allowed(["evil.example"], "192.168.1.5")
    assert host_allowed([], "127.0.0.1")
    assert url_path("/%C3%A9t%C3%A9/") == "/été/" and url_path("/%e9") is None


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost: 127.0", b"GET / HTTP/1.1\r\n"])
def test_server_closes_an_idle_connection(server: DevServer, sent: bytes) -> None:
    started = time.monotonic()
    reply = exchange(server, sent, timeout=IDLE * 8)  # TimeoutError here: never closed
    assert reply == b""
    assert IDLE * 0.8 <= time.monotonic() - started < IDLE * 6


def test_server_closes_an_idle_keep_alive_connection(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=IDLE * 8) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        time.sleep(0.2)
        assert b"home" in sock.recv(65536)
        started = time.monotonic()
        assert sock.recv(65536) == b""  # closed after IDLE seconds without a new request
        assert time.monotonic() - started < IDLE * 6


def test_server_closes_a_connection_whose_request_only_trickles_in(server: DevServer) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 40
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=IDLE * 8) as sock:
        try:
            for byte in request:  # one byte every IDLE / 2: each read is within the timeout
                sock.sendall(bytes([byte]))
                time.sleep(IDLE / 2)
                if time.monotonic() - started > IDLE * 6:
                    break
            rest = sock.recv(65536)
        except (BrokenPipeError, ConnectionResetError):
            rest = b""  # closed by the server, as it should be
        assert rest == b""
    assert time.monotonic() - started < IDLE * 6  # HEAD_TIMEOUTS idle timeouts, and a margin


def handler_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_server_more_idle_connections_than_threads_wait_and_a_request_is_answered(
    server: DevServer,
) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(SLOTS * 2)]
    try:
        time.sleep(IDLE / 4)
        assert handler_threads() <= SLOTS  # the rest wait in the listen queue
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=IDLE * 10)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert (response.status, response.read().count(b"home")) == (200, 1)
        connection.close()
        waited = time.monotonic() - started
        assert IDLE * 0.5 <= waited < IDLE * 9  # answered once the idle ones timed out
    finally:
        for sock in idle:
            sock.close()


def test_server_releases_its_threads_after_each_connection(server: DevServer) -> None:
    for _ in range(SLOTS * 3):  # a thread slot not given back would make this hang
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=IDLE * 3)
        connection.request("GET", "/missing")
        assert connection.getresponse().status == 404
        connection.close()


def test_server_keeps_the_live_reload_stream_open_past_the_idle_timeout(
    server: DevServer,
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=IDLE * 8) as sock:
        sock.sendall(b"GET /_sitegen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = read_until(sock, b"event: epoch", b"")
        time.sleep(IDLE * 2.5)  # the server holds the response; that is not idling
        server.publish(BuildState(7, ()))
        read_until(sock, b'"epoch": 7', received)


def read_until(sock: socket.socket, marker: bytes, received: bytes) -> bytes:
    while marker not in received:  # each recv waits at most the socket's timeout
        chunk = sock.recv(65536)
        assert chunk, f"the stream was closed before {marker!r}"
        received += chunk
    return received
