"""Word-only builds (build/quick.py): a build whose only changes are articles' words remakes
the pages that show them from what the last full build kept, and must make exactly what
a clean build makes; anything it cannot be sure of is a full build."""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from pathlib import Path, PurePosixPath

import pytest

from sitegen.build import build
from sitegen.errors import ContentError
from tests.conftest import MakeSite, article
from tests.test_build import tree


def archive(count: int = 30) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        f"content/a{i:02d}.md": article(
            f"Article {i}", f"2025-01-{i + 1:02d}", body=f"Body {i}.", tags="[Common, Other]"
        )
        for i in range(count)
    }
    files["sitegen.yaml"] = "base_url: https://example.org/\nper_page: 5\n"
    return files


def ready(root: Path, out: Path) -> None:
    """A first build, then one that leaves a spare output folder (word-only builds write
    into it; a full build makes it while it loads)."""
    build(root, out)
    build(root, out, skip_unchanged=False)


def assert_as_cold(root: Path, out: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    build(root, cold, use_cache=False)
    assert tree(out) == tree(cold)


def reword(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_body_edit_remakes_only_what_shows_the_article(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    reword(root, "a03.md", "Body 3.", "Body 3, corrected.")
    report = build(root, out)
    assert report.words_only and report.parsed == 1
    assert "Body 3, corrected." in (out / "a03/index.html").read_text()
    assert 0 < report.written < 10
    assert_as_cold(root, out, tmp_path)


def test_a_title_edit_reaches_neighbours_listings_and_feeds(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    reword(root, "a10.md", "Article 10", "Article ten")
    report = build(root, out)
    assert report.words_only
    for page in (
        "a10/index.html",
        "a09/index.html",
        "a11/index.html",
        "tag/common/page/4/index.html",
    ):
        assert "Article ten" in (out / page).read_text(), page
    assert_as_cold(root, out, tmp_path)
    reword(root, "a10.md", "Article ten", "Article 10")  # and back: what it was before
    assert build(root, out).words_only
    assert_as_cold(root, out, tmp_path)


def test_an_article_shown_by_a_page_reading_site_is_a_full_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The default 404 page shows the five newest articles' titles (it reads `site`)."""
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    reword(root, "a29.md", "Article 29", "Newest, retitled")
    report = build(root, out)
    assert not report.words_only
    assert "Newest, retitled" in (out / "404.html").read_text()
    assert_as_cold(root, out, tmp_path)


@pytest.mark.parametrize(
    "change",
    ["date", "tag", "template", "config", "new file"],
)
def test_more_than_words_is_a_full_build(make_site: MakeSite, tmp_path: Path, change: str) -> None:
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    reword(root, "a03.md", "Body 3.", "Body 3, corrected.")
    if change == "date":
        reword(root, "a04.md", "2025-01-05", "2025-01-15")
    elif change == "tag":
        reword(root, "a04.md", "[Common, Other]", "[Common]")
    elif change == "template":
        (root / "templates").mkdir()
        (root / "templates/page.html").write_text("{{ page.title }}")
    elif change == "config":
        (root / "sitegen.yaml").write_text("base_url: https://example.org/\nper_page: 6\n")
    else:
        (root / "content/new.md").write_text(article("New", "2024-06-01"))
    report = build(root, out)
    assert not report.words_only
    assert_as_cold(root, out, tmp_path)


def test_warnings_are_reported_by_a_word_only_build(make_site: MakeSite, tmp_path: Path) -> None:
    files = archive()
    files["content/a05.md"] = article("Article 5", "2025-01-06", body="Body 5.", image="/x.jpg")
    root, out = make_site(files), tmp_path / "out"
    ready(root, out)
    before = build(root, out, skip_unchanged=False).warnings
    assert before  # the lead image is missing
    reword(root, "a05.md", "Body 5.", "Body 5, corrected.")
    report = build(root, out)
    assert report.words_only and report.warnings == before


def test_a_failed_build_since_the_record_is_never_built_on(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A failed build may have changed the cache's view of the files (an edit it read):
    the next build must not take that edit for done."""
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    reword(root, "a03.md", "Body 3.", "Body 3, corrected.")
    (root / "content/a04.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(ContentError):
        build(root, out)
    (root / "content/a04.md").write_text(
        article("Article 4", "2025-01-05", body="Body 4.", tags="[Common, Other]")
    )
    build(root, out)
    assert "Body 3, corrected." in (out / "a03/index.html").read_text()
    assert_as_cold(root, out, tmp_path)


def test_a_forged_snapshot_is_never_run(make_site: MakeSite, tmp_path: Path) -> None:
    """The cache is input: a snapshot that would make anything but sitegen's data (here,
    call a function that writes a file) is refused, and the build is a full one."""
    root, out = make_site(archive()), tmp_path / "out"
    ready(root, out)
    witness = tmp_path / "ran"
    forged = pickle.dumps(Opener(str(witness)))
    with sqlite3.connect(root / ".sitegen-cache/cache.sqlite") as db:
        db.execute("UPDATE snapshots SET data = ?, checksum = ?", (forged, zlib.crc32(forged)))
    reword(root, "a03.md", "Body 3.", "Body 3, corrected.")
    report = build(root, out)
    assert not witness.exists()
    assert not report.words_only
    assert_as_cold(root, out, tmp_path)


class Opener:
    """Unpickled, calls open(path, 'w'): what a forged cache could do with plain pickle."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (self.path, "w")


@pytest.mark.parametrize(
    "path", ["content/a.md", "content//a.md", "./content/a.md", "content/.hidden.md", "x/", "."]
)
@pytest.mark.parametrize("line", [None, 4])
def test_remembered_warnings_read_back_as_they_were(
    path: str, line: int | None, tmp_path: Path
) -> None:
    """A word-only build or one with nothing to do prints the last build's warnings from
    their kept text, and makes Problems of their rows only when asked: both as before."""
    from sitegen.cache.store import BuildCache
    from sitegen.cache.warnings import kept_warnings, read_warnings
    from sitegen.errors import Location, Problem, Severity

    where = Location(PurePosixPath(path), line)
    problems = [
        Problem(where, "image: 'x.jpg' not found", Severity.WARNING),
        Problem(where, "two\nlines", Severity.WARNING),
    ]
    fields, blobs = kept_warnings(problems)
    cache = BuildCache(tmp_path)
    cache.remember_build("s", fields, None, blobs)
    cache.commit()
    stored = read_warnings(cache, fields)
    assert stored.printed.decode() == "\n".join(map(str, problems))
    assert stored.decoded() == tuple(problems) and len(stored) == 2
    with pytest.raises(ValueError):
        read_warnings(cache, {**fields, "checksum": fields["checksum"] + 1})


def test_remembered_warnings_about_a_name_that_is_not_utf8_print_backslashed() -> None:
    """As Python's stderr writes a lone surrogate (os.fsdecode's, for a byte of a file
    name that is not UTF-8): a build must not fail to remember or print it."""
    from sitegen.cache.warnings import printed
    from sitegen.errors import Location, Problem, Severity

    where = Location(PurePosixPath("static/caf\udce9.jpg"))
    assert printed([Problem(where, "odd", Severity.WARNING)]) == (
        b"static/caf\\udce9.jpg: warning: odd"
    )


@pytest.mark.parametrize("count", [0, 1000, 2001])
def test_remembered_warnings_packed_in_parts_read_back_whole(count: int) -> None:
    """Packed a thousand at a time (a cold build's peak memory): none lost at the seams."""
    import zlib

    from sitegen.cache.warnings import StoredProblems, pack_warnings, printed
    from sitegen.errors import Location, Problem, Severity

    problems = [
        Problem(Location(PurePosixPath(f"content/a{i}.md"), i or None), f"m{i}", Severity.WARNING)
        for i in range(count)
    ]
    text, rows = pack_warnings(problems)
    assert zlib.decompress(text) == printed(problems)
    assert StoredProblems(count, zlib.decompress(text), rows).decoded() == tuple(problems)
