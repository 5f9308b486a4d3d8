"""A local HTTP server for previews: static files from the output folder, plus a
Server-Sent Events stream that tells open pages to reload or to show build errors.

It knows nothing about articles: `preview.py` builds and tells it what happened.
"""

from __future__ import annotations

import errno
import http.server
import json
import posixpath
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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
PORT_TRIES = 10


def inject_script(html: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end when there is none)."""
    at = html.rfind(b"</body>")
    tag = _TAG.encode("utf-8")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file a URL path names inside `root`, or None. Never a path outside `root`:
    '..' (also percent-encoded), absolute paths, NUL bytes and symlinks out are refused."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path:
        return None
    normal = posixpath.normpath("/" + path.lstrip("/"))
    if any(part == ".." for part in normal.split("/")):
        return None
    candidate = root / normal.lstrip("/")
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() and real.is_relative_to(root.resolve()) else None


@dataclass(frozen=True)
class BuildState:
    """What open pages should know: the build number, and the problems of a failed rebuild."""

    epoch: int = 0
    problems: tuple[str, ...] = ()
    css_only: bool = False


class DevServer:
    """Serves `root` on host:port (port 0: any free port) in a background thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.root = root
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

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        super().__init__(address, _Handler)


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


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build results, not request logs

    def do_HEAD(self) -> None:
        self.do_GET(send_body=False)

    def do_GET(self, send_body: bool = True) -> None:
        if urlsplit(self.path).path == EVENTS_PATH:
            self._stream_events()
            return
        root = self.server.dev.root
        target = resolve_request(root, self.path)
        path = urlsplit(self.path).path
        if (
            target is not None
            and not path.endswith("/")
            and target.name == "index.html"
            and not path.endswith("index.html")
        ):
            self._send(301, b"", "text/plain", send_body, {"Location": path + "/"})
        elif target is not None:
            self._send(
                200,
                target.read_bytes(),
                _TYPES.get(target.suffix.lower(), "application/octet-stream"),
                send_body,
            )
        else:
            not_found = root / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"<h1>Not found</h1></body>"
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
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _event(self, state: BuildState) -> None:
        if state.problems:
            data = json.dumps({"problems": list(state.problems)})
            self.wfile.write(f"event: problems\ndata: {data}\n\n".encode())
        else:
            data = json.dumps({"epoch": state.epoch, "css_only": state.css_only})
            self.wfile.write(f"event: epoch\ndata: {data}\n\n".encode())
        self.wfile.flush()
