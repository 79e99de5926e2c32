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
