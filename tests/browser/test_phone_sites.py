"""The public map on a phone (390×844, touch): a site's dot is 24 px across and takes a tap anywhere within 44 px, a
cluster of one site opens that site in one tap, and a popup opened near the map's corner is placed clear of its
controls (zoom, full screen, layers, scale, attribution)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_pages_layout import PHONE, open_page, seeded  # noqa: F401 - fixtures
from tests.browser.test_progress_page import UNDER_CONTROLS
from tests.browser.test_public_map import MAP

pytestmark = pytest.mark.browser

# The dot and the hit circle of each site drawn on the screen: their sizes.
DOTS = """() => [...document.querySelectorAll('.site-point')].filter(g => g.getAttribute('visibility') !== 'hidden')
    .map(g => [g.querySelector('.site-dot').getBoundingClientRect(), g.querySelector('.site-hit').getBoundingClientRect()])
    .filter(([dot]) => dot.width > 0)
    .map(([dot, hit]) => ({dot: Math.min(dot.width, dot.height), hit: Math.min(hit.width, hit.height)}))"""
# The middle of a cluster that shows "1" on the screen, or null.
LONE_CLUSTER = """() => {
    const label = [...document.querySelectorAll('.site-cluster-count')]
        .find(t => t.textContent === '1' && t.isConnected && t.getBoundingClientRect().width > 0);
    if (!label) return null;
    const box = label.parentNode.querySelector('circle').getBoundingClientRect();
    return {x: box.left + box.width / 2, y: box.top + box.height / 2};
}"""
PAN_DONE = f"!{MAP}._panAnim || !{MAP}._panAnim._inProgress"


def phone(open_page):  # noqa: F811 - fixture
    return open_page(PHONE, has_touch=True, is_mobile=True)


def test_a_site_dot_is_24_px_and_takes_a_tap_within_44_px(open_page, live_server, seeded, db):  # noqa: F811
    with db.connect() as connection:
        lon, lat = connection.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM site ORDER BY id LIMIT 1")).one()
    page = phone(open_page)
    page.goto(f"{live_server}/?basemap=blank&lat={lat}&lon={lon}&zoom=16")
    wait_for_sites(page)
    page.locator(".site-point").first.wait_for()
    sizes = page.evaluate(DOTS)
    assert sizes and all(s["dot"] >= 23.5 and s["hit"] >= 44 for s in sizes), sizes
    # A tap 18 px off the dot's middle (outside the dot, inside the fingertip's circle) opens the site.
    box = page.locator(".site-point .site-dot").first.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2 + 18, box["y"] + box["height"] / 2)
    page.locator(".leaflet-popup .site-popup").wait_for()


def test_a_cluster_of_one_site_opens_the_site_in_one_tap(open_page, live_server, seeded):  # noqa: F811
    page = phone(open_page)
    page.goto(f"{live_server}/?basemap=blank")
    wait_for_sites(page)
    wait_until(page, "document.body.hasAttribute('data-clusters-shown')")
    lone = page.evaluate(LONE_CLUSTER)
    assert lone, "no cluster of one site at the province's view"
    zoom = page.evaluate(f"{MAP}.getZoom()")
    page.touchscreen.tap(lone["x"], lone["y"])
    page.locator(".leaflet-popup .site-popup .site-name").wait_for()
    assert page.evaluate(f"{MAP}.getZoom()") == zoom  # no zoom step
    assert "site=" in page.url


def test_a_popup_near_the_corner_is_placed_clear_of_the_controls(open_page, live_server, seeded, db):  # noqa: F811
    with db.connect() as connection:
        site_id, lon, lat = connection.execute(text(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM site ORDER BY id LIMIT 1")).one()
    page = phone(open_page)
    page.goto(f"{live_server}/?basemap=blank&lat={lat}&lon={lon}&zoom=16")
    wait_for_sites(page)
    # The site moved to just right of the zoom and full-screen buttons, near the map's top.
    page.evaluate(f"""() => {{ const m = {MAP}, size = m.getSize();
        m.panBy([size.x / 2 - 75, size.y / 2 - 90], {{animate: false}}); }}""")
    wait_until(page, "document.querySelectorAll('.site-point .site-dot').length > 0")
    point = page.evaluate(f"""() => {{ const m = {MAP}, p = m.latLngToContainerPoint([{lat}, {lon}]),
        box = m.getContainer().getBoundingClientRect(); return {{x: box.left + p.x, y: box.top + p.y}}; }}""")
    page.touchscreen.tap(point["x"], point["y"])
    wait_until(page, f"document.body.getAttribute('data-open-site') === '{site_id}'")
    wait_until(page, PAN_DONE)
    assert page.evaluate(UNDER_CONTROLS) == []
    close = page.locator(".leaflet-popup-close-button").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert map_box["y"] <= close["y"] and close["x"] + close["width"] <= map_box["x"] + map_box["width"]
    screenshot(page, "phone-popup-clear-of-controls")
