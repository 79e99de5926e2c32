"""Spreadsheet cells hold text as text: the CSV prefix and openpyxl's cell type."""
from __future__ import annotations

import io

import openpyxl
import pytest

from geo.cells import keep_text, set_value, spreadsheet_text

FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1+1", "@SUM(A1)", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", [*FORMULAS, "\tTab", "\rReturn", " =1+1", "  @SUM(A1)", "\n-1", " \t+1"])
def test_text_a_spreadsheet_would_run_gets_a_quote(value):
    assert spreadsheet_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Phân loại rác Vĩnh Thanh Vân", "", " ", "a=1", "1+1", "'=1+1", "Khu 3 - Rạch Giá",
                                   "#N/A", "1,5"])
def test_ordinary_text_is_left_as_it_is(value):
    assert spreadsheet_text(value) == value


def _reopened(book: openpyxl.Workbook) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    book.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=False)


def test_set_value_keeps_text_a_string_and_numbers_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    for row, value in enumerate([*FORMULAS, "#N/A", "Rạch Giá", -2.5, 7, None], start=1):
        set_value(sheet.cell(row=row, column=1), value)
    cells = [row[0] for row in _reopened(book).active.iter_rows(max_row=len(FORMULAS) + 5)]
    assert [(c.value, c.data_type) for c in cells] == [
        *[(f, "s") for f in FORMULAS], ("#N/A", "s"), ("Rạch Giá", "s"), (-2.5, "n"), (7, "n"), (None, "n")]


def test_keep_text_turns_formulas_written_by_others_back_into_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["=1+1", -1, "Rạch Giá"])
    assert sheet["A1"].data_type == "f"  # what openpyxl (and pandas through it) does on its own
    keep_text(sheet)
    cells = _reopened(book).active[1]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), (-1, "n"), ("Rạch Giá", "s")]
