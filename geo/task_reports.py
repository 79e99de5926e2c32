"""The agencies' yearly reports on their tasks of the plan: read, save with a version check and history,
submit, and a planner's accept or return; the deadline board of a year.

Section V.3 of the plan: every department, board and district People's Committee reports its results to the
Department of Industry and Trade before 15 December. A report is per year, task and agency; it goes
draft → submitted → accepted, or returned (with a reason) to be corrected and submitted again.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import agencies
from geo.accounts import Actor
from geo.catalogue import PLAN_TASK_CODES, PLAN_YEARS
from geo.errors import N_, BadParameter, Conflict, Forbidden, InvalidRecord, NotFound
from geo.reading import Unreadable, read_number, read_whole

WORK_STATUSES = {"not_started": N_("Chưa triển khai"), "ongoing": N_("Đang triển khai"), "done": N_("Hoàn thành")}
STATES = {"draft": N_("Nháp"), "submitted": N_("Đã nộp"), "accepted": N_("Đã chấp nhận"),
          "returned": N_("Trả lại để sửa")}
# The figures a task report gives (whole numbers), with their labels.
FIGURES = {"events": N_("Số sự kiện, lớp tập huấn, hội chợ, hội thảo"), "participants": N_("Số người tham gia"),
           "enterprises": N_("Số doanh nghiệp được hỗ trợ, tiếp cận")}
# Section IV of the plan: where the money comes from. Amounts are in million đồng.
BUDGET_SOURCES = {"state_budget": N_("Ngân sách Nhà nước"), "aid": N_("Viện trợ, tài trợ"),
                  "enterprises": N_("Doanh nghiệp"), "other": N_("Nguồn hợp pháp khác")}
BUDGET_KINDS = {"spent": N_("Kinh phí đã sử dụng (triệu đồng)"), "proposed": N_("Kinh phí đề xuất năm sau (triệu đồng)")}
TEXTS = ("done_text", "difficulties", "proposals")
MAX_TEXT = 20000
MAX_FIGURE = 10_000_000
MAX_AMOUNT = 1_000_000_000  # million đồng
# Who may change a report in each state: the agency edits a draft or a returned report; a planner reviews.
EDITABLE_STATES = ("draft", "returned")
_COLUMNS = ("id, year, task_code, agency_code, work_status, state, done_text, figures, budget, difficulties, "
            "proposals, return_reason, version, updated_at, submitted_at, reviewed_at")


def deadline(year: int) -> dt.date:
    """The day a year's reports are due at the Department of Industry and Trade: 15 December."""
    return dt.date(year, 12, 15)


def check_year(year: int) -> int:
    """A year of the plan (2021–2030), or NotFound naming the year."""
    if year not in PLAN_YEARS:
        raise NotFound("year", N_("Kế hoạch có các năm %(first)s–%(last)s, không có năm %(year)s"),
                       first=PLAN_YEARS[0], last=PLAN_YEARS[-1], year=year)
    return year


def _reader(actor: Actor | None) -> Actor:
    if actor is None:
        raise Forbidden("user", N_("Cần đăng nhập"))
    if not (actor.is_planner or (actor.role == "agency" and actor.agency_code)):
        raise Forbidden("role", N_("Chỉ cơ quan thực hiện kế hoạch và cán bộ kế hoạch xem được báo cáo nhiệm vụ"))
    return actor


def whose(actor: Actor | None, task_code: str, agency_code: str | None) -> tuple[Actor, str]:
    """Check that the actor may read the report of this task and agency; returns the actor and the agency.

    An agency account reads only its own agency's reports, on the tasks the plan gives it; a planner names the
    agency (the one the plan makes lead when none is named)."""
    actor = _reader(actor)
    if task_code not in PLAN_TASK_CODES:
        raise NotFound("task", N_("Không có nhiệm vụ %(code)s trong kế hoạch"), code=task_code)
    if not actor.is_planner:
        if agency_code not in (None, "", actor.agency_code):
            raise Forbidden("agency", N_("Cơ quan của bạn chỉ báo cáo được nhiệm vụ của mình"))
        agency_code = actor.agency_code
    elif not agency_code:
        agency_code = agencies.agencies_of(task_code)[0][0]
    agencies.agency(agency_code)
    if agencies.part_in(agency_code, task_code) is None:
        raise Forbidden("task", N_("Nhiệm vụ %(task)s không giao cho %(agency)s"), task=task_code,
                        agency=agencies.agency(agency_code).name_vi)
    return actor, agency_code


def _row_dict(row: Mapping[str, Any] | None, year: int, task_code: str, agency_code: str) -> dict[str, Any]:
    """A report as plain data; a report never saved is an empty draft of version 0."""
    if row is None:
        return {"id": None, "year": year, "task_code": task_code, "agency_code": agency_code,
                "work_status": "not_started", "state": "draft", "done_text": "", "figures": {}, "budget": {},
                "difficulties": "", "proposals": "", "return_reason": None, "version": 0, "updated_at": None,
                "submitted_at": None, "reviewed_at": None, "deadline": deadline(year)}
    return {**dict(row), "deadline": deadline(year)}


def _current(session: Session, year: int, task_code: str, agency_code: str, *, lock: bool = False):
    return session.execute(text(f"SELECT {_COLUMNS} FROM task_report WHERE year = :year AND task_code = :task "
                                f"AND agency_code = :agency{' FOR UPDATE' if lock else ''}"),
                           {"year": year, "task": task_code, "agency": agency_code}).mappings().one_or_none()


def get_report(session: Session, actor: Actor | None, year: int, task_code: str,
               agency_code: str | None = None) -> dict[str, Any]:
    """One agency's report on one task of a year (an empty draft of version 0 before the first save)."""
    check_year(year)
    actor, agency_code = whose(actor, task_code, agency_code)
    report = _row_dict(_current(session, year, task_code, agency_code), year, task_code, agency_code)
    report["part"] = agencies.part_in(agency_code, task_code)
    return report


def _amount(value: Any, field: str, top: int, errors: dict, locale: str | None, *,
            decimal: bool = False) -> float | int | None:
    """A figure (whole) or an amount (decimal) read by geo.reading, the one reader of typed numbers, by the page's
    locale (None for JSON: a text that reads two ways is refused); the field named when it cannot be read."""
    try:
        number = read_number(value, locale) if decimal else read_whole(value, locale)
    except Unreadable as refused:
        errors[field] = (refused.reason, refused.params)
        return None
    if number is None:
        return None
    if not 0 <= number <= top:
        errors[field] = (N_("Phải từ 0 đến %(top)s"), {"top": top})
        return None
    return float(number) if decimal else number


def _group(value: Any, field: str, errors: dict) -> Mapping[str, Any]:
    """A group of fields (figures, budget, a kind of budget) sent as an object, or {} with the field named."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        errors[field] = (N_("Phải là một đối tượng JSON"), {})
        return {}
    return value


def check_content(payload: Mapping[str, Any], locale: str | None = None) -> dict[str, Any]:
    """The report's content from a form (numbers typed in the page's locale) or JSON (locale None), checked field by
    field; InvalidRecord names each bad field."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    work_status = payload.get("work_status") or "not_started"
    if not isinstance(work_status, str) or work_status not in WORK_STATUSES:
        errors["work_status"] = (N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                                 {"values": work_status, "allowed": ", ".join(WORK_STATUSES)})
    content: dict[str, Any] = {"work_status": work_status}
    for field in TEXTS:
        value = payload.get(field) or ""
        if not isinstance(value, str):
            errors[field] = (N_("Phải là chữ"), {})
        elif len(value) > MAX_TEXT:
            errors[field] = (N_("Dài quá %(n)s ký tự"), {"n": MAX_TEXT})
        content[field] = value.strip() if isinstance(value, str) else ""
    figures = _group(payload.get("figures"), "figures", errors)
    content["figures"] = {key: _amount(figures.get(key), f"figures.{key}", MAX_FIGURE, errors, locale)
                          for key in FIGURES}
    # What the three figures do not cover, in words ("12 cửa hàng dán nhãn xanh").
    note = figures.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_TEXT:
        errors["figures.note"] = (N_("Dài quá %(n)s ký tự"), {"n": MAX_TEXT})
    content["figures"]["note"] = note.strip() if isinstance(note, str) else ""
    budget = _group(payload.get("budget"), "budget", errors)
    content["budget"] = {}
    for kind in BUDGET_KINDS:
        amounts = _group(budget.get(kind), f"budget.{kind}", errors)
        content["budget"][kind] = {source: _amount(amounts.get(source), f"budget.{kind}.{source}", MAX_AMOUNT, errors,
                                                   locale, decimal=True) for source in BUDGET_SOURCES}
    if errors:
        raise InvalidRecord(errors)
    return content


def _version(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise BadParameter("version", N_("Phải là số nguyên, nhận được “%(value)s”"), value=value) from None


def _check_version(current: Mapping[str, Any] | None, version: Any) -> None:
    have = current["version"] if current else 0
    if _version(version) != have:
        raise Conflict("version", N_("Báo cáo đã được sửa ở nơi khác (phiên bản %(have)s); tải lại rồi sửa tiếp"),
                       have=have)


def _history(session: Session, report_id: int, action: str, actor: Actor, reason: str | None = None) -> None:
    session.execute(text("""
        INSERT INTO task_report_history (report_id, version, action, state, reason, record, changed_by)
        SELECT id, version, :action, state, :reason, to_jsonb(r) - 'id', :actor FROM task_report r WHERE id = :id"""),
        {"id": report_id, "action": action, "reason": reason, "actor": actor.id})


def save_report(session: Session, actor: Actor | None, year: int, task_code: str, payload: Mapping[str, Any],
                version: Any, *, submit: bool = False, agency_code: str | None = None,
                locale: str | None = None) -> dict[str, Any]:
    """An agency saves its report (a draft, or submitted when submit); version is the one it read (0 if new);
    numbers typed as text are read by locale (the page's; None for JSON).

    A submitted or accepted report is no longer the agency's to change; a stale version is a Conflict."""
    check_year(year)
    actor, agency_code = whose(actor, task_code, agency_code)
    if actor.role != "agency":
        raise Forbidden("role", N_("Báo cáo nhiệm vụ do cơ quan thực hiện nhập; cán bộ kế hoạch chấp nhận hoặc trả lại"))
    current = _current(session, year, task_code, agency_code, lock=True)
    _check_version(current, version)
    if current is not None and current["state"] not in EDITABLE_STATES:
        raise Forbidden("state", N_("Báo cáo đã nộp (%(state)s); chỉ sửa được khi bị trả lại"),
                        state=current["state"])
    content = check_content(payload, locale)
    if submit and not content["done_text"]:
        raise InvalidRecord({"done_text": (N_("Cần ghi kết quả thực hiện trước khi nộp"), {})})
    values = {**content, "figures": json.dumps(content["figures"]), "budget": json.dumps(content["budget"]),
              "year": year, "task": task_code, "agency": agency_code, "actor": actor.id,
              "state": "submitted" if submit else (current["state"] if current else "draft")}
    report_id = session.execute(text("""
        INSERT INTO task_report (year, task_code, agency_code, work_status, state, done_text, figures, budget,
                                 difficulties, proposals, updated_by, submitted_at)
        VALUES (:year, :task, :agency, :work_status, :state, :done_text, CAST(:figures AS jsonb),
                CAST(:budget AS jsonb), :difficulties, :proposals, :actor,
                CASE WHEN :state = 'submitted' THEN now() END)
        ON CONFLICT (year, task_code, agency_code) DO UPDATE SET
            work_status = EXCLUDED.work_status, state = EXCLUDED.state, done_text = EXCLUDED.done_text,
            figures = EXCLUDED.figures, budget = EXCLUDED.budget, difficulties = EXCLUDED.difficulties,
            proposals = EXCLUDED.proposals, updated_by = EXCLUDED.updated_by, updated_at = now(),
            submitted_at = COALESCE(EXCLUDED.submitted_at, task_report.submitted_at),
            version = task_report.version + 1
        RETURNING id"""), values).scalar_one()
    _history(session, report_id, "submit" if submit else "save", actor)
    return get_report(session, actor, year, task_code, agency_code)


def review(session: Session, actor: Actor | None, year: int, task_code: str, agency_code: str, decision: str,
           version: Any, reason: str | None = None) -> dict[str, Any]:
    """A planner accepts a submitted report, or returns it to the agency with a reason."""
    check_year(year)
    actor, agency_code = whose(actor, task_code, agency_code)
    if not actor.is_planner:
        raise Forbidden("role", N_("Chỉ cán bộ kế hoạch được làm việc này"))
    if decision not in ("accept", "return"):
        raise BadParameter("decision", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=decision, allowed="accept, return")
    if not isinstance(reason or "", str):
        raise InvalidRecord({"reason": (N_("Phải là chữ"), {})})
    reason = (reason or "").strip()
    if decision == "return" and not reason:
        raise InvalidRecord({"reason": (N_("Cần ghi lý do trả lại"), {})})
    if len(reason) > MAX_TEXT:
        raise InvalidRecord({"reason": (N_("Dài quá %(n)s ký tự"), {"n": MAX_TEXT})})
    current = _current(session, year, task_code, agency_code, lock=True)
    _check_version(current, version)
    if current is None or current["state"] != "submitted":
        raise Conflict("state", N_("Chỉ chấp nhận hoặc trả lại được báo cáo đã nộp"))
    session.execute(text("""
        UPDATE task_report SET state = :state, return_reason = :reason, reviewed_by = :actor, reviewed_at = now(),
               version = version + 1
        WHERE id = :id"""), {"state": "accepted" if decision == "accept" else "returned",
                             "reason": reason if decision == "return" else None, "actor": actor.id,
                             "id": current["id"]})
    _history(session, current["id"], decision, actor, reason or None)
    return get_report(session, actor, year, task_code, agency_code)


def history(session: Session, actor: Actor | None, year: int, task_code: str,
            agency_code: str | None = None) -> list[dict[str, Any]]:
    """Every save, submission, acceptance and return of a report, oldest first, with who and when."""
    check_year(year)
    actor, agency_code = whose(actor, task_code, agency_code)
    rows = session.execute(text("""
        SELECT h.version, h.action, h.state, h.reason, h.changed_at, u.username AS changed_by
        FROM task_report_history h JOIN task_report r ON r.id = h.report_id
        LEFT JOIN app_user u ON u.id = h.changed_by
        WHERE r.year = :year AND r.task_code = :task AND r.agency_code = :agency
        ORDER BY h.id"""), {"year": year, "task": task_code, "agency": agency_code}).mappings()
    return [dict(row) for row in rows]


def board(session: Session, actor: Actor | None, year: int, today: dt.date) -> list[dict[str, Any]]:
    """Every task × agency of the plan for a year (an agency: its own) with its state, submission and lateness.

    late: not submitted by the deadline once the deadline has passed, or submitted after it."""
    check_year(year)
    actor = _reader(actor)
    due = deadline(year)
    saved = {(r["task_code"], r["agency_code"]): r for r in session.execute(text(
        "SELECT task_code, agency_code, state, work_status, version, submitted_at, updated_at FROM task_report "
        "WHERE year = :year"), {"year": year}).mappings()}
    rows = []
    for task_code, agency_code, part in agencies.ASSIGNMENTS:
        if not actor.is_planner and agency_code != actor.agency_code:
            continue
        found = saved.get((task_code, agency_code))
        state = found["state"] if found else "missing"
        submitted = found["submitted_at"] if found else None
        submitted_day = submitted.date() if submitted else None
        in_time = submitted_day is not None and submitted_day <= due
        rows.append({"year": year, "task": task_code, "agency": agency_code,
                     "agency_name": agencies.agency(agency_code).name_vi, "part": part, "state": state,
                     "submitted": state in ("submitted", "accepted"), "submitted_at": submitted,
                     "version": found["version"] if found else 0, "deadline": due,
                     "late": (not in_time and today > due) or (submitted_day is not None and not in_time)})
    return rows


def reports_for_year(session: Session, year: int) -> list[dict[str, Any]]:
    """The submitted and accepted reports of a year, in the plan's order: what the province's report compiles."""
    rows = session.execute(text(f"""
        SELECT {_COLUMNS} FROM task_report WHERE year = :year AND state IN ('submitted', 'accepted')"""),
        {"year": year}).mappings()
    found = {(r["task_code"], r["agency_code"]): dict(r) for r in rows}
    return [{**found[(task, code)], "part": part, "agency_name": agencies.agency(code).name_vi}
            for task, code, part in agencies.ASSIGNMENTS if (task, code) in found]
