"""The review queue's small maps: a site's old and new position on its district's outline, drawn as inline SVG
(one outline per district in the page, used by every item in it; no tiles, no script)."""
from __future__ import annotations

from typing import Any, Mapping

# Space around the drawing, as a share of its size; the smallest drawing, in degrees (about 2 km).
MARGIN = 0.08
MIN_SPAN = 0.02


def _point(record: Mapping[str, Any]) -> tuple[float, float] | None:
    try:
        return float(record["lon"]), float(record["lat"])
    except (KeyError, TypeError, ValueError):
        return None


def position_map(item: Mapping[str, Any], outlines: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """What the SVG of one queued site draws: its viewBox (y pointing down, as ST_AsSVG writes), the district
    outline to use, the old position (a moved site) and the new one, and a marker radius that suits the box."""
    new = _point(item["after"])
    old = _point(item["before"]) if item["before"] else None
    if old == new:
        old = None
    if new is None:
        return None
    outline = outlines.get(item.get("district_code") or "")
    xs, ys = [new[0]] + ([old[0]] if old else []), [new[1]] + ([old[1]] if old else [])
    if outline:
        x0, y0, x1, y1 = outline["bbox"]
        xs += [x0, x1]
        ys += [y0, y1]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span = max(x1 - x0, y1 - y0, MIN_SPAN)
    pad = span * MARGIN
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = span + 2 * pad
    return {"view_box": f"{cx - side / 2:.5f} {-cy - side / 2:.5f} {side:.5f} {side:.5f}",
            "outline": item.get("district_code") if outline else None,
            "old": (round(old[0], 6), round(-old[1], 6)) if old else None,
            "new": (round(new[0], 6), round(-new[1], 6)), "radius": round(side / 40, 6)}
