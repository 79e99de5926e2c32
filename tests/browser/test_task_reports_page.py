"""An agency's task report on a phone (390×844): the form fits the screen, it saves and submits, and the board
shows the submission; nothing scrolls sideways."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from geo import accounts
from tests.browser.conftest import screenshot
from tests.browser.test_pages_layout import PHONE, no_sideways_scroll, open_page  # noqa: F401
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import PASSWORD

pytestmark = pytest.mark.browser


def test_an_agency_reports_on_its_task_from_a_phone(open_page, live_server, db):
    with Session(db) as session, session.begin():
        accounts.create_user(session, "sct", PASSWORD, "agency", agency="Sở Công Thương")
    page = open_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, "sct")
    page.goto(f"{live_server}/task-reports/2025")
    assert page.locator('#task-board tr[data-task="VI.5"][data-agency="SCT"]').is_visible()
    assert no_sideways_scroll(page)
    page.click('#task-board tr[data-task="VI.5"] a')
    page.wait_for_selector("#report-form")
    assert no_sideways_scroll(page)
    box = page.locator("#done_text").bounding_box()
    assert box["width"] >= 0.8 * PHONE["width"] - 40 and box["x"] + box["width"] <= PHONE["width"]
    page.select_option("select[name=work_status]", "done")
    page.fill("#done_text", "Tổ chức Giờ Trái đất 2025 tại Rạch Giá, 300 người tham gia.")
    page.fill("input[name='figures.participants']", "300")
    page.fill("input[name='budget.spent.state_budget']", "85,5")
    page.click("#submit-report")
    page.wait_for_selector("#report-state.submitted")
    assert page.locator("#report-state").inner_text().startswith("Đã nộp")
    assert page.input_value("input[name='budget.spent.state_budget']") == "85,5"  # in the page's way
    assert page.locator("#done_text").is_disabled()  # submitted: no longer the agency's to edit
    assert no_sideways_scroll(page)
    screenshot(page, "task-report-390")
    page.goto(f"{live_server}/task-reports/2025")
    assert "Đã nộp" in page.locator('#task-board tr[data-task="VI.5"] td.state').inner_text()
    screenshot(page, "task-board-390")
