"""The pages on a phone (390×844) and a laptop (1366×768): the map fills the screen, nothing scrolls sideways,
the panel opens over the map, the site form places a site from the device's location, search, and axe-core."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from geo.site_store import insert_site, load_seed_sites
from geo.sites import SEED_FILE
from tests.browser.conftest import _local_only, screenshot, wait_until
from tests.sitedata import RACH_GIA, site
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import make_users, queued

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 768}
SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])


@pytest.fixture
def seeded(db):
    with Session(db) as session, session.begin():
        return load_seed_sites(session, SEED_FILE)


@pytest.fixture
def open_page(browser):
    """open_page(size, **context options) → a page of a new browser context of that viewport."""
    contexts = []

    def make(size, **options):
        context = browser.new_context(viewport=size, locale="vi-VN", **options)
        context.route("**/*", _local_only)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(45_000)
        return page

    yield make
    for context in contexts:
        context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def map_width(page) -> float:
    return page.evaluate("document.querySelector('.folium-map').getBoundingClientRect().width")


def axe_violations(page) -> list[str]:
    """Critical and serious axe-core violations of the page, as 'id: target' lines."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {json.dumps([n['target'] for n in v['nodes']])[:200]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


@SIZES
@pytest.mark.parametrize("path", ["/", "/progress"])
def test_the_map_takes_the_screen_and_the_panel_opens_over_it(open_page, live_server, seeded, size, path):
    page = open_page(size)
    page.goto(live_server + path)
    page.wait_for_selector(".leaflet-container")
    assert no_sideways_scroll(page)
    name = f"{path.strip('/') or 'map'}-{size['width']}"
    screenshot(page, name)
    if size is PHONE:
        assert map_width(page) >= 0.9 * size["width"]
        panel = page.locator("#panel")
        assert panel.is_hidden()
        page.click(".panel-toggle")
        assert panel.is_visible() and page.get_attribute(".panel-toggle", "aria-expanded") == "true"
        screenshot(page, name + "-panel")
        page.click(".panel-close")
        panel.wait_for(state="hidden")
        # The top bar is one menu button; the menu opens over the page.
        assert page.locator("#site-nav").is_hidden()
        page.click(".menu-toggle")
        assert page.locator("#site-nav a", has_text="Tiến độ").is_visible()
    else:
        assert page.locator("#panel").is_visible() and page.locator(".panel-toggle").is_hidden()
        assert map_width(page) >= size["width"] - 400
        # The layer switcher (top right) and the zoom buttons (top left) do not overlap.
        layers = page.locator(".leaflet-control-layers").bounding_box()
        zoom = page.locator(".leaflet-control-zoom").bounding_box()
        assert zoom["x"] + zoom["width"] < layers["x"]


@SIZES
def test_embed_has_a_legend_fits_the_province_and_loads_no_bootstrap(open_page, live_server, seeded, size):
    page = open_page(size)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server + "/embed?lang=en")
    page.wait_for_selector(".leaflet-container")
    assert no_sideways_scroll(page) and map_width(page) >= 0.9 * size["width"]
    assert not [url for url in asked if "bootstrap" in url or "jquery" in url]
    page.locator("#embed-legend summary").click() if size is PHONE else None
    assert page.locator("#legend li", has_text="Solar power").is_visible()
    # The whole province is in view, Phú Quốc (west) and Rạch Giá (east) both.
    bounds = page.evaluate("(() => { const m = window[document.querySelector('.folium-map').id];"
                           " const b = m.getBounds(); return [b.getWest(), b.getEast()]; })()")
    assert bounds[0] < 103.9 and bounds[1] > 105.1
    screenshot(page, f"embed-{size['width']}")


def test_embed_zooms_to_the_chosen_district(open_page, live_server, seeded):
    page = open_page(PHONE)
    page.goto(live_server + "/embed?district=899")
    page.wait_for_selector(".leaflet-container")
    west, east = page.evaluate("(() => { const b = window[document.querySelector('.folium-map').id].getBounds();"
                               " return [b.getWest(), b.getEast()]; })()")
    assert 104.9 < west < RACH_GIA[0] < east < 105.3


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_search_without_accents_opens_the_site(open_page, live_server, db, viewport):
    with Session(db) as session, session.begin():
        site_id = insert_site(session, site("Tổ phân loại rác Vĩnh Thanh Vân", *RACH_GIA))
    page = open_page(viewport)
    page.goto(live_server + "/")
    if viewport is PHONE:
        page.click(".panel-toggle")
    page.fill("#search-q", "Vinh Thanh Van")
    result = page.locator("#search-results button", has_text="Tổ phân loại rác Vĩnh Thanh Vân")
    result.click()
    # The chosen site's popup opens (and on a phone the panel closes, so the map is seen).
    wait_until(page, f"document.body.getAttribute('data-open-site') === '{site_id}'")
    assert page.locator(".leaflet-popup-content .site-name").inner_text() == "Tổ phân loại rác Vĩnh Thanh Vân"
    assert page.evaluate("document.getElementById('panel').classList.contains('open')") is False \
        or viewport is LAPTOP
    zoom, inside = page.evaluate("(() => { const m = window[document.querySelector('.folium-map').id];"
                                 f" return [m.getZoom(), m.getBounds().contains([{RACH_GIA[1]}, {RACH_GIA[0]}])]; }})()")
    assert zoom >= 16 and inside


def located_form(open_page, live_server, db, accuracy: float):
    """District staff's new-site form on a phone whose device reports Rạch Giá within accuracy metres, located."""
    make_users(db)
    page = open_page(PHONE, geolocation={"latitude": RACH_GIA[1], "longitude": RACH_GIA[0], "accuracy": accuracy},
                     permissions=["geolocation"])
    sign_in(page, live_server, "staff_899")
    page.goto(live_server + "/staff/sites/new")
    page.wait_for_selector(".leaflet-container")
    assert no_sideways_scroll(page) and map_width(page) >= 0.9 * PHONE["width"] - 30
    page.click("#locate")
    wait_until(page, "document.getElementById('lat').value !== ''")
    return page


def test_staff_place_a_site_on_a_phone_from_the_device_location(open_page, live_server, db):
    page = located_form(open_page, live_server, db, 20)
    assert page.input_value("#lat") == f"{RACH_GIA[1]:.6f}" and page.input_value("#lon") == f"{RACH_GIA[0]:.6f}"
    assert page.input_value("#location_precision") == "exact"
    screenshot(page, "site-form-390")
    page.fill("input[name=name]", "Điểm đặt bằng điện thoại")
    page.select_option("#category", "waste_sorting")
    page.fill("input[name=source]", "Cán bộ tại hiện trường")
    page.click("#save")
    page.wait_for_url("**/staff/**")
    assert page.locator("#sites td", has_text="Điểm đặt bằng điện thoại").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "staff-list-390")


def test_a_coarse_device_fix_only_places_the_site_in_its_ward(open_page, live_server, db):
    page = located_form(open_page, live_server, db, 400)
    assert page.input_value("#location_precision") == "ward"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_critical_or_serious_accessibility_violations(open_page, live_server, seeded, db, lang):
    moved = queued(db)  # the review queue with a moved site and a new one, each with its small map
    # axe-core is injected as an inline script, which the app's Content-Security-Policy rightly refuses; the
    # policy itself is tested in test_csp.py.
    page = open_page(PHONE, bypass_csp=True)
    found = {}
    for path in ("/", "/progress", "/embed", "/embed/builder", "/print", "/nowhere"):
        page.goto(f"{live_server}{path}?lang={lang}")
        found[path] = axe_violations(page)
    # /progress with its slider moved to another year, and a hand-entered indicator drawn as a chart.
    page.goto(f"{live_server}/progress?figure=scp_awareness_share&year=2025&lang={lang}")
    page.click(".panel-toggle")
    page.locator("#year-range").fill("2022")
    wait_until(page, "document.documentElement.dataset.year === '2022'")
    found["/progress (2022 by the slider)"] = axe_violations(page)
    page.goto(f"{live_server}/progress?figure=material_fuel_cut&lang={lang}")
    found["/progress (chart)"] = axe_violations(page)
    sign_in(page, live_server, "planner")
    for path in ("/staff/", "/staff/sites/new", "/staff/review", "/staff/import", f"/staff/sites/{moved}/edit",
                 f"/staff/sites/{moved}/history", "/staff/indicators"):
        page.goto(f"{live_server}{path}?lang={lang}")
        found[path] = axe_violations(page)
    page = open_page(PHONE, bypass_csp=True)  # a new context: the admin's own session
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/staff/users?lang={lang}")
    found["/staff/users"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.parametrize("lang, words", [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
def test_the_404_page_is_in_the_site_layout_and_language(open_page, live_server, db, lang, words):
    page = open_page(PHONE)
    response = page.goto(f"{live_server}/no-such-page?lang={lang}")
    assert response.status == 404
    assert page.locator("h1").inner_text() == words
    assert page.locator(".topbar").is_visible() and page.locator("#go-back").is_visible()
    assert no_sideways_scroll(page)
