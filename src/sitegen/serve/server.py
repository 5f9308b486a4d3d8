"""A local HTTP server for previews: static files from the output folder, plus a
Server-Sent Events stream that tells open pages to reload or to show build errors.

It knows nothing about articles: `preview.py` builds and tells it what happened.
"""

from __future__ import annotations

import errno
import http.server
import io
import json
import logging
import posixpath
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sitegen.serve.files import Files
from sitegen.serve.guard import MAX_REQUEST_LINE, host_allowed, refusal, url_path
from sitegen.serve.rules import QueryRedirects

log = logging.getLogger(__name__)

EVENTS_PATH = "/_sitegen/events"
_SCRIPT = (Path(__file__).with_name("livereload.js")).read_text(encoding="utf-8")
_TAG = f"<script>\n{_SCRIPT}</script>\n"
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".pdf": "application/pdf",
}  # fmt: skip
_OTHER = "application/octet-stream"
PORT_TRIES = 10
IDLE_TIMEOUT = 10.0  # seconds a connection may wait between reads of a request
MAX_CONNECTIONS = 64  # handler threads; more connections wait in the listen queue
HEAD_TIMEOUTS = 3  # a request's line and headers must arrive within 3 idle timeouts
_LINGER = 0.5  # seconds to read what a client still sends after the last response


def inject_script(html: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end when there is none)."""
    at = html.rfind(b"</body>")
    tag = _TAG.encode("utf-8")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def request_path(raw_path: str) -> str | None:
    """The output path a request names ('/'-separated, relative, "" for the root), or
    None for one no file can have: '..' (also percent-encoded), NUL bytes, broken
    escapes, a segment too long."""
    path = url_path(urlsplit(raw_path).path)
    if path is None:
        return None
    normal = posixpath.normpath("/" + path.lstrip("/"))
    if any(part == ".." for part in normal.split("/")):
        return None
    return normal.lstrip("/")


@dataclass(frozen=True)
class BuildState:
    """What open pages should know: the build number, and the problems of a failed rebuild."""

    epoch: int = 0
    problems: tuple[str, ...] = ()
    css_only: bool = False


class DevServer:
    """Serves `files` on host:port (port 0: any free port) in a background thread.

    A connection that sends nothing for `idle_timeout` seconds is closed; at most
    `max_connections` are handled at once, and further ones wait to be accepted."""

    def __init__(
        self,
        files: Files,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.files = files  # replaceable: the preview sets its own once it knows the URL
        self.query_redirects = QueryRedirects(lambda: self.files)  # `/?p=123`: _redirects
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.state = BuildState()
        self.stopping = False
        self._changed = threading.Condition()
        self.httpd = _bind(host, port, self)
        self.port = int(self.httpd.server_address[1])
        self.host = host
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="sitegen-http", daemon=True
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def publish(self, state: BuildState) -> None:
        """Tell every open page about a new build or new problems."""
        with self._changed:
            self.state = state
            self._changed.notify_all()

    def wait_for_change(self, seen: BuildState, timeout: float) -> BuildState:
        with self._changed:
            self._changed.wait_for(lambda: self.state != seen or self.stopping, timeout)
            return self.state


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # connections over the thread bound wait here

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        self.slots = threading.BoundedSemaphore(dev.max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a handler thread once one of the bounded slots is free."""
        while not self.slots.acquire(timeout=0.25):
            if self.dev.stopping:
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def shutdown_request(self, request: Any) -> None:
        """Close after reading what the client still sends (a refused request's headers),
        so that the response is not lost to a connection reset."""
        try:
            request.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _LINGER
            while (left := deadline - time.monotonic()) > 0:
                request.settimeout(left)
                if not request.recv(65536):
                    break
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line, never a traceback on the terminal: a request cannot stop serve."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.warning("request from %s failed: %r", client_address, exc)


def _bind(host: str, port: int, dev: DevServer) -> _Server:
    """Bind `port`, or if it is taken the next free one (the caller announces which)."""
    last = port if port == 0 else port + PORT_TRIES - 1
    for candidate in range(port, last + 1):
        try:
            return _Server((host, candidate), dev)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or candidate == last:
                raise
    raise AssertionError("unreachable")


class _RequestReader(io.RawIOBase):
    """A socket's incoming bytes, each read waiting at most the idle timeout and never
    past `deadline`; the socket's own timeout (also used for writes) is left as it was."""

    def __init__(self, sock: socket.socket, idle: float) -> None:
        super().__init__()
        self.sock = sock
        self.idle = idle
        self.deadline = float("inf")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long to arrive")
        self.sock.settimeout(min(self.idle, left))
        try:
            return self.sock.recv_into(buffer)
        finally:
            self.sock.settimeout(self.idle)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    raw_requestline: bytes
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build results, not request logs

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.dev.idle_timeout)  # every read and write
        self.rfile.close()
        self.reader = _RequestReader(self.connection, self.server.dev.idle_timeout)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        """One request, whose request line and headers must arrive within a few idle
        timeouts in all (a client sending a byte now and then cannot hold a thread)."""
        self.reader.deadline = time.monotonic() + self.server.dev.idle_timeout * HEAD_TIMEOUTS
        super().handle_one_request()

    def parse_request(self) -> bool:
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(414, "Request line too long")
            return False
        return super().parse_request()

    def do_HEAD(self) -> None:
        self.do_GET(send_body=False)

    def do_GET(self, send_body: bool = True) -> None:
        hosts = self.headers.get_all("Host") or []
        if not host_allowed(hosts, self.server.dev.host):
            body = refusal(", ".join(hosts), self.server.dev.url)
            headers = {"Connection": "close", "X-Content-Type-Options": "nosniff"}
            self._send(403, body, _TYPES[".txt"], send_body, headers)
            return
        if urlsplit(self.path).path == EVENTS_PATH:
            self._stream_events()
            return
        dev = self.server.dev
        if moved := dev.query_redirects.target(self.path):
            self._send(301, b"", "text/plain", send_body, {"Location": moved})
            return
        path, files = request_path(self.path), dev.files
        content = None if path is None else files.read(path)
        if content is None and path is not None:
            content = files.read(posixpath.join(path, "index.html"))
            asked = urlsplit(self.path).path
            if content is not None and not asked.endswith("/"):  # a folder: as web servers do
                self._send(301, b"", "text/plain", send_body, {"Location": asked + "/"})
                return
            path = "index.html"  # (its type)
        if content is not None and path is not None:
            content_type = _TYPES.get(PurePosixPath(path).suffix.lower(), _OTHER)
            self._send(200, content, content_type, send_body)
        else:
            body = files.read("404.html") or b"<h1>Not found</h1></body>"
            self._send(404, body, _TYPES[".html"], send_body)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        send_body: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        if content_type.startswith("text/html"):
            body = inject_script(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        server = self.server.dev
        state = server.state
        try:
            self._event(state)
            while not server.stopping:
                new = server.wait_for_change(state, timeout=15)
                if new == state:
                    self.wfile.write(b": keep-alive\n\n")  # also notices closed tabs
                else:
                    state = new
                    self._event(state)
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass  # the page was closed, or stopped reading

    def _event(self, state: BuildState) -> None:
        if state.problems:
            data = json.dumps({"problems": list(state.problems)})
            self.wfile.write(f"event: problems\ndata: {data}\n\n".encode())
        else:
            data = json.dumps({"epoch": state.epoch, "css_only": state.css_only})
            self.wfile.write(f"event: epoch\ndata: {data}\n\n".encode())
        self.wfile.flush()
