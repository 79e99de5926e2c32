"""The agencies' task reports against PostGIS: who may report on what, the version check, submission,
a planner's accept and return with history, and the deadline board of a year."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import accounts, agencies, task_reports
from geo.errors import BadParameter, Conflict, Forbidden, InvalidRecord, NotFound
from tests.staffkit import PASSWORD

REPORT = {"work_status": "done", "done_text": "Tổ chức 3 lớp tập huấn sản xuất sạch hơn cho 120 doanh nghiệp.",
          "figures": {"events": "3", "participants": 240, "enterprises": 120, "note": "2 hội thảo"},
          "budget": {"spent": {"state_budget": "150,5", "enterprises": 40}, "proposed": {"state_budget": 200}},
          "difficulties": "Doanh nghiệp nhỏ ít tham gia.", "proposals": "Bố trí thêm kinh phí năm sau."}


@pytest.fixture
def people(db):
    with Session(db) as session, session.begin():
        return {"sct": accounts.create_user(session, "so_cong_thuong", PASSWORD, "agency", agency="Sở Công Thương"),
                "skhcn": accounts.create_user(session, "skhcn", PASSWORD, "agency", agency="skhcn"),
                "rach_gia": accounts.create_user(session, "ubnd_rach_gia", PASSWORD, "agency", agency="UBND-899"),
                "planner": accounts.create_user(session, "planner", PASSWORD, "planner"),
                "staff": accounts.create_user(session, "staff", PASSWORD, "district_staff", "899")}


def test_the_appendix_gives_each_agency_its_tasks():
    assert [task for task, part in agencies.tasks_of("SKHCN")] == ["IV.1", "V.1", "VII.1", "VII.2"]
    assert dict(agencies.tasks_of("SCT"))["I.1"] == "cooperating"
    assert dict(agencies.tasks_of("SCT"))["II.1"] == "lead"
    # The districts' People's Committees lead II.5 and cooperate on the tasks "UBND cấp huyện" is named on.
    assert agencies.tasks_of("UBND-911") == [
        ("I.1", "cooperating"), ("II.1", "cooperating"), ("II.4", "cooperating"), ("II.5", "lead"),
        ("II.6", "cooperating"), ("III.2", "cooperating"), ("III.3", "cooperating"), ("VI.2", "cooperating"),
        ("VI.3", "cooperating")]
    assert agencies.agencies_of("IV.1") == [("SKHCN", "lead"), ("STNMT", "cooperating"), ("SDL", "cooperating")]
    assert len(agencies.DISTRICT_COMMITTEES) == 15
    assert agencies.agency("UBND-913").name_vi == "UBND huyện U Minh Thượng"
    assert agencies.find_agency("so cong thuong").code == "SCT"


def test_an_agency_account_needs_a_known_agency(db):
    with Session(db) as session, session.begin():
        with pytest.raises(BadParameter) as refused:
            accounts.create_user(session, "nobody", PASSWORD, "agency", agency="Sở Không Có")
        assert refused.value.field == "agency"
        planner = accounts.create_user(session, "p2", PASSWORD, "planner", agency="SCT")
    assert planner.agency_code is None


def test_an_agency_saves_submits_and_a_planner_returns_then_accepts(db, people):
    sct, planner = people["sct"], people["planner"]
    with Session(db) as session, session.begin():
        empty = task_reports.get_report(session, sct, 2025, "II.1")
        assert (empty["version"], empty["state"], empty["deadline"]) == (0, "draft", dt.date(2025, 12, 15))
        saved = task_reports.save_report(session, sct, 2025, "II.1", REPORT, 0)
        assert (saved["version"], saved["state"], saved["agency_code"]) == (1, "draft", "SCT")
        assert saved["figures"] == {"events": 3, "participants": 240, "enterprises": 120, "note": "2 hội thảo"}
        assert saved["budget"]["spent"] == {"state_budget": 150.5, "aid": None, "enterprises": 40.0, "other": None}
        submitted = task_reports.save_report(session, sct, 2025, "II.1", REPORT, 1, submit=True)
        assert (submitted["version"], submitted["state"]) == (2, "submitted")
        assert submitted["submitted_at"] is not None
        # Once submitted, it is no longer the agency's to change.
        with pytest.raises(Forbidden):
            task_reports.save_report(session, sct, 2025, "II.1", REPORT, 2)
        with pytest.raises(InvalidRecord) as no_reason:
            task_reports.review(session, planner, 2025, "II.1", "SCT", "return", 2, "  ")
        assert no_reason.value.field == "reason"
        returned = task_reports.review(session, planner, 2025, "II.1", "SCT", "return", 2,
                                       "Thiếu số liệu kinh phí viện trợ")
        assert (returned["state"], returned["return_reason"], returned["version"]) == (
            "returned", "Thiếu số liệu kinh phí viện trợ", 3)
        again = task_reports.save_report(session, sct, 2025, "II.1", {**REPORT, "done_text": "Bổ sung."}, 3,
                                         submit=True)
        accepted = task_reports.review(session, planner, 2025, "II.1", "SCT", "accept", again["version"])
        assert (accepted["state"], accepted["done_text"], accepted["version"]) == ("accepted", "Bổ sung.", 5)
        steps = task_reports.history(session, planner, 2025, "II.1", "SCT")
    assert [(s["version"], s["action"], s["state"], s["changed_by"]) for s in steps] == [
        (1, "save", "draft", "so_cong_thuong"), (2, "submit", "submitted", "so_cong_thuong"),
        (3, "return", "returned", "planner"), (4, "submit", "submitted", "so_cong_thuong"),
        (5, "accept", "accepted", "planner")]
    assert steps[2]["reason"] == "Thiếu số liệu kinh phí viện trợ"


def test_a_stale_version_is_a_conflict_and_changes_nothing(db, people):
    sct = people["sct"]
    with Session(db) as session, session.begin():
        task_reports.save_report(session, sct, 2025, "V.2", REPORT, 0)
        with pytest.raises(Conflict) as stale:
            task_reports.save_report(session, sct, 2025, "V.2", {**REPORT, "done_text": "Ghi đè"}, 0)
        assert stale.value.field == "version"
        assert task_reports.get_report(session, sct, 2025, "V.2")["done_text"] == REPORT["done_text"]


def test_an_agency_reaches_its_own_tasks_only(db, people):
    with Session(db) as session, session.begin():
        with pytest.raises(Forbidden) as not_theirs:
            task_reports.save_report(session, people["skhcn"], 2025, "II.1", REPORT, 0)  # SCT's task
        assert not_theirs.value.field == "task"
        with pytest.raises(Forbidden):
            task_reports.get_report(session, people["skhcn"], 2025, "IV.1", "STNMT")  # another agency's report
        with pytest.raises(Forbidden):
            task_reports.get_report(session, people["staff"], 2025, "II.1")
        with pytest.raises(NotFound):
            task_reports.get_report(session, people["sct"], 2025, "IX.9")
        with pytest.raises(NotFound) as year:
            task_reports.get_report(session, people["sct"], 2031, "II.1")
        assert year.value.field == "year"
        with pytest.raises(Forbidden):  # planners review; they do not write an agency's report
            task_reports.save_report(session, people["planner"], 2025, "II.1", REPORT, 0, agency_code="SCT")
        assert session.execute(text("SELECT count(*) FROM task_report")).scalar_one() == 0


def test_bad_figures_name_each_field(db, people):
    with Session(db) as session, session.begin():
        with pytest.raises(InvalidRecord) as bad:
            task_reports.save_report(session, people["sct"], 2025, "II.1",
                                     {**REPORT, "work_status": "finished", "figures": {"events": "ba"},
                                      "budget": {"spent": {"aid": -5}}}, 0)
        assert set(bad.value.errors) == {"work_status", "figures.events", "budget.spent.aid"}
        with pytest.raises(InvalidRecord) as empty:
            task_reports.save_report(session, people["sct"], 2025, "II.1", {**REPORT, "done_text": ""}, 0,
                                     submit=True)
        assert empty.value.field == "done_text"
        assert session.execute(text("SELECT count(*) FROM task_report")).scalar_one() == 0


def test_the_board_shows_who_submitted_and_who_is_late(db, people):
    with Session(db) as session, session.begin():
        task_reports.save_report(session, people["sct"], 2025, "II.1", REPORT, 0, submit=True)
        task_reports.save_report(session, people["skhcn"], 2025, "IV.1", REPORT, 0)
        before = task_reports.board(session, people["planner"], 2025, dt.date(2025, 12, 10))
        after = task_reports.board(session, people["planner"], 2025, dt.date(2025, 12, 16))
        own = task_reports.board(session, people["skhcn"], 2025, dt.date(2025, 12, 16))
    rows = {(r["task"], r["agency"]): r for r in after}
    assert len(after) == len(agencies.ASSIGNMENTS)
    assert (rows[("II.1", "SCT")]["state"], rows[("II.1", "SCT")]["submitted"]) == ("submitted", True)
    assert rows[("IV.1", "SKHCN")]["state"] == "draft"
    assert rows[("V.3", "TTXT")]["state"] == "missing"
    # Lateness is read against the day given, never the machine's clock.
    assert not any(r["late"] for r in before if r["submitted"] is False)
    assert all(r["late"] for r in after if not r["submitted"])
    assert [r["task"] for r in own] == ["IV.1", "V.1", "VII.1", "VII.2"]


def test_changing_a_report_moves_the_data_version(db, people):
    with Session(db) as session, session.begin():
        before = session.execute(text("SELECT version FROM data_version")).scalar_one()
        task_reports.save_report(session, people["sct"], 2025, "II.1", REPORT, 0)
        assert session.execute(text("SELECT version FROM data_version")).scalar_one() > before


def test_an_agency_account_from_the_command_line(db, database_url):
    from tests.geo.test_user_command import user

    added = user(database_url, "add", "ubnd_phu_quoc", "--role", "agency", "--agency", "UBND thành phố Phú Quốc",
                 "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "ubnd_phu_quoc (agency, UBND-911)" in added.stdout
    refused = user(database_url, "add", "nobody", "--role", "agency", "--agency", "Sở Không Có", "--password-stdin",
                   stdin=PASSWORD + "\n")
    assert refused.returncode != 0 and "agency" in refused.stderr


def test_figures_are_read_by_the_one_reader_in_the_pages_way():
    content = task_reports.check_content({"figures": {"participants": "1.350"},
                                          "budget": {"spent": {"aid": "12,5"}}}, "vi")
    assert content["figures"]["participants"] == 1350 and content["budget"]["spent"]["aid"] == 12.5
    # Without a page's locale (JSON) a text that reads two ways is refused by name, and a count is whole.
    with pytest.raises(InvalidRecord) as refused:
        task_reports.check_content({"figures": {"participants": "1.350", "events": "2,5"}})
    assert set(refused.value.errors) == {"figures.participants", "figures.events"}
