"""The map pages in a real Chromium: markers, layers, filters, the choropleth, the embed, and escaping."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_until

pytestmark = pytest.mark.browser

XSS_NAME = "<img src=x onerror=alert(1)>"


def wait_for_sites(page) -> int:
    wait_until(page, "document.body && document.body.getAttribute('data-sites-loaded') !== null")
    loaded = page.get_attribute("body", "data-sites-loaded")
    assert loaded != "error"
    return int(loaded)


# The same count in the page, for waiting on it.
VISIBLE_MARKERS = ("[...document.querySelectorAll('.site-point, .site-cluster')]"
                   ".filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden').length")


def visible_markers(page) -> int:
    """Site points and clusters drawn from the vector tiles and not hidden (a cluster stands for several sites)."""
    return page.locator(".site-point, .site-cluster").filter(visible=True).count()


def wait_for_tiles(page) -> None:
    page.locator(".site-point, .site-cluster").first.wait_for()


def test_markers_appear_on_the_planners_map(page, live_server, seeded):
    page.goto(live_server + "/")
    assert wait_for_sites(page) == seeded == 73
    wait_for_tiles(page)
    assert visible_markers(page) > 0
    assert "73" in page.locator("#site-count").inner_text()
    page.hover(".leaflet-control-layers")
    assert page.locator(".leaflet-control-layers-overlays label").count() == 12  # districts + 11 categories
    screenshot(page, "map")


def test_unticking_a_layer_hides_its_markers(page, live_server, seeded):
    page.goto(live_server + "/?category=solar&zoom=8")
    assert wait_for_sites(page) == 7
    wait_for_tiles(page)
    before = visible_markers(page)
    assert before > 0
    page.hover(".leaflet-control-layers")  # the layer box opens on hover
    page.locator(".leaflet-control-layers-overlays label", has_text="Điện mặt trời").locator("input").uncheck()
    wait_until(page, f"{VISIBLE_MARKERS} === 0")
    page.locator(".leaflet-control-layers-overlays label", has_text="Điện mặt trời").locator("input").check()
    wait_until(page, f"{VISIBLE_MARKERS} === {before}")


def test_a_filter_changes_the_sites_the_tile_urls_and_the_url(page, live_server, seeded):
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(live_server + "/")
    assert wait_for_sites(page) == 73
    page.select_option("select[name=district]", "911")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**district=911**")
    assert wait_for_sites(page) == 11
    assert "11" in page.locator("#site-count").inner_text()
    wait_for_tiles(page)
    tile_urls = [url for url in urls if "/tiles/sites/" in url]
    assert any("district=911" in url for url in tile_urls)
    assert any("district" not in url for url in tile_urls)  # the first view's tiles, before the filter
    # Clusters that fell on a larger one are hidden and counted in it: the numbers shown add up to the sites.
    wait_until(page, "document.body.hasAttribute('data-clusters-shown')")
    shown = page.eval_on_selector_all(".site-cluster text", "els => els.filter(e => getComputedStyle(e).visibility "
                                      "!== 'hidden').map(e => e.textContent)")
    assert sum(int(n) for n in shown) == 11
    # The URL opens the same view for a colleague.
    page.goto(page.url)
    assert wait_for_sites(page) == 11
    assert page.locator("select[name=district]").input_value() == "911"
    screenshot(page, "map-filtered-phu-quoc")


def test_english_is_one_click_away_and_place_names_keep_diacritics(page, live_server, seeded):
    page.goto(live_server + "/")
    wait_for_sites(page)
    page.click("a[hreflang=en]")
    page.wait_for_url("**lang=en**")
    assert wait_for_sites(page) == 73
    assert "Showing 73 sites" in page.locator("#site-count").inner_text()
    assert page.locator("select[name=district] option", has_text="Phú Quốc").count() == 1


def test_progress_colours_all_fifteen_districts(page, live_server, seeded):
    page.goto(live_server + "/progress?measure=sites&year=2025")
    page.wait_for_selector("path.leaflet-interactive")
    fills = page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    assert len(fills) == 15
    assert all(fill and fill != "none" for fill in fills)
    assert len(set(fills)) >= 3  # the classes tell districts apart
    assert page.locator("#progress-table tbody tr").count() == 15
    screenshot(page, "progress")


class PortalHandler(BaseHTTPRequestHandler):
    """A stand-in provincial portal page that frames /embed."""

    embed_url = ""

    def do_GET(self):  # noqa: N802 - the http.server API
        body = f'<!doctype html><title>portal</title><iframe id="map" src="{self.embed_url}" width="900" ' \
               f'height="600"></iframe>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_portal(port: int, embed_url: str) -> ThreadingHTTPServer:
    handler = type("Handler", (PortalHandler,), {"embed_url": embed_url})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_embed_renders_in_an_allowed_portal_and_is_refused_elsewhere(page, live_server, seeded, portal_port):
    allowed = serve_portal(portal_port, live_server + "/embed?district=911")
    other = serve_portal(0, live_server + "/embed?district=911")
    try:
        page.goto(f"http://localhost:{portal_port}/")
        frame = page.frame_locator("#map")
        frame.locator(".site-point, .site-cluster").first.wait_for()
        # The count arrives on its own request, after the placeholder "Đang tải các điểm…".
        expect(frame.locator("#site-count")).to_contain_text("11")
        screenshot(page, "embed-in-portal")

        messages = []
        page.on("console", lambda message: messages.append(message.text))
        with page.expect_console_message(lambda message: "frame-ancestors" in message.text, timeout=45_000):
            page.goto(f"http://localhost:{other.server_port}/")
        embedded = page.frames[1] if len(page.frames) > 1 else None
        assert embedded is None or embedded.locator(".leaflet-container").count() == 0
        assert any("frame-ancestors" in m for m in messages)
        screenshot(page, "embed-refused")
    finally:
        allowed.shutdown()
        other.shutdown()


def test_clicking_a_district_lists_the_sites_behind_its_figure(page, live_server, seeded):
    page.goto(live_server + "/progress?measure=scp_awareness_share&year=2025")
    page.wait_for_selector("path.leaflet-interactive")
    fills = set(page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"))
    assert fills <= {"#2e7d32", "#f9a825", "#c62828", "#bdbdbd"}  # on track, behind, far behind, no data
    assert "Đạt tiến độ" in page.inner_text("#progress-legend")
    screenshot(page, "progress-indicator")
    # Click the map in Hà Tiên (900), at the sample industrial park of Thuận Yên.
    point = page.evaluate("""() => {
        const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] && window[k].latLngToContainerPoint);
        const p = window[name].latLngToContainerPoint([10.3472, 104.5364]);
        const box = window[name].getContainer().getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""")
    page.mouse.click(point["x"], point["y"])
    box = page.locator(".leaflet-popup .unit-popup")  # the district's box on the map, with the link to its sites
    assert box.locator(".unit-popup-name").inner_text() == "Hà Tiên"
    box.get_by_role("link", name="Xem các điểm tạo nên số liệu").click()
    page.wait_for_url("**unit=900**")
    behind = page.locator("ul.behind li")
    assert "Hà Tiên" in page.inner_text("#sites-behind")
    assert behind.count() >= 1 and "tử số" in behind.first.inner_text()
    screenshot(page, "progress-sites-behind")
