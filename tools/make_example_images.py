#!/usr/bin/env python3
"""Generate the lead images used by the example articles in content/.

Each image is a flat-colour editorial illustration (gradient sky, skyline,
crowd silhouettes, candles, podiums, doves ...) drawn with Pillow.  Output is
deterministic: every scene uses its own fixed random seed, so running the
script again reproduces the same files.

Usage (Pillow is only needed for this script, it is not a project
dependency):

    pip install Pillow
    python3 tools/make_example_images.py [output_dir]

The default output directory is static/images/ next to this tools/ folder.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

# Final size, and the supersampled size we draw at (for smooth edges).
OUT_W, OUT_H = 1200, 675
SS = 2
W, H = OUT_W * SS, OUT_H * SS
JPEG_QUALITY = 70
MAX_BYTES = 60 * 1024


# --------------------------------------------------------------------------
# colour helpers
# --------------------------------------------------------------------------

def rgb(value) -> tuple[int, int, int]:
    if isinstance(value, tuple):
        return value
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a, b, t: float) -> tuple[int, int, int]:
    a, b = rgb(a) if isinstance(a, str) else a, rgb(b) if isinstance(b, str) else b
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def shade(c, amount: float) -> tuple[int, int, int]:
    """amount < 0 darkens towards black, > 0 lightens towards white."""
    if amount < 0:
        return mix(c, (0, 0, 0), -amount)
    return mix(c, (255, 255, 255), amount)


# --------------------------------------------------------------------------
# drawing primitives (all coordinates are in supersampled pixels)
# --------------------------------------------------------------------------

def gradient(img: Image.Image, stops, y0: int = 0, y1: int | None = None) -> None:
    """Vertical gradient through a list of colours between y0 and y1."""
    y1 = H if y1 is None else y1
    draw = ImageDraw.Draw(img)
    n = len(stops) - 1
    for y in range(y0, y1):
        t = (y - y0) / max(1, (y1 - y0 - 1))
        seg = min(int(t * n), n - 1)
        local = t * n - seg
        draw.line([(0, y), (W, y)], fill=mix(stops[seg], stops[seg + 1], local))


def glow(img: Image.Image, spots, color, blur: int, strength: float = 1.0) -> Image.Image:
    """Soft additive-looking light: spots are (x, y, radius) circles."""
    mask = Image.new("L", img.size, 0)
    md = ImageDraw.Draw(mask)
    level = max(0, min(255, int(255 * strength)))
    for x, y, r in spots:
        md.ellipse([x - r, y - r, x + r, y + r], fill=level)
    mask = mask.filter(ImageFilter.GaussianBlur(blur))
    return Image.composite(Image.new("RGB", img.size, rgb(color)), img, mask)


def sun(img: Image.Image, x, y, r, color, halo) -> Image.Image:
    img = glow(img, [(x, y, r * 2.2)], halo, blur=int(r * 1.2), strength=0.55)
    ImageDraw.Draw(img).ellipse([x - r, y - r, x + r, y + r], fill=rgb(color))
    return img


def stars(draw, rng, n, y_max, color):
    for _ in range(n):
        x, y = rng.uniform(0, W), rng.uniform(0, y_max)
        r = rng.choice([1.5, 2, 2.5, 3.5])
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rgb(color))


def hills(draw, rng, base_y, amp, color, waves=3, phase=None):
    phase = rng.uniform(0, 6.28) if phase is None else phase
    pts = [(0, H)]
    for x in range(0, W + 40, 40):
        t = x / W
        y = base_y - amp * (0.6 * math.sin(t * waves * math.pi + phase)
                            + 0.4 * math.sin(t * waves * 2.3 * math.pi + phase * 1.7))
        pts.append((x, y))
    pts.append((W, H))
    draw.polygon(pts, fill=rgb(color))


def water(draw, y0, color, line_color, rng, rows=9):
    draw.rectangle([0, y0, W, H], fill=rgb(color))
    for i in range(rows):
        y = y0 + 30 + i * (H - y0) / rows
        for _ in range(5 + i):
            x = rng.uniform(0, W)
            length = rng.uniform(60, 220) * (1 + i * 0.15)
            draw.line([(x, y), (x + length, y)], fill=rgb(line_color), width=3 + i // 3)


def skyline(draw, rng, base_y, color, min_h, max_h, window=None, lit=0.25,
            x0=0, x1=None, min_w=70, max_w=190):
    x1 = W if x1 is None else x1
    x = x0 - rng.uniform(0, 60)
    while x < x1:
        w = rng.uniform(min_w, max_w)
        h = rng.uniform(min_h, max_h)
        top = base_y - h
        draw.rectangle([x, top, x + w, base_y], fill=rgb(color))
        if rng.random() < 0.25:  # small roof detail
            draw.rectangle([x + w * 0.3, top - h * 0.08, x + w * 0.55, top], fill=rgb(color))
        if window:
            for wy in range(int(top + 24), int(base_y - 20), 38):
                for wx in range(int(x + 16), int(x + w - 22), 30):
                    if rng.random() < lit:
                        draw.rectangle([wx, wy, wx + 12, wy + 18], fill=rgb(window))
        x += w + rng.uniform(-10, 14)


def person(draw, x, base_y, r, color, arm=None):
    """Simple silhouette: a round head and rounded shoulders down to base_y."""
    c = rgb(color)
    draw.ellipse([x - r, base_y - 5.2 * r, x + r, base_y - 3.2 * r], fill=c)
    draw.rounded_rectangle([x - 1.35 * r, base_y - 3.0 * r, x + 1.35 * r, base_y + r],
                           radius=int(r * 0.9), fill=c)
    if arm == "up":  # raised arm holding something
        draw.line([(x + 1.0 * r, base_y - 2.5 * r), (x + 1.5 * r, base_y - 5.6 * r)],
                  fill=c, width=max(2, int(r * 0.55)))


def crowd(draw, rng, base_y, rows, color_back, color_front, r_back, r_front,
          placard_colors=(), placard_p=0.0, spacing=2.4):
    """Rows of silhouettes, back to front, optionally holding blank placards."""
    for row in range(rows):
        t = row / max(1, rows - 1)
        r = r_back + (r_front - r_back) * t
        y = base_y + t * (H - base_y) * 0.55
        color = mix(color_back, color_front, t)
        x = rng.uniform(-r, r * 2)
        while x < W + r:
            if placard_colors and rng.random() < placard_p:
                px = x + 1.5 * r
                top = y - 5.6 * r - rng.uniform(0.6, 1.4) * r
                pw, ph = r * rng.uniform(2.4, 3.4), r * rng.uniform(1.6, 2.2)
                draw.line([(px, top), (px, y - 2.6 * r)], fill=rgb(color), width=max(2, int(r * 0.3)))
                draw.rectangle([px - pw / 2, top - ph, px + pw / 2, top],
                               fill=rgb(rng.choice(placard_colors)))
            person(draw, x, y, r * rng.uniform(0.9, 1.1), color)
            x += r * spacing * rng.uniform(0.8, 1.25)


def banner(draw, x0, x1, top, height, color, pole_color, stripe=None):
    draw.line([(x0, top - 20), (x0, top + height * 3.2)], fill=rgb(pole_color), width=10)
    draw.line([(x1, top - 20), (x1, top + height * 3.2)], fill=rgb(pole_color), width=10)
    draw.rectangle([x0, top, x1, top + height], fill=rgb(color))
    if stripe:
        draw.rectangle([x0, top + height * 0.42, x1, top + height * 0.58], fill=rgb(stripe))


def dove_shapes(cx, cy, s, flip=False):
    """Polygons/ellipses for a stylised dove facing right (or left if flip)."""
    def p(x, y):
        return (cx + (-x if flip else x) * s, cy + y * s)

    def box(x0, y0, x1, y1):
        a, b = p(x0, y0), p(x1, y1)
        return [min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])]

    polys = [
        [p(-0.38, -0.04), p(-1.0, -0.26), p(-0.98, -0.06), p(-1.02, 0.12), p(-0.36, 0.12)],  # tail
        [p(-0.05, -0.06), p(-0.55, -0.78), p(-0.28, -0.74), p(0.14, -0.08)],                 # far wing
        [p(-0.18, -0.05), p(-0.02, -0.72), p(0.18, -1.02), p(0.3, -0.96), p(0.26, -0.62),
         p(0.34, -0.1)],                                                                    # near wing
        [p(0.6, -0.2), p(0.82, -0.12), p(0.6, -0.08)],                                      # beak
    ]
    ellipses = [box(-0.52, -0.2, 0.52, 0.2), box(0.34, -0.32, 0.64, -0.02)]             # body, head
    return polys, ellipses


def dove(draw, cx, cy, s, color, branch=None, flip=False):
    polys, ellipses = dove_shapes(cx, cy, s, flip)
    for poly in polys:
        draw.polygon(poly, fill=rgb(color))
    for e in ellipses:
        draw.ellipse(e, fill=rgb(color))
    if branch:
        d = -1 if flip else 1
        bx, by = cx + d * 0.78 * s, cy - 0.12 * s
        ex, ey = bx + d * 0.42 * s, by + 0.26 * s
        draw.line([(bx, by), (ex, ey)], fill=rgb(branch), width=max(3, int(s * 0.025)))
        for i in range(1, 5):
            t = i / 5
            lx, ly = bx + (ex - bx) * t, by + (ey - by) * t
            off = 0.07 * s * (1 if i % 2 else -1)
            draw.ellipse([lx - 0.05 * s, ly + off - 0.025 * s, lx + 0.05 * s, ly + off + 0.025 * s],
                         fill=rgb(branch))


def candles_at(img, points, body, flame, halo, size=1.0):
    img = glow(img, [(x, y - 30 * size, 34 * size) for x, y in points], halo, blur=int(26 * size),
               strength=0.75)
    draw = ImageDraw.Draw(img)
    for x, y in points:
        w, h = 9 * size, 26 * size
        draw.rectangle([x - w, y - h, x + w, y], fill=rgb(body))
        draw.ellipse([x - 5 * size, y - h - 22 * size, x + 5 * size, y - h - 2 * size], fill=rgb(flame))
    return img


def podium(draw, cx, base_y, w, h, color, emblem=None):
    draw.polygon([(cx - w * 0.5, base_y - h), (cx + w * 0.5, base_y - h),
                  (cx + w * 0.4, base_y), (cx - w * 0.4, base_y)], fill=rgb(color))
    draw.rectangle([cx - w * 0.58, base_y - h - 18, cx + w * 0.58, base_y - h], fill=rgb(shade(color, -0.2)))
    if emblem:
        r = w * 0.16
        draw.ellipse([cx - r, base_y - h * 0.62 - r, cx + r, base_y - h * 0.62 + r], fill=rgb(emblem))
    draw.line([(cx + w * 0.1, base_y - h - 18), (cx + w * 0.2, base_y - h - 90)],
              fill=rgb(shade(color, -0.35)), width=6)
    draw.ellipse([cx + w * 0.2 - 10, base_y - h - 104, cx + w * 0.2 + 10, base_y - h - 80],
                 fill=rgb(shade(color, -0.35)))


def seated(draw, x, base_y, r, color, facing=1):
    """Seated figure in profile-ish: head, torso, lap."""
    c = rgb(color)
    draw.ellipse([x - r, base_y - 6.2 * r, x + r, base_y - 4.2 * r], fill=c)
    draw.rounded_rectangle([x - 1.2 * r, base_y - 4.0 * r, x + 1.2 * r, base_y - 1.0 * r],
                           radius=int(r * 0.8), fill=c)
    draw.rounded_rectangle(sorted_box(x - 1.2 * r * facing, base_y - 1.6 * r, x + 2.6 * r * facing, base_y - 0.6 * r),
                           radius=int(r * 0.4), fill=c)
    draw.rectangle(sorted_box(x + 2.0 * r * facing, base_y - 1.2 * r, x + 2.6 * r * facing, base_y + 1.6 * r), fill=c)


def sorted_box(x0, y0, x1, y1):
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def chair(draw, x, base_y, r, color, facing=1):
    c = rgb(color)
    back = x - 1.7 * r * facing
    draw.rectangle(sorted_box(back, base_y - 4.6 * r, back - 0.5 * r * facing, base_y + 1.6 * r), fill=c)
    draw.rectangle(sorted_box(back, base_y - 0.7 * r, x + 2.4 * r * facing, base_y - 0.2 * r), fill=c)
    draw.rectangle(sorted_box(x + 2.0 * r * facing, base_y - 0.4 * r, x + 2.3 * r * facing, base_y + 1.6 * r), fill=c)


# landmarks ------------------------------------------------------------------

def eiffel(draw, x, base_y, h, color):
    c = rgb(color)
    draw.polygon([(x - 0.2 * h, base_y), (x - 0.07 * h, base_y - 0.42 * h), (x - 0.02 * h, base_y - 0.9 * h),
                  (x, base_y - h), (x + 0.02 * h, base_y - 0.9 * h), (x + 0.07 * h, base_y - 0.42 * h),
                  (x + 0.2 * h, base_y)], fill=c)
    draw.rectangle([x - 0.11 * h, base_y - 0.44 * h, x + 0.11 * h, base_y - 0.4 * h], fill=c)
    draw.rectangle([x - 0.16 * h, base_y - 0.2 * h, x + 0.16 * h, base_y - 0.16 * h], fill=c)


def tv_tower(draw, x, base_y, h, color):
    c = rgb(color)
    draw.polygon([(x - 0.03 * h, base_y), (x - 0.012 * h, base_y - 0.8 * h), (x + 0.012 * h, base_y - 0.8 * h),
                  (x + 0.03 * h, base_y)], fill=c)
    r = 0.07 * h
    draw.ellipse([x - r, base_y - 0.74 * h - r, x + r, base_y - 0.74 * h + r], fill=c)
    draw.rectangle([x - 0.006 * h, base_y - h, x + 0.006 * h, base_y - 0.8 * h], fill=c)


def cn_tower(draw, x, base_y, h, color):
    c = rgb(color)
    draw.polygon([(x - 0.045 * h, base_y), (x - 0.012 * h, base_y - 0.7 * h), (x + 0.012 * h, base_y - 0.7 * h),
                  (x + 0.045 * h, base_y)], fill=c)
    draw.ellipse([x - 0.06 * h, base_y - 0.68 * h, x + 0.06 * h, base_y - 0.6 * h], fill=c)
    draw.rectangle([x - 0.02 * h, base_y - 0.8 * h, x + 0.02 * h, base_y - 0.6 * h], fill=c)
    draw.rectangle([x - 0.005 * h, base_y - h, x + 0.005 * h, base_y - 0.78 * h], fill=c)


def twin_spires(draw, x, base_y, h, color):
    """A Gothic church with two unequal towers (after Kraków's Mariacki)."""
    c = rgb(color)
    draw.rectangle([x - 0.1 * h, base_y - 0.45 * h, x + 0.55 * h, base_y], fill=c)
    draw.polygon([(x - 0.1 * h, base_y - 0.45 * h), (x + 0.22 * h, base_y - 0.62 * h),
                  (x + 0.55 * h, base_y - 0.45 * h)], fill=c)
    draw.rectangle([x - 0.18 * h, base_y - 0.82 * h, x - 0.02 * h, base_y], fill=c)
    draw.polygon([(x - 0.2 * h, base_y - 0.82 * h), (x - 0.1 * h, base_y - h), (x, base_y - 0.82 * h)], fill=c)
    draw.rectangle([x + 0.06 * h, base_y - 0.68 * h, x + 0.2 * h, base_y], fill=c)
    draw.polygon([(x + 0.05 * h, base_y - 0.68 * h), (x + 0.13 * h, base_y - 0.76 * h),
                  (x + 0.21 * h, base_y - 0.68 * h)], fill=c)


def kicc(draw, x, base_y, h, color):
    """Cylindrical tower with a saucer top (after Nairobi's conference centre)."""
    c = rgb(color)
    draw.rectangle([x - 0.09 * h, base_y - 0.9 * h, x + 0.09 * h, base_y], fill=c)
    draw.ellipse([x - 0.17 * h, base_y - h, x + 0.17 * h, base_y - 0.88 * h], fill=c)
    draw.polygon([(x - 0.35 * h, base_y), (x - 0.3 * h, base_y - 0.2 * h), (x + 0.1 * h, base_y - 0.26 * h),
                  (x + 0.4 * h, base_y)], fill=c)


# --------------------------------------------------------------------------
# scenes
# --------------------------------------------------------------------------

def scene_paris_vigil(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#1d1a3a", "#4b2a5c", "#b25a5a", "#e7a56b"], 0, int(H * 0.66))
    gradient(img, ["#2a2238", "#151223"], int(H * 0.66), H)
    d = ImageDraw.Draw(img)
    skyline(d, rng, int(H * 0.66), "#2b1f3c", 90, 260, window="#f2c77a", lit=0.12)
    eiffel(d, W * 0.76, H * 0.66, 620, "#22182f")
    # candles arranged in a dove on the square (flattened for perspective)
    mask = Image.new("L", (W, H), 0)
    md = ImageDraw.Draw(mask)
    cy, flat = H * 0.925, 0.52
    polys, ellipses = dove_shapes(W * 0.46, cy, 620)
    for poly in polys:
        md.polygon([(x, cy + (y - cy) * flat) for x, y in poly], fill=255)
    for x0, y0, x1, y1 in ellipses:
        md.ellipse([x0, cy + (y0 - cy) * flat, x1, cy + (y1 - cy) * flat], fill=255)
    pts = []
    for y in range(int(H * 0.68), H, 22):
        for x in range(0, W, 26):
            jx, jy = x + rng.uniform(-6, 6), y + rng.uniform(-4, 4)
            if mask.getpixel((int(min(W - 1, max(0, jx))), int(min(H - 1, jy)))):
                pts.append((jx, jy + 30))
    return candles_at(img, pts, "#efe2c8", "#ffd36e", "#ff9c3a", size=0.62)


def scene_geneva_hall(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#0e2540", "#14385e", "#1f4f7a"])
    img = glow(img, [(W / 2, H * 0.35, 320)], "#5f8fc0", blur=180, strength=0.5)
    d = ImageDraw.Draw(img)
    cx, cy = W / 2, H * 0.42
    for i in range(7):  # semicircular rows of delegate seats
        rad = 260 + i * 120
        col = mix("#2c6a9a", "#0b1d33", i / 7)
        for k in range(14 + i * 5):
            a = math.pi * (0.06 + 0.88 * (k + 0.5) / (14 + i * 5))
            x, y = cx - rad * math.cos(a), cy + rad * 0.55 * math.sin(a)
            d.rounded_rectangle([x - 20, y - 14, x + 20, y + 14], radius=6, fill=col)
    d.rectangle([cx - 360, cy - 250, cx + 360, cy - 200], fill=rgb("#d9e4ef"))
    podium(d, cx, cy + 40, 200, 150, "#c8d6e4", emblem="#5b92c9")
    return img


def scene_krakow_conference(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#3b2418", "#6e3f22", "#a8652f"])
    d = ImageDraw.Draw(img)
    d.rectangle([W * 0.22, H * 0.1, W * 0.78, H * 0.5], fill=rgb("#f1dcb3"))   # screen
    d.ellipse([W * 0.3, H * 0.16, W * 0.42, H * 0.37], fill=rgb("#d9773a"))
    d.rectangle([W * 0.47, H * 0.2, W * 0.72, H * 0.24], fill=rgb("#8c4a28"))
    d.rectangle([W * 0.47, H * 0.28, W * 0.66, H * 0.31], fill=rgb("#b6704a"))
    d.rectangle([W * 0.47, H * 0.35, W * 0.69, H * 0.38], fill=rgb("#b6704a"))
    d.rectangle([0, H * 0.62, W, H * 0.66], fill=rgb("#4c2a17"))                 # stage edge
    podium(d, W * 0.84, H * 0.62, 170, 210, "#5a3420", emblem="#e7b65a")
    person(d, W * 0.84, H * 0.62 - 210, 26, "#2a170e")
    crowd(d, rng, int(H * 0.84), 3, "#3a2012", "#1c0f08", 34, 48)
    return img


def scene_krakow_march(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#bfe3df", "#7fc4bd", "#3f8f8c"], 0, int(H * 0.62))
    gradient(img, ["#2f6b69", "#1d4443"], int(H * 0.62), H)
    img = sun(img, W * 0.18, H * 0.22, 70, "#fff1d6", "#ffe8c4")
    d = ImageDraw.Draw(img)
    skyline(d, rng, int(H * 0.62), "#56a19c", 120, 240, min_w=110, max_w=210)
    twin_spires(d, W * 0.58, H * 0.62, 520, "#3a7f7b")
    crowd(d, rng, int(H * 0.74), 4, "#2b5d5b", "#12302f", 22, 42,
          placard_colors=("#f36f5a", "#ffd3c2", "#fbe9d0", "#e8505b"), placard_p=0.22)
    return img


def scene_interview_blogger(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#e8c35a", "#d9a441"], 0, int(H * 0.72))
    gradient(img, ["#3b4a5a", "#26313d"], int(H * 0.72), H)
    d = ImageDraw.Draw(img)
    # window with light
    d.rectangle([W * 0.38, H * 0.1, W * 0.62, H * 0.48], fill=rgb("#fbeec4"))
    for i in range(1, 4):
        x = W * 0.38 + i * W * 0.06
        d.rectangle([x - 4, H * 0.1, x + 4, H * 0.48], fill=rgb("#b07c26"))
    d.rectangle([W * 0.38, H * 0.29 - 4, W * 0.62, H * 0.29 + 4], fill=rgb("#b07c26"))
    dove(d, W * 0.53, H * 0.2, 70, "#ffffff")
    base = H * 0.78
    chair(d, W * 0.26, base, 40, "#1c242e", 1)
    seated(d, W * 0.26, base, 40, "#34414f", 1)
    chair(d, W * 0.74, base, 40, "#1c242e", -1)
    seated(d, W * 0.74, base, 40, "#34414f", -1)
    d.rectangle([W * 0.44, base - 70, W * 0.56, base - 60], fill=rgb("#1c242e"))
    d.rectangle([W * 0.495, base - 60, W * 0.505, base + 70], fill=rgb("#1c242e"))
    d.line([(W * 0.5, base - 70), (W * 0.48, base - 140)], fill=rgb("#1c242e"), width=8)
    d.ellipse([W * 0.48 - 16, base - 170, W * 0.48 + 16, base - 130], fill=rgb("#1c242e"))
    return img


def scene_press_pen(rng):
    img = Image.new("RGB", (W, H), rgb("#efe8da"))
    d = ImageDraw.Draw(img)
    # newspaper columns
    for col in range(4):
        x0 = 140 + col * 300
        d.rectangle([x0, 160, x0 + 250, 190], fill=rgb("#2b2b2b"))
        for i in range(24):
            y = 240 + i * 40
            w = 250 if i % 7 != 6 else rng.uniform(90, 200)
            d.rectangle([x0, y, x0 + w, y + 14], fill=rgb("#b9b2a4"))
    d.rectangle([0, 0, W, 90], fill=rgb("#c2362f"))
    # big fountain-pen nib
    cx, cy = W * 0.76, H * 0.62
    nib = [(cx, cy + 330), (cx - 180, cy - 40), (cx - 150, cy - 320), (cx + 150, cy - 320), (cx + 180, cy - 40)]
    d.polygon(nib, fill=rgb("#1f1f1f"))
    d.rectangle([cx - 170, cy - 520, cx + 170, cy - 320], fill=rgb("#c2362f"))
    d.line([(cx, cy + 320), (cx, cy - 80)], fill=rgb("#efe8da"), width=10)
    d.ellipse([cx - 28, cy - 110, cx + 28, cy - 54], fill=rgb("#efe8da"))
    for i, (dx, dy, s) in enumerate([(-520, -300, 150), (-340, -470, 100), (-180, -560, 70)]):
        dove(d, cx + dx, cy + dy, s, "#c2362f" if i == 0 else "#2b2b2b")
    return img


def scene_berlin_rally(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#1b0f33", "#3c1e5c", "#7a3b7a"], 0, int(H * 0.64))
    gradient(img, ["#25143c", "#120a20"], int(H * 0.64), H)
    d = ImageDraw.Draw(img)
    stars(d, rng, 80, H * 0.35, "#d8c7f0")
    skyline(d, rng, int(H * 0.64), "#2b1747", 120, 300, window="#ff9f45", lit=0.18)
    tv_tower(d, W * 0.3, H * 0.64, 780, "#221238")
    crowd(d, rng, int(H * 0.76), 4, "#24133b", "#0d0717", 22, 44,
          placard_colors=("#ff8a2a", "#ffb36b", "#b47cff", "#ff6f3c"), placard_p=0.28)
    return img


def scene_hunger_strike(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#3d4756", "#2c3440", "#1f252e"])
    img = glow(img, [(W * 0.5, H * 0.36, 360)], "#f6e7b0", blur=160, strength=0.35)
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = W * 0.33, H * 0.12, W * 0.67, H * 0.6
    gradient_box = Image.new("RGB", (int(x1 - x0), int(y1 - y0)))
    gd = ImageDraw.Draw(gradient_box)
    for y in range(gradient_box.height):
        gd.line([(0, y), (gradient_box.width, y)], fill=mix("#fbeec0", "#f2c97a", y / gradient_box.height))
    img.paste(gradient_box, (int(x0), int(y0)))
    d = ImageDraw.Draw(img)
    for i in range(7):
        x = x0 + (i + 0.5) * (x1 - x0) / 7
        d.rectangle([x - 9, y0, x + 9, y1], fill=rgb("#1d232b"))
    d.rectangle([x0 - 30, y0 - 30, x1 + 30, y0], fill=rgb("#171c22"))
    d.rectangle([x0 - 50, y1, x1 + 50, y1 + 40], fill=rgb("#171c22"))
    # light falling on the floor
    d.polygon([(x0, y1 + 40), (x1, y1 + 40), (x1 + 260, H), (x0 - 140, H)], fill=rgb("#4a5260"))
    for i in range(7):
        x = x0 + (i + 0.5) * (x1 - x0) / 7
        d.polygon([(x - 9, y1 + 40), (x + 9, y1 + 40), (x + 40 + i * 50 - 140, H), (x + 10 + i * 50 - 140, H)],
                  fill=rgb("#343b47"))
    dove(d, x1 - 40, y1 - 60, 90, "#f7f4ea", flip=True)
    return img


def scene_london_panel(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#1f4d3f", "#2f6b55", "#3f8266"])
    d = ImageDraw.Draw(img)
    banner(d, W * 0.15, W * 0.85, H * 0.1, H * 0.12, "#f3ead2", "#18382e", stripe="#e0a53b")
    d.rectangle([W * 0.12, H * 0.55, W * 0.88, H * 0.6], fill=rgb("#e9dfc3"))   # table top
    d.rectangle([W * 0.13, H * 0.6, W * 0.87, H * 0.8], fill=rgb("#d7c9a3"))    # table cloth
    for i, x in enumerate([0.24, 0.41, 0.59, 0.76]):
        person(d, W * x, H * 0.55, 38, ["#123027", "#17392f", "#123027", "#17392f"][i])
        d.rectangle([W * x - 8, H * 0.5, W * x + 8, H * 0.55], fill=rgb("#0d221c"))
        d.ellipse([W * x - 14, H * 0.48, W * x + 14, H * 0.52], fill=rgb("#0d221c"))
    crowd(d, rng, int(H * 0.95), 2, "#143329", "#0b1f19", 44, 56)
    return img


def scene_paris_rassemblement(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#9ec6e8", "#cfe3f2", "#f4efe6"], 0, int(H * 0.6))
    gradient(img, ["#c9c2b4", "#a79f90"], int(H * 0.6), H)
    d = ImageDraw.Draw(img)
    skyline(d, rng, int(H * 0.6), "#8ea3b8", 110, 230)
    eiffel(d, W * 0.2, H * 0.6, 560, "#6f86a0")
    banner(d, W * 0.3, W * 0.72, H * 0.36, H * 0.1, "#ffffff", "#2e3a4f", stripe="#d6453d")
    crowd(d, rng, int(H * 0.72), 4, "#4c5d78", "#1f2a3d", 24, 44,
          placard_colors=("#d6453d", "#ffffff", "#2e5aa8"), placard_p=0.2)
    return img


def scene_geneva_resolution(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#f6c9c4", "#f4e0d6", "#cfe0ee"], 0, int(H * 0.62))
    d = ImageDraw.Draw(img)
    hills(d, rng, H * 0.5, 70, "#b6c3d9", waves=2)
    hills(d, rng, H * 0.56, 40, "#93a6c4", waves=3)
    water(d, int(H * 0.62), "#6f8fb8", "#8fabcf", rng)
    # the lake fountain plume
    plume = Image.new("L", (W, H), 0)
    ImageDraw.Draw(plume).polygon([(W * 0.72 - 10, H * 0.62), (W * 0.72 - 4, H * 0.12), (W * 0.72 + 30, H * 0.16),
                                   (W * 0.72 + 24, H * 0.62)], fill=200)
    plume = plume.filter(ImageFilter.GaussianBlur(8))
    img = Image.composite(Image.new("RGB", (W, H), (255, 255, 255)), img, plume)
    d = ImageDraw.Draw(img)
    dove(d, W * 0.36, H * 0.34, 260, "#ffffff", branch="#5f8a5a")
    return img


def scene_toronto_vigil(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#070d1f", "#102043", "#1c3160"], 0, int(H * 0.62))
    gradient(img, ["#070b16", "#03050b"], int(H * 0.62), H)
    d = ImageDraw.Draw(img)
    stars(d, rng, 120, H * 0.45, "#cfd8ff")
    skyline(d, rng, int(H * 0.62), "#0c1533", 140, 380, window="#ffcf7a", lit=0.2)
    cn_tower(d, W * 0.66, H * 0.62, 780, "#060b1c")
    # rows of people, each holding a candle
    pts = []
    for y, r, col in [(H * 0.76, 26, "#1b2446"), (H * 0.87, 36, "#141b36"), (H * 1.0, 52, "#0d1226")]:
        x = rng.uniform(0, 60)
        while x < W + 60:
            rr = r * rng.uniform(0.9, 1.12)
            yy = y + rng.uniform(-8, 8)
            person(d, x, yy, rr, col)
            if rng.random() < 0.7:
                pts.append((x + rr * rng.uniform(0.6, 1.2), yy - rr * rng.uniform(1.8, 2.4)))
            x += r * 2.3 * rng.uniform(0.8, 1.3)
    return candles_at(img, pts, "#f1e6cf", "#ffd36e", "#ffa53a", size=0.8)


def scene_interview_editor(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#f7d2b8", "#f0b99a"], 0, int(H * 0.7))
    gradient(img, ["#2d6e6b", "#1f5250"], int(H * 0.7), H)
    d = ImageDraw.Draw(img)
    # window with a distant skyline
    wx0, wy0, wx1, wy1 = W * 0.08, H * 0.1, W * 0.42, H * 0.58
    d.rectangle([wx0, wy0, wx1, wy1], fill=rgb("#ffe9d6"))
    sub = Image.new("RGB", (int(wx1 - wx0), int(wy1 - wy0)), rgb("#ffe9d6"))
    sd = ImageDraw.Draw(sub)
    x = 0
    while x < sub.width:
        w, h = rng.uniform(50, 110), rng.uniform(80, 260)
        sd.rectangle([x, sub.height - h, x + w, sub.height], fill=rgb("#e9a98c"))
        x += w + 6
    img.paste(sub, (int(wx0), int(wy0)))
    d = ImageDraw.Draw(img)
    d.rectangle([wx0 - 14, wy0 - 14, wx1 + 14, wy0], fill=rgb("#2d6e6b"))
    d.rectangle([wx0 - 14, wy1, wx1 + 14, wy1 + 14], fill=rgb("#2d6e6b"))
    d.rectangle([(wx0 + wx1) / 2 - 7, wy0, (wx0 + wx1) / 2 + 7, wy1], fill=rgb("#2d6e6b"))
    # desk, lamp, papers, figure
    d.rectangle([W * 0.48, H * 0.6, W * 0.95, H * 0.64], fill=rgb("#174240"))
    d.rectangle([W * 0.5, H * 0.64, W * 0.52, H * 0.95], fill=rgb("#174240"))
    d.rectangle([W * 0.91, H * 0.64, W * 0.93, H * 0.95], fill=rgb("#174240"))
    for i in range(6):
        d.rectangle([W * 0.78 - i * 3, H * 0.6 - 18 * (i + 1), W * 0.9 - i * 3, H * 0.6 - 18 * i - 4],
                    fill=rgb("#fdf6ec" if i % 2 else "#e8ddd0"))
    img = glow(img, [(W * 0.6, H * 0.42, 120)], "#fff3c9", blur=90, strength=0.5)
    d = ImageDraw.Draw(img)
    d.line([(W * 0.56, H * 0.6), (W * 0.56, H * 0.34), (W * 0.61, H * 0.3)], fill=rgb("#174240"), width=12)
    d.polygon([(W * 0.58, H * 0.26), (W * 0.66, H * 0.3), (W * 0.62, H * 0.38)], fill=rgb("#174240"))
    seated(d, W * 0.68, H * 0.78, 46, "#163b3a", 1)
    return img


def scene_why_we_march(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#ffd9a0", "#ffb37a", "#f08a6c"], 0, int(H * 0.55))
    img = sun(img, W * 0.5, H * 0.55, 160, "#fff4d8", "#ffe2a8")
    d = ImageDraw.Draw(img)
    hills(d, rng, H * 0.56, 18, "#d9735e", waves=2)
    # a road narrowing to the horizon
    d.polygon([(0, H), (W, H), (W * 0.55, H * 0.57), (W * 0.45, H * 0.57)], fill=rgb("#8c3f4a"))
    d.polygon([(W * 0.15, H), (W * 0.85, H), (W * 0.52, H * 0.57), (W * 0.48, H * 0.57)], fill=rgb("#a34e55"))
    for i in range(8):  # centre dashes
        t0, t1 = i / 8, (i + 0.45) / 8
        y0, y1 = H * 0.57 + (H * 0.43) * t0 ** 1.6, H * 0.57 + (H * 0.43) * t1 ** 1.6
        w0, w1 = 2 + 14 * t0 ** 1.6, 2 + 14 * t1 ** 1.6
        d.polygon([(W / 2 - w0, y0), (W / 2 + w0, y0), (W / 2 + w1, y1), (W / 2 - w1, y1)], fill=rgb("#f6c9a0"))
    # walkers, getting larger towards the viewer
    for i in range(18):
        t = (i + 1) / 19
        y = H * 0.57 + (H * 0.43) * t ** 1.6
        r = 4 + 38 * t ** 1.6
        spread = (W * 0.05 + W * 0.32 * t ** 1.6)
        for _ in range(1 + i // 4):
            x = W / 2 + rng.uniform(-spread, spread)
            person(d, x, y, r, mix("#7a3443", "#3a1420", t))
    return img


def scene_nairobi(rng):
    img = Image.new("RGB", (W, H))
    gradient(img, ["#5a1f2e", "#a8402f", "#e98a3a", "#f7c55c"], 0, int(H * 0.66))
    gradient(img, ["#4a1a1f", "#2a0d12"], int(H * 0.66), H)
    img = sun(img, W * 0.7, H * 0.5, 120, "#ffe8a8", "#ffcf6a")
    d = ImageDraw.Draw(img)
    hills(d, rng, H * 0.6, 30, "#8c3a2c", waves=2)
    skyline(d, rng, int(H * 0.66), "#5c2222", 100, 270, window="#ffd27a", lit=0.1)
    kicc(d, W * 0.42, H * 0.66, 560, "#461a1c")
    # acacia
    d.rectangle([W * 0.9 - 8, H * 0.5, W * 0.9 + 8, H * 0.66], fill=rgb("#3a1416"))
    d.ellipse([W * 0.9 - 160, H * 0.46, W * 0.9 + 160, H * 0.53], fill=rgb("#3a1416"))
    crowd(d, rng, int(H * 0.8), 3, "#3a1416", "#1c080a", 26, 46,
          placard_colors=("#f7c55c", "#ffffff", "#3fa36b"), placard_p=0.18)
    return img


# output file name -> (scene function, seed)
SCENES = {
    "paris-vigil.jpg": (scene_paris_vigil, 101),
    "geneva-hall.jpg": (scene_geneva_hall, 102),
    "krakow-conference.jpg": (scene_krakow_conference, 103),
    "krakow-march.jpg": (scene_krakow_march, 104),
    "interview-blogger.jpg": (scene_interview_blogger, 105),
    "press-freedom-pen.jpg": (scene_press_pen, 106),
    "berlin-rally.jpg": (scene_berlin_rally, 107),
    "hunger-strike-window.jpg": (scene_hunger_strike, 108),
    "london-panel.jpg": (scene_london_panel, 109),
    "paris-rassemblement.jpg": (scene_paris_rassemblement, 110),
    "geneva-dove.jpg": (scene_geneva_resolution, 111),
    "toronto-vigil.jpg": (scene_toronto_vigil, 112),
    "interview-editor.jpg": (scene_interview_editor, 113),
    "road-march.jpg": (scene_why_we_march, 114),
    "nairobi-human-rights-day.jpg": (scene_nairobi, 115),
}


def save(img: Image.Image, path: Path) -> int:
    small = img.resize((OUT_W, OUT_H), Image.LANCZOS)
    quality = JPEG_QUALITY
    while True:
        small.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
        size = path.stat().st_size
        if size <= MAX_BYTES or quality <= 40:
            return size
        quality -= 5


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "static" / "images"
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, (fn, seed) in SCENES.items():
        size = save(fn(random.Random(seed)), out / name)
        total += size
        print(f"{name:32s} {size / 1024:6.1f} KB")
    print(f"{len(SCENES)} images, {total / 1024:.1f} KB total -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
