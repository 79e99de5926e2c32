"""What /embed and / cost a phone on the wire, every request counted in Chromium, and what a second visit asks."""
from __future__ import annotations

from typing import Iterator

import pytest
from flask import request
from playwright.sync_api import Browser, Page

from tests.browser.conftest import _local_only, wait_until

PHONE = {"width": 390, "height": 844}
# Bytes on the wire (headers and compressed bodies) at 390x844 with the 73 sample sites, base-map tiles refused.
# /embed took 293 330 before deferring and trimming: Font Awesome's font alone 151 KB and its CSS 25 KB,
# awesome-markers 4 KB. After: 116 332, of which Leaflet is 46 KB, the page 15 KB and the site tiles about 20 KB.
# The bound leaves about a third for growth (a control, more tiles) and fails if the font, jQuery or Bootstrap return.
MAX_BYTES = {"/embed": 160_000, "/": 175_000}
UNUSED = ("jquery", "bootstrap", "fontawesome", "awesome-markers", ".woff")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _visit(page: Page, url: str) -> list:
    """Open url until its sites are drawn; the requests that finished, in order."""
    finished = []

    def keep(request) -> None:
        finished.append(request)

    page.on("requestfinished", keep)
    page.goto(url)
    wait_until(page, "document.body.getAttribute('data-sites-loaded') === '73'")
    wait_until(page, "window.scpSiteLayer && !window.scpSiteLayer.isLoading()")
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", keep)
    return finished


@pytest.mark.parametrize("path", ["/embed", "/"])
def test_a_phone_downloads_less_than_the_bound(phone, live_server, seeded, path):
    finished = _visit(phone, live_server + path)
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
