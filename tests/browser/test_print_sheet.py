"""/print gives one A4 page holding the whole province, from a phone's 390 px window and from a laptop's 1366 px one:
the sheet is turned to the shape of the area (the province is wider than tall: landscape; Phú Quốc alone is taller:
portrait), its map is sized in millimetres and fits the area, and keeps its size on paper (Chromium's own PDF, as a
visitor's "Save as PDF" makes it; test-output/screenshots/print-*.pdf, to be looked at)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from geo import search
from tests.browser.conftest import SCREENSHOTS, wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_pages_layout import LAPTOP, PHONE, open_page, seeded  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

A4_PT = {"landscape": (842, 595), "portrait": (595, 842)}
# The map on the sheet, in CSS pixels (96 to the inch): 281 × 128 mm on a landscape sheet, 194 × 190 mm on a portrait.
MAP_PX = {"landscape": (1062, 484), "portrait": (733, 718)}
PAGE_OBJECTS = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
MAP = "window[document.querySelector('.print-map .folium-map').id]"
# The map's size as Leaflet has it, and its box's.
MAP_SIZE = (f"(() => {{ const box = document.querySelector('.print-map .folium-map'), size = {MAP}.getSize(); "
            "return [size.x, size.y, box.clientWidth, box.clientHeight]; })()")
AREAS = pytest.mark.parametrize("size, district, orientation", [
    (PHONE, None, "landscape"),  # the province, Phú Quốc to Giồng Riềng: wider than tall
    (LAPTOP, None, "landscape"),
    (PHONE, "911", "portrait"),  # Phú Quốc with Thổ Châu: taller than wide
], ids=["province-phone", "province-laptop", "phu-quoc-phone"])


@AREAS
def test_the_print_view_prints_the_whole_area_on_one_a4_page(open_page, live_server, seeded, db, size, district,
                                                             orientation):
    with Session(db) as session:
        (south, west), (north, east) = search.unit_bounds(session, district)
    phone = size is PHONE
    page = open_page(size, is_mobile=phone, has_touch=phone)
    page.goto(live_server + "/print?basemap=blank" + (f"&district={district}" if district else ""))
    wait_for_sites(page)
    assert page.get_attribute("#print-sheet", "data-orientation") == orientation
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # the sheet shown smaller
    page.emulate_media(media="print")
    wait_until(page, "!document.getElementById('print-now').offsetParent")
    # On paper the map has the sheet's size (on a screen that shows the sheet smaller, CSS zoom may round its size a
    # few pixels off: the page redraws it for print), and holds the whole area.
    wait_until(page, f"(s => s[0] === s[2] && s[1] === s[3])({MAP_SIZE})")
    assert page.evaluate(MAP_SIZE) == pytest.approx([*MAP_PX[orientation], *MAP_PX[orientation]], abs=2)
    assert page.evaluate(f"{MAP}.getBounds().contains([[{south}, {west}], [{north}, {east}]])")
    sheet_box = page.locator("#print-sheet").bounding_box()
    notes_box = page.locator(".print-notes").bounding_box()
    assert notes_box["y"] + notes_box["height"] <= sheet_box["y"] + sheet_box["height"]  # nothing cut off
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"print-{district or 'province'}-{size['width']}.pdf").write_bytes(pdf)
    assert len(PAGE_OBJECTS.findall(pdf)) == 1
    assert [float(n) for n in MEDIA_BOX.search(pdf).groups()] == pytest.approx(A4_PT[orientation], abs=1)
