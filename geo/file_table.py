"""Bounded reading of an uploaded file into rows: CSV here, Excel workbooks in geo.file_workbook, GIS files in
geo.file_gis, all within the limits of geo.file_limits.

Nothing in a file decides how much work its reading takes: rows are counted whether empty or not, a zip's parts
are measured by their uncompressed size before any is read, a cell's text is refused once it passes the limit,
columns past the limit cost nothing unless they hold a value, XML may not declare a DOCTYPE, and reading stops
once its time budget is spent. Every row is kept, title and heading rows included, in the file's order; an
empty cell is None in every format.
"""
from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from geo.errors import N_, BadParameter
from geo.file_gis import read_gis
from geo.file_limits import Budget, ReadLimits, Warning_
from geo.file_workbook import read_workbook

__all__ = ["EXTENSIONS", "RawTable", "ReadLimits", "read_file", "decode_csv", "csv_separator"]

TABLE_KINDS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
GIS_KINDS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "shp", ".kml": "kml",
             ".kmz": "kml"}
EXTENSIONS = (*TABLE_KINDS, *GIS_KINDS)  # for a file input's accept attribute
ACCEPTED = N_("Chỉ nhận tệp .csv, .xlsx, .xlsm, .geojson, .json, .gpkg, .zip (Shapefile nén), .kml hoặc .kmz")


@dataclass
class RawTable:
    """Every row of a file as read, title and heading rows included, and what the reading noticed."""

    rows: list[list[Any]]
    separator: str | None
    kind: str
    warnings: list[Warning_] = field(default_factory=list)


def read_file(content: bytes, filename: str, limits: ReadLimits = ReadLimits(), crs: str | None = None) -> RawTable:
    """The rows of an uploaded file within the limits; crs (a preset such as vn2000-kien-giang, or EPSG:…) names
    the CRS of a GIS file whose own is missing or wrong, and is not used for tables. Raises BadParameter('file')."""
    extension = posixpath.splitext(filename.lower())[1]
    budget = Budget(limits)
    if extension in TABLE_KINDS:
        rows, separator, warnings = (_read_csv(content, budget) if extension == ".csv" else
                                     (read_workbook(content, budget), None, []))
        return RawTable(rows=_rectangular(rows), separator=separator, kind=TABLE_KINDS[extension],
                        warnings=warnings)
    if extension in GIS_KINDS:
        rows, warnings = read_gis(content, extension, budget, crs)
        return RawTable(rows=rows, separator=None, kind=GIS_KINDS[extension], warnings=warnings)
    raise BadParameter("file", ACCEPTED)


def _rectangular(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without the empty ones at the end, each padded with None to the widest row."""
    while rows and not any(cell is not None for cell in rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]


# --- CSV --------------------------------------------------------------------------------------------------------

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_csv(content: bytes) -> tuple[str, list[Warning_]]:
    """The text of a CSV, decided on the whole file: UTF-8 (with or without BOM) or UTF-16 with its BOM, else code
    page 1258 with a warning. A UTF-8 file with a stray byte is refused, naming its line and position, rather than
    read as 1258 (a file of plain ASCII but for one such byte is read as 1258, with the warning)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text", renamed .csv
        try:
            return content.decode("utf-16"), []
        except UnicodeDecodeError as error:
            raise BadParameter("file", N_("Tệp CSV UTF-16 bị hỏng ở byte %(position)s"),
                               position=error.start) from error
    nul = content.find(b"\x00")
    if nul >= 0:  # no text has one: a workbook or another binary file renamed .csv, or UTF-16 without its BOM
        raise BadParameter("file", N_("Tệp CSV có ký tự NUL ở dòng %(line)s: đây không phải tệp văn bản (có thể là "
                                      "tệp Excel bị đổi đuôi thành .csv)"), line=content.count(b"\n", 0, nul) + 1)
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        stray = error
    # Vietnamese text in code page 1258 almost never forms a valid UTF-8 sequence; UTF-8 text is full of them.
    valid = len(_UTF8_SEQUENCE.findall(content))
    invalid = content.decode("utf-8", errors="replace").count("\ufffd")
    if valid >= invalid:
        start = stray.start
        line_start = content.rfind(b"\n", 0, start) + 1
        raise BadParameter("file", N_("Tệp CSV là UTF-8 nhưng có byte lạ %(byte)s ở dòng %(line)s, vị trí %(column)s; "
                                      "hãy sửa ô đó hoặc lưu lại tệp dạng “CSV UTF-8”"),
                           byte=f"0x{content[start]:02X}", line=content.count(b"\n", 0, start) + 1,
                           column=start - line_start + 1)
    try:
        text_ = content.decode("cp1258")
    except UnicodeDecodeError as error:
        raise BadParameter("file", N_("Tệp CSV không phải UTF-8 cũng không phải Windows-1258 (byte %(byte)s); hãy lưu "
                                      "lại tệp dạng “CSV UTF-8”"), byte=f"0x{content[error.start]:02X}") from error
    return text_, [("file", N_("Tệp CSV không phải UTF-8: đã đọc theo bảng mã Windows-1258 (Excel tiếng Việt); "
                               "hãy kiểm tra dấu tiếng Việt của tên"), {})]


def csv_separator(text_: str) -> str:
    """The separator of a CSV: comma, semicolon (Excel on a Vietnamese Windows) or tab, whichever splits the most
    of the first 20 lines into the same number of cells, the most cells on a tie (a title row or a decimal comma
    does not mislead it)."""
    head = text_.split("\n", 20)[:20]

    def agreement(separator: str) -> tuple[int, int]:
        """How many lines agree on a number of cells, and that number (more cells wins a tie)."""
        try:
            widths = [len(row) for row in csv.reader(head, delimiter=separator) if len(row) > 1]
        except csv.Error:
            return 0, 0
        return max(((widths.count(width), width) for width in set(widths)), default=(0, 0))

    return max((",", ";", "\t"), key=agreement)


def _read_csv(content: bytes, budget: Budget) -> tuple[list[list[Any]], str, list[Warning_]]:
    text_, warnings = decode_csv(content)
    separator = csv_separator(text_)
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text_, newline=""), delimiter=separator)
    try:
        for number, record in enumerate(reader, start=1):
            budget.check_row(number)
            if number % 256 == 0:
                budget.check_time()
            cells: list[Any] = []
            for column, value in enumerate(record, start=1):
                budget.place(cells, column, value, number)
            if number <= budget.limits.max_rows:  # past it, a row is empty or already refused
                rows.append(cells)
    except csv.Error as error:
        if "field limit" in str(error):  # the csv module's own limit (128 KiB), met before the cell reaches us
            raise BadParameter("file", N_("Một ô ở dòng %(row)s dài quá %(n)s ký tự"), row=reader.line_num,
                               n=budget.limits.max_cell_chars) from error
        raise BadParameter("file", N_("Không đọc được dòng %(row)s của tệp CSV: %(reason)s"),
                           row=reader.line_num, reason=str(error)) from error
    return rows, separator, warnings
