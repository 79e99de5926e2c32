"""A site record as people type it (a form, a GeoJSON Feature, a spreadsheet row), checked field by field.

CHECKS maps each editable field to its checker; validate_site runs them in order and collects every field at
fault into one InvalidRecord. A checker gets the raw value and the fields already cleaned (a later field may
depend on an earlier one: measures on category, end_date on start_date) and returns the clean value or raises
Invalid (one field) or InvalidRecord (several, as measures.<key>).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Callable, Mapping

from geo.catalogue import (CATEGORIES, CERTIFICATIONS, DEFAULT_STATUS, LOCATION_PRECISIONS, MEASURES, PLAN_TASKS,
                           SOLAR_KINDS, STATUSES, default_task)
from geo.errors import N_, BadParameter, InvalidRecord
from geo.reading import RefusedText, Unreadable, read_coordinate, read_date, read_number, read_whole

EDITABLE = ("name", "name_en", "category", "status", "lon", "lat", "location_precision", "ward_code", "address",
            "plan_task", "lead_agency", "start_date", "end_date", "measures", "description", "source")
_CATEGORY = {c.code: c for c in CATEGORIES}
_TASK = {t.code: t for t in PLAN_TASKS}
# Measures that take one code of a closed list (their labels: geo.plan.BREAKDOWN_LABELS).
CHOICE_MEASURES: dict[str, tuple[str, ...]] = {"solar_kind": SOLAR_KINDS, "certification": CERTIFICATIONS}
BOOL_MEASURES = {"eco_packaging"}
YEAR_MEASURES = {"scp_outreach_year", "phase_out_year"}
# Measures that count things: whole numbers ("12,5" households is refused, never rounded).
COUNT_MEASURES = {"households"}
NUMBER_MEASURES = tuple(key for key in MEASURES if key not in BOOL_MEASURES and key not in CHOICE_MEASURES)
NOT_A_CHOICE = N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s")
TOO_LONG = N_("Dài quá %(n)s ký tự (đang có %(length)s ký tự)")
# The longest text each text field takes; a longer one is refused by name, never cut.
MAX_LENGTHS = {"name": 200, "name_en": 200, "address": 500, "lead_agency": 200, "description": 5000,
               "source": 500}


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


def _limited(cleaned: str, max_length: int) -> str:
    if len(cleaned) > max_length:
        raise Invalid(TOO_LONG, n=max_length, length=len(cleaned))
    return cleaned


def optional_text(max_length: int) -> Checker:
    """Trimmed text not longer than max_length, or None when empty."""
    def check(value: Any, _record: Mapping[str, Any]) -> str | None:
        return _limited(_text(value), max_length) or None
    return check


def required(message: str, max_length: int) -> Checker:
    """Trimmed text that must be there, not longer than max_length."""
    def check(value: Any, _record: Mapping[str, Any]) -> str:
        cleaned = _text(value)
        if not cleaned:
            raise Invalid(message)
        return _limited(cleaned, max_length)
    return check


def known_code(codes: Mapping[str, Any], message: str, missing: str) -> Checker:
    """A code of a catalogue (category, plan task), named in message when unknown; missing when empty."""
    def check(value: Any, _record: Mapping[str, Any]) -> str:
        cleaned = _text(value)
        if not cleaned:
            raise Invalid(missing)
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
            return read_coordinate(value, axis)
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


def plan_task(value: Any, record: Mapping[str, Any]) -> str:
    """A task of the plan that the site's category serves (category.plan_tasks); none given, the category's
    default (the form's preselection)."""
    value = _text(value) or default_task(record.get("category"))
    cleaned = known_code(_TASK, N_("Nhiệm vụ không có trong kế hoạch: “%(value)s”"),
                         N_("Thiếu nhiệm vụ của kế hoạch"))(value, record)
    category = _CATEGORY.get(record.get("category") or "")
    if category is not None and cleaned not in category.plan_tasks:
        raise Invalid(N_("Nhiệm vụ %(value)s không thuộc loại điểm này; chọn trong: %(allowed)s"),
                      value=cleaned, allowed=", ".join(category.plan_tasks))
    return cleaned


def lead_agency(value: Any, record: Mapping[str, Any]) -> str | None:
    """The agency as typed, else the one the plan gives the site's task."""
    task = record.get("plan_task")
    return _limited(_text(value), MAX_LENGTHS["lead_agency"]) or (_TASK[task].lead_agency if task in _TASK else None)


def date(value: Any, _record: Mapping[str, Any]) -> str | None:
    """An optional date."""
    try:
        day = read_date(value)
    except Unreadable as error:
        raise Invalid(error.reason, **error.params) from None
    return day.isoformat() if day else None


def end_date(value: Any, record: Mapping[str, Any]) -> str | None:
    """An optional date, not before the start date."""
    cleaned = date(value, record)
    if cleaned and record.get("start_date") and cleaned < record["start_date"]:
        raise Invalid(N_("Ngày kết thúc phải sau ngày bắt đầu"))
    return cleaned


def measure_value(key: str, value: Any) -> Any:
    """One measure's value by its type (yes/no, a code of its list, year, count or amount); Unreadable or
    ValueError if it is not one. Numbers come as numbers (JSON, a workbook cell, a form or an import already read
    by its locale) or as text read by geo.reading; a count must be whole, a year between 2000 and 2100."""
    if value in (None, ""):
        return None
    if isinstance(value, RefusedText):
        raise Unreadable(value.reason, **value.params)
    if key in BOOL_MEASURES:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "có", "co", "x", "on"):
            return True
        if lowered in ("false", "0", "no", "không", "khong"):
            return False
        raise ValueError(value)
    if key in CHOICE_MEASURES:
        if str(value).strip() not in CHOICE_MEASURES[key]:
            raise ValueError(value)
        return str(value).strip()
    if key in YEAR_MEASURES or key in COUNT_MEASURES:
        whole = read_whole(value)
        if whole is None or whole < 0 or (key in YEAR_MEASURES and not 2000 <= whole <= 2100):
            raise ValueError(value)
        return whole
    number = read_number(value)
    if number is None or number < 0 or abs(number) > Decimal("1e15"):
        raise ValueError(value)
    return int(number) if number == number.to_integral_value() else float(number)


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
        except Unreadable as error:
            errors[f"measures.{key}"] = (error.reason, error.params)
            continue
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            if key in CHOICE_MEASURES:
                errors[f"measures.{key}"] = (NOT_A_CHOICE, {"values": item, "allowed": ", ".join(CHOICE_MEASURES[key])})
            else:
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
    "name": required(N_("Cần nhập tên điểm"), MAX_LENGTHS["name"]),
    "name_en": optional_text(MAX_LENGTHS["name_en"]),
    "category": known_code(_CATEGORY, N_("Loại điểm không có trong danh mục: “%(value)s”"),
                           N_("Thiếu loại điểm")),
    "status": one_of(STATUSES, DEFAULT_STATUS),
    "lat": coordinate("lat"),
    "lon": coordinate("lon"),
    "location_precision": one_of(LOCATION_PRECISIONS, "exact"),
    "ward_code": ward_code,
    "address": optional_text(MAX_LENGTHS["address"]),
    "plan_task": plan_task,
    "lead_agency": lead_agency,
    "start_date": date,
    "end_date": end_date,
    "measures": measures,
    "description": optional_text(MAX_LENGTHS["description"]),
    "source": required(N_("Cần ghi nguồn của thông tin"), MAX_LENGTHS["source"]),
}


def _bad_character(value: Any) -> str | None:
    """Why a field's text (or a measure's key or value) cannot be stored: NUL, or a lone UTF-16 surrogate
    (JSON's "\\ud800"), which no UTF-8 text holds; None when it can."""
    texts = [*value.keys(), *value.values()] if isinstance(value, dict) else [value]
    for item in texts:
        if not isinstance(item, str):
            continue
        if "\x00" in item:
            return N_("Không được chứa ký tự NUL")
        if any("\ud800" <= ch <= "\udfff" for ch in item):
            return N_("Chứa ký tự không hợp lệ (nửa cặp UTF-16)")
    return None


def validate_site(data: Mapping[str, Any], *, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A clean site record from user input; with current, fields missing from data keep their current values.

    Raises InvalidRecord naming every field at fault.
    """
    merged = {k: (current or {}).get(k) for k in EDITABLE}
    merged.update({k: v for k, v in data.items() if k in EDITABLE})
    # PostgreSQL cannot store NUL or a lone surrogate in text: refuse it by field rather than fail on the write.
    errors: dict[str, tuple[str, dict[str, Any]]] = {
        key: (reason, {}) for key, reason in ((k, _bad_character(v)) for k, v in merged.items()) if reason}
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


def read_typed_measures(measures: Mapping[str, Any], locale: str | None) -> dict[str, Any]:
    """Measures typed as text on a page or in a file, their numbers read by its locale ("1.350" is 1350 on a
    Vietnamese page); a text that does not read that way is kept with its reason, for validate_site to refuse it
    by name."""
    read = dict(measures)
    for key, value in measures.items():
        if key in NUMBER_MEASURES and isinstance(value, str) and value.strip():
            whole = key in COUNT_MEASURES or key in YEAR_MEASURES
            try:
                read[key] = read_whole(value, locale) if whole else read_number(value, locale)
            except Unreadable as error:
                read[key] = RefusedText(value, error)
    return read
