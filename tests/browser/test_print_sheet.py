"""/print gives one A4 page holding the whole province, from a phone's 390 px window and from a laptop's 1366 px one:
the sheet is turned to the province's shape (wider than tall: landscape), its map is sized in millimetres and fits
the province, and keeps its size on paper (Chromium's own PDF, as a visitor's "Save as PDF" makes it)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from geo import search
from tests.browser.conftest import SCREENSHOTS, wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_pages_layout import LAPTOP, PHONE, SIZES, open_page, seeded  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

A4_LANDSCAPE_PT = (842, 595)
PAGE_OBJECTS = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
MAP = "window[document.querySelector('.print-map .folium-map').id]"


@SIZES
def test_the_print_view_prints_the_whole_province_on_one_a4_landscape_page(open_page, live_server, seeded, db,
                                                                          size):
    with Session(db) as session:
        (south, west), (north, east) = search.unit_bounds(session)
    phone = size is PHONE
    page = open_page(size, is_mobile=phone, has_touch=phone)
    page.goto(live_server + "/print?basemap=blank")
    wait_for_sites(page)
    assert page.get_attribute("#print-sheet", "data-orientation") == "landscape"  # Phú Quốc to Giồng Riềng
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # the sheet shown smaller
    page.emulate_media(media="print")
    wait_until(page, "!document.getElementById('print-now').offsetParent")
    # On paper the map keeps the size Leaflet drew it at, and holds the whole province.
    assert page.evaluate(f"(() => {{ const box = document.querySelector('.print-map .folium-map'), size = {MAP}"
                         ".getSize(); return [size.x, size.y, box.clientWidth, box.clientHeight]; })()") \
        == pytest.approx([1062, 484, 1062, 484], abs=2)  # 281 × 128 mm at 96 px to the inch
    assert page.evaluate(f"{MAP}.getBounds().contains([[{south}, {west}], [{north}, {east}]])")
    map_box = page.locator(".print-map").bounding_box()
    sheet_box = page.locator("#print-sheet").bounding_box()
    assert map_box["y"] + map_box["height"] < sheet_box["y"] + sheet_box["height"]
    assert page.locator("#print-source").bounding_box()["y"] + 10 < sheet_box["y"] + sheet_box["height"]
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"print-{size['width']}.pdf").write_bytes(pdf)
    assert len(PAGE_OBJECTS.findall(pdf)) == 1
    assert [float(n) for n in MEDIA_BOX.search(pdf).groups()] == pytest.approx(A4_LANDSCAPE_PT, abs=1)
