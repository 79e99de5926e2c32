"""Task reports through Flask's test client: an agency's page and API, another agency refused, a planner's
accept and return, a stale version, and the deadline board with its CSV."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy.orm import Session

from geo import accounts
from tests.staffkit import PASSWORD, api, csrf_token, sign_in

REPORT = {"work_status": "ongoing", "done_text": "Hội thảo <b>Giờ Trái đất</b> tại Rạch Giá, 300 người dự.",
          "figures": {"events": 2, "participants": 300}, "budget": {"spent": {"state_budget": 85.5}},
          "difficulties": "Thiếu kinh phí.", "proposals": "Tăng ngân sách năm 2026."}


@pytest.fixture
def people(db, app):
    with Session(db) as session, session.begin():
        for name, role, agency in (("sct", "agency", "SCT"), ("skhcn", "agency", "Sở Khoa học và Công nghệ"),
                                   ("planner", "planner", None)):
            accounts.create_user(session, name, PASSWORD, role, agency=agency)
        return {name: accounts.create_token(session, name) for name in ("sct", "skhcn", "planner")}


def test_an_agency_reports_through_the_api_and_a_planner_accepts(client, people):
    url = "/api/task-reports/2025/VI.5"
    empty = api(client, "GET", url, people["sct"]).get_json()
    assert (empty["version"], empty["state"], empty["deadline"], empty["agency_code"]) == (0, "draft", "2025-12-15",
                                                                                           "SCT")
    saved = api(client, "PUT", url, people["sct"], {**REPORT, "version": 0, "submit": True})
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["state"], saved.get_json()["version"]) == ("submitted", 1)
    stale = api(client, "PUT", url, people["sct"], {**REPORT, "version": 0})
    assert stale.status_code == 409 and stale.get_json()["error"]["field"] == "version"

    board = api(client, "GET", "/api/task-reports/2025", people["planner"]).get_json()
    assert board["deadline"] == "2025-12-15"
    mine = [r for r in board["reports"] if (r["task"], r["agency"]) == ("VI.5", "SCT")]
    assert mine[0]["submitted"] is True and mine[0]["state"] == "submitted"
    assert all(r["late"] for r in board["reports"] if not r["submitted"])  # 2025's deadline has passed

    returned = api(client, "PUT", url, people["planner"], {"agency": "SCT", "decision": "return", "version": 1,
                                                           "reason": "Thiếu danh sách người tham dự"})
    assert returned.get_json()["state"] == "returned"
    again = api(client, "PUT", url, people["sct"], {**REPORT, "version": 2, "submit": True}).get_json()
    accepted = api(client, "PUT", url, people["planner"], {"agency": "SCT", "decision": "accept",
                                                           "version": again["version"]})
    assert accepted.get_json()["state"] == "accepted"


def test_another_agency_task_is_refused(client, people):
    refused = api(client, "PUT", "/api/task-reports/2025/VI.5", people["skhcn"], {**REPORT, "version": 0})
    assert refused.status_code == 403 and refused.get_json()["error"]["field"] == "task"
    assert api(client, "GET", "/api/task-reports/2025/IV.1?agency=SCT", people["skhcn"]).status_code == 403
    assert api(client, "GET", "/api/task-reports/2025/XX.1", people["skhcn"]).status_code == 404
    assert api(client, "GET", "/api/task-reports/2031/IV.1", people["skhcn"]).status_code == 404
    assert api(client, "GET", "/api/task-reports/2025/IV.1", None).status_code == 401
    own = api(client, "GET", "/api/task-reports/2025", people["skhcn"]).get_json()["reports"]
    assert {r["agency"] for r in own} == {"SKHCN"}
    bad = api(client, "PUT", "/api/task-reports/2025/IV.1", people["skhcn"],
              {**REPORT, "version": 0, "figures": {"events": "nhiều"}})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "figures.events"
    shapeless = api(client, "PUT", "/api/task-reports/2025/IV.1", people["skhcn"],
                    {**REPORT, "version": 0, "budget": {"spent": [1, 2]}, "work_status": ["done"]})
    assert shapeless.status_code == 422
    assert set(shapeless.get_json()["error"]["fields"]) == {"budget.spent", "work_status"}
    assert api(client, "PUT", "/api/task-reports/2025/IV.1", people["skhcn"], [1]).status_code == 400


def _form(client, path: str, **fields) -> dict:
    return {"csrf_token": csrf_token(client, path), **fields}


def test_an_agency_writes_and_submits_on_its_page_and_a_planner_returns_it(client, people):
    sign_in(client, "sct")
    page = client.get("/task-reports/2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-task="VI.5" data-agency="SCT"' in html and 'data-agency="SKHCN"' not in html
    path = "/task-reports/2025/VI.5"
    saved = client.post(path, data=_form(client, path, version="0", work_status="done", submit="1",
                                          done_text=REPORT["done_text"], **{"figures.events": "2",
                                                                             "budget.spent.aid": "12,5"}))
    assert saved.status_code == 302
    shown = client.get(path).get_data(as_text=True)
    assert "&lt;b&gt;Giờ Trái đất&lt;/b&gt;" in shown and "<b>Giờ" not in shown  # typed text is escaped
    assert "Đã nộp" in shown and 'value="12,5"' in shown
    assert client.get("/task-reports/2025/IV.1").status_code == 403  # SKHCN's task, not SCT's
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, path)})

    sign_in(client, "planner")
    review = f"{path}?agency=SCT"
    assert 'id="review-form"' in client.get(review).get_data(as_text=True)
    no_reason = client.post(review, data=_form(client, review, version="1", agency="SCT", decision="return"))
    assert no_reason.status_code == 422 and "Cần ghi lý do trả lại" in no_reason.get_data(as_text=True)
    client.post(review, data=_form(client, review, version="1", agency="SCT", decision="return",
                                    reason="Ghi rõ số người dự"))
    shown = client.get(review).get_data(as_text=True)
    assert "Trả lại để sửa" in shown and "Ghi rõ số người dự" in shown
    assert re.findall(r"<li>[^<]*· planner · Trả lại để sửa: Ghi rõ số người dự</li>", shown)


def test_the_board_shows_the_late_in_red_and_as_csv(client, people):
    api(client, "PUT", "/api/task-reports/2025/VI.5", people["sct"], {**REPORT, "version": 0, "submit": True})
    sign_in(client, "planner")
    html = client.get("/task-reports/2025").get_data(as_text=True)
    assert re.search(r'<tr class="late missing" data-task="V.3" data-agency="TTXT">', html)
    assert re.search(r'<tr class="late submitted" data-task="VI.5" data-agency="SCT">', html)  # sent after 15/12
    assert ".task-board tr.late td { background: #ffebee; }" in html
    response = client.get("/task-reports/2025.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Năm", "Nhiệm vụ", "Mã cơ quan", "Cơ quan", "Vai trò", "Tình trạng", "Nộp lúc", "Hạn nộp",
                       "Trễ hạn"]
    by_key = {(r[1], r[2]): r for r in rows[1:]}
    assert by_key[("V.3", "TTXT")][5:] == ["Chưa có báo cáo", "", "15/12/2025", "Trễ hạn"]
    assert by_key[("VI.5", "SCT")][5] == "Đã nộp"
    assert client.get("/task-reports/2031").status_code == 404


def test_an_agency_lands_on_its_reports_and_cannot_add_sites(client, people):
    landed = client.post("/staff/login", data={"username": "sct", "password": PASSWORD,
                                                "csrf_token": csrf_token(client, "/staff/login")})
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/task-reports/")
    page = client.get("/task-reports/2025").get_data(as_text=True)
    assert "Báo cáo nhiệm vụ" in page and "Điểm của tôi" not in page
    site = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.083232, 10.009516]},
            "properties": {"name": "Không được", "category": "waste_sorting", "plan_task": "VI.2", "source": "x"}}
    refused = api(client, "POST", "/api/sites", people["sct"], site)
    assert refused.status_code == 403 and refused.get_json()["error"]["field"] == "role"
