"""Another site's MapLibre page draws the project's style: a plain page served from another local port loads MapLibre
GL JS (the app's vendored copy, served by that page's own server) and /tiles/sites/style.json, in a real Chromium."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import CATEGORIES
from tests.browser.conftest import screenshot, wait_until

pytestmark = pytest.mark.browser

MAPLIBRE = Path(__file__).resolve().parents[2] / "webmap" / "static" / "vendor" / "maplibre-gl" / "dist"

# The portal's page as the README tells a portal to write it: the style URL is all it knows of the app.
PORTAL_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin</title>
<link rel="stylesheet" href="maplibre-gl.css">
<style>html, body, #map { margin: 0; height: 100%; }</style></head>
<body><div id="map"></div>
<script type="module">
import * as maplibregl from "./maplibre-gl.mjs";
const style = new URLSearchParams(location.search).get("style");
const map = new maplibregl.Map({container: "map", style: style, center: [104.75, 9.95], zoom: 8});
window.map = map;
window.mapErrors = [];
map.on("error", (event) => window.mapErrors.push(String(event.error && event.error.message)));
map.once("load", () => map.on("idle", () => { window.mapIdle = true; }));
map.on("dataloading", () => { window.mapIdle = false; });
</script></body></html>
"""


class PortalHandler(SimpleHTTPRequestHandler):
    """Static files of the stand-in portal, ES modules with their script type."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript"}

    def log_message(self, *args) -> None:  # one line per request drowns the test output
        pass


@pytest.fixture
def portal(tmp_path) -> Iterator[str]:
    """The base URL of a portal's page on another port (and host name) than the app's."""
    for name in ("maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl-shared.mjs", "maplibre-gl.css"):
        shutil.copy(MAPLIBRE / name, tmp_path / name)
    (tmp_path / "index.html").write_text(PORTAL_PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PortalHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_maplibre_page_of_another_origin_draws_the_counted_clusters(page, live_server, seeded, portal):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    glyphs: list[int] = []
    page.on("response", lambda response: glyphs.append(response.status) if "/tiles/glyphs/" in response.url else None)

    page.goto(f"{portal}/index.html?style={live_server}/tiles/sites/style.json")
    wait_until(page, "window.map && window.map.loaded() && window.mapIdle === true")

    clusters = page.evaluate("""() => map.queryRenderedFeatures({layers: ['clusters']})
        .map(f => f.properties.count)""")
    labels = page.evaluate("""() => map.queryRenderedFeatures({layers: ['cluster-counts']})
        .map(f => f.properties.count)""")
    screenshot(page, "maplibre-portal")
    assert clusters and all(count >= 1 for count in clusters)
    assert max(clusters) >= 2 and sum(clusters) == 73  # the 73 sample sites, each counted once
    # The counts are written on the circles: their glyphs came from the app.
    assert sorted(labels) == sorted(clusters)
    assert glyphs and set(glyphs) == {200}
    assert page.evaluate("window.mapErrors") == []
    assert not [text for text in console if "CORS" in text or "Access-Control" in text], console
    assert page.evaluate("location.origin") != live_server


def test_up_close_the_sites_are_points_in_their_category_colour(page, live_server, seeded, db, portal):
    with Session(db) as session:
        lon, lat, category = session.execute(text(
            "SELECT ST_X(geom), ST_Y(geom), category_code FROM site ORDER BY id LIMIT 1")).one()
    page.goto(f"{portal}/index.html?style={live_server}/tiles/sites/style.json")
    wait_until(page, "window.map && window.map.loaded() && window.mapIdle === true")
    page.evaluate(f"map.jumpTo({{center: [{lon}, {lat}], zoom: 16}})")
    wait_until(page, "window.map.loaded() && window.mapIdle === true")
    points = page.evaluate("""() => map.queryRenderedFeatures({layers: ['sites']}).map(f => ({
        category: f.properties.category, colour: f.layer.paint['circle-color'].toString()}))""")
    assert category in {point["category"] for point in points}
    colours = {c.code: c.colour for c in CATEGORIES}
    drawn = {point["category"]: point["colour"] for point in points}
    assert drawn[category] == _rgba(colours[category])


def _rgba(colour: str) -> str:
    """A #rrggbb colour as MapLibre's evaluated paint colour writes it."""
    return "rgba({},{},{},1)".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))
