"""Mirror-ready output (issue 11): sub-path hosting, relative links, an offline zip that
opens from disk, and SHA256SUMS with `sitegen verify`."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sitegen.build import build
from sitegen.check.links import broken_links
from sitegen.cli import cli
from sitegen.runtime.pool import MIN_ITEMS, can_fork
from tests.conftest import BuildSite, MakeSite, article, copy_site

REPO = Path(__file__).resolve().parent.parent
INTERNAL = re.compile(r"""\s(?:href|src|action)=["'](/(?!/)[^"']*)""")


def pages(out: Path) -> Iterator[tuple[str, str]]:
    for page in sorted(out.rglob("*.html")):
        yield page.relative_to(out).as_posix(), page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site(REPO, tmp_path_factory.mktemp("example"))


def with_base_url(site: Path, base_url: str, extra: str = "") -> Path:
    settings = (site / "sitegen.yaml").read_text()
    settings = settings.replace('base_url: "https://example.org/"', f'base_url: "{base_url}"')
    (site / "sitegen.yaml").write_text(settings + extra)
    return site


def test_a_root_build_has_no_broken_internal_link(example_out: Path) -> None:
    assert broken_links(example_out, "https://example.org/") == []


def test_broken_links_found_by_workers_are_those_found_in_one_process(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big sites are scanned by forked workers, each a range of pages: they must report the
    same links, in the same page order, as one process does."""
    body = "See [the report](/reports/{i}/) and [the vigil](/a{j}/#nowhere)."
    root = make_site(
        {
            f"content/a{i}.md": article(f"A{i}", body=body.format(i=i, j=(i * 7) % 30))
            for i in range(30)
        }
    )
    out = tmp_path / "out"
    build(root, out, use_cache=False)
    serial = broken_links(out, "https://example.org/")
    assert len(serial) == 60  # two broken links an article
    monkeypatch.setitem(MIN_ITEMS, "links", 2)
    assert can_fork(2, 2, "links")  # so the next line does use workers
    assert broken_links(out, "https://example.org/") == serial


def test_a_sub_path_build_puts_the_prefix_on_every_link(tmp_path: Path, example_copy: Path) -> None:
    site = with_base_url(copy_site(example_copy, tmp_path / "site"), "https://example.org/archive/")
    out = tmp_path / "out"
    build(site, out)
    assert broken_links(out, "https://example.org/archive/") == []
    for name, text in pages(out):
        outside = [link for link in INTERNAL.findall(text) if not link.startswith("/archive/")]
        assert outside == [], name  # template links and links written in articles alike
    home = (out / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/archive/">' in home
    assert (
        "<loc>https://example.org/archive/paris-vigil-political-prisoners/</loc>"
        in (out / "sitemap.xml").read_text()
    )
    assert (
        "https://example.org/archive/paris-vigil-political-prisoners/"
        in (out / "feed.xml").read_text()
    )


def test_a_relative_build_works_under_any_path(tmp_path: Path, example_copy: Path) -> None:
    site = with_base_url(
        copy_site(example_copy, tmp_path / "site"), "https://example.org/", "relative_urls: true\n"
    )
    out = tmp_path / "mirror" / "deep" / "path"
    build(site, out)
    for name, text in pages(out):
        if name == "404.html":
            continue
        assert INTERNAL.findall(text) == [], name  # nothing from a root the mirror lacks
    article = (out / "paris-vigil-political-prisoners/index.html").read_text()
    assert 'href="../css/site.css"' in article and 'href="../tag/' in article
    # what must stay absolute does
    assert 'rel="canonical" href="https://example.org/paris-vigil-political-prisoners/"' in article
    assert 'property="og:url" content="https://example.org/' in article
    assert "<link>https://example.org/" in (out / "feed.xml").read_text()
    # the walker resolves relative links the way a browser does, at any address
    assert broken_links(out, "https://mirror.example/deep/path/") == []


def test_the_build_option_matches_the_setting(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A", tags="[Vigils]")})
    result = CliRunner().invoke(
        cli, ["build", str(root), "-o", str(tmp_path / "out"), "--relative-urls"]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out/a/index.html").read_text()
    assert 'href="../tag/vigils/"' in text


def test_every_build_writes_sha256sums_that_verify_reads(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    out = build_site(root)
    (root / "content/a.md").write_text(article("A, corrected"))
    build_site(root, out)  # a small rebuild: the unchanged files keep their listed hashes
    listed = (out / "SHA256SUMS").read_text().splitlines()
    files = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    assert [line.split("  ", 1)[1] for line in listed] == [f for f in files if f != "SHA256SUMS"]
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=out, check=True)
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 0 and "every file matches SHA256SUMS" in result.output

    copy = shutil.copytree(out, tmp_path / "copy")
    (copy / "a/index.html").write_text("<p>Altered by a censor</p>")
    (copy / "feed.xml").unlink()
    (copy / "b/extra.js").write_text("track()")
    result = CliRunner().invoke(cli, ["verify", str(copy)])
    assert result.exit_code == 1
    assert f"{copy}/feed.xml: missing" in result.output
    assert f"{copy}/a/index.html: altered" in result.output
    assert f"{copy}/b/extra.js: not in SHA256SUMS" in result.output
    assert "3 files differ from SHA256SUMS" in result.output


def test_verify_without_sums_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "site")])
    assert result.exit_code == 1 and "SHA256SUMS: not found" in result.output


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, example_copy: Path) -> Path:
    target = tmp_path_factory.mktemp("bundle") / "archive.zip"
    result = CliRunner().invoke(cli, ["bundle", str(example_copy), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"wrote {re.escape(str(target))}: \d+ files, [\d.]+ MB\n", result.output)
    return target


def test_the_bundle_is_byte_identical_and_self_contained(
    bundle: Path, example_copy: Path, tmp_path: Path
) -> None:
    again = tmp_path / "archive.zip"
    assert CliRunner().invoke(cli, ["bundle", str(example_copy), "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == bundle.read_bytes()
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith("archive/") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        archive.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / "archive"
    assert CliRunner().invoke(cli, ["verify", str(folder)]).exit_code == 0
    for name, text in pages(folder):
        assert INTERNAL.findall(text) == [] or name == "404.html", name
        folder_links = re.findall(r'\shref="((?![a-z]+:|#)[^"]*/)(?:#[^"]*)?"', text)
        assert folder_links == [], name  # file:// shows no folder's index.html by itself


@pytest.mark.browser
def test_the_bundle_reads_from_disk_in_a_browser(
    browser: Any, bundle: Path, tmp_path: Path
) -> None:
    """Unzip, open index.html through file://, follow a teaser, a tag and the next page."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    home = (tmp_path / "archive" / "index.html").as_uri()
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(home)

    def styled() -> bool:
        colour = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
        return bool(colour == "rgb(20, 33, 61)")

    assert styled()
    title = page.locator(".teaser h2 a").first.inner_text()
    page.locator(".teaser .more a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/index.html") and page.locator("article h1").inner_text() == title
    assert styled()
    assert page.locator("figure.lead img").evaluate("i => i.naturalWidth") > 0
    tag = page.locator("article .tags a").first
    tag_name = tag.inner_text()
    tag.click()
    page.wait_for_load_state("load")
    assert "/tag/" in page.url and tag_name in page.locator("h1").inner_text()
    page.goto(home)
    page.locator(".pagination a[rel=next]").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/page/2/index.html") and styled()
    assert all(url.startswith("file://") or url.startswith("data:") for url in requests)
