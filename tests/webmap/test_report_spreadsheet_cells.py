"""Downloads opened in a spreadsheet (the yearly report, /api/sites as CSV and Excel): a site named like a
formula stays text."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy.orm import Session

from geo.catalogue import DOIT
from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, RACH_GIA, site

FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1+1", "@SUM(A1)", "=cmd|' /C calc'!A0"]
ORDINARY = "Phân loại rác Vĩnh Thanh Vân"
LOSS = "Sản xuất sạch hơn Tô Châu"  # used more material than before: a negative saving


@pytest.fixture
def sites(db):
    """An approved site named (and addressed) after each formula, an ordinary one and one with a negative figure."""
    records = [site(name, RACH_GIA[0] + 0.001 * i, RACH_GIA[1], address=name) for i, name in enumerate(FORMULAS)]
    records.append(site(ORDINARY, *RACH_GIA, address="Khu phố 3"))
    records.append(site(LOSS, *HA_TIEN, category="cleaner_production", plan_task="II.1", lead_agency=DOIT,
                        measures={"material_saving_pct": -2.5}))
    with Session(db) as session, session.begin():
        for record in records:
            insert_site(session, record)


def _cells(body: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(body), data_only=False)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("path", ["/report/2025.xlsx", "/report/2025.xlsx?lang=en", "/api/sites?f=xlsx",
                                  "/api/sites?f=xlsx&lang=en"])
def test_workbook_cells_named_like_formulas_are_text(client, sites, path):
    response = client.get(path)
    assert response.status_code == 200
    cells = _cells(response.data)
    for name in [*FORMULAS, ORDINARY]:
        holding = [c for c in cells if c.value == name]
        assert holding, name
        assert {c.data_type for c in holding} == {"s"}, name
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_site_export_keeps_numbers_numbers(client, sites):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/api/sites?f=xlsx&lang=en").data))["Sites"]
    headings = [c.value for c in sheet[1]]
    rows = [dict(zip(headings, row)) for row in sheet.iter_rows(min_row=2)]
    loss = next(r for r in rows if r["Name"].value == LOSS)
    saving = loss["Cut in material and fuel use (%)"]
    assert (saving.value, saving.data_type) == (-2.5, "n")
    assert {r["Longitude"].data_type for r in rows} == {"n"}


def test_csv_cells_named_like_formulas_are_quoted(client, sites):
    response = client.get("/api/sites?f=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff"), newline="")))
    by_name = {r["Tên"]: r for r in rows}
    assert set(by_name) == {"'" + name for name in FORMULAS} | {ORDINARY, LOSS}
    for name in FORMULAS:
        assert by_name["'" + name]["Địa chỉ"] == "'" + name
    assert by_name[ORDINARY]["Địa chỉ"] == "Khu phố 3"
    assert by_name[LOSS]["Mức giảm tiêu hao nguyên, nhiên liệu (%)"] == "-2.5"
