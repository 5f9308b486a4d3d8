"""A rebuild with nothing to do reports the last build's warnings again, made from the
cache only when they are shown: `build -q` on an archive with 100,000 of them must not
spend most of its time making them (issue 30: no-op < 0.5 s at 50,000 articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.cache import codec
from tests.conftest import MakeSite, article
from tests.test_cli import run


def warned_site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/b.md": article("B", titel="x", image="/missing.jpg"),
            "content/a.md": article("A", image="/gone.jpg", image_alt="Gone"),
        }
    )


def test_a_rebuild_with_nothing_to_do_prints_the_same_warnings(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = warned_site(make_site)
    first = run("build", str(root), "-o", str(tmp_path / "out"))
    again = run("build", str(root), "-o", str(tmp_path / "out"))
    assert first[0] == again[0] == 0
    assert len(first[2].splitlines()) == 4
    assert again == first
    assert run("build", str(root), "-q", "-o", str(tmp_path / "out")) == (0, "", "")


def test_warnings_of_a_rebuild_with_nothing_to_do_are_made_only_when_asked_for(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = warned_site(make_site)
    first = build(root, tmp_path / "out")
    made = []
    real = codec.decode_problems
    monkeypatch.setattr(codec, "decode_problems", lambda rows: made.append(1) or real(rows))
    again = build(root, tmp_path / "out")
    assert again.site is None  # nothing was built
    assert made == [] and len(again.found) == len(first.warnings) == 4
    assert again.warnings == first.warnings and made == [1]
