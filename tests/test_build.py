from __future__ import annotations

import difflib
import gc
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ConfigError, ContentError, OutputError
from tests.conftest import REPO_ROOT, BuildSite, MakeSite, article, copy_site

SITES = Path(__file__).parent / "sites"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", sorted(p.name for p in SITES.iterdir()))
def test_golden_site_output_matches_expected(
    case: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    expected_dir = SITES / case / "expected"
    out = tmp_path / "out"
    build(copy_site(SITES / case / "input", tmp_path / "site"), out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
    actual, expected = tree(out), tree(expected_dir)
    assert sorted(actual) == sorted(expected), "output files differ from expected/"
    for rel, data in expected.items():
        if actual[rel] != data:
            diff = difflib.unified_diff(
                data.decode(errors="replace").splitlines(),
                actual[rel].decode(errors="replace").splitlines(),
                f"expected/{rel}",
                f"actual/{rel}",
                lineterm="",
            )
            pytest.fail("\n".join(diff) + "\n(run pytest --update-golden and review the diff)")


def test_build_twice_is_byte_identical(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic" / "input", tmp_path / "site")
    build(site, tmp_path / "one", use_cache=False)
    build(site, tmp_path / "two", use_cache=False)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_build_example_archive_has_no_problems(tmp_path: Path, example_site: Path) -> None:
    report = build(example_site, tmp_path / "out")
    assert report.warnings == ()
    assert report.articles >= 12
    assert (tmp_path / "out/index.html").is_file()


def test_failed_build_leaves_previous_output_intact(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article("First")})
    out = build_site(root)
    before = tree(out)
    (root / "content/b.md").write_text("---\ntitle: Broken\ndate: someday\n---\n")
    (root / "content/a.md").write_text(article("First, edited"))
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/b.md:3: date: cannot parse 'someday'; use YYYY-MM-DD or ISO 8601 (2024-03-01T18:30:00+01:00)"
    ]
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "site"]  # no staging debris


def test_builds_leave_the_garbage_collector_as_they_found_it(
    make_site: MakeSite, build_site: BuildSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build freezes what it makes for the collector, and turns the collector off while
    it plans; `serve` builds again and again in one process, so each must give it all
    back, failed or not (also when it fails while the collector is off), and must leave
    alone a collector a host program froze objects for, or turned off, itself."""
    root = make_site({"content/a.md": article("First")})
    build_site(root)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    (root / "content/b.md").write_text("---\ntitle: Broken\ndate: someday\n---\n")
    with pytest.raises(ContentError):
        build_site(root)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    (root / "content/b.md").unlink()
    (root / "content/a.md").write_text(article("First, interrupted"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("sitegen.build.stages.site_pages", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build_site(root)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    (root / "content/a.md").write_text(article("First, edited"))
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build_site(root)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
    (root / "content/a.md").write_text(article("First, edited again"))
    gc.disable()
    try:
        build_site(root)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_build_reports_content_and_template_errors_together(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": "---\ntitle: A\n---\n",
            "content/b.md": article("B"),
            "templates/article.html": "{% extends 'base.html' %}\n{% block main %}\n{{ article.nope }}\n{% endblock %}\n",
        }
    )
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:1: date: required field is missing",
        "templates/article.html:3: 'sitegen.model.Article object' has no attribute 'nope' (template error)",
    ]


def test_build_reports_template_syntax_error_with_line(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article(), "templates/listing.html": "<p>\n{% if %}\n"})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "templates/listing.html:2: Expected an expression, got 'end of statement block' (template syntax error)"
    ]


def test_build_stops_on_config_error_before_writing(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article(), "sitegen.yaml": "per_page: -1\n"})
    with pytest.raises(ConfigError):
        build_site(root)
    assert not (tmp_path / "out").exists()


def test_build_refuses_foreign_output_dir(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article()})
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("precious")
    with pytest.raises(OutputError):
        build(root, home)
    assert [p.name for p in home.iterdir()] == ["notes.txt"]


def test_build_leaves_out_drafts_unless_asked(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "content/public.md": article("Public"),
            "content/secret.md": article("Secret", draft="true"),
        }
    )
    out = build_site(root)
    assert not (out / "secret").exists()
    assert "Secret" not in (out / "index.html").read_text()
    out = build_site(root, tmp_path / "with-drafts", include_drafts=True)
    assert (out / "secret/index.html").is_file()


def test_build_default_theme_is_used_and_overridden_per_file(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/hello.md": article("Hello"),
            "templates/listing.html": "{% extends 'base.html' %}{% block main %}MY HOME{% endblock %}",
            "static/css/extra.css": "p{}",
        }
    )
    out = build_site(root)
    assert "MY HOME" in (out / "index.html").read_text()
    article_html = (out / "hello/index.html").read_text()
    assert "<h1>Hello</h1>" in article_html  # default theme's article.html
    assert (out / "css/site.css").read_bytes() == (REPO_ROOT / "static/css/site.css").read_bytes()
    assert (out / "css/extra.css").read_text() == "p{}"


def test_build_site_static_overrides_theme_static(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article(), "static/css/site.css": "/* mine */"})
    assert (build_site(root) / "css/site.css").read_text() == "/* mine */"


def test_build_rejects_two_articles_at_one_url(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {
            "content/rally.md": article("Rally"),
            "content/news/b.md": article("Other", slug="rally"),
        }
    )
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/rally.md:1: URL '/rally/' is also used by content/news/b.md:4; choose another 'slug'"
    ]


def test_build_leaves_out_future_articles_unless_asked(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    root = make_site(
        {
            "content/published.md": article("Published", "2025-12-31"),
            "content/scheduled.md": article("Scheduled", "2026-01-02"),
        }
    )
    out = build_site(root)
    assert (out / "published/index.html").is_file()
    assert not (out / "scheduled").exists()
    assert "Scheduled" not in (out / "feed.xml").read_text()
    out = build_site(root, tmp_path / "future", include_future=True)
    assert (out / "scheduled/index.html").is_file()


def test_a_first_rebuild_has_its_spare_made_while_it_loads(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a first build there is no spare to write a rebuild into; a forked process
    makes one while the rebuild loads (big sites only), and the site comes out exactly as a
    clean build makes it."""
    import sitegen.build.recipe

    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(400)})
    out = tmp_path / "out"
    build(root, out, jobs=2)
    made, real = tmp_path / "made", sitegen.build.recipe.make_spare

    def spy(output_dir: Path, files: list[str]) -> None:  # runs in the forked process
        real(output_dir, files)
        made.write_text(str(len(files)))

    monkeypatch.setattr(sitegen.build.recipe, "make_spare", spy)
    (root / "content/a7.md").write_text(article("A7, revised"))
    report = build(root, out, jobs=2)
    assert int(made.read_text()) > 400  # every file of the output
    assert 0 < report.written < 20
    build(root, tmp_path / "reference", use_cache=False)
    assert tree(out) == tree(tmp_path / "reference")


def test_parse_results_held_in_memory_are_used_before_the_cache(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` keeps the articles it parsed from rebuild to rebuild (`held`): after an edit
    only the edited file is looked up in the cache, and the site is still a clean build's."""
    from sitegen.cache.store import BuildCache
    from sitegen.content.loading import Held

    root = make_site({f"content/a{i}.md": article(f"A{i}", slug=f"a{i}") for i in range(5)})
    held = Held()
    build(root, tmp_path / "out", held=held)
    assert len(held.loaded) == 5
    asked: list[int] = []
    looked_up = BuildCache.articles

    def counted(self: BuildCache, keys: list[str], decode: object) -> object:
        asked.append(len(keys))
        return looked_up(self, keys, decode)  # type: ignore[arg-type]

    monkeypatch.setattr(BuildCache, "articles", counted)
    (root / "content/a1.md").write_text(article("A1, edited", slug="a1"))
    build(root, tmp_path / "out", held=held)
    assert asked == [1]  # the edited file alone: four articles came from memory
    build(root, tmp_path / "clean", use_cache=False)
    files = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*"))
    for rel in files:
        if (tmp_path / "out" / rel).is_file():
            assert (tmp_path / "out" / rel).read_bytes() == (tmp_path / "clean" / rel).read_bytes()
    assert "A1, edited" in (tmp_path / "out/a1/index.html").read_text()


def test_held_loads_leave_the_cache_as_a_build_does(make_site: MakeSite, tmp_path: Path) -> None:
    """With `held` (serve), a load after a save updates only the cache rows it changed;
    the file hashes and parse results it leaves are what a plain build leaves."""
    import sqlite3

    from sitegen.cache.store import BuildCache
    from sitegen.content.loading import Held

    root = make_site({f"content/a{i}.md": article(f"A{i}", slug=f"a{i}") for i in range(5)})
    held = Held()
    for _ in range(2):  # the second load knows what the cache holds
        build(root, tmp_path / "out", held=held, skip_unchanged=False)
    (root / "content/a1.md").write_text(article("A1, edited", slug="a1"))
    (root / "content/a2.md").unlink()
    (root / "content/a9.md").write_text(article("A9", slug="a9"))
    build(root, tmp_path / "out", held=held)

    def cached() -> tuple[dict[str, tuple[str, str]], int]:
        cache = BuildCache(root)
        try:
            assert cache.db is not None
            rows = cache.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            return cache.file_hashes(), rows
        finally:
            cache.close()

    after_held = cached()
    assert sorted(after_held[0]) == [f"content/a{i}.md" for i in (0, 1, 3, 4, 9)]
    assert after_held[1] == 5  # a2's and a1's old parse results are gone
    with sqlite3.connect(root / ".sitegen-cache/cache.sqlite") as db:
        db.execute("DELETE FROM files")  # a plain build stores every hash again
    build(root, tmp_path / "plain", skip_unchanged=False)
    assert cached() == after_held
