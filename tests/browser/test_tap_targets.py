"""On a touch screen 390 px wide, every control a finger aims at is at least 44 × 44 px: the map's buttons and its
popup's close ×, the filters' toggle, the staff list's links and the site form's buttons."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.browser.conftest import wait_until
from tests.browser.test_maps import wait_for_sites
from tests.browser.test_pages_layout import open_page, seeded  # noqa: F401 - fixtures
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import users  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MIN = 44
# Each visible element of the selectors, with its size, where it is smaller than MIN × MIN (a hidden one is skipped;
# links inside a line of text, such as the map's attribution, are exempt, as WCAG 2.5.8 has them).
SMALL = """(selectors) => [...document.querySelectorAll(selectors)]
  .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
  .map(e => { const r = e.getBoundingClientRect(); return {what: e.outerHTML.slice(0, 80), w: r.width, h: r.height}; })
  .filter(r => r.w > 0 && (r.w < %d - 0.5 || r.h < %d - 0.5))""" % (MIN, MIN)


def touch_page(open_page):  # noqa: F811 - fixture
    return open_page(PHONE, has_touch=True, is_mobile=True)


def test_the_public_map_controls_are_large_enough(open_page, live_server, seeded, db):  # noqa: F811 - fixtures
    with db.connect() as connection:
        site_id = connection.execute(text("SELECT min(id) FROM site")).scalar()
    page = touch_page(open_page)
    page.goto(f"{live_server}/?site={site_id}")
    wait_for_sites(page)
    wait_until(page, "document.querySelector('.leaflet-popup-close-button') !== null")
    assert page.evaluate(SMALL, ".leaflet-bar a, .leaflet-control-layers-toggle, .leaflet-popup-close-button, "
                                ".panel-toggle, .site-popup button") == []


def test_the_progress_page_controls_are_large_enough(open_page, live_server, seeded):  # noqa: F811 - fixtures
    page = touch_page(open_page)
    page.goto(live_server + "/progress")
    wait_until(page, "document.querySelector('.leaflet-control-zoom a') !== null")
    assert page.evaluate(SMALL, ".leaflet-bar a, .leaflet-control-layers-toggle, .panel-toggle, main button, "
                                "main select") == []


def test_the_staff_list_and_site_form_are_large_enough(open_page, live_server, seeded, users):  # noqa: F811
    page = touch_page(open_page)
    sign_in(page, live_server, "planner")
    assert page.evaluate(SMALL, "header nav a, header nav button, #sites a, main .actions a") == []
    page.goto(live_server + "/staff/sites/new")
    wait_until(page, "document.querySelector('form button[type=submit]') !== null")
    assert page.evaluate(SMALL, "main form button, main form select, main form input[type=text]") == []
