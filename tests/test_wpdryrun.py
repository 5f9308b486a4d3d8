"""`sitegen import wordpress --dry-run` builds the site the import would leave, in a
scratch folder, and reports what `sitegen build` would refuse, writing nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sitegen.build import build
from sitegen.cli import cli
from tests.test_wpimport import CONFIG, DATA


def dry_run(site: Path, *options: str) -> str:
    command = ["import", "wordpress", str(DATA / "export.xml"), str(site), "--dry-run"]
    result = CliRunner().invoke(cli, [*command, *options], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_dry_run_predicts_what_the_build_refuses_and_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/pages").mkdir(parents=True)
    (site / "sitegen.yaml").write_text(CONFIG)
    # a page of the site's own that takes the address an imported page needs
    (site / "content/pages/about.md").write_text("---\ntitle: About\nslug: rally\n---\nx\n")
    (site / "content/pages/tags.md").write_text("---\ntitle: Tags\n---\nAll our tags.\n")
    before = snapshot(tmp_path)
    output = dry_run(site)
    assert snapshot(tmp_path) == before  # nothing written, in the site or beside it
    assert "build: the imported site would not build: 1 error" in output
    assert "  content/pages/tags.md:1: URL '/tags/' is also used by the tags page" in output

    (site / "content/pages/tags.md").unlink()
    # no warnings either: the lead images the import would copy are not reported missing
    assert "build: the imported site would build" in dry_run(site).splitlines()
    real = CliRunner().invoke(cli, ["import", "wordpress", str(DATA / "export.xml"), str(site)])
    assert real.exit_code == 0, real.output
    build(site, tmp_path / "out")  # as predicted


def test_dry_run_keeps_existing_files_as_the_import_does(tmp_path: Path) -> None:
    """Without --force an existing file stays (and so do its problems); with it, replaced."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text(CONFIG)
    (site / "content/vigil-in-paris.md").write_text("---\ntitle: Vigil\ndate: 03/05/2019\n---\nx\n")
    kept = dry_run(site)
    assert "would not build: 1 error" in kept
    assert "content/vigil-in-paris.md:3: date: cannot parse '03/05/2019'" in kept
    assert "build: the imported site would build" in dry_run(site, "--force")
