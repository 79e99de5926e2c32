"""Bounded reading of an uploaded file into rows: CSV, Excel workbooks and (in geo.file_gis) GIS files.

Nothing in a file decides how much work its reading takes: rows are counted whether empty or not, a workbook's
parts are measured by their uncompressed size before any is read, a cell's text is refused once it passes the
limit (before the whole string is built), columns past the limit cost nothing unless they hold a value, XML
may not declare a DOCTYPE (so no entity can expand), and the reading stops once its time budget is spent.

A workbook's sheet is read by our own streaming parser rather than openpyxl's: openpyxl builds each row whole
(a row of a million empty cells is a million dicts) and pads rows to the sheet's declared dimension, which the
file itself chooses. openpyxl's date formats and Excel calendar are still used to read dates.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from geo.errors import N_, BadParameter

Warning_ = tuple[str, str, dict[str, Any]]

TABLE_KINDS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
GIS_KINDS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "shp", ".kml": "kml",
             ".kmz": "kml"}
ACCEPTED = N_("Chỉ nhận tệp .csv, .xlsx, .xlsm, .geojson, .json, .gpkg, .zip (Shapefile nén), .kml hoặc .kmz")
EXCEL_MAX_COLUMNS = 16_384  # column XFD: a row with more cells than this is not a worksheet Excel can write
MAX_PARTS = 1_000  # members of a zip (a workbook has a few dozen)
_CHUNK = 65_536


@dataclass
class RawTable:
    """Every row of a file as read, title and heading rows included, and what the reading noticed."""

    rows: list[list[Any]]
    separator: str | None
    kind: str
    warnings: list[Warning_] = field(default_factory=list)


@dataclass(frozen=True)
class ReadLimits:
    """How much a file may make the reader do."""

    max_rows: int = 2000
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
        """Refuse a row past the limit (row numbers count every row, empty or not)."""
        if number > self.limits.max_rows:
            raise BadParameter("file", N_("Tệp có quá %(n)s dòng (kể cả dòng trống); hãy chia thành nhiều tệp"),
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
        """Put a value in its column (1-based); a column past the limit is refused if it holds a value."""
        if column > self.limits.max_columns:
            if value not in (None, ""):
                raise BadParameter("file", N_("Dòng %(row)s có dữ liệu ở cột %(column)s; tệp chỉ được có tối đa "
                                              "%(n)s cột"), row=row, column=column, n=self.limits.max_columns)
            return
        cells.extend([None] * (column - len(cells)))
        cells[column - 1] = self.cell(value, row, column)


def read_file(content: bytes, filename: str, limits: ReadLimits = ReadLimits(), crs: str | None = None) -> RawTable:
    """The rows of an uploaded file within the limits; crs (a preset such as vn2000-kien-giang, or EPSG:…) names
    the CRS of a GIS file whose own is missing or wrong, and is not used for tables. Raises BadParameter('file')."""
    extension = posixpath.splitext(filename.lower())[1]
    budget = Budget(limits)
    if extension in TABLE_KINDS:
        rows, separator, warnings = (_read_csv(content, budget) if extension == ".csv" else
                                     (_read_workbook(content, budget), None, []))
        return RawTable(rows=_rectangular(rows), separator=separator, kind=TABLE_KINDS[extension],
                        warnings=warnings)
    if extension in GIS_KINDS:
        from geo import file_gis  # GDAL is loaded only when a GIS file comes

        return file_gis.read_gis(content, extension, budget, crs)
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
    """The text of a CSV, decided on the whole file: UTF-8 (with or without BOM), else code page 1258 with a
    warning. A UTF-8 file with a stray byte is refused, naming its line and position, rather than read as 1258."""
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


def csv_separator(first_line: str) -> str:
    """The separator a heading line uses: semicolon (Excel on a Vietnamese Windows), tab, or comma."""
    counts = {separator: first_line.count(separator) for separator in (",", ";", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] > counts[","] else ","


def _read_csv(content: bytes, budget: Budget) -> tuple[list[list[Any]], str, list[Warning_]]:
    text_, warnings = decode_csv(content)
    separator = csv_separator(text_[:text_.find("\n")] if "\n" in text_ else text_)
    rows: list[list[Any]] = []
    reader = csv.reader(text_.splitlines(keepends=True), delimiter=separator)
    try:
        for number, record in enumerate(reader, start=1):
            budget.check_row(number)
            if number % 256 == 0:
                budget.check_time()
            cells: list[Any] = []
            for column, value in enumerate(record, start=1):
                budget.place(cells, column, value, number)
            rows.append(cells)
    except csv.Error as error:
        # The csv module refuses a field longer than its own limit (128 KiB) before we see it.
        raise BadParameter("file", N_("Không đọc được dòng %(row)s của tệp CSV: %(reason)s"),
                           row=reader.line_num, reason=str(error)) from error
    return rows, separator, warnings


# --- Excel workbooks ----------------------------------------------------------------------------------------------

def _refuse_doctype(*_args: Any) -> None:
    # A DOCTYPE is where entities are declared: none of a workbook's parts needs one.
    raise BadParameter("file", N_("Tệp Excel chứa khai báo DOCTYPE/ENTITY trong XML, không được nhận vì lý do an "
                                  "toàn; hãy lưu lại tệp bằng Excel"))


def _parse_part(book: zipfile.ZipFile, name: str, budget: Budget,
                start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None,
                text_: Callable[[str], None] | None = None) -> None:
    """Stream one XML part of a workbook to the handlers (local names, without namespaces), a chunk at a time."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.StartElementHandler = lambda tag, attributes: start(tag.rpartition("}")[2], attributes)
    if end is not None:
        parser.EndElementHandler = lambda tag: end(tag.rpartition("}")[2])
    if text_ is not None:
        parser.CharacterDataHandler = text_
    try:
        with book.open(name) as part:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
                budget.check_time()
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise BadParameter("file", N_("Tệp Excel bị hỏng (%(part)s: %(reason)s)"), part=name, reason=str(error)) \
            from error


def _attribute(attributes: dict[str, str], name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    return next((value for key, value in attributes.items() if key.rpartition("}")[2] == name), None)


def _open_workbook(content: bytes, budget: Budget) -> zipfile.ZipFile:
    """The workbook's zip, once its parts are known to be few and small enough, uncompressed."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise BadParameter("file", N_("Tệp không phải là tệp Excel .xlsx hợp lệ")) from error
    check_zip(book.infolist(), budget)
    return book


def check_zip(members: list[zipfile.ZipInfo], budget: Budget) -> None:
    """Refuse a zip of too many parts or whose parts add up, uncompressed, to more than the limit, before reading
    any (zipfile never returns more than a member's declared size, so the declared sizes bound the reading)."""
    if len(members) > MAX_PARTS:
        raise BadParameter("file", N_("Tệp nén có quá %(n)s phần"), n=MAX_PARTS)
    total = sum(member.file_size for member in members)
    if total > budget.limits.max_uncompressed_bytes:
        largest = max(members, key=lambda member: member.file_size)
        raise BadParameter("file", N_("Tệp khi giải nén lớn %(mb)s MB (phần lớn nhất: %(part)s), quá giới hạn %(limit)s "
                                      "MB"), mb=round(total / 1e6, 1), part=largest.filename,
                           limit=round(budget.limits.max_uncompressed_bytes / 1e6, 1))


def _relations(book: zipfile.ZipFile, budget: Budget) -> dict[str, tuple[str, str]]:
    """The workbook's relations: id → (type's last word, part name)."""
    relations: dict[str, tuple[str, str]] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "Relationship":
            target = attributes.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            relations[attributes.get("Id", "")] = (attributes.get("Type", "").rpartition("/")[2], part)

    if "xl/_rels/workbook.xml.rels" in book.namelist():
        _parse_part(book, "xl/_rels/workbook.xml.rels", budget, start)
    return relations


def _active_sheet(book: zipfile.ZipFile, budget: Budget) -> tuple[str, dt.datetime]:
    """The part of the sheet shown when the workbook opens (openpyxl's 'active'), and the workbook's calendar."""
    sheets: list[str] = []
    found = {"tab": 0, "epoch": CALENDAR_WINDOWS_1900}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "sheet":
            sheets.append(_attribute(attributes, "id") or "")
        elif tag == "workbookView":
            found["tab"] = int(attributes.get("activeTab", "0") or 0)
        elif tag == "workbookPr" and attributes.get("date1904", "").lower() in ("1", "true"):
            found["epoch"] = CALENDAR_MAC_1904

    if "xl/workbook.xml" not in book.namelist():
        raise BadParameter("file", N_("Tệp không phải là tệp Excel .xlsx hợp lệ"))
    _parse_part(book, "xl/workbook.xml", budget, start)
    relations = _relations(book, budget)
    if not sheets:
        raise BadParameter("file", N_("Tệp Excel không có trang tính nào"))
    kind, part = relations.get(sheets[min(found["tab"], len(sheets) - 1)], ("", ""))
    if kind != "worksheet" or part not in book.namelist():
        raise BadParameter("file", N_("Trang tính đang mở của tệp Excel không phải là một bảng"))
    return part, found["epoch"]


def _part_of(book: zipfile.ZipFile, budget: Budget, kind: str) -> str | None:
    return next((part for kind_, part in _relations(book, budget).values()
                 if kind_ == kind and part in book.namelist()), None)


def _shared_strings(book: zipfile.ZipFile, budget: Budget) -> list[str]:
    """The workbook's shared strings, each refused as soon as its text passes the cell limit."""
    part = _part_of(book, budget, "sharedStrings")
    strings: list[str] = []
    if part is None:
        return strings
    state = {"in_text": False, "phonetic": 0, "length": 0}
    pieces: list[str] = []

    def start(tag: str, _attributes: dict[str, str]) -> None:
        if tag == "si":
            pieces.clear()
            state["length"] = 0
        elif tag == "rPh":
            state["phonetic"] += 1  # the reading aid of East Asian text is not part of the value
        elif tag == "t":
            state["in_text"] = not state["phonetic"]

    def end(tag: str) -> None:
        if tag == "si":
            strings.append("".join(pieces))
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_text"] = False

    def text_(data: str) -> None:
        if state["in_text"]:
            state["length"] += len(data)
            if state["length"] > budget.limits.max_cell_chars:
                raise BadParameter("file", N_("Tệp Excel có một chuỗi dài quá %(n)s ký tự (chuỗi số %(index)s)"),
                                   n=budget.limits.max_cell_chars, index=len(strings) + 1)
            pieces.append(data)

    _parse_part(book, part, budget, start, end, text_)
    return strings


def _date_styles(book: zipfile.ZipFile, budget: Budget) -> dict[int, bool]:
    """Style index → whether its number format is a duration (True) or a date (False); others are numbers."""
    part = _part_of(book, budget, "styles")
    if part is None:
        return {}
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"in_cell_xfs": False}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "numFmt":
            custom[int(attributes.get("numFmtId", "0") or 0)] = attributes.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_cell_xfs"] = True
        elif tag == "xf" and state["in_cell_xfs"]:
            formats.append(int(attributes.get("numFmtId", "0") or 0))

    def end(tag: str) -> None:
        if tag == "cellXfs":
            state["in_cell_xfs"] = False

    _parse_part(book, part, budget, start, end)
    styles = {}
    for index, format_id in enumerate(formats):
        code = BUILTIN_FORMATS.get(format_id) or custom.get(format_id, "General")
        if is_date_format(code):
            styles[index] = is_timedelta_format(code)
    return styles


_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)$")


def _column_of(reference: str | None, previous: int) -> int:
    """The 1-based column of a cell reference (A1 → 1), or the next column when the cell has none."""
    match = _REFERENCE.match(reference or "")
    if match is None:
        return previous + 1 if not reference else EXCEL_MAX_COLUMNS + 1
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return column


class _SheetReader:
    """Handlers that turn a worksheet's XML into rows, within the budget."""

    def __init__(self, budget: Budget, strings: list[str], date_styles: dict[int, bool], epoch: dt.datetime):
        self.budget, self.strings, self.date_styles, self.epoch = budget, strings, date_styles, epoch
        self.rows: list[list[Any]] = []
        self.row_number = 0
        self.cells: list[Any] = []
        self.cells_seen = 0
        self.column = 0
        self.cell_type = self.style = None
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False
        self.in_inline = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "row":
            number = int(attributes.get("r") or self.row_number + 1)
            if number <= self.row_number:
                raise BadParameter("file", N_("Trang tính bị hỏng: dòng %(row)s ghi sau dòng %(after)s"),
                                   row=number, after=self.row_number)
            self.budget.check_row(number)
            self.rows.extend([] for _ in range(number - self.row_number - 1))  # rows the file leaves out are empty
            self.row_number, self.cells, self.column, self.cells_seen = number, [], 0, 0
        elif tag == "c":
            self.cells_seen += 1
            if self.cells_seen > EXCEL_MAX_COLUMNS:
                raise BadParameter("file", N_("Dòng %(row)s của trang tính có hơn %(n)s ô, nhiều hơn Excel cho phép: "
                                              "tệp bị hỏng"), row=self.row_number, n=EXCEL_MAX_COLUMNS)
            self.column = _column_of(attributes.get("r"), self.column)
            self.cell_type, self.style = attributes.get("t", "n"), int(attributes.get("s", "0") or 0)
            self.pieces, self.length = [], 0
        elif tag == "is":
            self.in_inline = True
        elif tag == "v" or (tag == "t" and self.in_inline):
            self.collecting = True

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self.collecting = False
        elif tag == "is":
            self.in_inline = False
        elif tag == "c":
            if self.pieces:
                self.budget.place(self.cells, self.column, self._value("".join(self.pieces)), self.row_number)
        elif tag == "row":
            self.rows.append(self.cells)

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > self.budget.limits.max_cell_chars:
                raise self.budget.too_long(self.row_number, self.column)
            self.pieces.append(data)

    def _value(self, raw: str) -> Any:
        """A cell's value by its type, as openpyxl reads it: shared or inline text, bool, date, int or float."""
        kind = self.cell_type
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError) as error:
                raise BadParameter("file", N_("Tệp Excel bị hỏng: ô ở dòng %(row)s trỏ tới chuỗi không có"),
                                   row=self.row_number) from error
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        try:
            number: int | float = float(raw) if any(mark in raw for mark in ".eE") else int(raw)
        except ValueError:
            return raw
        if self.style in self.date_styles:
            try:
                return from_excel(number, self.epoch, timedelta=self.date_styles[self.style])
            except (ValueError, OverflowError):
                return number
        return number


def _read_workbook(content: bytes, budget: Budget) -> list[list[Any]]:
    """The rows of the workbook's active sheet; its declared dimension is not trusted and not read."""
    with _open_workbook(content, budget) as book:
        part, epoch = _active_sheet(book, budget)
        reader = _SheetReader(budget, _shared_strings(book, budget), _date_styles(book, budget), epoch)
        _parse_part(book, part, budget, reader.start, reader.end, reader.text)
    return reader.rows

