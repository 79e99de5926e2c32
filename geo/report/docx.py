"""The province's yearly report as a Word document in the administrative form of Decree 30/2020/NĐ-CP.

The Department of Industry and Trade compiles the agencies' reports for the Provincial People's Committee
(section V of the plan): national heading, issuing body, number and symbol, place and date, title, a section
per part of the plan with each task's results from the submitted and accepted reports, the indicators
against their targets, budget by source, difficulties and proposals, recipients and the signature block.
Tables come first and the maps (pictures drawn with matplotlib) last, so the text reads on its own.
"""
from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from geo import agencies, plan
from geo.errors import N_
from geo.report.data import Report
from geo.report.page import choropleth, province_map
from geo.report.text import H, Translate, format_number, format_target, local_name, same, status_label, unit_label
from geo.task_reports import BUDGET_KINDS, BUDGET_SOURCES, FIGURES, WORK_STATUSES

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
# Decree 30/2020/NĐ-CP, appendix I: A4, top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}

W = {
    "governing": N_("UBND TỈNH KIÊN GIANG"),
    "issuer": N_("SỞ CÔNG THƯƠNG"),
    "number": N_("Số:        /BC-SCT"),
    "nation": N_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    "motto": N_("Độc lập - Tự do - Hạnh phúc"),
    "place_date": N_("Kiên Giang, ngày %(day)s tháng %(month)s năm %(year)s"),
    "kind": N_("BÁO CÁO"),
    "subject": N_("Kết quả thực hiện Kế hoạch số 135/KH-UBND ngày 08/9/2020 của UBND tỉnh về sản xuất và tiêu "
                  "dùng bền vững giai đoạn 2021-2030, năm %(year)s"),
    "to": N_("Kính gửi: Ủy ban nhân dân tỉnh Kiên Giang."),
    "opening": N_("Thực hiện Kế hoạch số 135/KH-UBND ngày 08/9/2020 của Ủy ban nhân dân tỉnh, trên cơ sở báo cáo "
                  "của các sở, ban, ngành và UBND các huyện, thành phố, Sở Công Thương báo cáo kết quả thực hiện "
                  "năm %(year)s như sau:"),
    "received": N_("Đã nhận %(got)s/%(due)s báo cáo nhiệm vụ của các cơ quan (đã nộp hoặc đã chấp nhận); hạn nộp "
                   "15/12/%(year)s."),
    "part_results": N_("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"),
    "part_indicators": N_("II. CÁC CHỈ TIÊU SO VỚI MỤC TIÊU"),
    "part_budget": N_("III. KINH PHÍ THỰC HIỆN THEO NGUỒN"),
    "part_difficulties": N_("IV. KHÓ KHĂN, VƯỚNG MẮC"),
    "part_proposals": N_("V. ĐỀ XUẤT, KIẾN NGHỊ"),
    "part_maps": N_("PHỤ LỤC: BẢN ĐỒ"),
    "sites_of_task": N_("Số điểm trên bản đồ của nhiệm vụ: %(n)s."),
    "none": N_("Không có."),
    "closing": N_("Sở Công Thương kính báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./."),
    "recipients": N_("Nơi nhận:"),
    "recipient_list": N_("- Như trên;\n- Bộ Công Thương (b/c);\n- Các sở, ban, ngành tỉnh;\n"
                         "- UBND các huyện, thành phố;\n- Lưu: VT, P.QLCN."),
    "signer_title": N_("GIÁM ĐỐC"),
    "signer_note": N_("(Ký, ghi rõ họ tên, đóng dấu)"),
}


def _fonts(document: WordDocument) -> None:
    """Times New Roman 13 for the body, for every script Word may pick (Vietnamese is in the 'hAnsi' range)."""
    for style in ("Normal", "Table Grid", "Caption"):
        if style not in [s.name for s in document.styles]:
            continue
        font = document.styles[style].font
        font.name = FONT
        font.size = BODY_SIZE if style == "Normal" else Pt(12)
        fonts = document.styles[style].element.get_or_add_rPr().get_or_add_rFonts()
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)


def _page(document: WordDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]


def _line(container, words: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
          align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False):
    """One paragraph in the report's font; size in points (13 when None)."""
    paragraph = container.add_paragraph()
    run = paragraph.add_run(words)
    run.bold, run.italic = bold, italic
    run.font.name = FONT
    run.font.size = Pt(size) if size else BODY_SIZE
    if align is not None:
        paragraph.alignment = align
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(3)
    return paragraph


def _heading_block(document: WordDocument, report: Report, t: Translate) -> None:
    """Issuing body and number (left), national heading, place and date (right), as a borderless table."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [60, 105])
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].add_run(t(W["governing"])).font.size = Pt(13)
    left.paragraphs[0].alignment = center
    _line(left, t(W["issuer"]), bold=True, align=center)
    _line(left, t(W["number"]), align=center)
    right.paragraphs[0].add_run(t(W["nation"])).bold = True
    right.paragraphs[0].runs[0].font.size = Pt(12)
    right.paragraphs[0].alignment = center
    _line(right, t(W["motto"]), bold=True, align=center, size=13)
    day = report.made_at
    _line(right, t(W["place_date"]) % {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": day.year},
          italic=True, align=center)


def _widths(table, millimetres: list[float]) -> None:
    """Fixed column widths (Word and LibreOffice read them from each cell)."""
    table.autofit = False
    for column, width in zip(table.columns, millimetres):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, millimetres):
            cell.width = Mm(width)


def _table(document: WordDocument, headings: list[str], rows: list[list[Any]], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, words in zip(table.rows[0].cells, headings):
        cell.paragraphs[0].add_run(words).bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values):
            cell.paragraphs[0].add_run("" if value is None else str(value))
    for row in table.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size, run.font.name = Pt(11), FONT
    _widths(table, widths)


def _task_results(document: WordDocument, report: Report, lang: str, t: Translate) -> None:
    _line(document, t(W["part_results"]), bold=True)
    for section in report.sections:
        _line(document, f"{t(H['section'])} {section['code']}. {local_name(section, lang)}", bold=True)
        for task in section["tasks"]:
            _line(document, f"{task['code']}. {local_name(task, lang)}", bold=True, italic=True)
            _line(document, f"{t(H['lead'])}: {task['lead_agency']} · {t(H['period'])}: {task['period']}",
                  italic=True, size=12)
            for found in task["reports"]:
                _line(document, f"{found['agency_name']} ({t(agencies.PART_LABELS[found['part']])}, "
                                f"{t(WORK_STATUSES[found['work_status']])}): {found['done_text']}", indent=True)
                counted = [f"{t(label)}: {format_number(found['figures'].get(key), lang)}"
                           for key, label in FIGURES.items() if found["figures"].get(key) is not None]
                if found["figures"].get("note"):
                    counted.append(found["figures"]["note"])
                if counted:
                    _line(document, "; ".join(counted) + ".", indent=True, size=12)
            if not task["reports"]:
                _line(document, t(H["no_agency_report"]), italic=True, indent=True)
            if task["site_count"]:
                _line(document, t(W["sites_of_task"]) % {"n": format_number(task["site_count"], lang)},
                      indent=True, size=12)


def _indicators(document: WordDocument, report: Report, lang: str, t: Translate) -> None:
    _line(document, t(W["part_indicators"]), bold=True)
    rows = [[item["plan_task"], local_name(item, lang),
             f"{format_number(item['value'], lang, empty=t(H['no_data']))} {unit_label(item, lang)}".strip(),
             format_target(item["target"], lang), format_target(item["targets"]["2030"], lang),
             status_label(item["progress_status"], t)] for item in report.summary]
    _table(document, [t(H[k]) for k in ("code", "indicator", "value", "target_year", "target_2030", "status")],
           rows, [14, 62, 24, 20, 20, 25])


def budget_totals(report: Report) -> dict[str, dict[str, float]]:
    """The agencies' budget summed by kind (spent, proposed) and source, in million đồng."""
    totals = {kind: {source: 0.0 for source in BUDGET_SOURCES} for kind in BUDGET_KINDS}
    for found in report.task_reports:
        for kind in BUDGET_KINDS:
            for source in BUDGET_SOURCES:
                totals[kind][source] += float(((found["budget"] or {}).get(kind) or {}).get(source) or 0)
    return totals


def _budget(document: WordDocument, report: Report, lang: str, t: Translate) -> None:
    _line(document, t(W["part_budget"]), bold=True)
    totals = budget_totals(report)
    rows = [[t(label)] + [format_number(totals[kind][source], lang) for kind in BUDGET_KINDS]
            for source, label in BUDGET_SOURCES.items()]
    rows.append([t(H["total"])] + [format_number(sum(totals[kind].values()), lang) for kind in BUDGET_KINDS])
    _table(document, [t(H["source"])] + [t(label) for label in BUDGET_KINDS.values()], rows, [65, 50, 50])


def _said(document: WordDocument, report: Report, key: str, title: str, t: Translate) -> None:
    _line(document, t(W[title]), bold=True)
    said = [r for r in report.task_reports if r[key]]
    for found in said:
        _line(document, f"- {found['agency_name']} ({found['task_code']}): {found[key]}", indent=True)
    if not said:
        _line(document, t(W["none"]), indent=True)


def _maps(document: WordDocument, report: Report, lang: str, t: Translate) -> None:
    document.add_page_break()
    _line(document, t(W["part_maps"]), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    pictures = [province_map(report, lang, t)] + [choropleth(report, spec.code, lang, t)
                                                  for spec in plan.INDICATORS if spec.main]
    for picture in pictures:
        document.add_picture(io.BytesIO(picture), width=Mm(150))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _signature(document: WordDocument, t: Translate) -> None:
    table = document.add_table(rows=1, cols=2)
    _widths(table, [85, 80])
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(t(W["recipients"])).bold = True
    left.paragraphs[0].runs[0].italic = True
    left.paragraphs[0].runs[0].font.size = Pt(12)
    for line in t(W["recipient_list"]).split("\n"):
        _line(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    right.paragraphs[0].add_run(t(W["signer_title"])).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _line(right, t(W["signer_note"]), italic=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)


def document_bytes(report: Report, *, lang: str = "vi", translate: Translate = same,
                   with_maps: bool = True) -> bytes:
    """The report as a .docx file."""
    t = translate
    document = Document()
    _fonts(document)
    _page(document)
    _heading_block(document, report, t)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _line(document, t(W["kind"]), bold=True, size=14, align=center).paragraph_format.space_before = Pt(12)
    _line(document, t(W["subject"]) % {"year": report.year}, bold=True, size=14, align=center)
    _line(document, t(W["to"]), align=center)
    _line(document, t(W["opening"]) % {"year": report.year}, indent=True)
    _line(document, t(H["compiler"]), italic=True, indent=True, size=12)
    _line(document, t(W["received"]) % {"got": len(report.task_reports), "due": len(agencies.ASSIGNMENTS),
                                        "year": report.year}, indent=True)
    if report.has_sample:
        _line(document, t(H["sample"]), italic=True, indent=True, size=12)
    _task_results(document, report, lang, t)
    _indicators(document, report, lang, t)
    _budget(document, report, lang, t)
    _said(document, report, "difficulties", "part_difficulties", t)
    _said(document, report, "proposals", "part_proposals", t)
    _line(document, t(W["closing"]), indent=True)
    _signature(document, t)
    if with_maps:
        _maps(document, report, lang, t)
    document.core_properties.title = t(W["subject"]) % {"year": report.year}
    document.core_properties.language = lang
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
