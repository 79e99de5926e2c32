"""On a phone (390 × 844): district staff attach a photo to a new site with the form's file chooser, the planner
sees it in the review queue flagged with its distance, approves, and the public popup shows it, but not a photo
still waiting for review."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing, photos
from tests.browser.conftest import local_pages, screenshot, wait_until
from tests.browser.test_staff_flow import sign_in
from tests.photokit import phone_jpeg
from tests.staffkit import IN_RACH_GIA, make_users

pytestmark = pytest.mark.browser
# About 1 km north of the site.
A_KM_AWAY = (IN_RACH_GIA[0], IN_RACH_GIA[1] + 0.009)


@pytest.fixture
def phones(browser):
    """A new phone (its own browser context: its own cookies) each call, closed at the end."""
    opened = []

    def phone():
        pages = local_pages(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        opened.append(pages)
        return next(pages)

    yield phone
    for pages in opened:
        next(pages, None)


def test_a_photo_chosen_on_a_phone_reaches_the_review_and_the_public_popup(phones, live_server, db):
    page = phones()
    users = make_users(db)
    sign_in(page, live_server, "staff_899")
    page.goto(live_server + "/staff/sites/new")
    page.fill("input[name=name]", "Điểm thu gom có ảnh")
    page.select_option("#category", "waste_sorting")
    page.select_option("select[name=plan_task]", "VI.2")
    page.fill("#lat", str(IN_RACH_GIA[1]))
    page.fill("#lon", str(IN_RACH_GIA[0]))
    page.fill("input[name=source]", "Phòng TN&MT TP. Rạch Giá")
    page.set_input_files("#photo", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                                           "buffer": phone_jpeg(*A_KM_AWAY)}])
    page.click("#save")
    page.wait_for_url("**/staff/", timeout=90_000)
    assert "chờ cán bộ kế hoạch duyệt" in page.inner_text(".flashes")

    page = phones()
    sign_in(page, live_server, "planner")
    page.goto(live_server + "/staff/review")
    item = page.locator(".review-item", has_text="Điểm thu gom có ảnh")
    thumbnail = item.locator(".review-photos img")
    thumbnail.scroll_into_view_if_needed()
    wait_until(page, "document.querySelector('.review-photos img').complete "
                     "&& document.querySelector('.review-photos img').naturalWidth === 320")
    assert item.locator(".photo-far").inner_text() == "cách điểm 995 m"
    screenshot(page, "review-photo-phone")
    item.locator("button.approve").click()
    page.wait_for_url("**/staff/review")
    assert "Đã duyệt" in page.inner_text(".flashes")

    with Session(db) as session, session.begin():
        site_id = session.execute(text("SELECT id FROM site WHERE name = 'Điểm thu gom có ảnh'")).scalar_one()
        # A second photo from district staff, still waiting for review: not for the public.
        editing.add_photos(session, users["staff_899"], site_id,
                           [photos.process(phone_jpeg(*IN_RACH_GIA, size=(1200, 900)))], "/photos/")

    page = phones()
    page.goto(f"{live_server}/embed?site={site_id}")
    wait_until(page, "document.body.getAttribute('data-open-site') !== null")
    shown = page.locator(".leaflet-popup-content .popup-photos img")
    assert shown.count() == 1
    assert shown.get_attribute("loading") == "lazy"
    assert page.locator(".leaflet-popup-content .popup-photos figcaption").inner_text() == "14/03/2025"
    wait_until(page, "document.querySelector('.popup-photos img').complete "
                     "&& document.querySelector('.popup-photos img').naturalWidth === 320")
    link = page.locator(".leaflet-popup-content .popup-photos a").get_attribute("href")
    assert link.startswith("/photos/") and link.endswith(".jpg")
    screenshot(page, "popup-photo-phone")
