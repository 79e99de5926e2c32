"""What /embed and / cost a phone on the wire, every request counted in Chromium, and what a second visit asks."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import request
from playwright.sync_api import Browser, Page

from tests.browser.conftest import local_pages, wait_until

PHONE = {"width": 390, "height": 844}
# Bytes on the wire (headers and compressed bodies) at 390x844 with the 73 sample sites, base-map tiles refused.
# /embed took 293 330 before: Font Awesome's font alone 151 KB and its CSS 25 KB, awesome-markers 4 KB, and the site
# tiles of two zooms (the starting one, then the fitted one). After: 107 413 (/ 109 665), of which Leaflet is 46 KB,
# the page 15 KB and the tiles of one zoom 12 KB. The bounds leave about 40 % for growth (a control, a legend, more
# sites) and fail if the font, jQuery or Bootstrap come back.
MAX_BYTES = {"/embed": 150_000, "/": 155_000}
UNUSED = ("jquery", "bootstrap", "fontawesome", "awesome-markers", ".woff")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from local_pages(browser, viewport=PHONE, is_mobile=True, has_touch=True)


def _visit(page: Page, url: str) -> list:
    """Open url until its sites are counted and drawn; the requests that finished, in order."""
    finished = []

    def keep(request) -> None:
        finished.append(request)

    page.on("requestfinished", keep)
    page.goto(url)
    wait_until(page, "!['', null, 'error'].includes(document.body.getAttribute('data-sites-loaded'))")
    wait_until(page, "window.scpSiteLayer && !window.scpSiteLayer.isLoading()")
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", keep)
    return finished


@pytest.mark.parametrize("path", ["/embed", "/"])
def test_a_phone_downloads_less_than_the_bound(phone, live_server, seeded, path):
    finished = _visit(phone, live_server + path)
    assert phone.evaluate("document.body.getAttribute('data-sites-loaded')") == "73"
    sizes = {request.url: request.sizes() for request in finished}
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    assert total <= MAX_BYTES[path], f"{total:,} bytes: " + ", ".join(
        f"{url.removeprefix(live_server)} {s['responseBodySize']:,}" for url, s in sizes.items())
    assert [url for url in sizes if any(word in url for word in UNUSED)] == []
    # The icons are still drawn: each legend pin's glyph has its mask.
    masks = phone.evaluate("[...document.querySelectorAll('.legend .fa')].map(i => getComputedStyle(i).maskImage)")
    assert len(masks) == 11 and all(m.startswith('url("data:image/svg+xml') for m in masks)


def test_a_second_visit_asks_the_server_for_no_static_file(browser, live_app, live_server, seeded):
    asked = []
    live_app.before_request(lambda: asked.append(request.full_path))
    # Without routing, which would switch off the browser's cache; the blank base map asks nothing outside.
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _visit(page, live_server + "/embed?basemap=blank")
    assert any(path.startswith("/static/vendor/leaflet/dist/leaflet.js?v=") for path in asked)
    asked.clear()
    _visit(page, live_server + "/embed?basemap=blank&lang=en")
    context.close()
    # Kept a year under a versioned URL, every script and stylesheet comes from the browser's cache.
    assert [path for path in asked if "?v=" in path] == []
    assert any(path.startswith("/embed?") for path in asked)


@pytest.mark.parametrize("path", ["/embed", "/?district=899"])
def test_a_phone_asks_only_the_tiles_of_the_view_it_shows(phone, live_server, seeded, path):
    # The view is fitted before any layer is added and without animation: no tile of the starting zoom is asked
    # only to be dropped (on a real phone the base map's images too).
    zooms = {request.url.split("/tiles/sites/")[1].split("/")[0]
             for request in _visit(phone, live_server + path) if "/tiles/sites/" in request.url}
    shown = phone.evaluate("window[document.querySelector('.folium-map').id].getZoom()")
    assert zooms == {str(shown)}
