"""The image stage as a reader and an editor meet it: sizes at the declared widths, valid
srcset/sizes, published files free of location and device metadata, clear errors."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from PIL import Image

from sitegen.build import build
from sitegen.check.checks import check_site
from sitegen.cli import cli
from sitegen.errors import SitegenError
from sitegen.images import codec
from tests.conftest import MakeSite, article

GPS_IFD, SERIAL, ARTIST, OWNER, MAKE = 0x8825, 0xA431, 0x013B, 0xA430, 0x010F
SECRETS = (b"SN-4242-SECRET", b"Ana Fotografa", b"Ana Owner")
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="46,12.5N" exif:GPSLongitude="6,8.9E"/></rdf:RDF></x:xmpmeta>'
)


def photo(width: int = 1000, height: int = 600, fmt: str = "JPEG", orientation: int = 1) -> bytes:
    """A photo as a phone writes it: GPS coordinates, serial number, owner, XMP."""
    image = Image.new("RGB", (width, height))
    for x in range(0, width, 50):  # some detail, so encoders have work to do
        image.paste((x % 255, 90, 200 - x % 200), (x, 0, x + 25, height))
    exif = Image.Exif()
    exif[MAKE], exif[ARTIST], exif[0x0112] = "PhoneCo", SECRETS[1].decode(), orientation
    exif.get_ifd(0x8769)[SERIAL] = SECRETS[0].decode()
    exif.get_ifd(0x8769)[OWNER] = SECRETS[2].decode()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (46.0, 12.0, 30.0), 3: "E", 4: (6.0, 8.0, 54.0)})
    out = io.BytesIO()
    options = {"exif": exif.tobytes()}
    if fmt in ("JPEG", "WEBP"):
        options["xmp"] = XMP
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture
def photo_site(make_site: MakeSite) -> Path:
    root = make_site(
        {
            "content/a.md": article("A", image="/images/lead.jpg", image_alt="Crowd")
            + "\n![Banner](/images/body.png)\n",
            "content/b.md": article("B", date="2025-01-03", image="/images/small.jpg"),
            "static/images/lead.jpg": photo(1000, 600),
            "static/images/body.png": photo(900, 300, "PNG"),
            "static/images/small.jpg": photo(300, 200),
            "static/images/unshown.webp": photo(200, 100, "WEBP"),
        }
    )
    return root


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def published_images(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.suffix in (".jpg", ".png", ".webp", ".avif"))


def test_images_variants_are_made_at_the_declared_widths_never_wider(
    photo_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(photo_site, out)
    widths = {p.name: size_of(p) for p in published_images(out)}
    for fmt in ("jpg", "webp", *(("avif",) if "AVIF" in codec.modern_formats() else ())):
        assert widths[f"lead-480w.{fmt}"] == (480, 288)
        assert widths[f"lead-800w.{fmt}"] == (800, 480)
        assert widths[f"lead-1000w.{fmt}"] == (1000, 600)  # not 1200: never upscaled
        assert widths[f"small-300w.{fmt}"] == (300, 200)
    assert "lead-1200w.jpg" not in widths and "small-480w.jpg" not in widths
    assert widths["body-480w.png"] == (480, 160)  # a PNG keeps PNG as its fallback
    assert not any(name.startswith("unshown-") for name in widths)  # no page shows it


def test_images_srcset_and_sizes_name_files_of_those_widths(
    photo_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(photo_site, out)
    document = html5lib.parse((out / "a/index.html").read_text(), namespaceHTMLElements=False)
    tags = [*document.iter("source"), *document.iter("img")]
    checked = 0
    for tag in tags:
        srcset, sizes = tag.get("srcset"), tag.get("sizes")
        if srcset is None:
            continue
        for candidate in srcset.split(", "):
            url, descriptor = candidate.split(" ")
            assert re.fullmatch(r"\d+w", descriptor)
            assert size_of(out / url.lstrip("/"))[0] == int(descriptor[:-1])
            checked += 1
        for part in sizes.split(", "):  # each: [(media condition)] length
            assert re.fullmatch(r"(\(min-width: [\d.]+rem\) )?(calc\([^)]*\)|[\d.]+rem)", part)
        if tag.tag == "img":
            assert tag.get("width") and tag.get("height")
    assert checked >= 2 * 3 + 2 * 2  # the lead's and the body image's sizes, every format
    lead = next(i for i in document.iter("img") if i.get("alt") == "Crowd")
    assert lead.get("fetchpriority") == "high" and lead.get("loading") is None
    body = next(i for i in document.iter("img") if i.get("alt") == "Banner")
    assert body.get("loading") == "lazy" and body.get("src") == "/images/body-800w.png"


def test_images_published_files_carry_no_gps_serial_or_owner(
    photo_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(photo_site, out)
    found = published_images(out)
    assert {p.name for p in found} >= {"lead.jpg", "body.png", "small.jpg", "unshown.webp"}
    for path in found:
        with Image.open(path) as image:
            exif, info = image.getexif(), image.info
        assert not exif.get_ifd(GPS_IFD), path
        assert not exif.get_ifd(0x8769), path
        assert ARTIST not in exif and MAKE not in exif, path
        assert "xmp" not in info and "exif" not in info, path
        data = path.read_bytes()
        assert not any(secret in data for secret in SECRETS), path
        assert b"GPSLatitude" not in data, path


def test_images_with_gps_are_warned_about_by_build_and_check(
    photo_site: Path, tmp_path: Path
) -> None:
    report = build(photo_site, tmp_path / "out")
    gps = sorted(str(w) for w in report.warnings if "GPS" in str(w))
    assert gps == [
        f"static/images/{name}: warning: image holds GPS coordinates (where it was taken); "
        "the published copies leave them out"
        for name in ("body.png", "lead.jpg", "small.jpg", "unshown.webp")
    ]
    checked = check_site(photo_site)
    assert sorted(str(p) for p in checked.problems if "GPS" in str(p)) == gps


def test_images_keep_metadata_publishes_it_and_says_so(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nkeep_image_metadata: true\n",
            "content/a.md": article("A", image="/images/lead.jpg", image_alt="Crowd"),
            "static/images/lead.jpg": photo(),
        }
    )
    report = build(root, tmp_path / "out")
    assert (tmp_path / "out/images/lead.jpg").read_bytes() == photo()  # as it was
    with Image.open(tmp_path / "out/images/lead-480w.jpg") as variant:
        assert variant.getexif().get_ifd(GPS_IFD)
    assert any("GPS" in str(w) and "are published" in str(w) for w in report.warnings)


def test_images_exif_orientation_is_applied(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/a.md": article("A", image="/images/turned.jpg", image_alt="Turned"),
            "static/images/turned.jpg": photo(600, 400, orientation=6),  # taken sideways
        }
    )
    build(root, tmp_path / "out")
    assert size_of(tmp_path / "out/images/turned-400w.jpg") == (400, 600)
    assert size_of(tmp_path / "out/images/turned.jpg") == (400, 600)
    page = (tmp_path / "out/a/index.html").read_text()
    assert 'width="400" height="600"' in page


def test_images_a_corrupt_image_is_a_clear_error_and_build_stays(
    photo_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(photo_site, out)
    before = (out / "a/index.html").read_bytes()
    (photo_site / "static/images/lead.jpg").write_bytes(photo()[:300])  # cut short
    with pytest.raises(SitegenError) as failed:
        build(photo_site, out)
    (problem,) = [str(p) for p in failed.value.problems if p.is_error]
    assert problem.startswith("static/images/lead.jpg: cannot read image: ")
    assert (out / "a/index.html").read_bytes() == before
    result = CliRunner().invoke(cli, ["build", str(photo_site), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "static/images/lead.jpg: cannot read image: " in result.stderr


def test_images_touching_one_image_encodes_only_that_one(
    photo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(photo_site, out, jobs=1)
    encoded: list[tuple[int, str]] = []
    real = codec.encode

    def counting(image: Image.Image, fmt: str, decoded: codec.Decoded) -> bytes:
        encoded.append((image.width, fmt))
        return real(image, fmt, decoded)

    monkeypatch.setattr(codec, "encode", counting)
    build(photo_site, out, jobs=1, skip_unchanged=False)
    assert encoded == []  # everything came from the cache
    small = photo_site / "static/images/small.jpg"
    small.write_bytes(photo(300, 200, orientation=3))  # other bytes (upside down)
    build(photo_site, out, jobs=1)
    formats = len(codec.modern_formats()) + 1  # and its clean copy: it needs turning
    assert sorted({w for w, _ in encoded}) == [300] and len(encoded) == formats + 1


def test_images_two_builds_are_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    files = {
        "content/a.md": article("A", image="/images/lead.jpg", image_alt="Crowd"),
        "static/images/lead.jpg": photo(),
    }
    outputs = []
    for name in ("one", "two"):
        root = make_site(files)
        build(root, tmp_path / name, use_cache=False)
        outputs.append({p.name: p.read_bytes() for p in published_images(tmp_path / name)})
        (root / ".sitegen-cache").rename(tmp_path / f"cache-{name}")  # the next starts cold
    assert len(outputs[0]) >= 7 and outputs[0] == outputs[1]


def test_images_default_image_is_the_share_card_of_articles_without_one(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\ndefault_image: /images/card.jpg\n",
            "content/a.md": article("A"),
            "static/images/card.jpg": photo(1600, 900),
        }
    )
    build(root, tmp_path / "out")
    page = (tmp_path / "out/a/index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/images/card-1200w.jpg">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="675">' in page


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("image_widths: 480", "image_widths: expected a list of widths in pixels"),
        ("image_widths: [480, 0]", "image_widths: 0 is not a width from 16 to 8192"),
        ("default_image: card.jpg", "default_image: 'card.jpg' is not a path under static/"),
        ("keep_image_metadata: sometimes", "keep_image_metadata: expected true or false"),
    ],
)
def test_images_settings_are_checked_at_their_line(
    make_site: MakeSite, tmp_path: Path, setting: str, message: str
) -> None:
    root = make_site({"sitegen.yaml": f"title: T\n{setting}\n"})
    with pytest.raises(SitegenError) as failed:
        build(root, tmp_path / "out")
    (problem,) = [str(p) for p in failed.value.problems]
    assert problem.startswith(f"sitegen.yaml:2: {message}")


def test_images_srcset_follows_base_path_and_relative_links(
    photo_site: Path, tmp_path: Path
) -> None:
    config = "base_url: https://example.org/archive/\nrelative_urls: true\n"
    (photo_site / "sitegen.yaml").write_text(config)
    out = tmp_path / "out"
    build(photo_site, out)
    page = (out / "a/index.html").read_text()
    srcsets = re.findall(r'srcset="([^"]*)"', page)
    assert srcsets and all(
        url.startswith("../images/") for value in srcsets for url in value.split(" ")[::2]
    )
    for value in srcsets:
        for url in value.split(", "):
            assert (out / "a" / url.split(" ")[0]).resolve().is_file()


def test_images_a_site_without_photos_never_loads_pillow(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": article("A"), "static/logo.svg": "<svg/>"})
    script = (
        "import sys; from pathlib import Path; from sitegen.build import build; "
        f"build(Path({str(root)!r})); print('PIL' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_images_a_file_that_is_no_image_and_no_page_shows_is_a_warning(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/a.md": article("A"), "static/images/fake.jpg": "not a photo"})
    report = build(root, tmp_path / "out")
    assert [str(w) for w in report.warnings] == [
        "static/images/fake.jpg: warning: cannot read image: not a JPEG, PNG or WebP file "
        "Pillow can identify; published as it is"
    ]
    assert (tmp_path / "out/images/fake.jpg").read_text() == "not a photo"
