"""Points Folium at the JavaScript and CSS the app serves itself (installed from npm by scripts/vendor-assets), with
versioned URLs; the map pages' few icons drawn from Font Awesome's SVG files instead of its whole font."""
from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import branca.colormap
import folium
import folium.folium
from branca.element import JavascriptLink
from folium import plugins

from webmap.caching import file_version

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
        out.append((name, versioned(base, files[name])))
    return out


def versioned(base: str, path: str) -> str:
    """The URL of a vendored file with its content hash, which lets browsers keep it a year (webmap/caching.py)."""
    version = file_version(VENDOR_DIR / path)
    return f"{base}/{path}" + (f"?v={version}" if version else "")


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
        _patch_colormap_d3(versioned(base, JS["d3"]))
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
    files = (*JS.values(), *CSS.values(), str(ICON_FAMILIES.relative_to(VENDOR_DIR)))
    return [path for path in files if not (VENDOR_DIR / path).is_file()]


FONT_AWESOME = VENDOR_DIR / "@fortawesome" / "fontawesome-free"
# Every icon of Font Awesome with its older names (home, cogs, tint…) and its SVG, in one file of the package.
ICON_FAMILIES = FONT_AWESOME / "metadata" / "icon-families.json"
_ICON_NAME = re.compile(r"[a-z0-9-]+")


@lru_cache(maxsize=1)
def _solid_icons() -> dict[str, str]:
    """Each name or alias of a free solid icon → its SVG."""
    out = {}
    for name, icon in json.loads(ICON_FAMILIES.read_text()).items():
        svg = ((icon.get("svgs") or {}).get("classic") or {}).get("solid")
        if svg:
            for alias in (name, *((icon.get("aliases") or {}).get("names") or [])):
                out.setdefault(alias, svg["raw"])
    return out


@lru_cache(maxsize=8)
def icon_css(names: tuple[str, ...]) -> str:
    """CSS that draws each icon <i class="fa fa-NAME"> of names in the text's colour, from Font Awesome's SVG as a
    mask: a few hundred bytes an icon instead of Font Awesome's 25 KB stylesheet and 150 KB font."""
    rules = ["/* Icons: Font Awesome Free 6 by @fontawesome, https://fontawesome.com/license/free (CC BY 4.0) */",
             (".fa{display:inline-block;width:1.25em;height:1em;vertical-align:-.125em;background-color:currentColor;"
              "-webkit-mask:var(--fa-svg) center/contain no-repeat;mask:var(--fa-svg) center/contain no-repeat}")]
    for name in sorted(set(names)):
        if not _ICON_NAME.fullmatch(name) or name not in _solid_icons():
            raise ValueError(f"not a free solid Font Awesome icon: {name!r}")
        data = quote(_solid_icons()[name].replace('"', "'"), safe=" /=:;,.-'")
        rules.append(f'.fa-{name}{{--fa-svg:url("data:image/svg+xml,{data}")}}')
    return "\n".join(rules)
