"""The annual report on Plan 135/KH-UBND: an Excel workbook (a sheet per plan section and a summary) and a
printable HTML page with the province map and a choropleth per main indicator.

Headings are Vietnamese msgids marked with N_; the caller passes a translate function (the web layer's
gettext, or none for Vietnamese). Figures in the workbook are numbers, so they can still be added up, with
the number format "#,##0.0" tagged Vietnamese ([$-42A]); the summary sheet and the HTML page also give each
figure as Vietnamese text (1.234,5), which shows the same whatever the reader's regional settings.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display: images are drawn to memory
import matplotlib.pyplot as plt  # noqa: E402
from babel.numbers import format_decimal  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from geo import figures, plan  # noqa: E402
from geo.site_query import province_name  # noqa: E402
from geo.catalogue import CATEGORIES, LEVELS, PLAN_TASKS  # noqa: E402
from geo.errors import N_  # noqa: E402

Translate = Callable[[str], str]

# The appendix's sections, in the plan's own headings (section III of the plan's text, items 1–7).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("I", "Quản lý, khai thác và sử dụng bền vững tài nguyên, phát triển nhiên liệu, nguyên vật liệu có thể "
          "tái tạo, tái sinh",
     "Sustainable management and use of resources; renewable fuels and materials"),
    ("II", "Thúc đẩy sản xuất sạch hơn, sản xuất sản phẩm thân thiện môi trường, liên kết bền vững theo chuỗi "
           "vòng đời sản phẩm",
     "Cleaner production, eco-friendly products, sustainable links along the product life cycle"),
    ("III", "Phát triển hệ thống phân phối bền vững, xuất nhập khẩu bền vững",
     "Sustainable distribution, export and import"),
    ("IV", "Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", "Eco-labelling and certification"),
    ("V", "Phát triển thị trường bền vững, thông tin cho người tiêu dùng, truyền thông về sản xuất và tiêu dùng "
          "bền vững",
     "Sustainable markets, consumer information, SCP communication"),
    ("VI", "Thúc đẩy áp dụng kinh tế tuần hoàn đối với chất thải", "Circular economy for waste"),
    ("VII", "Phát triển khoa học công nghệ thúc đẩy sản xuất và tiêu dùng bền vững",
     "Science and technology for sustainable production and consumption"),
)

H = {
    "title": N_("Báo cáo kết quả thực hiện Kế hoạch số 135/KH-UBND về sản xuất và tiêu dùng bền vững"),
    "year": N_("Năm báo cáo"),
    "geography": N_("Số liệu theo"),
    "made": N_("Lập ngày"),
    "sample": N_("Có dùng dữ liệu mẫu: các điểm đánh dấu “mẫu” chỉ để minh họa, không phải số liệu thật."),
    "summary": N_("Tổng hợp"),
    "section": N_("Mục"),
    "indicators": N_("Các chỉ tiêu"),
    "code": N_("Mã"),
    "indicator": N_("Chỉ tiêu"),
    "task": N_("Nhiệm vụ"),
    "lead": N_("Cơ quan chủ trì"),
    "period": N_("Thời gian thực hiện"),
    "method": N_("Cách đo"),
    "computed": N_("Tính từ các điểm"),
    "manual": N_("Nhập tay"),
    "unit_of_measure": N_("Đơn vị tính"),
    "value": N_("Giá trị"),
    "value_text": N_("Kết quả"),
    "numerator": N_("Tử số"),
    "denominator": N_("Mẫu số"),
    "sites": N_("Số điểm"),
    "target_year": N_("Chỉ tiêu của năm"),
    "target_2025": N_("Chỉ tiêu 2025"),
    "target_2030": N_("Chỉ tiêu 2030"),
    "status": N_("Tình trạng"),
    "unit_code": N_("Mã đơn vị"),
    "unit": N_("Đơn vị hành chính"),
    "province_total": N_("Toàn tỉnh"),
    "unassigned": N_("Điểm chưa thuộc đơn vị nào"),
    "site_list": N_("Các điểm"),
    "site_ref": N_("Mã điểm"),
    "site_name": N_("Tên điểm"),
    "category": N_("Loại điểm"),
    "site_status": N_("Trạng thái"),
    "district": N_("Huyện (2009–2025)"),
    "commune": N_("Xã (từ 1/7/2025)"),
    "start": N_("Ngày bắt đầu"),
    "end": N_("Ngày kết thúc"),
    "is_sample": N_("Dữ liệu mẫu"),
    "yes_sample": N_("mẫu"),
    "no_sites": N_("Chưa có điểm nào."),
    "no_indicator": N_("Nhiệm vụ này không có chỉ tiêu định lượng."),
    "sector": N_("Ngành, loại"),
    "reported_by": N_("Người báo cáo"),
    "reported_at": N_("Ngày báo cáo"),
    "thresholds": plan.THRESHOLD_TEXT,
    "map": N_("Bản đồ các điểm của kế hoạch"),
    "maps": N_("Bản đồ tiến độ theo chỉ tiêu"),
    "sections": N_("Kết quả theo mục của kế hoạch"),
    "sites_by_status": N_("Số điểm theo trạng thái"),
    "tasks": N_("Số nhiệm vụ"),
    "no_data": N_("không có số liệu"),
    "sample_note": N_("Số liệu tính từ các điểm đã duyệt, chưa xoá, đang hoạt động hoặc hoàn thành, đã bắt đầu "
                      "trước cuối năm và chưa kết thúc trước đầu năm."),
    "approximate": N_("Ranh giới hành chính là gần đúng, chỉ dùng để minh họa."),
    "print": N_("In hoặc lưu PDF"),
    "legend_value": N_("Giá trị"),
}
GEOGRAPHY_LABELS = {"district": N_("huyện, thành phố (2009 – 30/6/2025)"),
                    "commune": N_("xã, phường, đặc khu (từ 1/7/2025)")}
METHOD_LABELS = {"computed": H["computed"], "manual": H["manual"]}
SITE_STATUS_LABELS = {"planned": N_("Kế hoạch"), "active": N_("Đang hoạt động"), "completed": N_("Hoàn thành"),
                      "suspended": N_("Tạm dừng"), "phased_out": N_("Đã loại bỏ")}
SITE_STATUSES = tuple(SITE_STATUS_LABELS)

# Numbers stay numbers in the workbook; [$-42A] tags the format Vietnamese for readers that honour it.
NUMBER_FORMAT = "[$-42A]#,##0.0"
INTEGER_FORMAT = "[$-42A]#,##0"
DATE_FORMAT = "dd/mm/yyyy"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _same(message: str) -> str:
    return message


@dataclass
class Report:
    """Everything the report shows for one year and geography, read from the database once."""

    year: int
    geography: str
    made_at: dt.datetime
    province: str
    summary: list[dict[str, Any]]
    progress: dict[str, dict[str, Any]]
    sites: list[dict[str, Any]]
    units: gpd.GeoDataFrame
    has_sample: bool
    sections: list[dict[str, Any]] = field(default_factory=list)


# --- reading --------------------------------------------------------------------------------------

def report_sites(session: Session, year: int) -> list[dict[str, Any]]:
    """The approved sites a year's report lists: those that existed in the year, and those planned."""
    rows = session.execute(text("""
        SELECT s.id, s.ref, s.name, s.name_en, s.category_code, c.name_vi AS category_name_vi,
               c.name_en AS category_name_en, c.colour, s.status, s.plan_task, s.lead_agency,
               s.district_code, d.short_name AS district_name, s.commune_code, m.short_name AS commune_name,
               s.start_date, s.end_date, s.is_sample, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM site s
        JOIN category c ON c.code = s.category_code
        LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = s.district_code
        LEFT JOIN admin_unit m ON m.level = 'commune' AND m.code = s.commune_code
        WHERE s.moderation = 'approved' AND s.deleted_at IS NULL
          AND (s.end_date IS NULL OR s.end_date >= make_date(:year, 1, 1))
          AND (s.start_date IS NULL OR s.start_date <= make_date(:year, 12, 31) OR s.status = 'planned')
        ORDER BY s.plan_task, s.district_code, s.name, s.id"""), {"year": year}).mappings()
    return [dict(row) for row in rows]


def unit_shapes(session: Session, geography: str) -> gpd.GeoDataFrame:
    """The units of a geography with simplified outlines, for drawing."""
    # About 200 m: plenty for a map printed on A4, and the images stay small.
    return gpd.read_postgis(
        text("SELECT code, short_name AS name, ST_SimplifyPreserveTopology(geom, 0.002) AS geom "
             "FROM admin_unit WHERE level = :level ORDER BY code"),
        session.connection(), geom_col="geom", params={"level": geography})


def build_report(session: Session, year: int, geography: str | None = None) -> Report:
    """Read the figures, sites and outlines of a year's report."""
    geography = geography or plan.default_level(year)
    progress = {spec.code: figures.progress(session, spec.code, year, geography) for spec in plan.INDICATORS}
    sites = report_sites(session, year)
    report = Report(year=year, geography=geography, made_at=dt.datetime.now(), province=province_name(session),
                    summary=figures.summary(session, year), progress=progress, sites=sites,
                    units=unit_shapes(session, geography), has_sample=any(s["is_sample"] for s in sites))
    for roman, name_vi, name_en in SECTIONS:
        tasks = []
        for task in PLAN_TASKS:
            if task.code.split(".")[0] != roman:
                continue
            tasks.append({"code": task.code, "name_vi": task.name_vi, "name_en": task.name_en,
                          "lead_agency": task.lead_agency, "period": task.period,
                          "sites": [s for s in sites if s["plan_task"] == task.code],
                          "indicators": [spec.code for spec in plan.INDICATORS if spec.plan_task == task.code]})
        section_sites = [s for t in tasks for s in t["sites"]]
        report.sections.append({
            "code": roman, "name_vi": name_vi, "name_en": name_en, "tasks": tasks,
            "by_status": {status: sum(1 for s in section_sites if s["status"] == status) for status in SITE_STATUSES},
            "site_count": len(section_sites)})
    return report


# --- formatting -----------------------------------------------------------------------------------

def format_number(value: float | int | None, lang: str = "vi", *, empty: str = "—") -> str:
    """A figure as text in the reader's language: 1.234,5 in Vietnamese, 1,234.5 in English."""
    if value is None or value != value:  # None, or NaN from a frame
        return empty
    return format_decimal(value, format="#,##0.#", locale="vi" if lang == "vi" else "en")


def format_target(target: dict[str, float] | None, lang: str = "vi") -> str:
    """A target as text: one figure, or a range low–high."""
    if not target:
        return "—"
    low, high = format_number(target["low"], lang), format_number(target["high"], lang)
    return low if low == high else f"{low}–{high}"


def format_date(value: dt.date | None) -> str:
    """A date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def _name(item: dict[str, Any], lang: str, key: str = "name") -> str:
    return (item.get(f"{key}_en") if lang == "en" else None) or item.get(f"{key}_vi") or item.get(key) or ""


def _unit_label(spec_or_row: dict[str, Any], lang: str) -> str:
    return spec_or_row["unit_en"] if lang == "en" else spec_or_row["unit"]


def _status(status: str | None, translate: Translate) -> str:
    return translate(plan.PROGRESS_STATUS_LABELS[status])


# --- the workbook ---------------------------------------------------------------------------------

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TASK_FILL = PatternFill("solid", fgColor="F1F5E9")
SAMPLE_FONT = Font(bold=True, color="B71C1C")
WRAP = Alignment(wrap_text=True, vertical="top")


def _header(sheet: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    cell.alignment = WRAP


def _figure_format(value: Any) -> str:
    return INTEGER_FORMAT if isinstance(value, int) else NUMBER_FORMAT


def _title_rows(sheet: Worksheet, report: Report, title: str, translate: Translate) -> int:
    """Title, year, geography, date made and the sample-data warning; returns the next free row."""
    sheet.cell(row=1, column=1, value=title).font = TITLE
    sheet.cell(row=2, column=1, value=translate(H["year"])).font = BOLD
    sheet.cell(row=2, column=2, value=report.year)
    sheet.cell(row=3, column=1, value=translate(H["geography"])).font = BOLD
    sheet.cell(row=3, column=2, value=translate(GEOGRAPHY_LABELS[report.geography]))
    sheet.cell(row=4, column=1, value=translate(H["made"])).font = BOLD
    _put(sheet, 4, 2, report.made_at.date(), DATE_FORMAT)
    row = 5
    if report.has_sample:
        sheet.cell(row=row, column=1, value=translate(H["sample"])).font = SAMPLE_FONT
        row += 1
    return row + 1


def write_workbook(report: Report, out: BinaryIO | Path, *, lang: str = "vi", translate: Translate = _same) -> None:
    """Write the report as an Excel workbook: a summary sheet and one sheet per plan section (I … VII)."""
    book = Workbook()
    _summary_sheet(book.active, report, lang, translate)
    for section in report.sections:
        _section_sheet(book.create_sheet(f"{translate(H['section'])} {section['code']}"), report, section,
                       lang, translate)
    book.properties.title = translate(H["title"])
    book.properties.language = lang
    book.save(out)


def workbook_bytes(report: Report, *, lang: str = "vi", translate: Translate = _same) -> bytes:
    """The workbook as bytes, for a download."""
    buffer = io.BytesIO()
    write_workbook(report, buffer, lang=lang, translate=translate)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, report: Report, lang: str, translate: Translate) -> None:
    sheet.title = translate(H["summary"])
    row = _title_rows(sheet, report, f"{translate(H['title'])} — {report.year}", translate)
    sheet.cell(row=row, column=1, value=translate(H["thresholds"])).alignment = Alignment(wrap_text=False)
    sheet.cell(row=row + 1, column=1, value=translate(H["sample_note"]))
    row += 3
    sheet.cell(row=row, column=1, value=translate(H["indicators"])).font = BOLD
    row += 1
    _header(sheet, row, [translate(H[k]) for k in ("code", "indicator", "task", "lead", "method",
                                                    "unit_of_measure", "value", "value_text", "numerator",
                                                    "denominator", "target_year", "target_2025", "target_2030",
                                                    "status")])
    leads = {task.code: task.lead_agency for task in PLAN_TASKS}
    for item in report.summary:
        row += 1
        unit = _unit_label(item, lang)
        values = [item["code"], _name(item, lang), item["plan_task"], leads.get(item["plan_task"], ""),
                  translate(METHOD_LABELS[item["method"]]), unit]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        _put(sheet, row, 7, item["value"], _figure_format(item["value"]))
        _put(sheet, row, 8, f"{format_number(item['value'], lang, empty=translate(H['no_data']))} {unit}".strip())
        _put(sheet, row, 9, item["numerator"], _figure_format(item["numerator"]))
        _put(sheet, row, 10, item["denominator"], _figure_format(item["denominator"]))
        _put(sheet, row, 11, item["target"]["low"] if item["target"] else None, NUMBER_FORMAT)
        _put(sheet, row, 12, format_target(item["targets"]["2025"], lang))
        _put(sheet, row, 13, format_target(item["targets"]["2030"], lang))
        _put(sheet, row, 14, _status(item["progress_status"], translate))
    row += 2
    sheet.cell(row=row, column=1, value=translate(H["sections"])).font = BOLD
    row += 1
    _header(sheet, row, [translate(H["section"]), translate(H["task"]), translate(H["tasks"]),
                         translate(H["sites"])] + [translate(SITE_STATUS_LABELS[s]) for s in SITE_STATUSES])
    for section in report.sections:
        row += 1
        for column, value in enumerate([section["code"], _name(section, lang), len(section["tasks"]),
                                        section["site_count"]] + [section["by_status"][s] for s in SITE_STATUSES],
                                       start=1):
            _put(sheet, row, column, value, INTEGER_FORMAT if isinstance(value, int) else None)
    _widths(sheet, [16, 48, 10, 30, 16, 12, 12, 18, 10, 10, 12, 12, 12, 16])
    sheet.freeze_panes = None


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _section_sheet(sheet: Worksheet, report: Report, section: dict[str, Any], lang: str,
                   translate: Translate) -> None:
    row = _title_rows(sheet, report, f"{translate(H['section'])} {section['code']}. {_name(section, lang)}",
                      translate)
    for task in section["tasks"]:
        cell = sheet.cell(row=row, column=1, value=f"{task['code']} — {_name(task, lang)}")
        cell.font = BOLD
        for column in range(1, 10):
            sheet.cell(row=row, column=column).fill = TASK_FILL
        row += 1
        sheet.cell(row=row, column=1, value=translate(H["lead"])).font = BOLD
        sheet.cell(row=row, column=2, value=task["lead_agency"])
        sheet.cell(row=row, column=4, value=translate(H["period"])).font = BOLD
        sheet.cell(row=row, column=5, value=task["period"])
        row += 1
        sheet.cell(row=row, column=1, value=f"{translate(H['site_list'])} ({len(task['sites'])})").font = BOLD
        row += 1
        if task["sites"]:
            _header(sheet, row, [translate(H[k]) for k in ("site_ref", "site_name", "category", "site_status",
                                                            "district", "commune", "start", "end", "is_sample")])
            for site in task["sites"]:
                row += 1
                values = [site["ref"] or f"#{site['id']}", site["name"], _name(site, lang, "category_name"),
                          translate(SITE_STATUS_LABELS[site["status"]]), site["district_name"] or site["district_code"],
                          site["commune_name"] or site["commune_code"] or ""]
                for column, value in enumerate(values, start=1):
                    _put(sheet, row, column, value)
                _put(sheet, row, 7, site["start_date"], DATE_FORMAT)
                _put(sheet, row, 8, site["end_date"], DATE_FORMAT)
                if site["is_sample"]:
                    sheet.cell(row=row, column=9, value=translate(H["yes_sample"])).font = SAMPLE_FONT
        else:
            sheet.cell(row=row, column=1, value=translate(H["no_sites"]))
        row += 2
        if not task["indicators"]:
            sheet.cell(row=row, column=1, value=translate(H["no_indicator"])).font = Font(italic=True)
            row += 2
        for code in task["indicators"]:
            row = _indicator_table(sheet, row, report.progress[code], lang, translate) + 1
        row += 1
    _widths(sheet, [14, 40, 30, 16, 16, 18, 14, 14, 12, 12, 12, 12, 12])


def _indicator_table(sheet: Worksheet, row: int, progress: dict[str, Any], lang: str, translate: Translate) -> int:
    """One indicator by unit with the province total; returns the last row written."""
    spec = progress["indicator"]
    unit = _unit_label(spec, lang)
    heading = (f"{translate(H['indicator'])}: {_name(spec, lang)} ({unit}) — {translate(H['target_2025'])}: "
               f"{format_target(progress['targets']['2025'], lang)}; {translate(H['target_2030'])}: "
               f"{format_target(progress['targets']['2030'], lang)}; {translate(H['target_year'])} "
               f"{progress['year']}: {format_target(progress['target'], lang)}")
    sheet.cell(row=row, column=1, value=heading).font = BOLD
    row += 1
    sheet.cell(row=row, column=1, value=_name(spec, lang, "description")).font = Font(italic=True, size=9)
    row += 1
    if spec["kind"] == "manual":
        return _manual_table(sheet, row, progress, lang, translate)
    kinds = spec["breakdown_keys"]
    labels = [progress["province"]["breakdown"][k]["label_en" if lang == "en" else "label_vi"] for k in kinds]
    _header(sheet, row, [translate(H[k]) for k in ("unit_code", "unit", "value", "numerator", "denominator",
                                                    "sites", "target_year", "status")] + labels)
    lines = [(u, u["name"]) for u in progress["units"]]
    if progress["unassigned"]:
        lines.append(({**progress["unassigned"], "code": "", "target": None, "progress_status": None, "breakdown": {}},
                      translate(H["unassigned"])))
    lines.append((progress["province"], f"{translate(H['province_total'])} {progress['province']['name']}"))
    for line, name in lines:
        row += 1
        _put(sheet, row, 1, line["code"])
        _put(sheet, row, 2, name)
        for column, key in ((3, "value"), (4, "numerator"), (5, "denominator"), (6, "sites")):
            _put(sheet, row, column, line.get(key), _figure_format(line.get(key)))
        _put(sheet, row, 7, line["target"]["low"] if line.get("target") else None, NUMBER_FORMAT)
        _put(sheet, row, 8, _status(line.get("progress_status"), translate))
        for offset, kind in enumerate(kinds):
            value = (line.get("breakdown") or {}).get(kind, {}).get("value")
            _put(sheet, row, 9 + offset, value, _figure_format(value))
        if line is progress["province"]:
            for column in range(1, 9 + len(kinds)):
                sheet.cell(row=row, column=column).font = BOLD
    return row + 1


def _manual_table(sheet: Worksheet, row: int, progress: dict[str, Any], lang: str, translate: Translate) -> int:
    """A hand-entered indicator: each unit that reported (and the province), by sector, with who and when."""
    _header(sheet, row, [translate(H[k]) for k in ("unit_code", "unit", "sector", "value", "reported_by",
                                                    "reported_at", "target_year", "status")])
    lines = [(progress["province"], f"{translate(H['province_total'])} {progress['province']['name']}")]
    lines += [(u, u["name"]) for u in progress["units"]]
    target = progress["target"]
    for line, name in lines:
        for sector, figure in line["breakdown"].items():
            if line is not progress["province"] and figure.get("value") is None:
                continue
            row += 1
            _put(sheet, row, 1, line["code"])
            _put(sheet, row, 2, name)
            _put(sheet, row, 3, figure["label_en" if lang == "en" else "label_vi"])
            _put(sheet, row, 4, figure.get("value"), NUMBER_FORMAT)
            _put(sheet, row, 5, figure.get("reported_by") or "")
            reported = figure.get("reported_at")
            _put(sheet, row, 6, dt.datetime.fromisoformat(reported).date() if reported else None, DATE_FORMAT)
            _put(sheet, row, 7, target["low"] if target else None, NUMBER_FORMAT)
            _put(sheet, row, 8, _status(plan.progress_status(figure.get("value"), target["low"] if target else None),
                                        translate))
    return row + 1


# --- the images -----------------------------------------------------------------------------------

def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def province_map(report: Report, lang: str = "vi", translate: Translate = _same) -> str:
    """The province's units and the year's sites coloured by category, as a PNG data URI."""
    figure, axes = plt.subplots(figsize=(7.5, 7.5))
    report.units.plot(ax=axes, color="#f4f1ea", edgecolor="#8d8d8d", linewidth=0.5)
    categories = {c.code: c for c in CATEGORIES}
    handles = []
    for code, category in categories.items():
        points = [s for s in report.sites if s["category_code"] == code]
        if not points:
            continue
        axes.scatter([p["lon"] for p in points], [p["lat"] for p in points], s=22, color=category.colour,
                     edgecolor="white", linewidth=0.5, zorder=3)
        label = category.name_en if lang == "en" else category.name_vi
        handles.append(Patch(color=category.colour, label=f"{label} ({len(points)})"))
    axes.set_title(f"{translate(H['map'])} — {report.year}", fontsize=12)
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    axes.set_axis_off()
    axes.set_aspect("equal")
    return _png(figure)


def choropleth(report: Report, code: str, lang: str = "vi", translate: Translate = _same) -> str:
    """One indicator by unit as a PNG data URI: coloured by status where each unit has a target, else by value."""
    progress = report.progress[code]
    spec = progress["indicator"]
    by_code = {u["code"]: u for u in progress["units"]}
    frame = report.units.copy()
    frame["value"] = [by_code.get(c, {}).get("value") for c in frame["code"]]
    frame["status"] = [by_code.get(c, {}).get("progress_status") for c in frame["code"]]
    figure, axes = plt.subplots(figsize=(6.5, 6.5))
    unit = _unit_label(spec, lang)
    if spec["target_scope"] == "unit" and progress["target"]:
        colours = [plan.PROGRESS_STATUS_COLOURS[s] for s in frame["status"]]
        frame.plot(ax=axes, color=colours, edgecolor="white", linewidth=0.6)
        shown = [s for s in ("on_track", "behind", "far_behind", "no_data") if s in set(frame["status"])]
        handles = [Patch(color=plan.PROGRESS_STATUS_COLOURS[s], label=_status(s, translate)) for s in shown]
        axes.legend(handles=handles, loc="lower left", fontsize=8, title=translate(H["status"]), title_fontsize=8)
    else:
        present = frame[frame["value"].notna()]
        missing = frame[frame["value"].isna()]
        if len(missing):
            missing.plot(ax=axes, color=plan.PROGRESS_STATUS_COLOURS["no_data"], edgecolor="white", linewidth=0.6)
        if len(present):
            # The scale starts at 0 so that a unit with nothing looks empty, not average.
            top = max(float(present["value"].max()), 1.0)
            present.astype({"value": float}).plot(
                ax=axes, column="value", cmap="YlGn", vmin=0, vmax=top, edgecolor="#6d6d6d", linewidth=0.4,
                legend=True,
                legend_kwds={"shrink": 0.6, "label": f"{translate(H['legend_value'])} ({unit})"})
    if report.geography == "district":
        # Fifteen units leave room to print each figure on its unit.
        for _, row in frame.iterrows():
            point = row.geom.representative_point()
            axes.annotate(format_number(row["value"], lang), (point.x, point.y), ha="center", fontsize=7,
                          color="#212121")
    target = format_target(progress["target"], lang)
    axes.set_title(f"{_name(spec, lang)}\n{report.year} — {translate(H['target_year'])}: {target}"
                   f"{'' if target == '—' else ' ' + unit}", fontsize=10)
    axes.set_axis_off()
    axes.set_aspect("equal")
    return _png(figure)


# --- the HTML page --------------------------------------------------------------------------------

def render_html(report: Report, *, lang: str = "vi", translate: Translate = _same,
                with_images: bool = True) -> str:
    """The printable report page (self-contained: its images are data URIs)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    images = {}
    if with_images:
        images["map"] = province_map(report, lang, translate)
        for spec in plan.INDICATORS:
            if spec.main:
                images[spec.code] = choropleth(report, spec.code, lang, translate)
    leads = {task.code: task.lead_agency for task in PLAN_TASKS}
    return environment.get_template("report.html").render(
        report=report, lang=lang, t=translate, H=H, images=images, leads=leads,
        geography_label=translate(GEOGRAPHY_LABELS[report.geography]),
        status_label=lambda s: _status(s, translate),
        site_status_label=lambda s: translate(SITE_STATUS_LABELS[s]),
        method_label=lambda m: translate(METHOD_LABELS[m]),
        num=lambda v: format_number(v, lang), target=lambda t: format_target(t, lang), date=format_date,
        iso_date=lambda v: format_date(dt.datetime.fromisoformat(v)) if v else "",
        sector_status=lambda v, t: plan.progress_status(v, t["low"] if t else None),
        name=lambda item, key="name": _name(item, lang, key), unit_label=lambda item: _unit_label(item, lang),
        status_colour=plan.PROGRESS_STATUS_COLOURS, main_codes=[s.code for s in plan.INDICATORS if s.main])


# --- the command ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """scripts/report: write the workbook and the HTML page of a year's report, and keep its figures on file."""
    from geo.db import make_engine, transaction
    from geo.errors import DomainError

    parser = argparse.ArgumentParser(prog="scripts/report",
                                     description="Write the annual report of Plan 135/KH-UBND (.xlsx and .html).")
    parser.add_argument("--year", required=True, help="the year reported on, e.g. 2025")
    parser.add_argument("--geography", choices=LEVELS,
                        help="district (default up to 2025) or commune (default after)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder to write into (default: here)")
    parser.add_argument("--no-store", action="store_true",
                        help="do not record the computed figures in indicator_value")
    args = parser.parse_args(argv)
    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        year = int(args.year)
        with transaction(engine) as session:
            report = build_report(session, year, args.geography)
            if not args.no_store:
                stored = figures.store_computed_values(session, year, report.geography)
                print(f"recorded {stored} computed figures of {year} ({report.geography}) in indicator_value")
    except DomainError as error:
        print(f"report not written — {error.field}: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"bao-cao-sxtdbv-{year}-{report.geography}"
    write_workbook(report, stem.with_suffix(".xlsx"))
    stem.with_suffix(".html").write_text(render_html(report), encoding="utf-8")
    print(f"wrote {stem.with_suffix('.xlsx')} and {stem.with_suffix('.html')}")
    if report.has_sample:
        print("note: the figures include sample sites (marked “mẫu”)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
