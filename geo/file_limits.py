"""The limits of reading an uploaded file, and the budget one reading spends: rows, columns, a cell's length,
the uncompressed size of a zip's parts, and time."""
from __future__ import annotations

import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from geo.errors import N_, BadParameter

Warning_ = tuple[str, str, dict[str, Any]]  # (field, message, params), as a row's problems are

MAX_PARTS = 1_000  # members of a zip (a workbook has a few dozen)
# What reading a damaged, encrypted or oddly compressed zip member raises.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class ReadLimits:
    """How much a file may make the reader do."""

    max_rows: int = 2000  # every row counts, empty or not, up to the last that holds a value
    # Empty rows may follow the last allowed row (a formatted range nobody filled), this many at most.
    max_trailing_empty_rows: int = 10_000
    max_columns: int = 200
    max_cell_chars: int = 10_000
    max_uncompressed_bytes: int = 50_000_000
    max_seconds: float = 5.0


class Budget:
    """The limits of one reading and the clock it started on."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds

    def check_time(self) -> None:
        """Refuse the file once reading it has taken its whole time budget."""
        if time.monotonic() > self.deadline:
            raise BadParameter("file", N_("Đọc tệp quá %(seconds)s giây: tệp quá lớn hoặc quá phức tạp; hãy chia "
                                          "nhỏ hoặc lưu lại tệp"), seconds=self.limits.max_seconds)

    def check_row(self, number: int) -> None:
        """Refuse a row past the limit even if empty (rows are numbered as the file numbers them, empty or not)."""
        if number > self.limits.max_rows + self.limits.max_trailing_empty_rows:
            raise self.too_many_rows()

    def check_filled_row(self, number: int) -> None:
        """Refuse a row that holds a value past the row limit."""
        if number > self.limits.max_rows:
            raise self.too_many_rows()

    def too_many_rows(self) -> BadParameter:
        """The refusal of a file with more rows than the limit."""
        return BadParameter("file", N_("Tệp có quá %(n)s dòng (kể cả dòng trống); hãy chia thành nhiều tệp"),
                            n=self.limits.max_rows)

    def too_long(self, row: int, column: int) -> BadParameter:
        """The refusal of a cell whose text passes the limit."""
        return BadParameter("file", N_("Ô ở dòng %(row)s, cột %(column)s dài quá %(n)s ký tự"),
                            row=row, column=column, n=self.limits.max_cell_chars)

    def cell(self, value: Any, row: int, column: int) -> Any:
        """A cell's value with its text NFC-composed (code page 1258 and some Mac files write tone marks apart)."""
        if not isinstance(value, str):
            return value
        if len(value) > self.limits.max_cell_chars:
            raise self.too_long(row, column)
        return unicodedata.normalize("NFC", value) if value else None

    def place(self, cells: list[Any], column: int, value: Any, row: int) -> None:
        """Put a value in its column (1-based), refused past the column or row limit; an empty one is left out
        (rows are padded with None afterwards), so empty cells past the limits cost nothing."""
        if value is None or value == "":
            return
        if column > self.limits.max_columns:
            raise BadParameter("file", N_("Dòng %(row)s có dữ liệu ở cột %(column)s; tệp chỉ được có tối đa "
                                          "%(n)s cột"), row=row, column=column, n=self.limits.max_columns)
        self.check_filled_row(row)
        if column > len(cells):
            cells.extend([None] * (column - len(cells) - 1))
            cells.append(self.cell(value, row, column))
        else:
            cells[column - 1] = self.cell(value, row, column)


def check_zip(members: list[zipfile.ZipInfo], budget: Budget) -> None:
    """Refuse a zip of too many parts or whose parts add up, uncompressed, to more than the limit, before reading
    any (zipfile never returns more than a member's declared size, so the declared sizes bound the reading)."""
    if len(members) > MAX_PARTS:
        raise BadParameter("file", N_("Tệp nén có quá %(n)s phần"), n=MAX_PARTS)
    total = sum(member.file_size for member in members)
    if total > budget.limits.max_uncompressed_bytes:
        largest = max(members, key=lambda member: member.file_size)
        raise BadParameter("file", N_("Tệp khi giải nén lớn %(mb)s MB (phần lớn nhất: %(part)s), quá giới hạn "
                                      "%(limit)s MB"), mb=round(total / 1e6, 1), part=largest.filename,
                           limit=round(budget.limits.max_uncompressed_bytes / 1e6, 1))


def xml_entities_refused(kind: str) -> BadParameter:
    """The refusal of an XML file (a workbook's part, a KML) that declares a DOCTYPE, where entities that expand
    without end are declared; no file these readers take needs one."""
    return BadParameter("file", N_("Tệp %(kind)s có khai báo DOCTYPE/ENTITY trong XML, không được nhận vì lý do an "
                                   "toàn; hãy lưu lại tệp từ phần mềm đã tạo ra nó"), kind=kind)
