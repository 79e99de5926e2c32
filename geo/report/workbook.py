"""The report as an Excel workbook: a summary sheet and a sheet per plan section.

Figures are numbers, so they can still be added up, with the number format "#,##0.0" tagged Vietnamese
([$-42A]); the summary sheet also gives each figure as Vietnamese text (1.234,5), which shows the same
whatever the reader's regional settings.
"""
from __future__ import annotations

import datetime as dt
import io
from copy import copy
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo import plan
from geo.catalogue import PLAN_TASKS, STATUS_LABELS, STATUSES
from geo.cells import set_value
from geo.report.data import Report
from geo.report.text import (LEVEL_LABELS, H, METHOD_LABELS, Translate, format_number, format_target, local_name, same,
                             status_label, unit_label)

# Numbers stay numbers in the workbook; [$-42A] tags the format Vietnamese for readers that honour it.
NUMBER_FORMAT = "[$-42A]#,##0.0"
INTEGER_FORMAT = "[$-42A]#,##0"
DATE_FORMAT = "dd/mm/yyyy"

# Every cell names its font: a bold cell without a name prints in a fallback font that drops Vietnamese accents.
FONT_NAME = "Times New Roman"
BOLD = Font(name=FONT_NAME, bold=True)
TITLE = Font(name=FONT_NAME, bold=True, size=14)
ITALIC = Font(name=FONT_NAME, italic=True)
NOTE = Font(name=FONT_NAME, italic=True, size=9)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TASK_FILL = PatternFill("solid", fgColor="F1F5E9")
SAMPLE_FONT = Font(name=FONT_NAME, bold=True, color="B71C1C")
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """sheet.cell(row, column, value), where text is never read as a formula (a site may be named "=1+1")."""
    return set_value(sheet.cell(row=row, column=column), value)


def _header(sheet: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _cell(sheet, row, column, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    cell = _cell(sheet, row, column, value)
    if number_format and value is not None:
        cell.number_format = number_format
    cell.alignment = WRAP


def _figure_format(value: Any) -> str:
    return INTEGER_FORMAT if isinstance(value, int) else NUMBER_FORMAT


def _title_rows(sheet: Worksheet, report: Report, title: str, translate: Translate) -> int:
    """Title, year, level, date made and the sample-data warning; returns the next free row."""
    _cell(sheet, 1, 1, title).font = TITLE
    _cell(sheet, 2, 1, translate(H["year"])).font = BOLD
    _cell(sheet, 2, 2, report.year)
    _cell(sheet, 3, 1, translate(H["level"])).font = BOLD
    _cell(sheet, 3, 2, translate(LEVEL_LABELS[report.level]))
    _cell(sheet, 4, 1, translate(H["made"])).font = BOLD
    _put(sheet, 4, 2, report.made_at.date(), DATE_FORMAT)
    row = 5
    if report.has_sample:
        _cell(sheet, row, 1, translate(H["sample"])).font = SAMPLE_FONT
        row += 1
    return row + 1


def _for_print(sheet: Worksheet, heading_rows: str) -> None:
    """A4 landscape, one page wide (as many pages down as needed), heading rows repeated, every cell's font named."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = heading_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    for row in sheet.iter_rows():
        for cell in row:
            if cell.font.name != FONT_NAME:
                font = copy(cell.font)
                font.name = FONT_NAME
                cell.font = font


def write_workbook(report: Report, out: BinaryIO | Path, *, lang: str = "vi", translate: Translate = same) -> None:
    """Write the report as an Excel workbook: a summary sheet, one sheet per plan section (I … VII) and, past
    the annex limit, the sites counted by district and category; every sheet prints one A4 page wide."""
    book = Workbook()
    printed = [(book.active, _summary_sheet(book.active, report, lang, translate))]
    for section in report.sections:
        sheet = book.create_sheet(f"{translate(H['section'])} {section['code']}")
        _section_sheet(sheet, report, section, lang, translate)
        printed.append((sheet, "1:1"))
    if report.summarised:
        sheet = book.create_sheet(translate(H["annex_sheet"]))
        printed.append((sheet, _annex_sheet(sheet, report, lang, translate)))
    for sheet, heading_rows in printed:
        _for_print(sheet, heading_rows)
    book.properties.title = translate(H["title"])
    book.properties.language = lang
    book.save(out)


def workbook_bytes(report: Report, *, lang: str = "vi", translate: Translate = same) -> bytes:
    """The workbook as bytes, for a download."""
    buffer = io.BytesIO()
    write_workbook(report, buffer, lang=lang, translate=translate)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, report: Report, lang: str, translate: Translate) -> str:
    """The summary sheet; returns its heading rows to repeat on every printed page."""
    sheet.title = translate(H["summary"])
    row = _title_rows(sheet, report, f"{translate(H['title'])} — {report.year}", translate)
    _cell(sheet, row, 1, translate(H["compiler"]))
    _cell(sheet, row + 1, 1, translate(H["thresholds"]))
    _cell(sheet, row + 2, 1, translate(H["sample_note"]))
    row += 4
    _cell(sheet, row, 1, translate(H["indicators"])).font = BOLD
    row += 1
    heading = row
    # "Mã" is the plan's task code (II.1, VI.2 …) a reader can find in the plan, never an internal key.
    _header(sheet, row, [translate(H[k]) for k in ("code", "indicator", "lead", "method", "unit_of_measure",
                                                    "value", "value_text", "numerator", "denominator",
                                                    "target_year", "target_2025", "target_2030", "status")])
    leads = {task.code: task.lead_agency for task in PLAN_TASKS}
    for item in report.summary:
        row += 1
        unit = unit_label(item, lang)
        values = [item["plan_task"], local_name(item, lang), leads.get(item["plan_task"], ""),
                  translate(METHOD_LABELS[item["method"]]), unit]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        _put(sheet, row, 6, item["value"], _figure_format(item["value"]))
        _put(sheet, row, 7, f"{format_number(item['value'], lang, empty=translate(H['no_data']))} {unit}".strip())
        _put(sheet, row, 8, item["numerator"], _figure_format(item["numerator"]))
        _put(sheet, row, 9, item["denominator"], _figure_format(item["denominator"]))
        _put(sheet, row, 10, item["target"]["low"] if item["target"] else None, NUMBER_FORMAT)
        _put(sheet, row, 11, format_target(item["targets"]["2025"], lang))
        _put(sheet, row, 12, format_target(item["targets"]["2030"], lang))
        _put(sheet, row, 13, status_label(item["progress_status"], translate))
    row += 2
    _cell(sheet, row, 1, translate(H["sections"])).font = BOLD
    row += 1
    _header(sheet, row, [translate(H["section"]), translate(H["task"]), translate(H["tasks"]),
                         translate(H["sites"])] + [translate(STATUS_LABELS[s]) for s in STATUSES])
    for section in report.sections:
        row += 1
        for column, value in enumerate([section["code"], local_name(section, lang), len(section["tasks"]),
                                        section["site_count"]] + [section["by_status"][s] for s in STATUSES],
                                       start=1):
            _put(sheet, row, column, value, INTEGER_FORMAT if isinstance(value, int) else None)
    _widths(sheet, [9, 44, 24, 12, 10, 11, 16, 9, 9, 10, 10, 10, 14])
    sheet.freeze_panes = None
    return f"{heading}:{heading}"


def _annex_sheet(sheet: Worksheet, report: Report, lang: str, translate: Translate) -> str:
    """The sites counted by district, category and status; returns its heading rows."""
    row = _title_rows(sheet, report, translate(H["annex"]), translate)
    _cell(sheet, row, 1, translate(H["annex_note"]) % {"n": format_number(report.site_count, lang)})
    row += 2
    heading = row
    _header(sheet, row, [translate(H[k]) for k in ("district", "category", "site_status", "sites")])
    for line in report.annex or []:
        row += 1
        _put(sheet, row, 1, line["district_name"] or line["district_code"] or "")
        _put(sheet, row, 2, local_name(line, lang, "category_name"))
        _put(sheet, row, 3, translate(STATUS_LABELS[line["status"]]))
        _put(sheet, row, 4, line["sites"], INTEGER_FORMAT)
    _widths(sheet, [24, 50, 20, 12])
    return f"{heading}:{heading}"


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _section_sheet(sheet: Worksheet, report: Report, section: dict[str, Any], lang: str,
                   translate: Translate) -> None:
    row = _title_rows(sheet, report, f"{translate(H['section'])} {section['code']}. {local_name(section, lang)}",
                      translate)
    for task in section["tasks"]:
        cell = _cell(sheet, row, 1, f"{task['code']} — {local_name(task, lang)}")
        cell.font = BOLD
        for column in range(1, 10):
            sheet.cell(row=row, column=column).fill = TASK_FILL
        row += 1
        _cell(sheet, row, 1, translate(H["lead"])).font = BOLD
        _cell(sheet, row, 2, task["lead_agency"])
        _cell(sheet, row, 4, translate(H["period"])).font = BOLD
        _cell(sheet, row, 5, task["period"])
        row += 1
        _cell(sheet, row, 1, f"{translate(H['site_list'])} ({format_number(task['site_count'], lang)})").font = BOLD
        row += 1
        if report.summarised and task["site_count"]:
            _cell(sheet, row, 1, translate(H["in_annex"]) % {"n": format_number(task["site_count"], lang)})
        elif task["sites"]:
            _header(sheet, row, [translate(H[k]) for k in ("site_ref", "site_name", "category", "site_status",
                                                            "district", "commune", "start", "end", "is_sample")])
            for site in task["sites"]:
                row += 1
                # The name as recorded: the column "Dữ liệu mẫu" marks sample data, the name is not marked twice.
                values = [site["ref"] or f"#{site['id']}", site["name"], local_name(site, lang, "category_name"),
                          translate(STATUS_LABELS[site["status"]]), site["district_name"] or site["district_code"],
                          site["commune_name"] or site["commune_code"] or ""]
                for column, value in enumerate(values, start=1):
                    _put(sheet, row, column, value)
                _put(sheet, row, 7, site["start_date"], DATE_FORMAT)
                _put(sheet, row, 8, site["end_date"], DATE_FORMAT)
                if site["is_sample"]:
                    _cell(sheet, row, 9, translate(H["yes_sample"])).font = SAMPLE_FONT
        else:
            _cell(sheet, row, 1, translate(H["no_sites"]))
        row += 2
        if not task["indicators"]:
            _cell(sheet, row, 1, translate(H["no_indicator"])).font = ITALIC
            row += 2
        for code in task["indicators"]:
            row = _indicator_table(sheet, row, report.progress[code], lang, translate) + 1
        row += 1
    _widths(sheet, [10, 34, 24, 14, 14, 16, 11, 11, 9, 10, 10, 10, 10])


def _indicator_table(sheet: Worksheet, row: int, progress: dict[str, Any], lang: str, translate: Translate) -> int:
    """One indicator by unit with the province total; returns the last row written."""
    spec = progress["indicator"]
    unit = unit_label(spec, lang)
    heading = (f"{translate(H['indicator'])}: {local_name(spec, lang)} ({unit}) — {translate(H['target_2025'])}: "
               f"{format_target(progress['targets']['2025'], lang)}; {translate(H['target_2030'])}: "
               f"{format_target(progress['targets']['2030'], lang)}; {translate(H['target_year'])} "
               f"{progress['year']}: {format_target(progress['target'], lang)}")
    _cell(sheet, row, 1, heading).font = BOLD
    row += 1
    _cell(sheet, row, 1, local_name(spec, lang, "description")).font = NOTE
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
        _put(sheet, row, 8, status_label(line.get("progress_status"), translate))
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
            status = plan.progress_status(figure.get("value"), target["low"] if target else None)
            _put(sheet, row, 8, status_label(status, translate))
    return row + 1
