"""Saves that change only an article's words are applied to the preview's plan in place
(serve.patch): every page showing the article shows the new words, as a clean build
would, and anything that moves a page is planned again (tests/test_serve_random.py
checks both over random edits)."""

from __future__ import annotations

from pathlib import Path

from sitegen.build import build
from sitegen.build.job import BuildOptions
from sitegen.serve.live import LiveSite
from tests.conftest import MakeSite, article, tiny_png

OPTIONS = BuildOptions(False, False, False, "http://127.0.0.1:8000/", None, False, False, False)
IN_PLACE = "(its pages only)"


def _site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/a.md": article("Vigil in Paris", "2025-01-03", tags='["Paris"]', slug="a"),
            "content/b.md": article("Old headline", "2025-01-02", tags='["Paris"]', slug="b"),
            "content/c.md": article("Third", "2025-01-01", slug="c"),
        }
    )


def _planned(root: Path) -> LiveSite:
    """The preview's site of `root`, planned once."""
    live = LiveSite(root, OPTIONS)
    live.refresh()
    return live


def _saved(path: Path, old: str, new: str) -> Path:
    """`path` saved with `old` replaced by `new`, as an editor saves it."""
    path.write_text(path.read_text().replace(old, new))
    return path


def test_a_new_title_is_shown_on_every_page_that_shows_the_article(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = _site(make_site)
    live = _planned(root)
    pages = ["index.html", "tag/paris/index.html", "a/index.html", "b/index.html", "feed.xml"]
    assert all(b"Old headline" in (live.read(page) or b"") for page in pages)

    refreshed = live.refresh([_saved(root / "content/b.md", "Old headline", "New headline")])

    assert refreshed is not None and IN_PLACE in refreshed.done
    out = tmp_path / "reference"
    build(root, out, base_url=OPTIONS.base_url)
    for page in live.paths():  # (the neighbour a links to b by its title)
        assert live.read(page) == (out / page).read_bytes(), page
    assert b"New headline" in (live.read("a/index.html") or b"")


def test_a_save_that_moves_a_page_plans_the_site_again(make_site: MakeSite) -> None:
    root = _site(make_site)
    live = _planned(root)
    retagged = _saved(root / "content/c.md", "date: 2025-01-01", 'date: 2025-01-01\ntags: ["UN"]')

    refreshed = live.refresh([retagged])

    assert refreshed is not None and IN_PLACE not in refreshed.done
    assert b"Third" in (live.read("tag/un/index.html") or b"")


def test_a_save_that_changes_nothing_reloads_nothing(make_site: MakeSite) -> None:
    live = _planned(root := _site(make_site))

    assert live.refresh([_saved(root / "content/a.md", "", "")]) is None  # saved as it was


def test_the_saved_files_warnings_are_replaced_and_the_others_kept(make_site: MakeSite) -> None:
    no_alt = article("Pictured", "2025-01-04", image='"/images/p.png"', slug="p")
    root = _site(make_site)
    (root / "content/p.md").write_text(no_alt)
    (root / "content/q.md").write_text(no_alt.replace("slug: p", "slug: q"))
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/p.png").write_bytes(tiny_png())
    live = LiveSite(root, OPTIONS)
    first = live.refresh()
    assert first is not None
    assert [str(w.location.path) for w in first.warnings] == ["content/p.md", "content/q.md"]
    path = root / "content/p.md"
    path.write_text(no_alt.replace("slug: p", 'slug: p\nimage_alt: "Candles"'))

    refreshed = live.refresh([path])

    assert refreshed is not None and IN_PLACE in refreshed.done
    assert [str(w.location.path) for w in refreshed.warnings] == ["content/q.md"]
    assert refreshed.replaced is not None
    now, before = refreshed.replaced
    assert now == () and [str(w.location.path) for w in before] == ["content/p.md"]
    assert b'alt="Candles"' in (live.read("p/index.html") or b"")
