"""Folium map builders: pure functions from data and options to a folium.Map; they never query the database.

Folium passes HTML through as it is, so every text that reaches a layer name, tooltip or script here is
escaped or serialised as JSON; the site points are not in the page at all: static/sites.js draws them
from the vector tiles of /tiles/sites in the browser and builds each popup from text nodes.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Sequence
from urllib.parse import urlsplit

import folium
import xyzservices

from webmap.mapplugins import CategoryIcons, FitOnResize, Fullscreen, PageMap, SiteLayer

# Centre and zoom that show the whole of Kiên Giang, Phú Quốc and Thổ Châu included.
DEFAULT_CENTRE = (9.95, 104.75)
DEFAULT_ZOOM = 9

# A one-pixel transparent GIF as a tile URL: a base map that asks nothing of the network.
BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

BASE_MAPS: dict[str, dict[str, str]] = {
    "osm": {"tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'},
    "topo": {"tiles": "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
             "attr": "&copy; OpenStreetMap, SRTM | &copy; OpenTopoMap (CC-BY-SA)"},
    "satellite": {"tiles": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
                  "attr": "Esri, Maxar, Earthstar Geographics"},
    "blank": {"tiles": BLANK_TILE, "attr": " "},
}
# The same as xyzservices providers, made once: given a URL string, Folium searches xyzservices' whole catalogue
# of providers for it on every TileLayer (about 20 ms a map, on every page view).
TILE_PROVIDERS = {key: xyzservices.TileProvider(name=key, url=spec["tiles"], attribution=spec["attr"])
                  for key, spec in BASE_MAPS.items()}


@dataclass
class MapOptions:
    """What a map shows and how: centre, zoom, base map, and the labels in the page's language."""

    centre: tuple[float, float] = DEFAULT_CENTRE
    zoom: int = DEFAULT_ZOOM
    base_map: str = "osm"
    base_map_names: dict[str, str] = field(default_factory=dict)
    extra_tile_url: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    fullscreen: bool = True
    collapse_layers: bool = True
    # [[south, west], [north, east]] to fit at the start, instead of centre and zoom.
    bounds: Sequence[Sequence[float]] | None = None
    # The zoom levels fitting may stop at: 1 (whole zooms, the tiles' own) on the pages to browse, finer where an area
    # must fill its frame (the printed sheet).
    zoom_snap: float = 1.0


def escape_properties(collection: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a FeatureCollection whose named text properties are HTML-escaped (Folium shows them as HTML)."""
    features = []
    for feature in collection.get("features", []):
        properties = dict(feature.get("properties") or {})
        for key in keys:
            if isinstance(properties.get(key), str):
                properties[key] = html.escape(properties[key])
        features.append({**feature, "properties": properties})
    return {**collection, "features": features}


def base_map(options: MapOptions) -> PageMap:
    """A map of the app's pages with the base maps to choose from, the chosen one shown."""
    shown = urlsplit(BASE_MAPS[options.base_map]["tiles"])
    preconnect = f"https://{shown.netloc}" if shown.scheme == "https" and "{" not in shown.netloc else None
    m = PageMap(location=list(options.centre), zoom_start=options.zoom, tiles=None, control_scale=True,
                prefer_canvas=False, preconnect=preconnect, bounds=options.bounds, zoom_snap=options.zoom_snap)
    names = options.base_map_names
    order = [options.base_map] + [key for key in BASE_MAPS if key != options.base_map]
    for key in order:
        spec = BASE_MAPS[key]
        folium.TileLayer(tiles=TILE_PROVIDERS[key], attr=spec["attr"], name=html.escape(names.get(key, key)),
                         max_zoom=18, show=key == options.base_map).add_to(m)
    if options.extra_tile_url:
        folium.TileLayer(tiles=options.extra_tile_url, attr=" ", name=html.escape(names.get("extra", "extra")),
                         show=False).add_to(m)
    return m


def districts_layer(districts: dict[str, Any], name: str, tooltip_label: str) -> folium.GeoJson:
    return folium.GeoJson(
        escape_properties(districts, ("short_name", "name")),
        name=html.escape(name),
        style_function=lambda _: {"color": "#37474f", "weight": 1.2, "fillOpacity": 0.03, "dashArray": "4 3"},
        highlight_function=lambda _: {"weight": 2.5, "fillOpacity": 0.08},
        tooltip=folium.GeoJsonTooltip(fields=["short_name"], aliases=[html.escape(tooltip_label)], sticky=True),
    )


@dataclass(frozen=True)
class SiteSources:
    """Where the browser reads the sites: the tile URL template, the count, one site (its id appended)."""

    tiles: str
    count: str
    site: str
    max_zoom: int


def site_map(categories: list[dict[str, Any]], districts: dict[str, Any], sources: SiteSources,
             options: MapOptions) -> PageMap:
    """The map of sites: a base-map choice, the sites from vector tiles with a switch per category, the districts."""
    m = base_map(options)
    labels = options.labels
    districts_layer(districts, labels.get("districts", "districts"), labels.get("district", "district")).add_to(m)
    layers = {}
    for category in categories:
        swatch = (f'<span class="legend-pin" style="background:{html.escape(category["colour"])}">'
                  f'<i class="fa fa-{html.escape(category["icon"])}"></i></span> ')
        # An empty group: a switch in the layer control; sites.js hides the category's points when it is off.
        layer = folium.FeatureGroup(name=swatch + html.escape(category["name"]), show=True)
        layer.add_to(m)
        layers[category["code"]] = layer
    folium.LayerControl(collapsed=options.collapse_layers).add_to(m)
    if options.fullscreen:
        add_fullscreen(m, labels)
    config = {
        "tiles": sources.tiles, "count": sources.count, "site": sources.site, "maxZoom": sources.max_zoom,
        "categories": {c["code"]: {"name": c["name"], "colour": c["colour"], "icon": c["icon"]} for c in categories},
        "labels": labels,
    }
    m.add_child(SiteLayer(config, layers))
    m.add_child(CategoryIcons([c["icon"] for c in categories]))
    return m


def choropleth_map(units: dict[str, Any], colours: dict[str, str],
                   options: MapOptions) -> tuple[PageMap, folium.GeoJson]:
    """A choropleth of units whose features carry 'value_text' and whose colour is given by code; and its layer (the
    page's script opens a unit's box on the map when it is tapped: static/progress.js)."""
    m = base_map(options)
    labels = options.labels
    layer = folium.GeoJson(
        escape_properties(units, ("short_name", "name", "value_text", "status_text")),
        name=html.escape(labels.get("layer", "")),
        style_function=lambda feature: {"fillColor": colours.get(feature["properties"]["code"], "#bdbdbd"),
                                        "color": "#263238", "weight": 1, "fillOpacity": 0.75},
        highlight_function=lambda _: {"weight": 3, "fillOpacity": 0.9},
        tooltip=folium.GeoJsonTooltip(
            fields=["short_name", "value_text", "status_text"],
            aliases=[html.escape(labels.get("unit", "")), html.escape(labels.get("value", "")),
                     html.escape(labels.get("status", ""))], sticky=True),
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m, layer


# The start of a map's script: the map is built once the browser has painted the page's text (its first
# contentful paint; after the next frame where paint timing is not reported), or after 3 s at the latest. Building
# it at once could hold the first paint of the title, legend and count until the map's work and first tiles are done.
AFTER_FIRST_PAINT = """var built = false;
function buildOnce() { if (!built) { built = true; buildMap(); } }
if (window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf("paint") >= 0) {
  new PerformanceObserver(function (list, observer) {
    if (!list.getEntriesByName("first-contentful-paint").length) return;
    observer.disconnect();
    setTimeout(buildOnce, 0);
  }).observe({ type: "paint", buffered: true });
} else {
  requestAnimationFrame(function () { setTimeout(buildOnce, 0); });
}
setTimeout(buildOnce, 3000);
function buildMap() {
"""


def fit_on_resize(m: folium.Map, bounds: Sequence[Sequence[float]]) -> None:
    """The map fits bounds ([[south, west], [north, east]]) again when its frame is resized, until it is moved."""
    m.add_child(FitOnResize(bounds))


def add_fullscreen(m: folium.Map, labels: dict[str, str]) -> None:
    """A full-screen button on the map."""
    Fullscreen(title=labels.get("fullscreen", ""), title_cancel=labels.get("fullscreen_exit", "")).add_to(m)


def page_parts(m: PageMap, shared: Sequence[folium.GeoJson] = ()) -> dict[str, str]:
    """The map's head, body and script, to place in one of the app's own pages.

    A PageMap's head holds no inline script and loads every script file deferred; its script part, which the
    templates print in one <script nonce> (the Content-Security-Policy runs no inline script without the page's
    nonce), waits for those files (DOMContentLoaded comes after deferred scripts) and for the page's first paint
    (AFTER_FIRST_PAINT), then leaves the map where the page's scripts and tests look for it, window[its element's
    id], with the layers of shared under their names too, and tells them with the event "scp:map-ready" on the
    document.
    """
    if not isinstance(m, PageMap):
        raise TypeError("page_parts takes a PageMap (mapbuild.base_map): a plain folium.Map loads from CDNs")
    figure = m.get_root()
    figure.render()
    names = [m.get_name(), *(element.get_name() for element in shared)]
    script = (f'document.addEventListener("DOMContentLoaded", function () {{\n{AFTER_FIRST_PAINT}'
              f"{figure.script.render()}\n" + "".join(f"window.{name} = {name};\n" for name in names) +
              'document.dispatchEvent(new Event("scp:map-ready"));\n}\n});')
    return {"header": figure.header.render(), "html": figure.html.render(), "script": script}
