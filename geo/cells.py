"""Spreadsheet cells that hold text as text: no site name, address or label ever runs as a formula."""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A CSV text cell that a spreadsheet shows as it is: prefixed with ' where it would start a formula."""
    # Spreadsheets skip leading spaces before reading "=", so those count too.
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def set_value(cell: Cell, value: Any) -> Cell:
    """Put a value in an openpyxl cell; text stays a string that Excel never evaluates, whatever it starts with."""
    cell.value = value
    # openpyxl makes text starting with "=" a formula and "#N/A" an error; the value itself is unchanged.
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def keep_text(sheet: Worksheet) -> None:
    """Make every text cell of a sheet written by someone else (pandas) a string that Excel never evaluates."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                set_value(cell, cell.value)
