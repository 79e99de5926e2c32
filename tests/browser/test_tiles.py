"""The site layer from vector tiles in a real Chromium, on / and /embed: tiles, clusters, filters, popups on demand."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.browser.test_maps import XSS_NAME, wait_for_sites
from tests.sitedata import DONRE, site
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

PAGES = ("/", "/embed")


def record(page) -> list[str]:
    """Every URL the page asks for, from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def site_list_requests(urls: list[str]) -> list[str]:
    """Requests to /api/sites that would fetch more than one site (the count asks for one)."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.path == "/api/sites" and parse_qs(parts.query).get("limit") != ["1"]:
            out.append(url)
    return out


def map_zoom(page) -> int:
    return page.evaluate("""() => {
        const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] && window[k].getZoom);
        return window[name].getZoom();
    }""")


def cluster_counts(page) -> list[int]:
    texts = page.locator(".site-cluster").filter(visible=True).locator("text").all_text_contents()
    return sorted((int(t.replace(".", "").replace(",", "")) for t in texts), reverse=True)


@pytest.mark.parametrize("path", PAGES)
def test_sites_come_from_tiles_and_the_count_from_sql(page, live_server, seeded, path):
    urls = record(page)
    page.goto(live_server + path)
    assert wait_for_sites(page) == 73
    page.locator(".site-cluster").first.wait_for()
    assert any("/tiles/sites/9/" in url for url in urls)
    assert sum(cluster_counts(page)) <= 73 and max(cluster_counts(page)) >= 2
    assert "73" in page.locator("#site-count").inner_text()
    assert site_list_requests(urls) == []  # the browser never downloads the site table


def tiles_loaded(page) -> None:
    """Until the tiles of the view are in and their overlapping clusters merged."""
    wait_until(page, "window.scpSiteLayer && !window.scpSiteLayer.isLoading()"
                     " && document.body.hasAttribute('data-clusters-shown')")


def biggest_cluster(page) -> dict:
    """The visible cluster with the largest count that a click at its centre reaches (not under a control): its
    count and its centre on the screen."""
    return page.evaluate("""() => {
        const box = document.querySelector('.leaflet-container').getBoundingClientRect();
        const shown = [...document.querySelectorAll('.site-cluster')].filter(g => g.getAttribute('visibility') !== 'hidden')
            .map(g => ({g: g, count: Number(g.textContent), rect: g.querySelector('circle').getBoundingClientRect()}))
            .filter(c => c.rect.left > box.left && c.rect.right < box.right && c.rect.top > box.top
                         && c.rect.bottom < box.bottom)
            .filter(c => { const hit = document.elementFromPoint(c.rect.left + c.rect.width / 2,
                                                                  c.rect.top + c.rect.height / 2);
                           return hit && c.g.contains(hit); });
        shown.sort((a, b) => b.count - a.count);
        const c = shown[0];
        return {count: c.count, x: c.rect.left + c.rect.width / 2, y: c.rect.top + c.rect.height / 2};
    }""")


# Listeners for one click: the sites layer's click, then the map's (Leaflet fires them in that order for one DOM
# click); a click the map took without the layer missed the cluster (redrawn between finding it and the click).
_WATCH_CLICK = """() => {
    const map = window.scpSiteLayer._map;
    window.zoomEnded = false; window.layerClicked = false; window.clickMissed = false;
    map.once('zoomend', () => { window.zoomEnded = true; });
    window.scpSiteLayer.once('click', () => { window.layerClicked = true; });
    map.once('click', () => { window.clickMissed = !window.layerClicked; });
}"""


def click_biggest_cluster(page, tries: int = 3) -> None:
    """Click the biggest cluster as a person does, until the map's zoomend (its zoom animation over); a click that
    reached the map but not the cluster is tried again on the cluster found afresh."""
    for _ in range(tries):
        tiles_loaded(page)
        cluster = biggest_cluster(page)
        page.evaluate(_WATCH_CLICK)
        page.mouse.click(cluster["x"], cluster["y"])
        wait_until(page, "window.zoomEnded || window.clickMissed")
        if page.evaluate("() => window.zoomEnded"):
            return
    raise AssertionError(f"{tries} clicks at the biggest cluster's centre reached the map, never the cluster")


@pytest.mark.parametrize("path", PAGES)
def test_a_cluster_zooms_in_and_splits_into_points(page, live_server, seeded, path):
    page.goto(live_server + path + "?zoom=8")
    page.locator(".site-cluster").first.wait_for()
    tiles_loaded(page)
    first = biggest_cluster(page)
    assert first["count"] >= 2
    zoom = map_zoom(page)
    for _ in range(3):  # 8 → 10 → 12: from z12 a tile with few sites carries points
        click_biggest_cluster(page)
        assert map_zoom(page) > zoom
        zoom = map_zoom(page)
        tiles_loaded(page)
        if page.locator(".site-point").count() >= 2:
            break
    assert zoom >= 12
    assert page.locator(".site-point").filter(visible=True).count() >= 2  # the crowd is now its points


def test_the_embed_filter_goes_into_its_tile_urls(page, live_server, seeded):
    urls = record(page)
    page.goto(live_server + "/embed?category=solar")
    assert wait_for_sites(page) == 7
    page.locator(".site-cluster, .site-point").first.wait_for()
    tile_urls = [url for url in urls if "/tiles/sites/" in url]
    assert tile_urls and all("category=solar" in url for url in tile_urls)
    assert sum(cluster_counts(page)) == 7


@pytest.mark.parametrize("path", PAGES)
def test_a_popup_is_fetched_on_click_and_shows_typed_html_as_text(page, live_server, db, path):
    with Session(db) as session, session.begin():
        site_id = insert_site(session, site(XSS_NAME, 105.0832, 10.0095, description="<script>alert(2)</script>",
                                            address="<b>Rạch Giá</b>"))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    urls = record(page)
    page.goto(live_server + path + "?zoom=15&lat=10.0095&lon=105.0832")
    assert wait_for_sites(page) == 1
    point = page.locator(".site-point")
    point.wait_for()
    assert not any(url.endswith(f"/api/sites/{site_id}") for url in urls)  # nothing fetched before the click
    point.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.locator(".site-name").wait_for()
    assert any(url.endswith(f"/api/sites/{site_id}") for url in urls)
    assert popup.locator(".site-name").inner_text() == XSS_NAME
    assert "<script>alert(2)</script>" in popup.inner_text()
    assert popup.locator("img, script, b").count() == 0
    assert DONRE in popup.inner_text()  # the fixture's lead agency, as text
    # Two frames later anything the popup's text could have started (an image's onerror) has run.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert site_list_requests(urls) == []
