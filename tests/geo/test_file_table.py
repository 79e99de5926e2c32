"""Bounded reading of uploaded tables: hostile workbooks and CSVs are refused by name, ordinary ones read whole.

Every hostile file is built here, in code; the reader must refuse it (or read it within the limits) without
doing the work the file asks for. The times are measured outside the tests, not asserted.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Callable, Iterable

import openpyxl
import pytest

from geo.errors import BadParameter
from geo.file_table import ReadLimits, read_file

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}


def workbook(sheet: Iterable[bytes], shared: Iterable[bytes] = (b'<sst xmlns="' + MAIN_NS.encode() + b'"/>',)) -> bytes:
    """A workbook whose sheet and shared strings parts are written from chunks, streamed into the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text_ in PARTS.items():
            book.writestr(name, text_)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            with book.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def sheet_of(rows: str, dimension: str = "A1:C3") -> list[bytes]:
    return [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><dimension ref="{dimension}"/>'
            f'<sheetData>{rows}</sheetData></worksheet>'.encode()]


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """A copy of a zip with one part changed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.infolist():
            data = source.read(member)
            copy.writestr(member, change(data) if member.filename == name else data)
    return buffer.getvalue()


def refusal(content: bytes, filename: str, **limits) -> BadParameter:
    with pytest.raises(BadParameter) as refused:
        read_file(content, filename, ReadLimits(**limits))
    assert refused.value.field == "file"
    return refused.value


# --- hostile workbooks --------------------------------------------------------------------------------------------

def test_a_workbook_declaring_the_whole_sheet_with_three_rows_reads_its_three_rows():
    book = openpyxl.Workbook()
    for row in (["Tên", "Loại", "Số hộ tham gia"], ["Tổ 1", "waste_sorting", 12], ["Tổ 2", "waste_sorting", 30]):
        book.active.append(row)
    content = rewritten(saved(book), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b'ref="A1:C3"', b'ref="A1:XFD1048576"'))
    with zipfile.ZipFile(io.BytesIO(content)) as check:
        assert b"A1:XFD1048576" in check.read("xl/worksheets/sheet1.xml")
    table = read_file(content, "ds.xlsx")
    assert table.rows == [["Tên", "Loại", "Số hộ tham gia"], ["Tổ 1", "waste_sorting", 12],
                          ["Tổ 2", "waste_sorting", 30]]
    assert (table.kind, table.separator, table.warnings) == ("xlsx", None, [])


def huge_string(megabytes: int) -> Iterable[bytes]:
    yield f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    for _ in range(megabytes):
        yield b"a" * 1_000_000
    yield b"</t></si></sst>"


def test_a_workbook_holding_a_400_mb_string_is_refused_by_its_uncompressed_size():
    content = workbook(sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), huge_string(400))
    assert len(content) < 2_000_000
    error = refusal(content, "ds.xlsx")
    assert "MB" in str(error) and error.params["part"] == "xl/sharedStrings.xml"
    assert error.params["mb"] >= 400


def test_a_long_string_within_the_size_limit_is_refused_by_its_length_while_streaming():
    content = workbook(sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), huge_string(20))
    error = refusal(content, "ds.xlsx", max_uncompressed_bytes=100_000_000)
    assert error.params == {"n": 10_000, "index": 1}


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><sst xmlns="' + MAIN_NS.encode() + b'"><si><t>&lol9;</t></si></sst>')


@pytest.mark.parametrize("part", ["shared strings", "sheet"])
def test_a_workbook_with_an_xml_entity_is_refused(part):
    sheet = sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    if part == "sheet":
        content = workbook([BILLION_LAUGHS.replace(b"<sst", b"<worksheet").replace(b"</sst>", b"</worksheet>")])
    else:
        content = workbook(sheet, [BILLION_LAUGHS])
    assert "DOCTYPE" in str(refusal(content, "ds.xlsx"))


def million_empty_cells_per_row(rows: int) -> Iterable[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    for number in range(1, rows + 1):
        yield f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>Tổ {number}</t></is></c>'.encode()
        for _ in range(10):
            yield b"<c/>" * 100_000
        yield b"</row>"
    yield b"</sheetData></worksheet>"


def test_a_workbook_with_a_million_empty_cells_per_row_is_refused_at_the_first_row():
    error = refusal(workbook(million_empty_cells_per_row(3)), "ds.xlsx")
    assert error.params == {"row": 1, "n": 16_384}


def test_empty_cells_past_the_column_limit_are_left_out_but_a_value_there_is_refused():
    empty_tail = "".join(f'<c r="{column}1" s="1"/>' for column in ("AA", "ZZ", "XFD"))
    table = read_file(workbook(sheet_of(f'<row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></c>{empty_tail}'
                                        '</row>')), "ds.xlsx", ReadLimits(max_columns=20))
    assert table.rows == [["Tên"]]
    error = refusal(workbook(sheet_of('<row r="1"><c r="A1"><v>1</v></c><c r="Z1"><v>2</v></c></row>')), "ds.xlsx",
                    max_columns=20)
    assert error.params == {"row": 1, "column": 26, "n": 20}


def test_rows_the_sheet_leaves_out_count_toward_the_row_limit():
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>'
    assert read_file(workbook(sheet_of(rows)), "ds.xlsx").rows == [[1], [None], [None], [4]]
    far = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2001"><c r="A2001"><v>2001</v></c></row>'
    assert refusal(workbook(sheet_of(far)), "ds.xlsx").params == {"n": 2000}


def test_a_formatted_range_nobody_filled_may_follow_the_rows_up_to_its_own_cap():
    """Borders drawn down to row 5000 write 5000 rows of empty styled cells: the sheet is read; 20 000 are not."""
    def bordered(last: int) -> str:
        return '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></c></row>' + "".join(
            f'<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}" s="1"/></row>' for n in range(2, last + 1))
    assert read_file(workbook(sheet_of(bordered(5000))), "ds.xlsx").rows == [["Tên"]]
    assert refusal(workbook(sheet_of(bordered(20_000))), "ds.xlsx").params == {"n": 2000}
    csv_rows = read_file(("Tên;Số hộ\nTổ 1;12\n" + ";\n" * 5000).encode(), "ds.csv").rows
    assert csv_rows == [["Tên", "Số hộ"], ["Tổ 1", "12"]]


def test_a_file_that_is_not_a_workbook_is_refused_by_name():
    assert "xlsx" in str(refusal(b"PK\x03\x04 not really", "ds.xlsx"))
    assert ".csv" in str(refusal(b"anything", "ds.xls"))


# --- hostile CSVs -------------------------------------------------------------------------------------------------

def test_a_utf8_csv_with_one_stray_byte_is_refused_with_its_line_and_position():
    content = "Tên,Loại\nChợ Vĩnh Quang,waste_sorting\n".encode() + b"T\xe9 3,waste_sorting\n"
    error = refusal(content, "ds.csv")
    assert error.params == {"byte": "0xE9", "line": 3, "column": 2}


def test_a_binary_file_named_csv_is_refused():
    assert refusal(WORKBOOKS["office list"], "ds.csv").params == {"line": 1}
    assert refusal("Tên,Số hộ\nTổ 1,12\n".encode("utf-16-le"), "ds.csv").params == {"line": 1}


def test_a_csv_of_a_million_empty_lines_is_refused_at_the_row_limit():
    assert refusal(b"\n" * 1_000_000, "ds.csv").params == {"n": 2000}


def test_a_cell_longer_than_the_limit_is_refused_by_row_and_column():
    content = ("Tên,Mô tả\nTổ 1," + "x" * 20_000 + "\n").encode()
    assert refusal(content, "ds.csv").params == {"row": 2, "column": 2, "n": 10_000}
    assert refusal(("Tên,Mô tả\nTổ 1," + "x" * 500_000 + "\n").encode(), "ds.csv").params == {"row": 2, "n": 10_000}


# A plain CSV of Excel on a Vietnamese Windows: code page 1258, tone marks as separate characters (ợ is ơ + ̣).
WINDOWS_1258 = (b"T\xean;\xd0i\xf2a chi\xd2;R\xe1c \xf0\xfd\xf5\xf2c ph\xe2n loa\xf2i (t\xe2\xecn/th\xe1ng)\r\n"
                b"Ch\xf5\xf2 Vi\xdenh Quang;S\xf4\xec 5 \xf0\xfd\xf5\xccng Tr\xe2\xccn Ph\xfa;1,5\r\n"
                b"T\xf4\xd2 3;TP. Ra\xf2ch Gi\xe1;1.200\r\n")


def test_a_plain_csv_of_vietnamese_windows_is_read_as_1258_and_said_so():
    with pytest.raises(UnicodeDecodeError):
        WINDOWS_1258.decode("utf-8")
    table = read_file(WINDOWS_1258, "ds.csv")
    assert table.rows == [["Tên", "Địa chỉ", "Rác được phân loại (tấn/tháng)"],
                          ["Chợ Vĩnh Quang", "Số 5 đường Trần Phú", "1,5"], ["Tổ 3", "TP. Rạch Giá", "1.200"]]
    assert table.separator == ";"
    assert [(field, params) for field, _reason, params in table.warnings] == [("file", {})]
    assert "Windows-1258" in table.warnings[0][1]


def test_a_utf8_csv_with_bom_is_read_without_a_warning():
    table = read_file("\ufeffTên,Số hộ tham gia\nTổ 1,\"1,200\"\n\n".encode(), "ds.csv")
    assert table.rows == [["Tên", "Số hộ tham gia"], ["Tổ 1", "1,200"]]
    assert (table.separator, table.warnings) == (",", [])


def test_a_title_row_and_decimal_commas_do_not_hide_the_semicolon_separator():
    table = read_file("Danh sách điểm, năm 2024\nTên;Rác được phân loại;Số hộ\nTổ 1;1,5;12\nTổ 2;2,5;30\n".encode(),
                      "ds.csv")
    assert table.separator == ";"
    assert table.rows == [["Danh sách điểm, năm 2024", None, None], ["Tên", "Rác được phân loại", "Số hộ"],
                          ["Tổ 1", "1,5", "12"], ["Tổ 2", "2,5", "30"]]


def test_excel_unicode_text_renamed_csv_is_read_as_utf16():
    table = read_file("Tên\tSố hộ\r\nChợ Vĩnh Quang\t12\r\n".encode("utf-16"), "ds.csv")
    assert (table.rows, table.separator, table.warnings) == ([["Tên", "Số hộ"], ["Chợ Vĩnh Quang", "12"]], "\t", [])


def test_a_damaged_workbook_is_refused_by_name():
    content = bytearray(workbook(sheet_of('<row r="1"><c r="A1" t="inlineStr"><is><t>Tên điểm</t></is></c></row>')))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as book:
        sheet = book.getinfo("xl/worksheets/sheet1.xml")
    local_header = sheet.header_offset
    name_length, extra_length = (int.from_bytes(content[local_header + at:local_header + at + 2], "little")
                                 for at in (26, 28))
    data = local_header + 30 + name_length + extra_length
    content[data + sheet.compress_size // 2] ^= 0xFF  # a byte in the middle of the sheet's compressed data
    assert "Excel" in str(refusal(bytes(content), "ds.xlsx"))
    one_string = [f'<sst xmlns="{MAIN_NS}"><si><t>Tên</t></si></sst>'.encode()]
    for index in ("-1", "1", "x"):
        sheet_xml = sheet_of(f'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>{index}</v></c></row>')
        assert "Excel" in str(refusal(workbook(sheet_xml, one_string), "ds.xlsx"))
    assert read_file(workbook(sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), one_string),
                     "ds.xlsx").rows == [["Tên"]]


# --- ordinary files: every value as the office typed it ----------------------------------------------------------

OFFICE_HEADINGS = ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nhiệm vụ", "Ngày bắt đầu", "Số hộ tham gia",
                   "Rác được phân loại (tấn/tháng)"]
OFFICE_ROWS = [["Tổ dân phố 3", "Thí điểm phân loại rác tại nguồn", 105.083232, 10.009516, "VI.2",
                dt.datetime(2024, 3, 1), 75, "12,5"],
               ["Chợ Vĩnh Quang", "Rach Gia", 105.069098, 10.026058, "VI.2", "01/06/2023", "1.200", 2.5]]


def office_workbook(rows: list[list] = OFFICE_ROWS) -> bytes:
    """A district office's list: a title row, an empty row, the headings, then the sites."""
    book = openpyxl.Workbook()
    for row in [["Danh sách điểm thí điểm – TP. Rạch Giá"], [], OFFICE_HEADINGS, *rows]:
        book.active.append(row)
    return saved(book)


def test_an_office_workbook_keeps_every_row_and_value():
    table = read_file(office_workbook(), "ds.xlsx")
    assert table.rows == [["Danh sách điểm thí điểm – TP. Rạch Giá", *[None] * 7], [None] * 8, OFFICE_HEADINGS,
                          *OFFICE_ROWS]
    assert (table.kind, table.separator, table.warnings) == ("xlsx", None, [])


def test_office_csvs_keep_every_row_and_value():
    semicolon = ("Danh sách;;\nTên;Số hộ tham gia;Rác được phân loại (tấn/tháng)\nTổ 1;1.200;1,5\n").encode("utf-8-sig")
    assert read_file(semicolon, "ds.csv").rows == [["Danh sách", None, None],
                                                   ["Tên", "Số hộ tham gia", "Rác được phân loại (tấn/tháng)"],
                                                   ["Tổ 1", "1.200", "1,5"]]
    comma = 'Tên,Số hộ tham gia,Công suất lắp đặt (kWp)\r\n"Tổ 1, phường Vĩnh Quang","1,200",1.5\r\n'.encode()
    table = read_file(comma, "ds.csv")
    assert table.rows == [["Tên", "Số hộ tham gia", "Công suất lắp đặt (kWp)"],
                          ["Tổ 1, phường Vĩnh Quang", "1,200", "1.5"]]
    assert (table.kind, table.separator) == ("csv", ",")


def openpyxl_rows(content: bytes) -> list[list]:
    """The rows of the active sheet as openpyxl's own reader gives them, without the padding to the dimension."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    return trimmed(rows)


def trimmed(rows: list[list]) -> list[list]:
    """Rows without trailing empty cells, and without the empty rows at the end."""
    rows = [row[:max((i + 1 for i, cell in enumerate(row) if cell is not None), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def every_kind_of_cell() -> bytes:
    """A workbook as Excel keeps one: text, rich text, whole and decimal numbers, dates and times, booleans,
    formulas, percentages, gaps between cells and rows."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tên", "Ngày", "Giờ", "Số", "Tỷ lệ", "Có", "Công thức"])
    sheet.append(["Tổ 1", dt.date(2024, 3, 1), dt.time(7, 30), 1.5, 0.25, True, "=1+1"])
    sheet.append([CellRichText("Chợ ", TextBlock(InlineFont(b=True), "Vĩnh Quang")), dt.datetime(2023, 6, 1, 8, 15),
                  None, 1200, None, False, None])
    sheet["E3"].number_format = "0.00%"
    sheet["B2"].number_format = "dd/mm/yyyy"
    sheet["J6"] = "xa"
    return saved(book)


def second_sheet_open_in_the_mac_calendar() -> bytes:
    """A workbook saved with its second sheet open, in Excel for Mac's 1904 calendar."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["Trang đầu"])
    second = book.create_sheet("Danh sách")
    second.append(["Tên", "Ngày bắt đầu"])
    second.append(["Tổ 1", dt.date(2024, 3, 1)])
    book.active = 1
    return saved(book)


def many_rows(n: int) -> list[list]:
    return [[f"Tổ {i}", "waste_sorting", 105.083232, 10.009516, "VI.2", None, i, None] for i in range(n)]


WORKBOOKS = {
    "office list": office_workbook(),
    "every kind of cell": every_kind_of_cell(),
    "second sheet open, 1904 calendar": second_sheet_open_in_the_mac_calendar(),
    "300 rows": office_workbook(many_rows(300)),
}


@pytest.mark.parametrize("name", WORKBOOKS)
def test_workbooks_give_the_rows_openpyxl_reads(name):
    content = WORKBOOKS[name]
    assert trimmed(read_file(content, "ds.xlsx").rows) == openpyxl_rows(content)


def test_exactly_the_row_limit_is_read_and_one_more_is_refused():
    """Title, empty row and headings count: 3 + 7 sites is 10 rows."""
    assert len(read_file(office_workbook(many_rows(7)), "ds.xlsx", ReadLimits(max_rows=10)).rows) == 10
    assert refusal(office_workbook(many_rows(8)), "ds.xlsx", max_rows=10).params == {"n": 10}
    lines = "\n".join(",".join("" if c is None else str(c) for c in row) for row in [OFFICE_HEADINGS, *many_rows(9)])
    assert len(read_file(lines.encode(), "ds.csv", ReadLimits(max_rows=10)).rows) == 10
    assert refusal((lines + "\nTổ 10").encode(), "ds.csv", max_rows=10).params == {"n": 10}
