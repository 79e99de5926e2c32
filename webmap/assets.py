"""The JavaScript and CSS the map pages load, served by the app itself (installed from npm by scripts/vendor-assets)
with versioned URLs; the map pages' few icons drawn from Font Awesome's SVG files instead of its whole font.

The map classes of webmap/mapplugins.py name these files in their own default_js and default_css, as Folium's
plugins name theirs: nothing here changes a class of Folium or branca.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from string import ascii_lowercase, digits
from urllib.parse import quote

from webmap.caching import file_version

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
# Flask's static_url_path, which create_app keeps.
STATIC_URL = "/static"

# name → file under static/vendor, for every script and stylesheet a map page loads; the names are Folium's where
# Folium has one, so a Folium element naming the same file shares its link.
JS = {
    "leaflet": "leaflet/dist/leaflet.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    # Not one of Folium's: the site layer's vector tiles.
    "vector_tile_layer": "leaflet-vector-tile-layer/dist/VectorTileLayer.umd.min.js",
}
CSS = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
}


def static_url(path: str) -> str:
    """The URL of a file under static/ with its content hash, which lets browsers keep it a year (webmap/caching.py)."""
    version = file_version(STATIC_DIR / path)
    return f"{STATIC_URL}/{path}" + (f"?v={version}" if version else "")


def js(name: str) -> tuple[str, str]:
    """A vendored script as a (name, URL) pair of a Folium element's default_js."""
    return name, static_url(f"vendor/{JS[name]}")


def css(name: str) -> tuple[str, str]:
    """A vendored stylesheet as a (name, URL) pair of a Folium element's default_css."""
    return name, static_url(f"vendor/{CSS[name]}")


def missing_files() -> list[str]:
    """Files the pages refer to that set-up has not installed (empty when the vendor folder is complete)."""
    files = (*JS.values(), *CSS.values(), str(ICON_FAMILIES.relative_to(VENDOR_DIR)))
    return [path for path in files if not (VENDOR_DIR / path).is_file()]


FONT_AWESOME = VENDOR_DIR / "@fortawesome" / "fontawesome-free"
# Every icon of Font Awesome with its older names (home, cogs, tint…) and its SVG, in one file of the package.
ICON_FAMILIES = FONT_AWESOME / "metadata" / "icon-families.json"
# The letters of an icon's name: it becomes part of a CSS class selector.
ICON_NAME_LETTERS = frozenset(ascii_lowercase + digits + "-")


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
        if not name or not set(name) <= ICON_NAME_LETTERS or name not in _solid_icons():
            raise ValueError(f"not a free solid Font Awesome icon: {name!r}")
        data = quote(_solid_icons()[name].replace('"', "'"), safe=" /=:;,.-'")
        rules.append(f'.fa-{name}{{--fa-svg:url("data:image/svg+xml,{data}")}}')
    return "\n".join(rules)
