"""Light pages: image sizes known before images arrive, lazy teaser images, a byte budget."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from sitegen.build import build
from tests.conftest import BuildSite, MakeSite, article

BUDGET = 60 * 1024  # article page HTML + CSS, issue 9


def png(width: int, height: int) -> bytes:
    """A valid PNG of the given size (one grey pixel row repeated)."""
    row = b"\x00" + b"\x80" * width
    chunks = [
        (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
        (b"IDAT", zlib.compress(row * height)),
        (b"IEND", b""),
    ]
    out = b"\x89PNG\r\n\x1a\n"
    for kind, data in chunks:
        out += struct.pack(">I", len(data)) + kind + data
        out += struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return out


def images(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_lead_images_carry_their_pixel_size_and_teasers_load_lazily(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article("A", image="/images/a.png", image_alt="Crowd"),
            "content/b.md": article("B", date="2025-01-03", image="/images/gone.png"),
        }
    )
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/a.png").write_bytes(png(640, 360))
    out = build_site(root)
    (lead,) = images((out / "a/index.html").read_text())
    assert 'width="640" height="360"' in lead and "loading=" not in lead  # in view at once
    first, *teasers = images((out / "index.html").read_text())  # b's image is missing
    assert "loading=" not in first and 'fetchpriority="high"' in first  # in view at once
    assert all('loading="lazy"' in img and 'decoding="async"' in img for img in teasers)
    assert any('src="/images/a-640w.png"' in img and 'width="640"' in img for img in teasers)
    (missing,) = images((out / "b/index.html").read_text())
    assert "width=" not in missing  # not guessed when the file is not there


def test_a_replaced_image_updates_the_size_on_the_next_build(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article("A", image="/images/a.png", image_alt="Crowd")})
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/a.png").write_bytes(png(640, 360))
    out = build_site(root)
    (root / "static/images/a.png").write_bytes(png(300, 400))
    build_site(root)  # incremental: only what changed is remade
    assert 'width="300" height="400"' in images((out / "a/index.html").read_text())[0]
    assert 'width="300" height="400"' in (out / "index.html").read_text()


def test_longest_example_article_page_is_within_the_byte_budget(
    example_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(example_site, out)
    longest = max((example_site / "content").glob("*.md"), key=lambda p: p.stat().st_size)
    slug = re.search(r"^slug: (\S+)", longest.read_text(), re.MULTILINE)
    name, _, language = longest.stem.partition(".")  # a translation: NAME.fa.md, at /fa/NAME/
    page = out / language / (slug.group(1) if slug else name) / "index.html"
    weight = page.stat().st_size + (out / "css/site.css").stat().st_size
    assert page.is_file() and weight < BUDGET, f"{page}: {weight} bytes"
