"""The embed builder saves the area chosen on a desktop, and the embed shows it whole on a phone: a district
chosen (the embed fits the district), an area picked on the small map (bounds=west,south,east,north), and after
the phone is turned (the embed fits again on a resize)."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy.orm import Session

from geo import search
from tests.browser.conftest import wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_pages_layout import LAPTOP, PHONE, open_page, seeded  # noqa: F401 - fixtures
from tests.browser.test_public_map import MAP, set_view

pytestmark = pytest.mark.browser

TAN_HIEP = "904"
SNIPPET_SRC = re.compile(r'src="([^"]+)"')


def holds(page, bounds: list[list[float]]) -> bool:
    """Whether the map's view holds the whole of bounds ([[south, west], [north, east]])."""
    return page.evaluate(f"(b) => {MAP}.getBounds().contains(b)", bounds)


def snippet_src(page) -> str:
    return html.unescape(SNIPPET_SRC.search(page.input_value("#snippet")).group(1))


def test_an_area_built_on_a_desktop_is_whole_in_a_phone_embed(open_page, live_server, seeded, db):
    with Session(db) as session:
        district = search.unit_bounds(session, TAN_HIEP)
    builder = open_page(LAPTOP)
    builder.goto(live_server + "/embed/builder")
    builder.locator(".builder-map .leaflet-container").wait_for()
    wait_until(builder, f"{MAP} !== undefined")
    builder.select_option("select[name=district]", TAN_HIEP)
    wait_until(builder, f"document.getElementById('preview').getAttribute('src').includes('district={TAN_HIEP}')")
    assert holds(builder, district)  # the small map shows the district chosen
    by_district = snippet_src(builder)
    assert "bounds=" not in by_district and "lat=" not in by_district
    # An area picked on the small map: west of Phú Quốc's Dương Đông to Hòn Thơm.
    set_view(builder, 10.1, 104.0, 11)
    wait_until(builder, "document.querySelector('input[name=bounds]').value !== ''")
    west, south, east, north = (float(n) for n in builder.input_value("input[name=bounds]").split(","))
    wait_until(builder, "document.getElementById('preview').getAttribute('src').includes('bounds=')")
    by_area = snippet_src(builder)
    assert "bounds=" in by_area and "lat=" not in by_area and "zoom=" not in by_area

    phone = open_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(by_district)
    wait_for_sites(phone)
    assert holds(phone, district)
    phone.set_viewport_size({"width": PHONE["height"], "height": PHONE["width"]})  # the phone turned
    wait_until(phone, f"{MAP}.getSize().x === {PHONE['height']}")
    wait_until(phone, f"{MAP}.getBounds().contains({district})")
    phone.goto(by_area)
    wait_for_sites(phone)
    assert holds(phone, [[south, west], [north, east]])


def test_old_centre_and_zoom_addresses_still_work_and_a_bad_area_is_refused(open_page, live_server, seeded):
    page = open_page(PHONE)
    page.goto(live_server + "/embed?lat=10.2&lon=104.0&zoom=11")
    wait_for_sites(page)
    assert page.evaluate(f"{MAP}.getZoom()") == 11
    assert page.evaluate(f"(() => {{ const c = {MAP}.getCenter(); return [c.lat, c.lng]; }})()") == \
        pytest.approx([10.2, 104.0], abs=1e-3)
    for area, reason in (("104.5,10.3,104.0,10.0", "nhỏ hơn"), ("100,10,104,10.5", "trong vùng Kiên Giang"),
                         ("104,10,104.5", "")):
        response = page.goto(f"{live_server}/embed?bounds={area}")
        assert response.status == 400
        assert "Vùng hiển thị" in page.inner_text("main") and reason in page.inner_text("main")
