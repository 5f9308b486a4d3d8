"""Rebuilds of a site with images: an image's sizes are published, checked and remade as
one (render.outputs.Output.sizes), yet each file must be there and right after any change."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.images import codec
from sitegen.images.formats import FILE_EXTENSION
from sitegen.publish.integrity import read_sums, verify
from tests.conftest import MakeSite, article
from tests.test_images_output import photo, size_of

YAML = "base_url: https://example.org/\n"


def sizes_of(out: Path, stem: str) -> list[str]:
    return sorted(p.name for p in (out / "images").glob(f"{stem}-*w.*"))


def modern() -> list[str]:
    return [FILE_EXTENSION[f] for f in codec.modern_formats()]


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "sitegen.yaml": YAML,
            "content/a.md": article("A", image="/images/lead.jpg", image_alt="Crowd"),
            "content/b.md": article("B", date="2025-01-03", image="/images/other.jpg"),
            "static/images/lead.jpg": photo(1000, 600),
            "static/images/other.jpg": photo(900, 500),
        }
    )


def edit(root: Path, step: int) -> None:
    """An edit of another article: a rebuild that does not skip, as an editor's save."""
    path = root / "content/b.md"
    path.write_text(path.read_text() + f"\nEdit {step}.\n")


@pytest.mark.parametrize("spare", [False, True], ids=["no spare", "with a spare"])
def test_images_rebuild_brings_back_a_deleted_size(site: Path, tmp_path: Path, spare: bool) -> None:
    out = tmp_path / "out"
    build(site, out)
    if spare:  # (the output's last version, which the rebuild writes into)
        edit(site, 1)
        build(site, out)
    for path in (out / "images/lead-480w.webp", out / "images/other.jpg"):
        path.unlink()
        (tmp_path / ".out.spare" / path.relative_to(out)).unlink(missing_ok=True)
    edit(site, 2)
    build(site, out)
    assert (out / "images/lead-480w.webp").is_file() and (out / "images/other.jpg").is_file()
    assert verify(out).ok
    assert size_of(out / "images/lead-480w.webp") == (480, 288)


def test_images_changed_widths_remake_sizes_and_drop_the_old(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    edit(site, 1)
    build(site, out)
    assert "lead-800w.jpg" in sizes_of(out, "lead")
    (site / "sitegen.yaml").write_text(YAML + "image_widths: [320, 640]\n")
    build(site, out)
    expected = sorted(f"lead-{w}w.{x}" for w in (320, 640) for x in ["jpg", *modern()])
    assert sizes_of(out, "lead") == expected
    assert 'srcset="/images/lead-320w.jpg 320w' in (out / "a/index.html").read_text()
    assert verify(out).ok and not any("-800w." in name for name in read_sums(out / "SHA256SUMS"))
    edit(site, 2)  # the spare, behind at the sizes that went, is brought up to date
    build(site, out)
    assert sizes_of(out, "lead") == expected and verify(out).ok


def test_images_keep_metadata_setting_remakes_every_size(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    before = (out / "images/lead-480w.jpg").read_bytes()
    (site / "sitegen.yaml").write_text(YAML + "keep_image_metadata: true\n")
    build(site, out)
    after = (out / "images/lead-480w.jpg").read_bytes()
    assert before != after and b"PhoneCo" in after and b"PhoneCo" not in before
    assert verify(out).ok


def test_images_a_replaced_image_republishes_its_sizes_only(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    edit(site, 1)
    build(site, out)
    other = {p.name: p.stat().st_ino for p in (out / "images").glob("other*")}
    (site / "static/images/lead.jpg").write_bytes(photo(600, 600))  # smaller: no 800 px
    build(site, out)
    assert sizes_of(out, "lead") == sorted(
        f"lead-{w}w.{x}" for w in (480, 600) for x in ["jpg", *modern()]
    )
    assert {p.name: p.stat().st_ino for p in (out / "images").glob("other*")} == other
    assert verify(out).ok


def test_images_a_removed_image_takes_its_sizes_along(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    edit(site, 1)
    build(site, out)
    (site / "content/b.md").unlink()
    (site / "static/images/other.jpg").unlink()
    build(site, out)
    assert not list((out / "images").glob("other*")) and sizes_of(out, "lead")
    assert verify(out).ok


def test_images_a_static_file_of_a_size_name_is_replaced_by_the_size(
    site: Path, tmp_path: Path
) -> None:
    (site / "static/images/lead-480w.webp").write_bytes(photo(200, 100, "WEBP"))
    out = tmp_path / "out"
    build(site, out)  # as docs/images.md says: the made size wins
    assert size_of(out / "images/lead-480w.webp") == (480, 288)
    edit(site, 1)
    build(site, out)
    assert size_of(out / "images/lead-480w.webp") == (480, 288) and verify(out).ok


def test_images_a_language_on_its_own_domain_has_the_sizes_too(
    make_site: MakeSite, tmp_path: Path
) -> None:
    from tests.conftest import article as text
    from tests.test_language_domains import HOSTED

    root = make_site(
        {
            "sitegen.yaml": HOSTED,
            "content/vigil.md": text("Vigil", "2025-03-01", image="/images/lead.jpg"),
            "content/vigil.fa.md": text("شب", "2025-03-01", image="/images/lead.jpg"),
            "static/images/lead.jpg": photo(1000, 600),
        }
    )
    out = tmp_path / "out"
    for step in range(2):  # a first build, then a rebuild
        build(root, out)
        persian = (out / "fa/vigil/index.html").read_text(encoding="utf-8")
        assert 'srcset="/images/lead-480w.jpg 480w' in persian
        expected = sorted(f"lead-{w}w.{x}" for w in (480, 800, 1000) for x in ["jpg", *modern()])
        assert sizes_of(out, "lead") == expected == sizes_of(out / "fa", "lead")
        assert verify(out).ok
        edit_file = root / "content/vigil.md"
        edit_file.write_text(edit_file.read_text() + f"\nEdit {step}.\n")


def test_images_the_preview_reads_each_size_as_a_build_writes_it(
    site: Path, tmp_path: Path
) -> None:
    from sitegen.build.job import BuildOptions
    from sitegen.serve.live import LiveSite

    out = tmp_path / "out"
    build(site, out)
    options = BuildOptions(False, False, False, "http://127.0.0.1:8000/", None, False, False, False)
    live = LiveSite(site, options)
    live.refresh()
    sizes = sizes_of(out, "lead")
    assert sizes and all(f"images/{name}" in live.paths() for name in sizes)
    for name in (*sizes, "lead.jpg"):
        assert live.read(f"images/{name}") == (out / "images" / name).read_bytes()


def test_images_a_damaged_image_cache_is_read_as_no_cache(site: Path, tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    build(site, out)
    store = site / ".sitegen-cache/images"
    index = json.loads((store / "index.json").read_text())
    (store / "index.json").write_text(json.dumps(dict.fromkeys(index, "go|FOO|1x2")))
    shown = json.loads((store / "shown.json").read_text())
    (store / "shown.json").write_text(
        json.dumps({base: dict.fromkeys(bodies, 5) for base, bodies in shown.items()})
    )
    (store / "formats.json").write_text('{"pillow": 1}')
    edit(site, 1)
    build(site, out)
    expected = sorted(f"lead-{w}w.{x}" for w in (480, 800, 1000) for x in ["jpg", *modern()])
    assert sizes_of(out, "lead") == expected and verify(out).ok
    assert 'srcset="/images/lead-480w.jpg 480w' in (out / "a/index.html").read_text()
