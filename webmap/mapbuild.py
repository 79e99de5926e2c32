"""Folium map builders: pure functions from data and options to a folium.Map; they never query the database.

Folium passes HTML through as it is, so every text that reaches a layer name, tooltip or script here is
escaped or serialised as JSON; the site points are not in the page at all: static/sites.js draws them
from the vector tiles of /tiles/sites in the browser and builds each popup from text nodes.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import folium
import xyzservices
from branca.element import Element, JavascriptLink, MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from webmap import assets

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


def base_map(options: MapOptions) -> folium.Map:
    m = folium.Map(location=list(options.centre), zoom_start=options.zoom, tiles=None, control_scale=True,
                   prefer_canvas=False)
    shown = urlsplit(BASE_MAPS[options.base_map]["tiles"])
    if shown.scheme == "https" and "{" not in shown.netloc:
        # The first tiles are asked only once Leaflet runs: meet their server while the scripts load.
        m.get_root().header.add_child(Element(f'<link rel="preconnect" href="https://{shown.netloc}">'),
                                      name="preconnect_tiles")
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


class SiteLoader(JSCSSMixin, MacroElement):
    """Draws the sites from vector tiles in the browser; each category's switch hides its points (static/sites.js).

    Its scripts go in the page's head when it renders, after Leaflet's (Folium's own hook, JSCSSMixin).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        ScpSites.load({{ this._parent.get_name() }}, {{ this.config_json }}, {
        {%- for code, layer in this.layers.items() %}
            {{ code|tojson }}: {{ layer.get_name() }},
        {%- endfor %}
        });
        {% endmacro %}
    """)

    def __init__(self, config: dict[str, Any], layers: dict[str, Any], scripts: list[str]) -> None:
        super().__init__()
        self._name = "SiteLoader"
        self.default_js = [(f"site_layer_{number}", url) for number, url in enumerate(scripts)]
        # JSON inside <script>: "</" would close the element, so it is written as "<\\/".
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        self.layers = layers


@dataclass(frozen=True)
class SiteSources:
    """Where the browser reads the sites: the tile URL template, the count, one site (its id appended)."""

    tiles: str
    count: str
    site: str
    max_zoom: int


def site_map(categories: list[dict[str, Any]], districts: dict[str, Any], sources: SiteSources,
             options: MapOptions, *, scripts: list[str]) -> folium.Map:
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
        plugins.Fullscreen(title=labels.get("fullscreen", ""), title_cancel=labels.get("fullscreen_exit", "")
                           ).add_to(m)
    config = {
        "tiles": sources.tiles, "count": sources.count, "site": sources.site, "maxZoom": sources.max_zoom,
        "categories": {c["code"]: {"name": c["name"], "colour": c["colour"], "icon": c["icon"]} for c in categories},
        "labels": labels,
    }
    m.add_child(SiteLoader(config, layers, scripts))
    # The categories' icons, in the legend and the layer switches, without Font Awesome's font (see page_parts).
    icons = assets.icon_css(tuple(sorted({c["icon"] for c in categories})))
    m.get_root().header.add_child(Element(f"<style>{icons}</style>"), name="icons")
    return m


class ClickToOpen(MacroElement):
    """Clicking a unit opens the page its feature's 'link' property names (built by the app, not typed)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.layer.get_name() }}.on("click", function (event) {
            var link = event.layer.feature.properties.link;
            if (link && link.charAt(0) === "/") { window.location.href = link; }
        });
        {% endmacro %}
    """)

    def __init__(self, layer: folium.GeoJson) -> None:
        super().__init__()
        self.layer = layer


def choropleth_map(units: dict[str, Any], colours: dict[str, str], options: MapOptions) -> folium.Map:
    """A choropleth of units whose features carry 'value_text' and whose colour is given by code."""
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
    m.add_child(ClickToOpen(layer))
    folium.LayerControl(collapsed=True).add_to(m)
    return m


# Folium's header forbids zooming the page (maximum-scale=1, user-scalable=no); the app's pages carry their own
# viewport meta, so Folium's is dropped and people can pinch-zoom.
FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.IGNORECASE)
# What Folium adds to every map that none of the app's maps uses: Bootstrap and jQuery (no Folium popup), and
# awesome-markers with Font Awesome's whole stylesheet and font (the sites are drawn from tiles; site_map draws its
# few icons from their SVGs; the site form's marker is Leaflet's own).
DROPPED = ("jquery", "bootstrap", "bootstrap_css", "awesome_markers", "awesome_markers_css",
           "awesome_markers_font_css")
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
# An inline <script> (no src) that Folium writes into the head or the body, e.g. "L_NO_TOUCH = false;".
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def add_fullscreen(m: folium.Map, labels: dict[str, str]) -> None:
    """A full-screen button on the map."""
    plugins.Fullscreen(title=labels.get("fullscreen", ""), title_cancel=labels.get("fullscreen_exit", "")).add_to(m)


class DeferredScript(JavascriptLink):
    """A script file that does not hold up the page: fetched at once, run in order when the page is parsed."""

    _template = Template('<script src="{{ this.url }}" defer></script>')


def page_parts(m: folium.Map, shared: tuple = ()) -> dict[str, str]:
    """The map's head, body and script, to place in one of the app's own pages.

    Inline code Folium puts in the head or body moves to the front of the script part, which the templates print
    in one <script nonce>: the Content-Security-Policy runs no inline script without the page's nonce.
    Phones open these pages, so the head leaves out DROPPED and blocks on no script: every script file is
    deferred, and the map's script waits for them (DOMContentLoaded comes after deferred scripts) and for the
    page's first paint (AFTER_FIRST_PAINT), then leaves the map where the page's scripts and tests look for it,
    window[its element's id], with the layers of shared under their names too, and tells them with the event
    "scp:map-ready" on the document. Its view is fitted
    before any layer is added, so no tile is fetched for the starting view only to be dropped at once.
    """
    figure = m.get_root()
    for name, child in list(m._children.items()):
        if isinstance(child, folium.FitBounds):
            # Not animated: layers added during a zoom animation fetch the tiles of the zoom it leaves.
            child.options["animate"] = False
            m._children.move_to_end(name, last=False)
    figure.render()
    for name, child in list(figure.header._children.items()):
        if name in DROPPED:
            del figure.header._children[name]
        elif isinstance(child, JavascriptLink):
            figure.header.add_child(DeferredScript(child.url), name=name)  # same name: same place
    header = FOLIUM_VIEWPORT.sub("", figure.header.render())
    html_part = figure.html.render()
    moved = _INLINE_SCRIPT.findall(header) + _INLINE_SCRIPT.findall(html_part)
    script = "\n".join([*moved, figure.script.render()])
    names = [m.get_name(), *(element.get_name() for element in shared)]
    script = (f'document.addEventListener("DOMContentLoaded", function () {{\n{AFTER_FIRST_PAINT}'
              f"{script}\n" + "".join(f"window.{name} = {name};\n" for name in names) +
              'document.dispatchEvent(new Event("scp:map-ready"));\n}\n});')
    return {"header": _INLINE_SCRIPT.sub("", header), "html": _INLINE_SCRIPT.sub("", html_part), "script": script}
