"""A link to one site: /?site=<id> and /embed?site=<id> centre on the site and open its popup, on a phone and on a
desktop; the address carries the id while the popup is open; the popup copies its link."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.browser.conftest import wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_public_map import DESKTOP, MAP, PHONE, new_page

pytestmark = pytest.mark.browser

CLEAR_OF_CONTROLS = """(() => {
  const box = document.querySelector('.leaflet-popup').getBoundingClientRect();
  const frame = document.querySelector('.leaflet-container').getBoundingClientRect();
  const inside = box.left >= frame.left && box.right <= frame.right && box.top >= frame.top;
  const controls = [...document.querySelectorAll('.leaflet-top .leaflet-control')].map(c => c.getBoundingClientRect());
  return inside && controls.every(c => box.top >= c.bottom || box.right <= c.left || box.left >= c.right);
})()"""


def a_site(db) -> tuple[int, str]:
    with Session(db) as session:
        row = session.execute(text("SELECT id, name FROM site WHERE name LIKE '%Phú Quốc%' OR name LIKE '%Dương Đông%' "
                                    "ORDER BY id LIMIT 1")).one()
    return row.id, row.name


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1366px"])
@pytest.mark.parametrize("path", ["/", "/embed"])
def test_a_link_to_a_site_opens_its_popup_centred(browser, live_server, seeded, db, viewport, path):
    site_id, name = a_site(db)
    page = new_page(browser, viewport)
    page.goto(f"{live_server}{path}?site={site_id}")
    wait_for_sites(page)
    wait_until(page, f"document.body.getAttribute('data-open-site') === '{site_id}'")
    popup = page.locator(".leaflet-popup-content .site-name")
    assert popup.inner_text() == name
    # Once the map has panned to it, the popup lies inside the map and clear of the controls in its top corners.
    wait_until(page, CLEAR_OF_CONTROLS)
    assert page.evaluate(f"() => {MAP}.getZoom()") >= 15
    assert f"site={site_id}" in page.url
    # Closed, the popup takes its id out of the address: a copied link then opens the view only.
    page.locator(".leaflet-popup-close-button").click()
    wait_until(page, "!new URL(location.href).searchParams.has('site')")


def test_the_popup_copies_its_link(browser, live_server, seeded, db):
    from tests.browser.conftest import _local_only

    site_id, _name = a_site(db)
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.goto(f"{live_server}/?site={site_id}")
    wait_until(page, f"document.body.getAttribute('data-open-site') === '{site_id}'")
    button = page.locator(".leaflet-popup-content .popup-link")
    button.click()
    wait_until(page, "document.querySelector('.popup-link').textContent === 'Đã sao chép liên kết'")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert f"site={site_id}" in copied and copied.startswith(live_server)
    context.close()


def test_a_site_that_is_not_public_is_said_so(browser, live_server, seeded, db):
    with Session(db) as session, session.begin():
        hidden = session.execute(text("UPDATE site SET moderation = 'submitted' WHERE id = (SELECT min(id) FROM site) "
                                      "RETURNING id")).scalar()
    page = new_page(browser, PHONE)
    page.goto(f"{live_server}/?site={hidden}")
    wait_until(page, "document.querySelector('.leaflet-popup-content') !== null")
    assert "Không có điểm này trên bản đồ công khai" in page.locator(".leaflet-popup-content").inner_text()
    wait_until(page, "!new URL(location.href).searchParams.has('site')")
