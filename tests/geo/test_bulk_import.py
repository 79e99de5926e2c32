"""Bulk import as district offices keep their lists: Vietnamese headings, workbook dates, Windows code page."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import bulk_import
from geo.errors import BadParameter
from tests.staffkit import IN_RACH_GIA, IN_RACH_GIA_2, make_users

HEADINGS = ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Trạng thái", "Nhiệm vụ", "Cơ quan chủ trì", "Địa chỉ",
            "Ngày bắt đầu", "Nguồn", "Số hộ tham gia"]


@pytest.fixture
def users(db):
    return make_users(db)


def cp1258(text_: str) -> bytes:
    """Text as Vietnamese Windows saves a plain CSV: a letter with its tone mark as two characters."""
    out = b""
    for char in unicodedata.normalize("NFC", text_):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            # ê, ơ, ư, ă… exist whole in the code page; only the tone mark is separate.
            composed = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in "\u0302\u0306\u031b"))
            out += composed.encode("cp1258") + "".join(m for m in marks if m not in "\u0302\u0306\u031b"
                                                       ).encode("cp1258")
    return out


def sites(db) -> list[dict]:
    with db.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(text(
            "SELECT name, lead_agency, address, start_date, measures, moderation, district_code FROM site "
            "ORDER BY id"))]


def test_a_workbook_with_date_cells_and_vietnamese_headings(db, users):
    book = openpyxl.Workbook()
    book.active.append(HEADINGS)
    book.active.append(["Tổ dân phố 3", "Thí điểm phân loại rác tại nguồn", IN_RACH_GIA[0], IN_RACH_GIA[1],
                        "Đang hoạt động", "VI.2", "UBND phường Vĩnh Thanh Vân", "Số 5 đường Trần Phú",
                        dt.datetime(2024, 3, 1), "Danh sách của phòng", 75])
    buffer = io.BytesIO()
    book.save(buffer)
    with Session(db) as session, session.begin():
        rows = bulk_import.preview(session, users["staff_899"], buffer.getvalue(), "danh-sach.xlsx")
        assert rows[0]["problems"] == []
        bulk_import.confirm(session, users["staff_899"], rows, {2})
    assert sites(db) == [{"name": "Tổ dân phố 3", "lead_agency": "UBND phường Vĩnh Thanh Vân",
                          "address": "Số 5 đường Trần Phú", "start_date": dt.date(2024, 3, 1),
                          "measures": {"households": 75}, "moderation": "submitted", "district_code": "899"}]


def test_a_plain_csv_saved_by_vietnamese_windows(db, users):
    lines = [";".join(HEADINGS),
             f"Chợ Vĩnh Quang;waste_sorting;{IN_RACH_GIA_2[0]};{IN_RACH_GIA_2[1]};active;VI.2;;;01/06/2023;Phòng;40"]
    content = cp1258("\r\n".join(lines) + "\r\n")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    with Session(db) as session, session.begin():
        rows = bulk_import.preview(session, users["planner"], content, "ds.csv")
        assert rows[0]["problems"] == []
        bulk_import.confirm(session, users["planner"], rows, {2})
    [site] = sites(db)
    assert site["name"] == "Chợ Vĩnh Quang" and site["start_date"] == dt.date(2023, 6, 1)
    assert site["moderation"] == "approved"


def test_one_refused_row_writes_nothing(db, users):
    lines = [",".join(HEADINGS[:6] + ["Nguồn"]),
             f"Điểm tốt,waste_sorting,{IN_RACH_GIA[0]},{IN_RACH_GIA[1]},active,VI.2,x",
             "Tọa độ hỏng,waste_sorting,105°99',10.0,active,VI.2,x"]
    with Session(db) as session, session.begin():
        rows = bulk_import.preview(session, users["staff_899"], "\n".join(lines).encode(), "ds.csv")
        assert [field for field, _reason, _params in rows[1]["problems"]] == ["lon"]
        with pytest.raises(BadParameter) as refused:
            bulk_import.confirm(session, users["staff_899"], rows, {2, 3})
        assert refused.value.field == "row" and "3" in str(refused.value)
    assert sites(db) == []


# --- numbers read by the file's locale ---------------------------------------------------------------------

NUMBER_HEADINGS = ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nhiệm vụ", "Nguồn", "Số hộ tham gia", "Rác được phân loại"]


def measures_of(db) -> list[dict]:
    return [site["measures"] for site in sites(db)]


def import_all(db, actor, content: bytes, filename: str) -> list[dict]:
    with Session(db) as session, session.begin():
        rows = bulk_import.preview(session, actor, content, filename)
        assert [row["problems"] for row in rows] == [[]] * len(rows)
        bulk_import.confirm(session, actor, rows, {row["row"] for row in rows})
    return rows


def test_a_semicolon_csv_of_vietnamese_excel_reads_1_200_as_twelve_hundred(db, users):
    content = (";".join(NUMBER_HEADINGS)
               + f"\nTổ 1;waste_sorting;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};VI.2;Phòng;1.200;1,5\n")
    import_all(db, users["planner"], cp1258(content), "ds.csv")
    assert measures_of(db) == [{"households": 1200, "tonnes_sorted_per_month": 1.5}]


def test_a_comma_csv_in_english_reads_1_200_as_twelve_hundred_and_1_5_as_one_and_a_half(db, users):
    content = ",".join(NUMBER_HEADINGS) + f'\nTổ 1,waste_sorting,{IN_RACH_GIA[0]},{IN_RACH_GIA[1]},VI.2,x,"1,200",1.5\n'
    import_all(db, users["planner"], content.encode(), "ds.csv")
    assert measures_of(db) == [{"households": 1200, "tonnes_sorted_per_month": 1.5}]


def workbook_of(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(NUMBER_HEADINGS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_a_decimal_comma_elsewhere_is_read_the_vietnamese_way(db, users):
    content = workbook_of([["Tổ 1", "waste_sorting", *IN_RACH_GIA, "VI.2", "x", "1.200", None],
                           ["Tổ 2", "waste_sorting", *IN_RACH_GIA_2, "VI.2", "x", 30, "2,5"]])
    rows = import_all(db, users["planner"], content, "ds.xlsx")
    assert [row["warnings"] for row in rows] == [[], []]
    assert measures_of(db) == [{"households": 1200}, {"households": 30, "tonnes_sorted_per_month": 2.5}]


def test_a_number_that_reads_two_ways_in_a_file_of_unclear_locale_is_flagged(db, users):
    content = workbook_of([["Tổ 1", "waste_sorting", *IN_RACH_GIA, "VI.2", "x", "1.200", None]])
    with Session(db) as session:
        [row] = bulk_import.preview(session, users["planner"], content, "ds.xlsx")
    assert [field for field, _reason, _params in row["warnings"]] == ["measures.households"]
    assert row["problems"] == [] and row["record"]["measures"] == {"households": 1200}


def test_a_number_written_the_other_way_is_refused_by_name(db, users):
    content = ";".join(NUMBER_HEADINGS) + f"\nTổ 1;waste_sorting;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};VI.2;x;12;1.5\n"
    with Session(db) as session:
        [row] = bulk_import.preview(session, users["planner"], content.encode(), "ds.csv")
    assert [field for field, _reason, _params in row["problems"]] == ["measures.tonnes_sorted_per_month"]
    assert row["record"] is None


def test_free_text_for_a_closed_list_is_refused_in_the_import(db, users):
    content = ("Tên;Loại;Kinh độ;Vĩ độ;Nhiệm vụ;Nguồn;Loại điện mặt trời\n"
               f"Mái nhà;solar;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};I.1;x;áp mái\n")
    with Session(db) as session:
        [row] = bulk_import.preview(session, users["planner"], content.encode(), "ds.csv")
    assert [field for field, _reason, _params in row["problems"]] == ["measures.solar_kind"]


# --- streamed, with limits -----------------------------------------------------------------------------------

class CountingStream(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line

    def read1(self, size: int = -1) -> bytes:
        chunk = super().read1(size)
        self.bytes_read += len(chunk)
        return chunk

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self.bytes_read += n
        return n


def many_rows(n: int) -> list[list]:
    return [[f"Tổ {i}", "waste_sorting", IN_RACH_GIA[0], IN_RACH_GIA[1], "VI.2", "x", i, None] for i in range(n)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reading_stops_at_the_row_limit(db, users, kind):
    rows = many_rows(30000)
    if kind == "csv":
        content = "\n".join(",".join(str(c or "") for c in row) for row in [NUMBER_HEADINGS, *rows]).encode()
    else:
        content = workbook_of(rows)
    stream = CountingStream(content)
    with Session(db) as session, pytest.raises(BadParameter) as refused:
        bulk_import.preview(session, users["planner"], stream, f"ds.{kind}", max_rows=10)
    assert refused.value.field == "file" and "10 dòng" in str(refused.value)
    assert stream.bytes_read < len(content) / 4


def test_exactly_the_row_limit_is_accepted(db, users):
    with Session(db) as session:
        rows = bulk_import.preview(session, users["planner"], workbook_of(many_rows(3)), "ds.xlsx", max_rows=3)
    assert [row["row"] for row in rows] == [2, 3, 4]


# --- fast confirm ---------------------------------------------------------------------------------------------

def test_a_confirm_writes_every_row_and_its_history_row_in_one_transaction(db, users):
    rows = [[f"Tổ {i}", "waste_sorting", IN_RACH_GIA[0] + i * 1e-5, IN_RACH_GIA[1], "VI.2", "x", i + 1, None]
            for i in range(300)]
    with Session(db) as session, session.begin():
        preview = bulk_import.preview(session, users["staff_899"], workbook_of(rows), "ds.xlsx")
        ids = bulk_import.confirm(session, users["staff_899"], preview, {row["row"] for row in preview})
    assert len(ids) == 300
    with db.connect() as connection:
        written = connection.execute(text(
            "SELECT s.name, s.moderation, s.district_code, s.measures, h.action, h.after->>'district_code', "
            "h.changed_by FROM site s JOIN site_history h ON h.site_id = s.id ORDER BY s.id")).all()
    assert len(written) == 300
    assert written[0] == ("Tổ 0", "submitted", "899", {"households": 1}, "create", "899", users["staff_899"].id)
    assert [row[0] for row in written] == [f"Tổ {i}" for i in range(300)]
