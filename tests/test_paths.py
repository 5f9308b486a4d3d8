"""Paths that would escape the output, break a checkout, or publish files from elsewhere."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import BuildSite, MakeSite, article, tiny_png
from test_build import tree

from sitegen.errors import ConfigError, ContentError, OutputError
from sitegen.runtime.pool import MIN_ITEMS


def _problems(
    build_site: BuildSite, root: Path, error: type[Exception] = ContentError
) -> list[str]:
    with pytest.raises(error) as caught:
        build_site(root)
    return [str(p) for p in caught.value.problems]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "permalink",
    ["/../{slug}/", "/news/../../{slug}/", "/a\\\\b/{slug}/", "/my news/{slug}/", "/News/{slug}/",
     "/./{slug}/", "/a%2e%2e/{slug}/", "/{slug}.html/"],
)  # fmt: skip
def test_permalink_that_could_escape_or_break_is_a_config_error(
    make_site: MakeSite, build_site: BuildSite, permalink: str
) -> None:
    root = make_site({"sitegen.yaml": f'permalink: "{permalink}"\n', "content/a.md": article()})
    problems = _problems(build_site, root, ConfigError)
    assert len(problems) == 1
    assert problems[0].startswith("sitegen.yaml:1: permalink: ")
    assert "may only hold a-z, 0-9" in problems[0]


def test_permalink_with_plain_segments_is_fine(make_site: MakeSite, build_site: BuildSite) -> None:
    root = make_site(
        {"sitegen.yaml": 'permalink: "/news_{year}/{month}-x/{slug}/"\n', "content/a.md": article()}
    )
    assert (build_site(root) / "news_2025/01-x/a/index.html").is_file()


@pytest.mark.parametrize(
    "slug", ["../escape", "/etc", "a\\\\b", "a b", "Up", "a/b", "..", '"a\\0b"']
)
def test_slug_that_could_escape_is_an_error_naming_the_file(
    make_site: MakeSite, build_site: BuildSite, slug: str
) -> None:
    root = make_site({"content/a.md": article(slug=slug if slug.startswith('"') else f"'{slug}'")})
    problems = _problems(build_site, root)
    assert len(problems) == 1 and problems[0].startswith("content/a.md:4: slug: ")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"content/a.md": article(slug="con")}, "content/a.md:4: slug: 'con' is a name Windows"),
        (
            {"content/NUL.md": article()},
            "content/NUL.md:1: slug: file name 'NUL' is a name Windows",
        ),
        (
            {"content/a.md": article(tags="[Aux]")},
            "content/a.md:4: tags: tag 'Aux' gives the URL name 'aux', which is a name Windows",
        ),
        (
            {"content/a.md": article(byline="Com1")},
            "content/a.md:4: byline: 'Com1' gives the URL name 'com1', which is a name Windows",
        ),
    ],
)
def test_windows_reserved_names_are_errors(
    make_site: MakeSite, build_site: BuildSite, files: dict[str, str], expected: str
) -> None:
    problems = _problems(build_site, make_site(files))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_content_symlink_to_a_file_outside_the_site_is_an_error(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("Kept")})
    out = build_site(root)
    before = tree(out)
    secret = tmp_path / "secret.md"
    secret.write_text(article("Private notes"))
    os.symlink(secret, root / "content/leak.md")
    problems = _problems(build_site, root)
    assert problems == [
        f"content/leak.md: is a symbolic link to {str(secret.resolve())!r}, outside the site; "
        "copy the file into the site instead"
    ]
    assert tree(out) == before


def test_static_symlink_to_a_file_outside_the_site_is_never_published(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article(), "static/ok.txt": "fine\n"})
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0\n")
    os.symlink(secret, root / "static/passwd")
    problems = _problems(build_site, root)
    assert len(problems) == 1 and problems[0].startswith("static/passwd: is a symbolic link to")
    assert not (tmp_path / "out").exists()


def test_broken_and_looping_symlinks_are_errors_not_crashes(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article()})
    os.symlink(root / "content/missing.md", root / "content/broken.md")
    os.symlink(root / "content/loop2.md", root / "content/loop1.md")
    os.symlink(root / "content/loop1.md", root / "content/loop2.md")
    os.symlink("nowhere.png", root / "content/x.png")
    problems = _problems(build_site, root)
    assert [p.split(":")[0] for p in problems] == [
        "content/broken.md", "content/loop1.md", "content/loop2.md", "content/x.png"
    ]  # fmt: skip
    assert all("broken or looping symbolic link" in p for p in problems)


def test_symlinks_inside_the_site_are_followed_and_folders_reported(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {"content/a.md": article("Shared"), "drafts/b.md": article("Linked"), "static/x.css": ""}
    )
    os.symlink(root / "drafts/b.md", root / "content/b.md")
    os.symlink(root / "static/x.css", root / "static/y.css")
    os.symlink(root / "drafts", root / "content/more")
    out = build_site(root)
    assert (out / "b/index.html").is_file()
    assert (out / "y.css").is_file()
    from sitegen.build import build

    report = build(root, out)
    assert [str(w) for w in report.warnings] == [
        "content/more: warning: is a symbolic link to a folder, which is not followed"
    ]


@pytest.mark.parametrize(
    ("static", "expected"),
    [
        (
            "static/Archive/index.html",
            "static/Archive/index.html: has the path (but for case) 'archive/index.html' of a generated file; rename it",
        ),
        (
            "static/archive/index.html",
            "static/archive/index.html: has the path of a generated file; rename it",
        ),
        (
            "static/Logo.PNG",
            "static/logo.png: has the path (but for case) 'Logo.PNG' of static/Logo.PNG; rename it",
        ),
    ],
)
def test_paths_that_differ_only_in_case_are_errors(
    make_site: MakeSite, build_site: BuildSite, static: str, expected: str
) -> None:
    files: dict[str, str | bytes] = {"content/a.md": article(), static: "x"}
    if static.endswith(".PNG"):  # real images: the image stage decodes them
        files[static], files["static/logo.png"] = tiny_png(), tiny_png(8, 8)
    assert _problems(build_site, make_site(files)) == [expected]


@pytest.fixture(params=[1, 2], ids=["one process", "workers"])
def jobs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Build in one process, then in forked workers (even for a few pages)."""
    monkeypatch.setitem(MIN_ITEMS, "render", 2)
    return int(request.param)


def test_a_file_where_a_folder_must_go_is_an_error_naming_it(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path, jobs: int
) -> None:
    """A static file `about` and an article at /about/ cannot both be written; nor a static
    folder named like a generated file. Was an internal error halfway through writing."""
    files = {
        "content/about.md": article("About", slug="about"),
        "content/b.md": article("B"),
        "static/about": "a file",
        "static/feed.xml/old.txt": "a folder of the feed's name",
    }
    root = make_site(files)
    with pytest.raises(ContentError) as caught:
        build_site(root, jobs=jobs)
    assert [str(p) for p in caught.value.problems] == [
        "static/about: is a file where the folder of 'about/index.html' goes; rename it",
        "static/feed.xml/old.txt: 'feed.xml/old.txt' needs a folder where 'feed.xml' goes; move it",
    ]
    assert not (tmp_path / "out").exists()


def test_a_full_disk_while_pages_are_written_is_an_output_error_and_keeps_the_site(
    make_site: MakeSite,
    build_site: BuildSite,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    jobs: int,
) -> None:
    """A write that fails in a worker (the disk full, say) is said as the one-process
    build says it, not as an internal error, and the previous site stays as it was."""
    root = make_site({f"content/{n}.md": article(n.upper()) for n in "abc"})
    out = build_site(root, jobs=jobs)
    before = tree(out)
    (root / "sitegen.yaml").write_text("base_url: https://example.org/\ntitle: Renamed\n")

    def full_disk(path: str, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("sitegen.publish.staging._write_file", full_disk)
    with pytest.raises(OutputError) as caught:
        build_site(root, jobs=jobs)
    assert [p.message for p in caught.value.problems] == [
        "cannot write output: No space left on device"
    ]
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "staging" in p.name) == []
