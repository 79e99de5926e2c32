"""The staff app's PNG icons (static/icon-192.png, icon-512.png), drawn with Pillow from the shapes of
static/favicon.svg (a leaf on a green disc): phones that install a web app want PNGs beside the SVG.

    python -m webmap.cli build-icons   (scripts/build-icons)
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from webmap.assets import STATIC_DIR

SIZES = (192, 512)
GREEN = "#1b5e20"
# favicon.svg's box is 32 units; drawn four times larger, then reduced, for smooth edges.
BOX = 32
SMOOTHING = 4
# The leaf: "M9 23c0-9 6-14 15-14c0 9-5 15-14 15z", two cubic curves, and its vein from (9, 24) to (18, 15).
LEAF = (((9, 23), (9, 14), (15, 9), (24, 9)), ((24, 9), (24, 18), (19, 24), (10, 24)))
VEIN = ((9, 24), (18, 15))


def _curve(points: tuple[tuple[float, float], ...], steps: int = 48) -> list[tuple[float, float]]:
    """Points along a cubic Bézier curve."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def draw(size: int) -> Image.Image:
    """The icon at size × size pixels, on a transparent ground."""
    big = size * SMOOTHING
    unit = big / BOX
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse([unit, unit, 31 * unit, 31 * unit], fill=GREEN)
    outline = [point for part in LEAF for point in _curve(part)]
    pen.polygon([(x * unit, y * unit) for x, y in outline], fill="white")
    pen.line([(x * unit, y * unit) for x, y in VEIN], fill=GREEN, width=round(2 * unit))
    return image.resize((size, size), Image.LANCZOS)


def build(folder: Path = STATIC_DIR) -> list[Path]:
    """Write icon-<size>.png for each size into folder; the paths written."""
    paths = []
    for size in SIZES:
        path = folder / f"icon-{size}.png"
        draw(size).save(path, optimize=True)
        paths.append(path)
    return paths
