"""The agencies' yearly task reports: an agency's page for each of its tasks, the planners' review and the
deadline board (with its CSV), and the JSON API /api/task-reports."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from geo import agencies, plan, task_reports
from geo.catalogue import PLAN_TASKS, PLAN_YEARS, PROVINCE_TIME_ZONE
from geo.errors import N_, BadParameter, DomainError
from webmap import labels, params, site_text
from webmap.auth import current_actor
from webmap.db import get_session
from webmap.errors import Unauthorized, field_messages, json_error, status_of

bp = Blueprint("task_reports", __name__)


@bp.app_template_filter("form_number")
def form_number(value: Any) -> str:
    """A stored figure or amount as the form shows it: in the page's way of writing numbers (85,5), "" if none."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    return site_text.number(Decimal(str(value))) if isinstance(value, (int, float, Decimal)) else str(value)
TASKS = {task.code: task for task in PLAN_TASKS}


def _today() -> dt.date:
    return dt.datetime.now(PROVINCE_TIME_ZONE).date()


def _json(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the API sends it: dates as ISO text."""
    return {key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in report.items()}


def _body() -> dict[str, Any]:
    """The request's JSON object (strict and depth-limited, as for every JSON write)."""
    body = params.json_body(request.get_data(), current_app.config["MAX_JSON_DEPTH"])
    if not isinstance(body, dict):
        raise BadParameter("body", N_("Phải là một đối tượng JSON"))
    return body


def _api(action, *args, **kwargs) -> Response:
    """Run one geo/ call for the API as the request's actor; a refusal is the app's JSON error."""
    actor = current_actor()
    if actor is None:
        return json_error(Unauthorized("Authorization", N_("Cần đăng nhập hoặc mã truy cập API")))
    session = get_session()
    try:
        result = action(session, actor, *args, **kwargs)
    except DomainError as error:
        session.rollback()
        return json_error(error)
    session.commit()
    return jsonify(result)


@bp.get("/api/task-reports/<int:year>")
def api_board(year: int) -> Response:
    """Every task × agency of a year (an agency: its own) with its state, submission and the deadline."""
    def board(session, actor):
        rows = task_reports.board(session, actor, year, _today())
        return {"year": year, "deadline": task_reports.deadline(year).isoformat(),
                "reports": [_json(row) for row in rows]}
    return _api(board)


@bp.get("/api/task-reports/<int:year>/<task>")
def api_report(year: int, task: str) -> Response:
    """One agency's report on a task (?agency=CODE for planners)."""
    return _api(lambda session, actor: _json(task_reports.get_report(session, actor, year, task,
                                                                     request.args.get("agency"))))


@bp.put("/api/task-reports/<int:year>/<task>")
def api_save(year: int, task: str) -> Response:
    """An agency saves (or with "submit": true submits) its report; a planner sends "decision": accept|return."""
    try:
        body = _body()
    except DomainError as error:
        return json_error(error)

    def save(session, actor):
        if "decision" in body:
            report = task_reports.review(session, actor, year, task, body.get("agency") or "", body["decision"],
                                         body.get("version"), body.get("reason"))
        else:
            report = task_reports.save_report(session, actor, year, task, body, body.get("version"),
                                              submit=body.get("submit") is True, agency_code=body.get("agency"))
        return _json(report)
    return _api(save)


# --- pages ------------------------------------------------------------------------------------------------

MISSING = N_("Chưa có báo cáo")
BOARD_HEADINGS = (N_("Năm"), N_("Nhiệm vụ"), N_("Mã cơ quan"), N_("Cơ quan"), N_("Vai trò"), N_("Tình trạng"),
                  N_("Nộp lúc"), N_("Hạn nộp"), N_("Trễ hạn"))


@bp.get("/task-reports/")
@login_required
def index() -> Response:
    """The board of the plan's current year."""
    return redirect(url_for("task_reports.board_page", year=min(max(plan.current_year(_today()), PLAN_YEARS[0]),
                                                                  PLAN_YEARS[-1])))


def _board(year: int) -> list[dict[str, Any]]:
    return task_reports.board(get_session(), current_actor(), year, _today())


@bp.get("/task-reports/<int:year>")
@login_required
def board_page(year: int) -> str:
    """The deadline board: an agency's tasks, or for planners every task × agency, late ones in red."""
    rows = _board(year)
    actor = current_actor()
    return render_template("task_reports/board.html", rows=rows, year=year, years=PLAN_YEARS, tasks=TASKS,
                           deadline=task_reports.deadline(year), today=_today(), states=task_reports.STATES,
                           parts=agencies.PART_LABELS, moment=labels.moment,
                           agency=agencies.agency(actor.agency_code) if actor.agency_code else None,
                           counts=_counts(rows))


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {"all": len(rows), "submitted": sum(r["submitted"] for r in rows),
            "late": sum(r["late"] for r in rows), "missing": sum(r["state"] == "missing" for r in rows)}


@bp.get("/task-reports/<int:year>.csv")
@login_required
def board_csv(year: int) -> Response:
    """The deadline board as CSV (UTF-8 with a byte-order mark, so a spreadsheet reads the accents)."""
    rows = _board(year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_(label) for label in BOARD_HEADINGS])
    for row in rows:
        part, state = agencies.PART_LABELS[row["part"]], task_reports.STATES.get(row["state"], MISSING)
        writer.writerow([row["year"], row["task"], row["agency"], row["agency_name"], _(part), _(state),
                         labels.moment(row["submitted_at"]), row["deadline"].strftime("%d/%m/%Y"),
                         _("Trễ hạn") if row["late"] else ""])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="bao-cao-nhiem-vu-{year}.csv"'
    return response


def _form_payload() -> dict[str, Any]:
    """The report's fields from the page's form, shaped like the API's JSON."""
    form = request.form
    return {"work_status": form.get("work_status"), "done_text": form.get("done_text"),
            "difficulties": form.get("difficulties"), "proposals": form.get("proposals"),
            "figures": {key: form.get(f"figures.{key}") for key in (*task_reports.FIGURES, "note")},
            "budget": {kind: {source: form.get(f"budget.{kind}.{source}") for source in task_reports.BUDGET_SOURCES}
                       for kind in task_reports.BUDGET_KINDS}}


@bp.route("/task-reports/<int:year>/<task>", methods=["GET", "POST"])
@login_required
def report_page(year: int, task: str):
    """An agency writes and submits its report on a task; a planner reads it, accepts it or returns it."""
    session = get_session()
    actor = current_actor()
    agency_code = request.values.get("agency") or None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("decision"):
                task_reports.review(session, actor, year, task, agency_code or "", request.form["decision"],
                                    request.form.get("version"), request.form.get("reason"))
                message = _("Đã chấp nhận báo cáo") if request.form["decision"] == "accept" \
                    else _("Đã trả lại báo cáo")
            else:
                submit = request.form.get("submit") == "1"
                task_reports.save_report(session, actor, year, task, _form_payload(), request.form.get("version"),
                                         submit=submit, agency_code=agency_code, locale=labels.lang())
                message = _("Đã nộp báo cáo") if submit else _("Đã lưu bản nháp")
        except DomainError as error:
            session.rollback()
            errors = field_messages(error)
            status = status_of(error)
        else:
            session.commit()
            flash(message)
            return redirect(url_for("task_reports.report_page", year=year, task=task,
                                    **({"agency": agency_code} if agency_code else {})))
    report = task_reports.get_report(session, actor, year, task, agency_code)
    steps = task_reports.history(session, actor, year, task, report["agency_code"])
    typed = _form_payload() if errors else None
    return render_template(
        "task_reports/report.html", report=report, shown=typed or report, errors=errors, task=TASKS[task],
        agency=agencies.agency(report["agency_code"]), editable=(actor.role == "agency"
                                                                 and report["state"] in task_reports.EDITABLE_STATES),
        reviewable=actor.is_planner and report["state"] == "submitted", history=steps,
        work_statuses=task_reports.WORK_STATUSES, states=task_reports.STATES, figures=task_reports.FIGURES,
        sources=task_reports.BUDGET_SOURCES, kinds=task_reports.BUDGET_KINDS, parts=agencies.PART_LABELS,
        moment=labels.moment), status
