"""What an import accepts: for each field the headings people write, and for each coded field the names.

A heading matches without case, accents, spaces or punctuation: the site form's label with or without its unit
("Rác được phân loại (tấn/tháng)"), the heading of the app's own exports (Vietnamese and English), the API's
field name, and the usual English words. Columns the app's exports derive (id, unit names, timestamps) are named
as such: the unit names are checked against the coordinates, the rest is not imported, and said so.
"""
from __future__ import annotations

import io
import re
from typing import Any, Iterable

import openpyxl

from geo.catalogue import (CATEGORIES, CATEGORY_ALIASES, LOCATION_PRECISIONS, MEASURES, PLAN_TASKS,
                           PRECISION_LABELS, STATUS_LABELS, name_key)
from geo.errors import N_
from geo.exports import HEADINGS as EXPORT_HEADINGS, measure_heading
from geo.plan import BREAKDOWN_LABELS
from geo.site_record import CHOICE_MEASURES, EDITABLE

# Fields a row of a file fills, besides the measures (as "measure:<key>"): the site's and two checked ones.
CHECKED = ("district", "commune")
# Headings of each field beyond its API name and its export headings: the form's labels and common words.
_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("Tên", "Tên điểm", "Tên cơ sở", "Site name", "Name"),
    "name_en": ("Tên tiếng Anh", "English name", "Name (English)"),
    "category": ("Loại", "Loại điểm", "Loại hình", "Category", "Kind"),
    "status": ("Trạng thái", "Tình trạng", "Status"),
    "lon": ("Kinh độ", "Longitude", "Lon", "Lng", "Long", "X"),
    "lat": ("Vĩ độ", "Latitude", "Lat", "Y"),
    "location_precision": ("Độ chính xác vị trí", "Độ chính xác", "Location precision", "Precision"),
    "ward_code": ("Mã xã", "Mã xã, phường", "Mã phường", "Ward code"),
    "address": ("Địa chỉ", "Address"),
    "plan_task": ("Nhiệm vụ", "Nhiệm vụ của kế hoạch", "Mã nhiệm vụ", "Plan task", "Task"),
    "lead_agency": ("Cơ quan chủ trì", "Đơn vị chủ trì", "Lead agency"),
    "start_date": ("Ngày bắt đầu", "Bắt đầu", "Start date", "Start"),
    "end_date": ("Ngày kết thúc", "Kết thúc", "End date", "End"),
    "description": ("Mô tả", "Ghi chú", "Description", "Notes"),
    "source": ("Nguồn", "Nguồn thông tin", "Source"),
    "district": ("Huyện", "Huyện, thành phố", "Quận, huyện", "Tên huyện", "District", "district_name"),
    "commune": ("Xã (2025)", "Xã, phường (từ 01/07/2025)", "Commune (2025)", "commune_name"),
}
# Export columns that are the same field under another name.
_EXPORT_FIELD = {"category_name": "category", "district_name": "district", "commune_name": "commune"}
# Export columns the app derives itself: never imported, each named with why.
DERIVED: dict[str, str] = {
    "id": N_("mã điểm do ứng dụng cấp"), "ref": N_("số hiệu do ứng dụng cấp"),
    "district_code": N_("mã huyện, ứng dụng tính từ vị trí"), "commune_code": N_("mã xã, ứng dụng tính từ vị trí"),
    "is_sample": N_("dấu dữ liệu mẫu của ứng dụng"), "created_at": N_("thời điểm tạo, ứng dụng ghi"),
    "updated_at": N_("thời điểm sửa, ứng dụng ghi"), "moderation": N_("trạng thái duyệt, ứng dụng ghi"),
    "version": N_("phiên bản, ứng dụng ghi"), "category_code": N_("mã loại, đã có cột Loại"),
    "category_name_vi": N_("tên loại, đã có cột Loại"), "category_name_en": N_("tên loại, đã có cột Loại"),
    "colour": N_("màu và biểu tượng của loại trên bản đồ"), "icon": N_("màu và biểu tượng của loại trên bản đồ"),
}
_DERIVED_WORDS = {"created_at": ("Ngày tạo", "Created"), "updated_at": ("Ngày sửa", "Cập nhật lúc", "Updated"),
                  "moderation": ("Duyệt", "Moderation"), "version": ("Phiên bản",)}


def _heading_table() -> tuple[dict[str, str], dict[str, str]]:
    fields: dict[str, str] = {}
    for field in (*EDITABLE, *CHECKED):
        for heading in (field, *_WORDS.get(field, ())):
            fields[name_key(heading)] = field
    for column, (vi, en) in EXPORT_HEADINGS.items():
        field = _EXPORT_FIELD.get(column, column)
        if field in fields.values():
            for heading in (column, vi, en):
                fields.setdefault(name_key(heading), field)
    for key, (vi, en, _unit) in MEASURES.items():
        for heading in (key, vi, en, measure_heading(key, "vi"), measure_heading(key, "en")):
            fields[name_key(heading)] = f"measure:{key}"
    derived: dict[str, str] = {}
    for column in DERIVED:
        for heading in (column, *EXPORT_HEADINGS.get(column, ()), *_DERIVED_WORDS.get(column, ())):
            if name_key(heading) not in fields:
                derived[name_key(heading)] = column
    return fields, derived


FIELD_OF, DERIVED_OF = _heading_table()
# The fields a column may be mapped to by hand, in the form's order (the preview's picker).
MAPPABLE = (*EDITABLE[:-3], *(f"measure:{key}" for key in MEASURES), *EDITABLE[-2:], *CHECKED)
MAPPABLE = tuple(field for field in MAPPABLE if field != "measures")


def field_of(heading: Any) -> str | None:
    """The field a column heading names, or None."""
    return FIELD_OF.get(name_key(heading or ""))


def derived_of(heading: Any) -> str | None:
    """The export column a heading names when the app derives it (id, unit codes, timestamps), or None."""
    return DERIVED_OF.get(name_key(heading or ""))


def heading_row(rows: list[list[Any]], within: int = 20) -> int:
    """The index of the heading row: among the first rows (title rows come above it), the one naming the most
    fields; 0 when none names any."""
    best, best_count = 0, 0
    for index, row in enumerate(rows[:within]):
        count = len({field_of(cell) for cell in row if isinstance(cell, str) and field_of(cell)})
        if count > best_count:
            best, best_count = index, count
    return best


def template_headings() -> list[str]:
    """The headings of the template workbook: the form's labels in its order, each measure with its unit."""
    words = {field: _WORDS[field][0] for field in _WORDS}
    words.update({"name": "Tên điểm", "plan_task": "Nhiệm vụ của kế hoạch", "source": "Nguồn thông tin"})
    return [measure_heading(field.split(":", 1)[1], "vi") if field.startswith("measure:") else words[field]
            for field in MAPPABLE if field != "commune"]


# Names of the values of coded fields, as name_key → code.
def _names(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, spellings in pairs:
        for spelling in spellings:
            names.setdefault(name_key(spelling), code)
    return names


_ENGLISH_STATUS = {"planned": "Planned", "active": "Active", "completed": "Completed", "suspended": "Suspended",
                   "phased_out": "Phased out"}
_ENGLISH_PRECISION = {"exact": "Exact", "ward": "Ward", "district": "District"}
VALUE_NAMES: dict[str, dict[str, str]] = {
    "category": _names((c.code, (c.code, c.name_vi, c.name_en, *CATEGORY_ALIASES.get(c.code, ())))
                       for c in CATEGORIES),
    "status": _names((code, (code, label, _ENGLISH_STATUS[code])) for code, label in STATUS_LABELS.items()),
    "location_precision": _names((code, (code, PRECISION_LABELS[code], _ENGLISH_PRECISION[code]))
                                 for code in LOCATION_PRECISIONS),
    "plan_task": _names((t.code, (t.code, t.name_vi, t.name_en)) for t in PLAN_TASKS),
    **{f"measure:{key}": _names((code, (code, *BREAKDOWN_LABELS.get(code, ()))) for code in codes)
       for key, codes in CHOICE_MEASURES.items()},
}
# "VI.2 – Thí điểm phân loại…" (how the form and the preview write a task): the code before the name.
_TASK_CODE = re.compile(r"\s*([IVX]+\s*\.\s*\d+)\b")


def value_code(field: str, value: Any) -> Any:
    """A coded field's value by its code or name (short forms, any case, with or without accents); anything else
    as given, for the record's checks to refuse by name."""
    names = VALUE_NAMES.get(field)
    if names is None or not isinstance(value, str) or not value.strip():
        return value
    found = names.get(name_key(value))
    if found is None and field == "plan_task":
        match = _TASK_CODE.match(value)
        found = names.get(name_key(match.group(1))) if match else None
    return found or value


def template_workbook() -> bytes:
    """The template for offices: a sheet with the accepted headings, and one with the names coded columns take."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append(template_headings())
    sheet.freeze_panes = "A2"
    names = book.create_sheet("Danh mục")
    names.append(["Cột", "Giá trị viết được", "Mã"])
    for category in CATEGORIES:
        names.append(["Loại", category.name_vi, category.code])
    for code, label in STATUS_LABELS.items():
        names.append(["Trạng thái", label, code])
    for task in PLAN_TASKS:
        names.append(["Nhiệm vụ của kế hoạch", f"{task.code} – {task.name_vi}", task.code])
    for code, label in PRECISION_LABELS.items():
        names.append(["Độ chính xác vị trí", label, code])
    for key, codes in CHOICE_MEASURES.items():
        for code in codes:
            names.append([MEASURES[key][0], BREAKDOWN_LABELS[code][0], code])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
