"""The province's report as a Word document (python-docx reads it back): the administrative form of Decree
30/2020, the agencies' submitted texts, indicators, budget by source, and the maps as pictures."""
from __future__ import annotations

import io

import docx
import pytest
from docx.shared import Mm
from sqlalchemy.orm import Session

from geo import accounts, task_reports
from geo.report import build_report, document_bytes
from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site
from tests.staffkit import PASSWORD

DONE = "Tổ chức Giờ Trái đất 2025 tại 15 huyện, thành phố với 3.000 người tham gia."


@pytest.fixture
def year_2025(db):
    """One site, and two reports on VI.5 and II.1: one submitted (in the report), one draft (not in it)."""
    with Session(db) as session, session.begin():
        insert_site(session, site("Phân loại rác Vĩnh Thanh Vân", *RACH_GIA))
        sct = accounts.create_user(session, "sct", PASSWORD, "agency", agency="SCT")
        task_reports.save_report(session, sct, 2025, "VI.5", {
            "work_status": "done", "done_text": DONE, "figures": {"events": 15, "participants": 3000},
            "budget": {"spent": {"state_budget": 120, "enterprises": 30}, "proposed": {"state_budget": 150}},
            "difficulties": "Kinh phí bố trí chậm.", "proposals": "Giao dự toán trước tháng 3."}, 0, submit=True)
        task_reports.save_report(session, sct, 2025, "II.1", {"done_text": "Bản nháp chưa nộp"}, 0)


def _text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_word_report_holds_the_administrative_form_and_the_agencies_results(db, year_2025):
    with Session(db) as session:
        body = document_bytes(build_report(session, 2025, "district"))
    document = docx.Document(io.BytesIO(body))
    words = _text(document)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH KIÊN GIANG",
                     "SỞ CÔNG THƯƠNG", "/BC-SCT", "Kiên Giang, ngày", "BÁO CÁO", "năm 2025",
                     "Kính gửi: Ủy ban nhân dân tỉnh Kiên Giang.", "Nơi nhận:", "GIÁM ĐỐC",
                     "I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", "VI.5. Hội thảo điện năng lượng tái tạo; Giờ Trái đất",
                     DONE, "II. CÁC CHỈ TIÊU SO VỚI MỤC TIÊU", "III. KINH PHÍ THỰC HIỆN THEO NGUỒN",
                     "Kinh phí bố trí chậm.", "Giao dự toán trước tháng 3."):
        assert expected in words, expected
    assert "Bản nháp chưa nộp" not in words  # a draft is not the agency's report yet
    assert "Đã nhận 1/" in words
    # One section per part of the plan, I to VII.
    for roman in ("I", "II", "III", "IV", "V", "VI", "VII"):
        assert any(p.text.startswith(f"Mục {roman}. ") and p.runs[0].bold for p in document.paragraphs), roman
    # Budget by source: the state budget row adds what was spent and proposed.
    budget = next(t for t in document.tables if t.rows[0].cells[0].text == "Nguồn")
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in budget.rows[1:]}
    assert rows["Ngân sách Nhà nước"] == ["120", "150"] and rows["Doanh nghiệp"] == ["30", "0"]
    assert rows["Tổng"] == ["150", "150"]
    # Decree 30/2020: A4, margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm; Times New Roman 13–14.
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    # A run that names no font (a picture's, a page break's) takes Normal's.
    assert {run.font.name or normal.name for p in document.paragraphs for run in p.runs} == {"Times New Roman"}
    # The province map and a choropleth per main indicator, as pictures, after the text.
    assert len(document.inline_shapes) == 7
    assert all(shape.width <= Mm(150) + 1 for shape in document.inline_shapes)


def test_the_word_report_can_leave_the_maps_out(db, year_2025):
    with Session(db) as session:
        body = document_bytes(build_report(session, 2025, "district"), with_maps=False)
    assert len(docx.Document(io.BytesIO(body)).inline_shapes) == 0
