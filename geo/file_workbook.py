"""An Excel workbook's active sheet as rows, read by our own streaming parser within a budget.

Not openpyxl's reader: it builds each row whole (a row of a million empty cells is a million dicts) and pads
rows to the sheet's declared dimension, which the file itself chooses. Here the declared dimension is not read,
a row's cells are counted as they stream, a shared string or cell is refused once its text passes the limit,
and no part may declare a DOCTYPE (so no entity can expand). openpyxl's date formats and Excel calendars are
used to read dates as openpyxl does.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from typing import Any, Callable
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from geo.errors import N_, BadParameter
from geo.file_limits import ZIP_ERRORS, Budget, check_zip, xml_entities_refused

EXCEL_MAX_COLUMNS = 16_384  # column XFD: a row with more cells than this is not a worksheet Excel can write
_CHUNK = 65_536


def _refuse_doctype(*_args: Any) -> None:
    # A DOCTYPE is where entities are declared: none of a workbook's parts needs one.
    raise xml_entities_refused("Excel")


def _parse_part(book: zipfile.ZipFile, name: str, budget: Budget,
                start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None,
                text_: Callable[[str], None] | None = None) -> None:
    """Stream one XML part of a workbook to the handlers (local names, without prefixes), a chunk at a time."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype

    def root(tag: str, attributes: dict[str, str]) -> None:
        # Excel writes names without a prefix: only a document whose root has one pays for taking them off,
        # a call per element (a sheet has millions).
        if ":" in tag:
            parser.StartElementHandler = lambda tag_, attributes_: start(tag_.rpartition(":")[2], attributes_)
            if end is not None:
                parser.EndElementHandler = lambda tag_: end(tag_.rpartition(":")[2])
        else:
            parser.StartElementHandler = start
            if end is not None:
                parser.EndElementHandler = end
        parser.StartElementHandler(tag, attributes)

    parser.StartElementHandler = root
    if text_ is not None:
        parser.CharacterDataHandler = text_
    try:
        with book.open(name) as part:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
                budget.check_time()
            parser.Parse(b"", True)
    except (expat.ExpatError, ValueError, *ZIP_ERRORS) as error:
        raise BadParameter("file", N_("Tệp Excel bị hỏng (%(part)s: %(reason)s)"), part=name, reason=str(error)) \
            from error


def _attribute(attributes: dict[str, str], name: str) -> str | None:
    """An attribute by its local name, whatever its prefix."""
    return next((value for key, value in attributes.items() if key.rpartition(":")[2] == name), None)


def _open_workbook(content: bytes, budget: Budget) -> zipfile.ZipFile:
    """The workbook's zip, once its parts are known to be few and small enough, uncompressed."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise BadParameter("file", N_("Tệp không phải là tệp Excel .xlsx hợp lệ")) from error
    check_zip(book.infolist(), budget)
    return book


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


def _active_sheet(book: zipfile.ZipFile, budget: Budget,
                  relations: dict[str, tuple[str, str]]) -> tuple[str, dt.datetime]:
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
    if not sheets:
        raise BadParameter("file", N_("Tệp Excel không có trang tính nào"))
    kind, part = relations.get(sheets[min(found["tab"], len(sheets) - 1)], ("", ""))
    if kind != "worksheet" or part not in book.namelist():
        raise BadParameter("file", N_("Trang tính đang mở của tệp Excel không phải là một bảng"))
    return part, found["epoch"]


def _part_of(book: zipfile.ZipFile, relations: dict[str, tuple[str, str]], kind: str) -> str | None:
    """The part of a kind the workbook relates to, or at its usual name if no relation says (some writers)."""
    names = set(book.namelist())
    usual = f"xl/{kind}.xml"
    return next((part for kind_, part in relations.values() if kind_ == kind and part in names),
                usual if usual in names else None)


class _SharedString(int):
    """A cell's index into the workbook's shared strings, until they are read."""


class _Enough(Exception):
    """Every shared string the sheet uses has been read."""


def _shared_strings(book: zipfile.ZipFile, budget: Budget, part: str | None, last: int) -> list[str]:
    """The workbook's shared strings up to the last one the sheet uses (the rest, often another sheet's, is not
    read), each refused as soon as its text passes the cell limit."""
    strings: list[str] = []
    if part is None or last < 0:
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
            if len(strings) > last:
                raise _Enough
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

    try:
        _parse_part(book, part, budget, start, end, text_)
    except _Enough:
        pass
    return strings


def _date_styles(book: zipfile.ZipFile, budget: Budget, part: str | None) -> dict[str, bool]:
    """Style index (as a cell's s attribute writes it) → whether its number format is a duration (True) or a
    date (False); the other styles are numbers."""
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
        code = custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
        if is_date_format(code):
            styles[str(index)] = is_timedelta_format(code)
    return styles


def _column_letters() -> dict[str, int]:
    """Every column name Excel has (A … XFD) → its 1-based number."""
    names: dict[str, int] = {}
    for number in range(1, EXCEL_MAX_COLUMNS + 1):
        name, rest = "", number
        while rest:
            rest, letter = divmod(rest - 1, 26)
            name = chr(65 + letter) + name
        names[name] = number
    return names


COLUMNS = _column_letters()
_DIGITS = "0123456789"


class _SheetReader:
    """Handlers that turn a worksheet's XML into rows, within the budget (the order of the tests is the order of
    how often each element comes: a sheet is mostly cells)."""

    def __init__(self, budget: Budget, date_styles: dict[str, bool], epoch: dt.datetime):
        self.budget, self.date_styles, self.epoch = budget, date_styles, epoch
        self.last_shared = -1
        self.max_chars, self.max_rows = budget.limits.max_cell_chars, budget.limits.max_rows
        self.rows: list[list[Any]] = []
        self.row_number = 0
        self.cells: list[Any] = []
        self.cells_seen = 0
        self.column = 0
        self.cell_type: str = "n"
        self.style: str | None = None
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "c":
            self.cells_seen += 1
            if self.cells_seen > EXCEL_MAX_COLUMNS:
                raise BadParameter("file", N_("Dòng %(row)s của trang tính có hơn %(n)s ô, nhiều hơn Excel cho phép: "
                                              "tệp bị hỏng"), row=self.row_number, n=EXCEL_MAX_COLUMNS)
            reference = attributes.get("r")
            # A cell without a reference follows the one before; a reference past XFD is past every limit.
            self.column = (COLUMNS.get(reference.rstrip(_DIGITS).upper(), EXCEL_MAX_COLUMNS + 1) if reference
                           else self.column + 1)
            self.cell_type, self.style = attributes.get("t", "n"), attributes.get("s")
            self.pieces, self.length = [], 0
        elif tag == "v" or tag == "t":  # a value, or the text of an inline string
            self.collecting = True
        elif tag == "row":
            number = int(attributes.get("r") or self.row_number + 1)
            if number <= self.row_number:
                raise BadParameter("file", N_("Trang tính bị hỏng: dòng %(row)s ghi sau dòng %(after)s"),
                                   row=number, after=self.row_number)
            self.budget.check_row(number)
            # Rows the file leaves out are empty (and past the row limit, only empty rows are allowed).
            self.rows.extend([] for _ in range(len(self.rows) + 1, min(number, self.max_rows + 1)))
            self.row_number, self.cells, self.column, self.cells_seen = number, [], 0, 0

    def end(self, tag: str) -> None:
        if tag == "c":
            if self.pieces:
                self.budget.place(self.cells, self.column, self._value("".join(self.pieces)), self.row_number)
        elif tag == "v" or tag == "t":
            self.collecting = False
        elif tag == "row" and self.row_number <= self.max_rows:
            self.rows.append(self.cells)

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > self.max_chars:
                raise self.budget.too_long(self.row_number, self.column)
            self.pieces.append(data)

    def _value(self, raw: str) -> Any:
        """A cell's value by its type, as openpyxl reads it: inline text, bool, date, int or float, or the index of
        a shared string."""
        kind = self.cell_type
        if kind == "s":
            index = _SharedString(raw)
            self.last_shared = max(self.last_shared, index)
            return index
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


def read_workbook(content: bytes, budget: Budget) -> list[list[Any]]:
    """The rows of the workbook's active sheet; its declared dimension is not trusted and not read."""
    with _open_workbook(content, budget) as book:
        relations = _relations(book, budget)
        part, epoch = _active_sheet(book, budget, relations)
        reader = _SheetReader(budget, _date_styles(book, budget, _part_of(book, relations, "styles")), epoch)
        _parse_part(book, part, budget, reader.start, reader.end, reader.text)
        strings = _shared_strings(book, budget, _part_of(book, relations, "sharedStrings"), reader.last_shared)
    for number, row in enumerate(reader.rows, start=1):
        for column, value in enumerate(row, start=1):
            if isinstance(value, _SharedString):
                if not 0 <= value < len(strings):
                    raise BadParameter("file", N_("Tệp Excel bị hỏng: ô ở dòng %(row)s trỏ tới chuỗi không có"),
                                       row=number)
                row[column - 1] = budget.cell(strings[value], number, column)
    return reader.rows

