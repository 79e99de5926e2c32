"""The site layer's MapLibre style (style specification v8), built without Flask from the tiles' layout and the
catalogue's category colours: clusters as circles sized and coloured by their count, with the count written on
them, and sites as circles in their category's colour."""
from __future__ import annotations

from typing import Any

from geo.catalogue import CATEGORIES
from geo.tiles import CENTRE, Layout

# The one font whose glyphs the app serves (scripts/vendor-assets renders them from Debian's fonts-dejavu-core).
GLYPH_FONT = "DejaVu Sans Bold"

# A cluster's colour and radius step up with its count: a few sites, tens, hundreds and more.
CLUSTER_STEPS = ((1, "#00796b", 12), (10, "#ef6c00", 16), (100, "#c62828", 22))
OTHER_COLOUR = "#607d8b"  # a site of a category this style does not know (added after it was cached)
STROKE = "#ffffff"


def _by_count(pick: int) -> list[Any]:
    """A step expression over a cluster's count choosing the colour (pick=1) or the radius (pick=2)."""
    expression: list[Any] = ["step", ["get", "count"], CLUSTER_STEPS[0][pick]]
    for step in CLUSTER_STEPS[1:]:
        expression += [step[0], step[pick]]
    return expression


def category_colour() -> list[Any]:
    """A match expression giving each site its category's colour."""
    expression: list[Any] = ["match", ["get", "category"]]
    for category in CATEGORIES:
        expression += [category.code, category.colour]
    return expression + [OTHER_COLOUR]


def site_style(name: str, tilejson: str, glyphs: str, layout: Layout) -> dict[str, Any]:
    """The style of the site layer: its vector source is the TileJSON at tilejson, its labels' glyphs at glyphs."""
    clusters = {"source": "sites", "source-layer": layout.clusters_layer}
    return {
        "version": 8,
        "name": name,
        "center": list(CENTRE),
        "zoom": 8,
        "sources": {"sites": {"type": "vector", "url": tilejson}},
        "glyphs": glyphs,
        "layers": [
            {"id": "clusters", "type": "circle", **clusters,
             "paint": {"circle-color": _by_count(1), "circle-radius": _by_count(2), "circle-opacity": 0.85,
                       "circle-stroke-color": STROKE, "circle-stroke-width": 2}},
            {"id": "cluster-counts", "type": "symbol", **clusters,
             "layout": {"text-field": ["to-string", ["get", "count"]], "text-font": [GLYPH_FONT], "text-size": 12,
                        "text-allow-overlap": True, "text-ignore-placement": True},
             "paint": {"text-color": STROKE}},
            {"id": "sites", "type": "circle", "source": "sites", "source-layer": layout.points_layer,
             "paint": {"circle-color": category_colour(), "circle-radius": 7,
                       "circle-stroke-color": STROKE, "circle-stroke-width": 2}},
        ],
    }
