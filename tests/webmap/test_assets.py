"""Every script and stylesheet of a Folium page is served by the app: nothing from a CDN."""
from __future__ import annotations

import re

import branca.colormap
import folium
from folium import plugins

from webmap.assets import VENDOR_DIR, missing_files, use_local_assets


def test_vendor_folder_holds_every_file():
    assert missing_files() == []


def test_a_map_with_every_plugin_loads_nothing_from_outside():
    use_local_assets()
    m = folium.Map(location=[10.0, 105.0], zoom_start=8, tiles=None)
    folium.TileLayer("OpenStreetMap").add_to(m)
    cluster = plugins.MarkerCluster().add_to(m)
    folium.Marker([10.0, 105.0], icon=folium.Icon(icon="leaf", prefix="fa")).add_to(cluster)
    group = plugins.FeatureGroupSubGroup(cluster, name="nhóm").add_to(m)
    folium.Marker([10.1, 105.1]).add_to(group)
    plugins.Realtime("/api/sites", interval=60000).add_to(m)
    plugins.Fullscreen().add_to(m)
    folium.GeoJson({"type": "FeatureCollection", "features": []}).add_to(m)
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert links, "the page should load its scripts"
    outside = [url for url in links if re.match(r"(https?:)?//", url)]
    assert outside == []
    for url in links:
        path, _, version = url.partition("?v=")
        assert (VENDOR_DIR / path.removeprefix("/static/vendor/")).is_file(), url
        assert version, f"{url} has no version: browsers could not keep it"
    # The only outside address left is the tile URL template.
    assert [u for u in re.findall(r"https?://[^\"' ]+", html) if "tile.openstreetmap.org" not in u
            and "openstreetmap.org/copyright" not in u and "leafletjs.com" not in u] == []
