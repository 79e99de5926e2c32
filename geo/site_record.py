"""A site record as people type it (a form, a GeoJSON Feature, a spreadsheet row), checked field by field.

CHECKS maps each editable field to its checker; validate_site runs them in order and collects every field at
fault into one InvalidRecord. A checker gets the raw value and the fields already cleaned (a later field may
depend on an earlier one: measures on category, end_date on start_date) and returns the clean value or raises
Invalid (one field) or InvalidRecord (several, as measures.<key>).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Callable, Mapping

from geo.catalogue import CATEGORIES, LOCATION_PRECISIONS, MEASURES, PLAN_TASKS, STATUSES
from geo.coordinates import parse_coordinate
from geo.errors import N_, BadParameter, InvalidRecord

EDITABLE = ("name", "name_en", "category", "status", "lon", "lat", "location_precision", "ward_code", "address",
            "plan_task", "lead_agency", "start_date", "end_date", "measures", "description", "source")
_CATEGORY = {c.code: c for c in CATEGORIES}
_TASK = {t.code: t for t in PLAN_TASKS}
TEXT_MEASURES = {"solar_kind", "certification"}
BOOL_MEASURES = {"eco_packaging"}
YEAR_MEASURES = {"scp_outreach_year", "phase_out_year"}
NOT_A_CHOICE = N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s")


class Invalid(Exception):
    """One field's refusal: a msgid and its parameters."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


Checker = Callable[[Any, Mapping[str, Any]], Any]


def _text(value: Any) -> str:
    """A text field as typed, trimmed; numbers from a spreadsheet or JSON become their text."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def optional_text(value: Any, _record: Mapping[str, Any]) -> str | None:
    """Trimmed text, or None when empty."""
    return _text(value) or None


def required(message: str, max_length: int | None = None) -> Checker:
    """Trimmed text that must be there (and not longer than max_length)."""
    def check(value: Any, _record: Mapping[str, Any]) -> str:
        cleaned = _text(value)
        if not cleaned:
            raise Invalid(message)
        if max_length is not None and len(cleaned) > max_length:
            raise Invalid(N_("Tên dài quá %(n)s ký tự"), n=max_length)
        return cleaned
    return check


def known_code(codes: Mapping[str, Any], message: str) -> Checker:
    """A code of a catalogue (category, plan task), named in message when unknown."""
    def check(value: Any, _record: Mapping[str, Any]) -> str:
        cleaned = _text(value)
        if cleaned not in codes:
            raise Invalid(message, value=cleaned)
        return cleaned
    return check


def one_of(allowed: tuple[str, ...], default: str) -> Checker:
    """One of a fixed list of values, default when empty."""
    def check(value: Any, _record: Mapping[str, Any]) -> str:
        cleaned = _text(value) or default
        if cleaned not in allowed:
            raise Invalid(NOT_A_CHOICE, values=cleaned, allowed=", ".join(allowed))
        return cleaned
    return check


def coordinate(axis: str) -> Checker:
    """A latitude or longitude; numbers from JSON go through the same checks as typed text (range, NaN)."""
    def check(value: Any, _record: Mapping[str, Any]) -> float:
        try:
            return parse_coordinate("" if value is None else str(value), axis)
        except BadParameter as error:
            raise Invalid(error.reason, **error.params) from error
        except ValueError as error:
            raise Invalid(N_("Không đọc được tọa độ “%(value)s”; viết dạng 10.0125 hoặc 10°00'45\" B"),
                          value=value) from error
    return check


def ward_code(value: Any, _record: Mapping[str, Any]) -> str | None:
    """A ward's statistics-office code: digits only."""
    cleaned = _text(value) or None
    if cleaned and not re.fullmatch(r"[0-9]{1,10}", cleaned):
        raise Invalid(N_("Mã xã, phường phải là số (mã của Tổng cục Thống kê): “%(value)s”"), value=cleaned)
    return cleaned


def lead_agency(value: Any, record: Mapping[str, Any]) -> str | None:
    """The agency as typed, else the one the plan gives the site's task."""
    task = record.get("plan_task")
    return _text(value) or (_TASK[task].lead_agency if task in _TASK else None)


def parse_date(value: Any) -> str | None:
    """An ISO date from 'yyyy-mm-dd' or 'dd/mm/yyyy' (as written in Vietnamese documents); ValueError if neither."""
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


def date(value: Any, _record: Mapping[str, Any]) -> str | None:
    """An optional date."""
    try:
        return parse_date(value)
    except ValueError:
        raise Invalid(N_("Ngày không hợp lệ “%(value)s”; viết dạng dd/mm/yyyy"), value=value) from None


def end_date(value: Any, record: Mapping[str, Any]) -> str | None:
    """An optional date, not before the start date."""
    cleaned = date(value, record)
    if cleaned and record.get("start_date") and cleaned < record["start_date"]:
        raise Invalid(N_("Ngày kết thúc phải sau ngày bắt đầu"))
    return cleaned


def measure_value(key: str, value: Any) -> Any:
    """One measure's value by its type (yes/no, text, year, count or amount); ValueError if it is not one."""
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


def measures(value: Any, record: Mapping[str, Any]) -> dict[str, Any]:
    """The measures the site's category has, each of its type; every wrong one named as measures.<key>."""
    raw = value or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise Invalid(N_("Các chỉ số phải là một đối tượng JSON"))
    # With an unknown category there is nothing to check the measures against: its error says enough.
    category = record.get("category")
    allowed = _CATEGORY[category].measures if category in _CATEGORY else tuple(raw)
    cleaned, errors = {}, {}
    for key, item in raw.items():
        if key not in MEASURES or key not in allowed:
            if item not in (None, ""):
                errors[f"measures.{key}"] = (N_("Loại điểm này không có chỉ số “%(value)s”"), {"value": key})
            continue
        try:
            number = measure_value(key, item)
        except (TypeError, ValueError):
            errors[f"measures.{key}"] = (N_("Giá trị “%(value)s” không hợp lệ cho %(label)s"),
                                         {"value": item, "label": MEASURES[key][0]})
            continue
        if number is not None:
            cleaned[key] = number
    if errors:
        raise InvalidRecord(errors)
    return cleaned


# Each editable field and its checker, in the order the fields are checked (and their errors listed).
CHECKS: dict[str, Checker] = {
    "name": required(N_("Cần nhập tên điểm"), max_length=200),
    "name_en": optional_text,
    "category": known_code(_CATEGORY, N_("Loại điểm không có trong danh mục: “%(value)s”")),
    "status": one_of(STATUSES, "planned"),
    "lat": coordinate("lat"),
    "lon": coordinate("lon"),
    "location_precision": one_of(LOCATION_PRECISIONS, "exact"),
    "ward_code": ward_code,
    "address": optional_text,
    "plan_task": known_code(_TASK, N_("Nhiệm vụ không có trong kế hoạch: “%(value)s”")),
    "lead_agency": lead_agency,
    "start_date": date,
    "end_date": end_date,
    "measures": measures,
    "description": optional_text,
    "source": required(N_("Cần ghi nguồn của thông tin")),
}


def _has_nul(value: Any) -> bool:
    texts = value.values() if isinstance(value, dict) else [value]
    return any(isinstance(t, str) and "\x00" in t for t in texts)


def validate_site(data: Mapping[str, Any], *, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A clean site record from user input; with current, fields missing from data keep their current values.

    Raises InvalidRecord naming every field at fault.
    """
    merged = {k: (current or {}).get(k) for k in EDITABLE}
    merged.update({k: v for k, v in data.items() if k in EDITABLE})
    # PostgreSQL cannot store NUL in text: refuse it by field rather than fail on the write.
    errors: dict[str, tuple[str, dict[str, Any]]] = {
        key: (N_("Không được chứa ký tự NUL"), {}) for key, value in merged.items() if _has_nul(value)}
    record: dict[str, Any] = {}
    for field, check in CHECKS.items():
        if field in errors:
            continue
        try:
            record[field] = check(merged.get(field), record)
        except Invalid as invalid:
            errors[field] = (invalid.reason, invalid.params)
        except InvalidRecord as invalid:
            errors.update(invalid.errors)
    if errors:
        raise InvalidRecord(errors)
    return record
