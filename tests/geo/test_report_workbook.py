"""The report's workbook prints: every sheet A4 landscape, one page wide, heading rows repeated, a named font on
every cell, the plan's task codes; past the annex limit the site list is counted by district and category."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy.orm import Session

from geo.report import build_report, render_html, workbook_bytes
from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, RACH_GIA, site


@pytest.fixture
def sites(db):
    """Four sites of 2025 (three in Rạch Giá, one in Hà Tiên) and one planned to start in 2027."""
    with Session(db) as session, session.begin():
        for i in range(3):
            insert_site(session, site(f"Phân loại rác Rạch Giá {i}", RACH_GIA[0] + 0.001 * i, RACH_GIA[1]))
        insert_site(session, site("Phân loại rác Hà Tiên (mẫu)", *HA_TIEN))
        insert_site(session, site("Bãi rác dự kiến 2027", *HA_TIEN, status="planned", start_date="2027-01-01"))


def _book(db, **options) -> openpyxl.Workbook:
    with Session(db) as session:
        return openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_report(session, 2025, "district",
                                                                             **options))))


def test_every_sheet_prints_one_page_wide_with_named_fonts(db, sites):
    book = _book(db)
    assert book.sheetnames == ["Tổng hợp", "Mục I", "Mục II", "Mục III", "Mục IV", "Mục V", "Mục VI", "Mục VII"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows
        names = {cell.font.name for row in sheet.iter_rows() for cell in row}
        assert names == {"Times New Roman"}, sheet.title
    summary = book["Tổng hợp"]
    heading = next(row for row in summary.iter_rows() if row[0].value == "Mã")
    assert summary.print_title_rows == f"${heading[0].row}:${heading[0].row}"
    codes = []
    for row in summary.iter_rows(min_row=heading[0].row + 1):
        if not row[0].value:
            break  # the end of the indicator table
        codes.append(row[0].value)
    assert codes and all(code.split(".")[0] in ("I", "II", "III", "IV", "V", "VI", "VII") for code in codes), codes
    texts = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value]
    assert "Phân loại rác Hà Tiên (mẫu)" in texts and not any("(mẫu) (mẫu)" in t for t in texts)
    with Session(db) as session:
        page = render_html(build_report(session, 2025, "district"), with_images=False)
    assert "Phân loại rác Hà Tiên (mẫu)" in page and "(mẫu) (mẫu)" not in page
    assert "Phân loại rác Rạch Giá 0 (mẫu)" in page  # sample data marked once
    assert "Bãi rác dự kiến 2027" not in texts  # planned for after the year
    assert any("Sở Công Thương" in t for t in texts)


def test_past_the_annex_limit_the_sites_are_counted_by_district_and_category(db, sites):
    with Session(db) as session:
        report = build_report(session, 2025, "district", annex_limit=3)
        page = render_html(report, with_images=False)
    assert report.summarised and report.sites == [] and report.site_count == 4
    assert [(r["district_name"], r["category_code"], r["sites"]) for r in report.annex] == [
        ("Rạch Giá", "waste_sorting", 3), ("Hà Tiên", "waste_sorting", 1)]
    assert "Phụ lục: các điểm theo huyện và loại điểm" in page and "Phân loại rác Rạch Giá 0" not in page
    book = _book(db, annex_limit=3)
    annex = book["Phụ lục điểm"]
    rows = [[c.value for c in row] for row in annex.iter_rows() if row[0].value in ("Rạch Giá", "Hà Tiên")]
    assert rows == [["Rạch Giá", "Thí điểm phân loại rác tại nguồn", "Đang hoạt động", 3],
                    ["Hà Tiên", "Thí điểm phân loại rác tại nguồn", "Đang hoạt động", 1]]
    assert annex.page_setup.fitToWidth == 1 and {c.font.name for r in annex.iter_rows() for c in r} == {
        "Times New Roman"}
