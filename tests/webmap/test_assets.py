"""Every script and stylesheet of a map page is served by the app: nothing from a CDN."""
from __future__ import annotations

import re

import folium

from webmap import mapbuild
from webmap.assets import STATIC_DIR, missing_files
from webmap.caching import file_version

CATEGORIES = [{"code": "solar", "name": "Điện mặt trời", "colour": "#f9a825", "icon": "solar-panel"},
              {"code": "retail", "name": "Bán lẻ xanh", "colour": "#2e7d32", "icon": "leaf"}]
DISTRICT = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.0, 10.0]},
            "properties": {"code": "899", "short_name": "Rạch Giá", "name": "Thành phố Rạch Giá",
                           "value_text": "1", "status_text": "", "link": "/progress?unit=899"}}
UNITS = {"type": "FeatureCollection", "features": [DISTRICT]}
# The only addresses a map page names: tile servers and attributions, the icons' licence; it loads none of them.
KNOWN_ADDRESSES = (r"openstreetmap\.org|opentopomap\.org|arcgisonline\.com|tiles\.test|leafletjs\.com|"
                   r"w3\.org/2000/svg|fontawesome\.com/license")


def _every_map() -> list[folium.Map]:
    """One map of each kind the pages show, with every element the app adds."""
    sources = mapbuild.SiteSources(tiles="/tiles/sites/{z}/{x}/{y}.pbf", count="/api/sites?limit=1",
                                   site="/api/sites/", max_zoom=16)
    options = mapbuild.MapOptions(labels={"fullscreen": "Toàn màn hình"}, bounds=[[9.0, 104.0], [10.5, 105.5]],
                                  extra_tile_url="https://tiles.test/{z}/{x}/{y}.png")
    choropleth, _layer = mapbuild.choropleth_map(UNITS, {"899": "#31a354"}, options)
    mapbuild.add_fullscreen(choropleth, options.labels)
    return [mapbuild.site_map(CATEGORIES, UNITS, sources, options), choropleth, mapbuild.base_map(options)]


def test_vendor_folder_holds_every_file():
    assert missing_files() == []


def test_every_map_loads_nothing_from_outside():
    for m in _every_map():
        html = m.get_root().render()
        links = re.findall(r'<(?:script|link)(?![^>]*rel="preconnect")[^>]+(?:src|href)="([^"]+)"', html)
        assert len(links) >= 2, "the page should load Leaflet's script and style"
        assert [url for url in links if re.match(r"(https?:)?//", url)] == []
        for url in links:
            path, _, version = url.partition("?v=")
            file = STATIC_DIR / path.removeprefix("/static/")
            assert file.is_file(), url
            assert version == file_version(file), f"{url} is not its file's version: browsers could keep an old one"
        outside = re.findall(r"https?://[^\"' ]+", html)
        assert [u for u in outside if not re.search(KNOWN_ADDRESSES, u)] == []


def test_every_script_file_is_deferred_and_leaflet_comes_first():
    for m in _every_map():
        head = mapbuild.page_parts(m)["header"]
        scripts = re.findall(r"<script\b[^>]*>", head)
        assert scripts and all(re.search(r"\ssrc=\S+ defer>$", tag) for tag in scripts), scripts
        assert "/leaflet/dist/leaflet.js" in scripts[0]
        assert 'name="viewport"' not in head
