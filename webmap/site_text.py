"""A site's fields as people read them: each field by its label, each value by its name, in the page's language
and way of writing numbers and dates. The review queue, the history and the import preview all call this."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterator, Mapping, NamedTuple

from flask_babel import format_date, format_decimal, gettext as _

from geo.catalogue import DAY_FORMAT, PLAN_TASKS
from geo.site_record import BOOL_MEASURES, YEAR_MEASURES
from webmap import labels

# Fields a page never lists as a change: the version has its own column, and the pending change is shown field
# by field (see rows).
HIDDEN = {"version", "pending"}
# The order of the rows: the form's, then where the site lies, then its review state.
ORDER = ("name", "name_en", "category", "status", "lat", "lon", "location_precision", "district_code",
         "commune_code", "ward_code", "address", "plan_task", "lead_agency", "start_date", "end_date", "measures",
         "description", "source", "moderation", "review_note", "deleted")


class Row(NamedTuple):
    """One line of a before → after table: the field's label and both values as text ("" when empty)."""

    key: str
    label: str
    before: str
    after: str


def number(value: Any) -> str:
    """A number with the locale's separators and as many decimals as it has (12.5 → "12,5" in Vietnamese)."""
    return format_decimal(value, format="#,##0.##########")


def day(value: Any) -> str:
    """An ISO date (or date) as dd/mm/yyyy in Vietnamese, "28 Nov 2026" in English; "" when empty."""
    if not value:
        return ""
    date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return format_date(date, "d MMM y") if labels.english() else date.strftime(DAY_FORMAT)


def measure_value(key: str, value: Any) -> str:
    """A measure's value with its unit: a choice by its name, yes/no, a year as written, a number formatted."""
    if value is None or value == "":
        return ""
    unit = labels.measure_labels().get(key, ("", ""))[1]
    choices = labels.measure_choices()
    if key in BOOL_MEASURES or isinstance(value, bool):
        return _("Có") if value else _("Không")
    if key in choices:
        return dict(choices[key]).get(value, str(value))
    if key in YEAR_MEASURES:
        return str(value)
    try:
        shown = number(Decimal(str(value)))
    except ArithmeticError:
        shown = str(value)
    return f"{shown} {unit}" if unit else shown


def measure_label(key: str) -> str:
    """A measure's label, with its unit in brackets where it has one."""
    label, unit = labels.measure_labels().get(key, (key, ""))
    return f"{label} ({unit})" if unit else label


def measures_text(measures: Mapping[str, Any] | None) -> str:
    """All measures of a site on one line: "label: value unit; …"."""
    return "; ".join(f"{labels.measure_labels().get(k, (k,))[0]}: {measure_value(k, v)}"
                     for k, v in (measures or {}).items() if v not in (None, ""))


class Formatter:
    """The names a page needs to show a site's values, read once per page (categories, units, wards)."""

    def __init__(self, unit_names: Mapping[str, str], ward_names: Mapping[str, str] | None = None) -> None:
        self.units = unit_names
        self.wards = ward_names or {}
        self.categories = {c["code"]: c["name"] for c in labels.category_list()}
        english = labels.english()
        self.tasks = {t.code: f"{t.code} — {t.name_en if english else t.name_vi}" for t in PLAN_TASKS}
        self.names = {"status": labels.status_names(), "location_precision": labels.precision_names(),
                      "moderation": labels.moderation_names(), "category": self.categories, "plan_task": self.tasks,
                      "district_code": self.units, "commune_code": self.units, "ward_code": self.wards}

    def value(self, key: str, value: Any) -> str:
        """One field's value as text ("" when empty)."""
        if value is None or value == "":
            return ""
        if key in self.names:
            return self.names[key].get(value, str(value))
        if key in ("lat", "lon"):
            return number(round(Decimal(str(value)), 6))
        if key in ("start_date", "end_date"):
            return day(value)
        if key == "deleted":
            return _("Đã xoá") if value else _("Không")
        if key == "measures":
            return measures_text(value)
        return str(value)

    def rows(self, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Row]:
        """The fields that differ between two snapshots, each measure on its own row, in the form's order; a
        pending change is laid over the snapshot it belongs to, its rows marked as waiting for review."""
        before, after = dict(before or {}), dict(after or {})
        out = list(self._differences(before, after))
        pending_before, pending_after = before.get("pending"), after.get("pending")
        if pending_before != pending_after:
            out += self._pending_rows(after, pending_before, pending_after)
        return out

    def _differences(self, before: Mapping[str, Any], after: Mapping[str, Any], suffix: str = "") -> Iterator[Row]:
        keys = [k for k in ORDER if k in before or k in after]
        keys += sorted(k for k in set(before) | set(after) if k not in ORDER and k not in HIDDEN)
        for key in keys:
            old, new = before.get(key), after.get(key)
            if key == "measures":
                old, new = old or {}, new or {}
                for measure in [m for m in labels.measure_labels() if m in old or m in new]:
                    if old.get(measure) != new.get(measure):
                        yield Row(f"measures.{measure}", measure_label(measure) + suffix,
                                  measure_value(measure, old.get(measure)), measure_value(measure, new.get(measure)))
            elif old != new and not (key in ("lat", "lon") and _same_coordinate(old, new)) \
                    and not (key == "deleted" and bool(old) == bool(new)):
                yield Row(key, self.label(key) + suffix, self.value(key, old), self.value(key, new))

    def _pending_rows(self, site: Mapping[str, Any], old: Any, new: Any) -> list[Row]:
        if new and new.get("deleted"):
            return [Row("pending", _("Thay đổi chờ duyệt"), "", _("Yêu cầu xoá điểm"))]
        if new:
            return list(self._differences(site, {**site, **new}, " " + _("(chờ duyệt)")))
        return [Row("pending", _("Thay đổi chờ duyệt"), _("Yêu cầu xoá điểm") if old.get("deleted") else _("Có"),
                    _("Không còn"))]

    @staticmethod
    def label(key: str) -> str:
        """A field's label in the page's language (never the column's name)."""
        return labels.field_label(key) or labels.field_label(key.removesuffix("_code")) or key


def _same_coordinate(old: Any, new: Any) -> bool:
    """Whether two coordinates are the same point to the centimetre (a float that went through JSON and back)."""
    try:
        return abs(float(old) - float(new)) < 1e-7
    except (TypeError, ValueError):
        return False
