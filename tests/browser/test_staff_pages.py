"""The staff pages on a phone (390×844) and a laptop (1366×768): the site form's map takes the width, nothing
scrolls sideways, and the review queue speaks in labels and names with a small map of each position."""
from __future__ import annotations

import pytest
from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_pages_layout import (LAPTOP, PHONE, SIZES, map_width, no_sideways_scroll,  # noqa: F401
                                             open_page)
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import queued

pytestmark = pytest.mark.browser


@SIZES
def test_the_review_queue_shows_labels_and_both_positions(open_page, live_server, db, size):
    moved = queued(db)
    page = open_page(size)
    sign_in(page, live_server, "planner")
    page.goto(live_server + "/staff/review")
    text = page.locator("main, body").first.inner_text()
    assert "district_code" not in text and "measures" not in text and "solar_kind" not in text
    assert "Công suất lắp đặt (kWp)" in text and "Loại điện mặt trời" in text and "Thành phố Rạch Giá" in text
    item = page.locator(f'.review-item[data-id="{moved}"]')
    assert item.locator("circle.old-position").count() == 1 and item.locator("circle.new-position").count() == 1
    box = item.locator(".review-map svg").bounding_box()
    assert box["width"] >= 150 and box["x"] + box["width"] <= size["width"]
    assert no_sideways_scroll(page)
    screenshot(page, f"review-{size['width']}")


@SIZES
def test_the_site_form_and_the_staff_list_fit_the_screen(open_page, live_server, db, size):
    moved = queued(db)
    page = open_page(size)
    sign_in(page, live_server, "staff_899")
    assert no_sideways_scroll(page)
    assert page.locator("#sites td", has_text="Thành phố Rạch Giá").first.is_visible()
    screenshot(page, f"staff-list-{size['width']}")
    page.goto(f"{live_server}/staff/sites/{moved}/edit")
    page.wait_for_selector(".leaflet-container")
    assert no_sideways_scroll(page)
    assert page.input_value("input[name=start_date]") == "15/03/2024"
    assert page.locator("select[name=measure_solar_kind]").input_value() == "farm"
    if size is PHONE:
        assert map_width(page) >= 0.9 * PHONE["width"] - 30
    else:
        assert map_width(page) >= 0.3 * LAPTOP["width"]
    # Tapping the map moves the marker there and fills the coordinates; the marker can be dragged.
    before = page.input_value("#lat")
    map_box = page.locator(".folium-map").bounding_box()
    page.mouse.click(map_box["x"] + map_box["width"] / 3, map_box["y"] + map_box["height"] / 3)
    wait_until(page, f"document.querySelector('#lat').value !== {before!r}")
    assert page.locator(".leaflet-marker-draggable").count() == 1
    screenshot(page, f"site-edit-{size['width']}")
