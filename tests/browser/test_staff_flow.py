"""District staff place a site by clicking the map; a planner approves it; the public embed shows it."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_until
from tests.staffkit import PASSWORD, make_users

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    # Staff land on their sites, an agency on its task reports.
    page.wait_for_url(lambda url: url.endswith("/staff/") or "/task-reports/" in url)


def sign_out(page) -> None:
    page.click("header form.inline button")
    page.wait_for_url("**/")


def test_staff_place_submit_planner_approve_public_sees(page, live_server, db):
    make_users(db)
    sign_in(page, live_server, "staff_899")
    page.goto(live_server + "/staff/sites/new")
    page.fill("input[name=name]", "Thí điểm phân loại rác khu phố 5")
    page.select_option("#category", "waste_sorting")
    page.select_option("select[name=plan_task]", "VI.2")
    page.fill("input[name=source]", "Phòng Tài nguyên và Môi trường TP. Rạch Giá")
    page.fill("input[name=measure_households]", "230")
    assert page.locator("[data-measure=kwp]").is_hidden()  # the category decides which measures are asked
    # Centre the small map on Rạch Giá by picking a ward, then click beside its centre to place the site.
    # An address pasted from a document finds its ward, whatever its accents and words around it.
    page.fill("#ward", "Số 12 đường Nguyễn Trung Trực, phuong Vinh Thanh Van, TP. Rạch Giá")
    page.dispatch_event("#ward", "change")
    wait_until(page, "document.querySelector('#ward_code').value === '30742'")
    assert page.input_value("#location_precision") == "ward"
    box = page.locator(".form-map .folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2 + 20)
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert 9.95 < lat < 10.06 and 105.03 < lon < 105.13
    assert page.input_value("#location_precision") == "exact"
    screenshot(page, "staff-form")
    page.click("#save")
    page.wait_for_url("**/staff/")
    assert "chờ cán bộ kế hoạch duyệt" in page.inner_text(".flashes")
    row = page.locator("#sites tr", has_text="khu phố 5")
    assert "Chờ duyệt" in row.inner_text()
    screenshot(page, "staff-list")
    sign_out(page)

    # Not public yet.
    page.goto(live_server + "/embed?district=899")
    wait_until(page, "document.body && document.body.getAttribute('data-sites-loaded') !== null")
    assert page.get_attribute("body", "data-sites-loaded") == "0"

    sign_in(page, live_server, "planner")
    page.goto(live_server + "/staff/review")
    item = page.locator(".review-item", has_text="khu phố 5")
    item.locator("button.approve").click()
    page.wait_for_url("**/staff/review")
    assert "Đã duyệt" in page.inner_text(".flashes")
    screenshot(page, "review")
    sign_out(page)

    page.goto(live_server + "/embed?district=899&zoom=13&lat=10.01&lon=105.08")
    wait_until(page, "document.body && document.body.getAttribute('data-sites-loaded') !== null")
    assert page.get_attribute("body", "data-sites-loaded") == "1"
    page.locator(".site-point").first.click()  # a point of the vector tiles
    assert page.locator(".leaflet-popup-content .site-name").inner_text() == "Thí điểm phân loại rác khu phố 5"
    screenshot(page, "embed-after-approval")
