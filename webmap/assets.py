"""Points Folium at the JavaScript and CSS the app serves itself (installed from npm by scripts/vendor-assets)."""
from __future__ import annotations

import threading
from pathlib import Path

import branca.colormap
import folium
import folium.folium
from branca.element import JavascriptLink
from folium import plugins

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

# name → file under static/vendor, for every file Folium and the plugins we use would take from a CDN.
JS = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "leaflet.awesome-markers/dist/leaflet.awesome-markers.js",
    "markerclusterjs": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "Leaflet_Realtime_js": "leaflet-realtime/dist/leaflet-realtime.js",
    "featuregroupsubgroupjs": "leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "d3": "d3/d3.min.js",
    # Not one of Folium's: the site layer's vector tiles (webmap/tiles.py adds it to the map pages).
    "vector_tile_layer": "leaflet-vector-tile-layer/dist/VectorTileLayer.umd.min.js",
}
CSS = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers_font_css": "@fortawesome/fontawesome-free/css/all.min.css",
    "awesome_markers_css": "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    "markerclustercss": "leaflet.markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
}
# Folium's defaults that the pages do not need (Bootstrap 3 glyphicons; rotated markers) are dropped.
DROPPED = {"glyphicons_css", "awesome_rotate_css"}

PLUGINS = (plugins.MarkerCluster, plugins.Realtime, plugins.FeatureGroupSubGroup, plugins.Fullscreen)


def _local(pairs: list[tuple[str, str]], files: dict[str, str], base: str) -> list[tuple[str, str]]:
    out = []
    for name, url in pairs:
        if name in DROPPED:
            continue
        if name not in files:
            raise KeyError(f"no local copy of {name} ({url}): add it to webmap/assets.py and scripts/vendor-assets")
        out.append((name, f"{base}/{files[name]}"))
    return out


_patched: set[str] = set()
_lock = threading.Lock()


def use_local_assets(base: str = "/static/vendor") -> None:
    """Rewrite Folium's class-level CDN links to the app's own copies, once per process (later calls return at once)."""
    if base in _patched:
        return
    # Two first requests in two threads must not both rewrite the class attributes.
    with _lock:
        if base in _patched:
            return
        for cls in (folium.Map, *PLUGINS):
            cls.default_js = _local(list(cls.default_js), JS, base)
            cls.default_css = _local(list(cls.default_css), CSS, base)
        folium.folium._default_js = folium.Map.default_js
        folium.folium._default_css = folium.Map.default_css
        _patch_colormap_d3(f"{base}/{JS['d3']}")
        _patched.clear()
        _patched.add(base)


def _patch_colormap_d3(url: str) -> None:
    """branca's colour-map legend adds d3 from a CDN in render(): swap it for the local copy."""
    original = branca.colormap.ColorMap.render
    if getattr(original, "_scp_local", False):
        return

    def render(self, **kwargs):
        original(self, **kwargs)
        self.get_root().header.add_child(JavascriptLink(url), name="d3")

    render._scp_local = True
    branca.colormap.ColorMap.render = render


def missing_files() -> list[str]:
    """Files the pages refer to that set-up has not installed (empty when the vendor folder is complete)."""
    return [path for path in (*JS.values(), *CSS.values()) if not (VENDOR_DIR / path).is_file()]
