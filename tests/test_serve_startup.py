"""`sitegen serve` of a big archive answers at once: with the site's last build until the
site is planned (issue 30: a 50,000-article archive took 31 s before its first page)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.serve.live import LiveSite
from sitegen.serve.preview import Preview, PreviewOptions
from tests.conftest import MakeSite, article, wait_for
from tests.served import fetch


def test_the_last_build_is_served_until_the_site_is_planned(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"content/a.md": article("Built before", slug="a")})
    build(root)
    (root / "content/a.md").write_text(article("Edited since", slug="a"))
    planning = threading.Event()
    refresh = LiveSite.refresh

    def slow_refresh(self: LiveSite, saved: object = ()) -> object:
        planning.wait(timeout=30)  # a big archive, planning
        return refresh(self, saved)  # type: ignore[arg-type]

    monkeypatch.setattr(LiveSite, "refresh", slow_refresh)
    with _started(root) as (running, lines), _finally(planning.set):
        wait_for(lambda: running.server.state.epoch == 0 and _serving(lines))
        status, body = fetch(running.server.port, "/a/")
        assert status == 200 and b"Built before" in body
        assert "(its last build, build/, until planned)" in lines[-1]
        planning.set()
        wait_for(lambda: running.server.state.epoch == 1)
        status, body = fetch(running.server.port, "/a/")
        assert status == 200 and b"Edited since" in body and b"Built before" not in body


def test_without_a_build_the_preview_starts_once_planned(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": article("Never built", slug="a")})
    with _started(root) as (running, lines):
        wait_for(lambda: running.server.state.epoch == 1 and _serving(lines))
        assert "until planned" not in "\n".join(lines)
        status, body = fetch(running.server.port, "/a/")
        assert status == 200 and b"Never built" in body
    assert not (root / "build").exists()  # the preview writes nothing


@contextlib.contextmanager
def _started(root: Path) -> Iterator[tuple[Preview, list[str]]]:
    """`sitegen serve` of `root` in a thread, not waited for, and what it prints."""
    lines: list[str] = []
    running = Preview(root, PreviewOptions(port=0), report=lines.append)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        yield running, lines
    finally:
        running.stop()
        thread.join(timeout=10)


@contextlib.contextmanager
def _finally(action: Callable[[], None]) -> Iterator[None]:
    try:
        yield
    finally:
        action()


def _serving(lines: list[str]) -> bool:
    return any(line.startswith("serving ") for line in lines)
