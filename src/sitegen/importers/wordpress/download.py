"""Media an export refers to -> files in the site's static/ folder, fetched over HTTP(S), as
WordPress's own importer offers ("download and import file attachments").

Made to be run again after a failure: a file already in place is not fetched, a file is
written under a temporary name and renamed when complete, and every failure is listed at the
end rather than ending the run. Fetches run a few at a time (a server hosting an archive
should not see hundreds of requests at once), each retried with backoff on what may pass
(a timeout, a refused connection, 429, 5xx), never on what will not (404, 403).
"""

from __future__ import annotations

import contextlib
import http.client
import mimetypes
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sitegen import urls
from sitegen.errors import cut

MAX_BYTES = 64 * 1024 * 1024  # a file larger than this is no image of an article
ATTEMPTS = 3
BACKOFF = 1.0  # seconds before the second attempt; doubled for each one after
PARALLEL = 4
TIMEOUT = 30.0  # seconds without a byte
USER_AGENT = "sitegen-wordpress-import (+static site migration)"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Download:
    """One file to fetch: from `url` to `target`, a path under the site's static/ folder."""

    url: str
    target: str  # relative to static/: 'wp-content/uploads/2019/05/vigil.jpg'


@dataclass
class DownloadReport:
    fetched: int = 0
    present: int = 0  # there already: not fetched again
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


class _Refused(Exception):
    """A reply that another attempt would not change (404, a page instead of an image)."""


def download_all(
    downloads: Iterable[Download],
    static_dir: Path,
    *,
    max_bytes: int = MAX_BYTES,
    parallel: int = PARALLEL,
    backoff: float = BACKOFF,
    progress: Callable[[Download], None] = lambda _: None,
) -> DownloadReport:
    """Fetch each download not yet in `static_dir`; `progress` is told of each one done."""
    report = DownloadReport()
    wanted: list[Download] = []
    for item in dict.fromkeys(downloads):
        if not urls.is_output_path(item.target):  # from the export: input like any other
            report.failed.append((item.url, "not a path inside static/"))
        elif (static_dir / item.target).is_file():
            report.present += 1
            progress(item)
        else:
            wanted.append(item)

    def one(item: Download) -> tuple[Download, str | None]:
        try:
            _fetch(item, static_dir / item.target, max_bytes, backoff)
            return item, None
        except (_Refused, OSError, ValueError) as exc:
            return item, str(exc) or type(exc).__name__

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for item, problem in pool.map(one, wanted):
            if problem is None:
                report.fetched += 1
            else:
                report.failed.append((item.url, problem))
            progress(item)
    report.failed.sort()
    return report


def _fetch(item: Download, target: Path, max_bytes: int, backoff: float) -> None:
    """One file, attempts and all; raises what made the last attempt fail."""
    for attempt in range(ATTEMPTS):
        try:
            _fetch_once(item, target, max_bytes)
            return
        except _Refused:
            raise
        except urllib.error.HTTPError as exc:
            if exc.code != 429 and exc.code < 500:
                raise _Refused(f"HTTP {exc.code} {exc.reason}") from exc
            if attempt == ATTEMPTS - 1:
                raise _Refused(f"HTTP {exc.code} {exc.reason} ({ATTEMPTS} attempts)") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == ATTEMPTS - 1:
                reason = getattr(exc, "reason", exc)
                raise _Refused(f"{reason} ({ATTEMPTS} attempts)") from exc
        time.sleep(backoff * 2**attempt)


def _fetch_once(item: Download, target: Path, max_bytes: int) -> None:
    request = urllib.request.Request(item.url, headers={"User-Agent": USER_AGENT})
    with contextlib.closing(_open(request, TIMEOUT)) as reply:
        headers = reply.headers
        _check_type(item, (headers.get("Content-Type") or "").split(";")[0].strip().lower())
        length = headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise _Refused(f"{int(length):,} bytes, over the limit of {max_bytes:,}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            with partial.open("wb") as out:
                size = 0
                while chunk := reply.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise _Refused(f"over the limit of {max_bytes:,} bytes")
                    out.write(chunk)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def _check_type(item: Download, served: str) -> None:
    """A reply of another kind than the file's name says is not that file: a login page,
    an error page with status 200, a parked domain's advertising."""
    expected, _ = mimetypes.guess_type(PurePosixPath(item.target).name)
    if served in ("text/html", "application/xhtml+xml") and expected != served:
        raise _Refused(f"the server sent a web page ({served}), not the file")
    if not expected or served in ("", "application/octet-stream"):
        return  # nothing to compare: a file of any kind, or a server that does not say
    if served.split("/")[0] != expected.split("/")[0]:
        raise _Refused(f"the server sent {cut(served, 40)}, not {expected}")


def _open(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """urllib's opener, for http(s) only (an export may name file: or ftp: URLs)."""
    if request.type not in ("http", "https"):
        raise _Refused(f"not an http(s) address: {cut(request.full_url, 80)}")
    reply: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    return reply
