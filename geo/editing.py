"""Writes to sites by signed-in people: create, edit, delete, restore, approve, reject — each with its history row.

Every write runs in the caller's transaction together with its site_history row, so both commit or neither
does. Who may do what is checked here for a clear message, and again by the database: the transaction
carries the actor's area (scp.actor_unit), and a trigger refuses any site outside it (migration 0002).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.accounts import Actor
from geo.catalogue import CATEGORIES, LOCATION_PRECISIONS, MEASURES, PLAN_TASKS, STATUSES
from geo.coordinates import parse_coordinate
from geo.errors import N_, BadParameter, Conflict, Forbidden, InvalidRecord, NotFound, from_database

EDITABLE = ("name", "name_en", "category", "status", "lon", "lat", "location_precision", "ward_code", "address",
            "plan_task", "lead_agency", "start_date", "end_date", "measures", "description", "source")
_CATEGORY = {c.code: c for c in CATEGORIES}
_TASK = {t.code: t for t in PLAN_TASKS}
TEXT_MEASURES = {"solar_kind", "certification"}
BOOL_MEASURES = {"eco_packaging"}
YEAR_MEASURES = {"scp_outreach_year", "phase_out_year"}


def _text(value: Any) -> str:
    """A text field as typed, trimmed; numbers from a spreadsheet or JSON become their text."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _date(value: Any) -> str | None:
    """An ISO date from 'yyyy-mm-dd' or 'dd/mm/yyyy' (as written in Vietnamese documents)."""
    if value in (None, ""):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    text_value = str(value).strip()
    # A date cell of a workbook read as text comes with a midnight time: '2024-03-01 00:00:00'.
    if len(text_value) == 19 and text_value.endswith(" 00:00:00"):
        text_value = text_value[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text_value, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text_value)


def _measure(key: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if key in BOOL_MEASURES:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "có", "co", "x", "on"):
            return True
        if lowered in ("false", "0", "no", "không", "khong"):
            return False
        raise ValueError(value)
    if key in TEXT_MEASURES:
        return str(value).strip()
    number = float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) else float(value)
    if number < 0:
        raise ValueError(value)
    if key in YEAR_MEASURES:
        if not number.is_integer() or not 2000 <= number <= 2100:
            raise ValueError(value)
        return int(number)
    return int(number) if key == "households" and number.is_integer() else number


def validate_site(data: Mapping[str, Any], *, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A clean site record from user input (a form or a GeoJSON Feature's properties and point).

    With current, fields missing from data keep their current values (a partial update). Raises InvalidRecord
    naming every field at fault.
    """
    merged = {k: (current or {}).get(k) for k in EDITABLE}
    merged.update({k: v for k, v in data.items() if k in EDITABLE})
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    # PostgreSQL cannot store NUL in text: refuse it by field rather than fail on the write.
    for key, value in merged.items():
        texts = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            errors[key] = (N_("Không được chứa ký tự NUL"), {})
            merged[key] = None
    record: dict[str, Any] = {}

    name = _text(merged.get("name"))
    if not name:
        errors["name"] = (N_("Cần nhập tên điểm"), {})
    elif len(name) > 200:
        errors["name"] = (N_("Tên dài quá %(n)s ký tự"), {"n": 200})
    record["name"] = name
    record["name_en"] = _text(merged.get("name_en")) or None

    category = _text(merged.get("category"))
    if category not in _CATEGORY:
        errors["category"] = (N_("Loại điểm không có trong danh mục: “%(value)s”"), {"value": category or ""})
    record["category"] = category
    status = _text(merged.get("status")) or "planned"
    if status not in STATUSES:
        errors["status"] = (N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                            {"values": status, "allowed": ", ".join(STATUSES)})
    record["status"] = status

    for axis in ("lat", "lon"):
        value = merged.get(axis)
        try:
            # Numbers from JSON go through the same checks as typed text (range, NaN, true/false).
            record[axis] = parse_coordinate("" if value is None else str(value), axis)
        except (BadParameter, ValueError) as error:
            errors[axis] = ((error.reason, error.params) if isinstance(error, BadParameter)
                            else (N_("Không đọc được tọa độ “%(value)s”; viết dạng 10.0125 hoặc 10°00'45\" B"),
                                  {"value": value}))
    precision = _text(merged.get("location_precision")) or "exact"
    if precision not in LOCATION_PRECISIONS:
        errors["location_precision"] = (N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                                        {"values": precision, "allowed": ", ".join(LOCATION_PRECISIONS)})
    record["location_precision"] = precision
    record["ward_code"] = _text(merged.get("ward_code")) or None
    if record["ward_code"] and not re.fullmatch(r"[0-9]{1,10}", record["ward_code"]):
        errors["ward_code"] = (N_("Mã xã, phường phải là số (mã của Tổng cục Thống kê): “%(value)s”"),
                               {"value": record["ward_code"]})
    record["address"] = _text(merged.get("address")) or None

    task = _text(merged.get("plan_task"))
    if task not in _TASK:
        errors["plan_task"] = (N_("Nhiệm vụ không có trong kế hoạch: “%(value)s”"), {"value": task or ""})
    record["plan_task"] = task
    record["lead_agency"] = _text(merged.get("lead_agency")) or (_TASK[task].lead_agency if task in _TASK
                                                                            else None)
    for key in ("start_date", "end_date"):
        try:
            record[key] = _date(merged.get(key))
        except ValueError:
            errors[key] = (N_("Ngày không hợp lệ “%(value)s”; viết dạng dd/mm/yyyy"), {"value": merged.get(key)})
    if record.get("start_date") and record.get("end_date") and record["end_date"] < record["start_date"]:
        errors["end_date"] = (N_("Ngày kết thúc phải sau ngày bắt đầu"), {})

    raw_measures = merged.get("measures") or {}
    if isinstance(raw_measures, str):
        try:
            raw_measures = json.loads(raw_measures)
        except ValueError:
            raw_measures = None
    if not isinstance(raw_measures, dict):
        errors["measures"] = (N_("Các chỉ số phải là một đối tượng JSON"), {})
        raw_measures = {}
    # With an unknown category there is nothing to check the measures against: its error says enough.
    allowed = _CATEGORY[category].measures if category in _CATEGORY else tuple(raw_measures)
    measures = {}
    for key, value in raw_measures.items():
        if key not in MEASURES or key not in allowed:
            if value not in (None, ""):
                errors[f"measures.{key}"] = (N_("Loại điểm này không có chỉ số “%(value)s”"), {"value": key})
            continue
        try:
            cleaned = _measure(key, value)
        except (TypeError, ValueError):
            errors[f"measures.{key}"] = (N_("Giá trị “%(value)s” không hợp lệ cho %(label)s"),
                                         {"value": value, "label": MEASURES[key][0]})
            continue
        if cleaned is not None:
            measures[key] = cleaned
    record["measures"] = measures
    record["description"] = _text(merged.get("description")) or None
    record["source"] = _text(merged.get("source"))
    if not record["source"]:
        errors["source"] = (N_("Cần ghi nguồn của thông tin"), {})
    if errors:
        raise InvalidRecord(errors)
    return record


def _act_as(session: Session, actor: Actor) -> None:
    """Tell the database who writes, for its area check (transaction-local settings)."""
    session.execute(text("SELECT set_config('scp.actor_unit', :unit, true), set_config('scp.actor_role', :role, true)"),
                    {"unit": (actor.unit_code or "") if actor.role == "district_staff" else "", "role": actor.role})


SNAPSHOT_SQL = """
    SELECT s.id, s.name, s.name_en, s.category_code AS category, s.status, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
           s.location_precision, s.ward_code, s.address, s.plan_task, s.lead_agency,
           to_char(s.start_date, 'YYYY-MM-DD') AS start_date, to_char(s.end_date, 'YYYY-MM-DD') AS end_date,
           s.measures, s.description, s.source, s.is_sample, s.district_code, s.commune_code, s.moderation,
           s.review_note, s.version, s.pending, s.deleted_at IS NOT NULL AS deleted, s.created_by,
           to_char(s.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS') AS updated_at
    FROM site s WHERE s.id = :id"""


def get_site(session: Session, site_id: int, *, lock: bool = False) -> dict[str, Any]:
    """One site as a plain record (any moderation state), or NotFound."""
    row = session.execute(text(SNAPSHOT_SQL + (" FOR UPDATE" if lock else "")), {"id": site_id}).one_or_none()
    if row is None:
        raise NotFound("id", N_("Không có điểm số %(id)s"), id=site_id)
    return dict(row._mapping)


def _history_view(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    keep = (*EDITABLE, "district_code", "commune_code", "moderation", "version", "deleted", "pending", "review_note")
    return {k: record.get(k) for k in keep if k in record}


def _history(session: Session, site_id: int, version: int, action: str, actor: Actor,
             before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, note: str | None = None) -> None:
    session.execute(text("""
        INSERT INTO site_history (site_id, version, action, changed_by, before, after, note)
        VALUES (:site_id, :version, :action, :by, CAST(:before AS jsonb), CAST(:after AS jsonb), :note)"""),
        dict(site_id=site_id, version=version, action=action, by=actor.id, note=note,
             before=json.dumps(_history_view(before), ensure_ascii=False, default=str) if before else None,
             after=json.dumps(_history_view(after), ensure_ascii=False, default=str) if after else None))


def in_area(actor: Actor, site: Mapping[str, Any]) -> bool:
    """Whether a site lies in the area of a district staff member (planners: everywhere)."""
    if actor.is_planner:
        return True
    # An account with no area has none: never let a missing code match a site's missing commune.
    return bool(actor.unit_code) and actor.unit_code in (site.get("district_code"), site.get("commune_code"))


def _require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise Forbidden("user", N_("Cần đăng nhập"))
    return actor


def _require_planner(actor: Actor | None) -> Actor:
    actor = _require_staff(actor)
    if not actor.is_planner:
        raise Forbidden("role", N_("Chỉ cán bộ kế hoạch được làm việc này"))
    return actor


def _check_area(actor: Actor, site: Mapping[str, Any]) -> None:
    if not in_area(actor, site):
        raise Forbidden("id", N_("Điểm này nằm ngoài địa bàn được giao cho bạn"))


def _check_version(site: Mapping[str, Any], expected: int | None) -> None:
    if expected is None:
        raise BadParameter("version", N_("Cần số phiên bản của bản ghi đang sửa"))
    if int(expected) != site["version"]:
        raise Conflict("version", N_("Người khác đã lưu điểm này (phiên bản %(current)s) sau khi bạn mở nó "
                                     "(phiên bản %(yours)s); hãy xem hai phiên bản rồi sửa lại"),
                       current=site["version"], yours=expected)


def _editable(session: Session, actor: Actor, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """The site, locked, once it is known to exist, lie in the actor's area and be at the expected version."""
    current = get_site(session, site_id, lock=True)
    if current["deleted"]:
        raise NotFound("id", N_("Điểm số %(id)s đã bị xoá"), id=site_id)
    _check_area(actor, current)
    _check_version(current, expected_version)
    return current


def _awaiting_review(session: Session, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """The site, locked, once it is known to wait for review at the expected version."""
    current = get_site(session, site_id, lock=True)
    _check_version(current, expected_version)
    if current["deleted"] or (current["moderation"] != "submitted" and not current["pending"]):
        raise BadParameter("moderation", N_("Điểm này không chờ duyệt"))
    return current


def create_site(session: Session, actor: Actor | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a site: approved at once for planners, submitted for review for district staff."""
    actor = _require_staff(actor)
    record = validate_site(data)
    moderation = "approved" if actor.is_planner else "submitted"
    _act_as(session, actor)
    try:
        with session.begin_nested():
            site_id = session.execute(text("""
                INSERT INTO site (name, name_en, category_code, status, geom, location_precision, ward_code, address,
                                  plan_task, lead_agency, start_date, end_date, measures, description, source,
                                  moderation, created_by, updated_by)
                VALUES (:name, :name_en, :category, :status, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                        :location_precision, :ward_code, :address, :plan_task, :lead_agency, :start_date, :end_date,
                        CAST(:measures AS jsonb), :description, :source, :moderation, :by, :by)
                RETURNING id"""), {**record, "measures": json.dumps(record["measures"], ensure_ascii=False),
                                   "moderation": moderation, "by": actor.id}).scalar_one()
    except DBAPIError as error:
        raise from_database(error) from error
    after = get_site(session, site_id)
    _history(session, site_id, 1, "create", actor, None, after)
    return after


def _apply(session: Session, site_id: int, record: Mapping[str, Any], actor: Actor, moderation: str,
           *, clear_pending: bool = True) -> None:
    try:
        with session.begin_nested():
            session.execute(text(f"""
                UPDATE site SET name = :name, name_en = :name_en, category_code = :category, status = :status,
                    geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), location_precision = :location_precision,
                    ward_code = :ward_code, address = :address, plan_task = :plan_task, lead_agency = :lead_agency,
                    start_date = :start_date, end_date = :end_date, measures = CAST(:measures AS jsonb),
                    description = :description, source = :source, moderation = :moderation,
                    {"pending = NULL, pending_by = NULL, pending_at = NULL," if clear_pending else ""}
                    updated_by = :by, updated_at = now(), version = version + 1
                WHERE id = :id"""), {**record, "measures": json.dumps(record["measures"], ensure_ascii=False),
                                     "moderation": moderation, "by": actor.id, "id": site_id})
    except DBAPIError as error:
        raise from_database(error) from error


def update_site(session: Session, actor: Actor | None, site_id: int, data: Mapping[str, Any],
                expected_version: int | None) -> dict[str, Any]:
    """Change a site; a district staff member's change to an approved site waits for review as 'pending'."""
    actor = _require_staff(actor)
    current = _editable(session, actor, site_id, expected_version)
    record = validate_site(data, current=current)
    _act_as(session, actor)
    if actor.is_planner:
        _apply(session, site_id, record, actor, "approved")
        action = "update"
    elif current["moderation"] == "approved":
        # The approved version stays public; the change waits beside it until a planner approves it.
        try:
            with session.begin_nested():
                session.execute(text("""UPDATE site SET pending = CAST(:pending AS jsonb), pending_by = :by,
                                            pending_at = now(), version = version + 1, updated_by = :by,
                                            updated_at = now(), review_note = NULL WHERE id = :id"""),
                                {"pending": json.dumps(record, ensure_ascii=False), "by": actor.id, "id": site_id})
        except DBAPIError as error:
            raise from_database(error) from error
        action = "submit_change"
    else:
        _apply(session, site_id, record, actor, "submitted")
        action = "update"
    after = get_site(session, site_id)
    _history(session, site_id, after["version"], action, actor, current, after)
    return after


def delete_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """Soft-delete a site (a planner can restore it)."""
    actor = _require_staff(actor)
    current = _editable(session, actor, site_id, expected_version)
    _act_as(session, actor)
    try:
        with session.begin_nested():
            session.execute(text("""UPDATE site SET deleted_at = now(), version = version + 1, updated_by = :by,
                                    updated_at = now() WHERE id = :id"""), {"by": actor.id, "id": site_id})
    except DBAPIError as error:
        raise from_database(error) from error
    after = get_site(session, site_id)
    _history(session, site_id, after["version"], "delete", actor, current, after)
    return after


def restore_site(session: Session, actor: Actor | None, site_id: int) -> dict[str, Any]:
    """Undo a soft deletion (planners only)."""
    actor = _require_planner(actor)
    current = get_site(session, site_id, lock=True)
    if not current["deleted"]:
        raise BadParameter("id", N_("Điểm số %(id)s chưa bị xoá"), id=site_id)
    _act_as(session, actor)
    session.execute(text("""UPDATE site SET deleted_at = NULL, version = version + 1, updated_by = :by,
                            updated_at = now() WHERE id = :id"""), {"by": actor.id, "id": site_id})
    after = get_site(session, site_id)
    _history(session, site_id, after["version"], "restore", actor, current, after)
    return after


def approve_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """Publish a submitted site, or a pending change of an approved one (planners only)."""
    actor = _require_planner(actor)
    current = _awaiting_review(session, site_id, expected_version)
    _act_as(session, actor)
    if current["pending"]:
        _apply(session, site_id, current["pending"], actor, "approved")
    else:
        session.execute(text("""UPDATE site SET moderation = 'approved', review_note = NULL, version = version + 1,
                                updated_by = :by, updated_at = now() WHERE id = :id"""), {"by": actor.id, "id": site_id})
    after = get_site(session, site_id)
    _history(session, site_id, after["version"], "approve", actor, current, after)
    return after


def reject_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None,
                reason: str) -> dict[str, Any]:
    """Send a submission back with a reason: a new site becomes rejected; a pending change is dropped."""
    actor = _require_planner(actor)
    reason = (reason or "").strip()
    if not reason:
        raise BadParameter("reason", N_("Cần ghi lý do từ chối"))
    current = _awaiting_review(session, site_id, expected_version)
    _act_as(session, actor)
    moderation = "approved" if current["pending"] else "rejected"
    session.execute(text("""UPDATE site SET moderation = :moderation, pending = NULL, pending_by = NULL,
                            pending_at = NULL, review_note = :reason, version = version + 1, updated_by = :by,
                            updated_at = now() WHERE id = :id"""),
                    {"moderation": moderation, "reason": reason, "by": actor.id, "id": site_id})
    after = get_site(session, site_id)
    _history(session, site_id, after["version"], "reject", actor, current, after, note=reason)
    return after


def sites_for(session: Session, actor: Actor, *, deleted: bool = False) -> list[dict[str, Any]]:
    """The sites a person works on: a district staff member's area, or all for planners; newest change first."""
    rows = session.execute(text("""
        SELECT s.id, s.name, s.category_code AS category, s.status, s.moderation, s.district_code,
               s.commune_code, s.version, s.review_note, s.pending IS NOT NULL AS has_pending, s.is_sample,
               to_char(s.updated_at, 'DD/MM/YYYY HH24:MI') AS updated
        FROM site s
        WHERE (:unit = '' OR s.district_code = :unit OR s.commune_code = :unit)
          AND (s.deleted_at IS NOT NULL) = :deleted
        ORDER BY s.updated_at DESC, s.id DESC LIMIT 500"""),
        {"unit": "" if actor.is_planner else actor.unit_code, "deleted": deleted})
    return [dict(r._mapping) for r in rows]


def review_queue(session: Session) -> list[dict[str, Any]]:
    """Sites waiting for a planner: new submissions and pending changes, oldest first."""
    rows = session.execute(text("""
        SELECT s.id, s.name, s.category_code AS category, s.district_code, s.moderation, s.version,
               s.pending IS NOT NULL AS has_pending, u.username AS submitted_by,
               to_char(coalesce(s.pending_at, s.updated_at), 'DD/MM/YYYY HH24:MI') AS submitted_at
        FROM site s LEFT JOIN app_user u ON u.id = coalesce(s.pending_by, s.updated_by)
        WHERE s.deleted_at IS NULL AND (s.moderation = 'submitted' OR s.pending IS NOT NULL)
        ORDER BY coalesce(s.pending_at, s.updated_at), s.id"""))
    return [dict(r._mapping) for r in rows]


def site_history(session: Session, actor: Actor | None, site_id: int) -> list[dict[str, Any]]:
    """Every change of a site, newest first: who, when, what before and after (signed-in people only)."""
    actor = _require_staff(actor)
    _check_area(actor, get_site(session, site_id))
    rows = session.execute(text("""
        SELECT h.version, h.action, u.username, to_char(h.changed_at, 'DD/MM/YYYY HH24:MI:SS') AS changed_at,
               h.before, h.after, h.note
        FROM site_history h LEFT JOIN app_user u ON u.id = h.changed_by
        WHERE h.site_id = :id ORDER BY h.id DESC"""), {"id": site_id})
    return [dict(r._mapping) for r in rows]


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """The fields that differ between two history snapshots, as (field, before, after)."""
    before, after = before or {}, after or {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)]
