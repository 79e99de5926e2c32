"""Bulk import as district offices keep their lists: title rows, the form's headings with units, Vietnamese numbers,
workbook dates, short and unaccented names, the Windows code page; kept server-side and confirmed once."""
from __future__ import annotations

import datetime as dt
import io
import threading
import unicodedata

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import import_store
from geo.errors import BadParameter, Conflict
from tests.staffkit import IN_RACH_GIA, IN_RACH_GIA_2, make_users

HEADINGS = ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Trạng thái", "Nhiệm vụ", "Cơ quan chủ trì", "Địa chỉ",
            "Ngày bắt đầu", "Nguồn", "Số hộ tham gia"]


@pytest.fixture
def users(db):
    return make_users(db)


def preview(session, actor, content: bytes, filename: str, max_rows: int = 2000) -> tuple[str, list[dict]]:
    """The import's id and its rows, as the staff page and the API get them."""
    import_id, shown = import_store.start(session, actor, content, filename, max_rows)
    return import_id, shown.rows


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
        import_id, rows = preview(session, users["staff_899"], buffer.getvalue(), "danh-sach.xlsx")
        assert rows[0]["problems"] == []
        import_store.confirm(session, users["staff_899"], import_id, {2})
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
        import_id, rows = preview(session, users["planner"], content, "ds.csv")
        assert rows[0]["problems"] == []
        import_store.confirm(session, users["planner"], import_id, {2})
    [site] = sites(db)
    assert site["name"] == "Chợ Vĩnh Quang" and site["start_date"] == dt.date(2023, 6, 1)
    assert site["moderation"] == "approved"


def test_one_refused_row_writes_nothing(db, users):
    lines = [",".join(HEADINGS[:6] + ["Nguồn"]),
             f"Điểm tốt,waste_sorting,{IN_RACH_GIA[0]},{IN_RACH_GIA[1]},active,VI.2,x",
             "Tọa độ hỏng,waste_sorting,105°99',10.0,active,VI.2,x"]
    with Session(db) as session, session.begin():
        import_id, rows = preview(session, users["staff_899"], "\n".join(lines).encode(), "ds.csv")
        assert [field for field, _reason, _params in rows[1]["problems"]] == ["lon"]
        with pytest.raises(BadParameter) as refused:
            import_store.confirm(session, users["staff_899"], import_id, {2, 3})
        assert refused.value.field == "row" and "3" in str(refused.value)
    assert sites(db) == []


# --- numbers read by the file's locale ---------------------------------------------------------------------

NUMBER_HEADINGS = ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nhiệm vụ", "Nguồn", "Số hộ tham gia", "Rác được phân loại"]


def measures_of(db) -> list[dict]:
    return [site["measures"] for site in sites(db)]


def import_all(db, actor, content: bytes, filename: str) -> list[dict]:
    with Session(db) as session, session.begin():
        import_id, rows = preview(session, actor, content, filename)
        assert [row["problems"] for row in rows] == [[]] * len(rows)
        import_store.confirm(session, actor, import_id, {row["row"] for row in rows})
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


def test_coordinates_typed_with_decimal_commas_say_how_the_file_writes_numbers(db, users):
    lon, lat = (f"{value:.6f}".replace(".", ",") for value in IN_RACH_GIA)
    content = workbook_of([["Tổ 1", "waste_sorting", lon, lat, "VI.2", "x", "1.200", None]])
    rows = import_all(db, users["planner"], content, "ds.xlsx")
    assert [row["warnings"] for row in rows] == [[]]
    assert measures_of(db) == [{"households": 1200}]


def test_a_number_that_reads_two_ways_in_a_file_of_unclear_locale_is_flagged(db, users):
    content = workbook_of([["Tổ 1", "waste_sorting", *IN_RACH_GIA, "VI.2", "x", "1.200", None]])
    with Session(db) as session:
        _id, [row] = preview(session, users["planner"], content, "ds.xlsx")
    assert [field for field, _reason, _params in row["warnings"]] == ["measures.households"]
    assert row["problems"] == [] and row["record"]["measures"] == {"households": 1200}


def test_a_number_written_the_other_way_is_refused_by_name(db, users):
    content = ";".join(NUMBER_HEADINGS) + f"\nTổ 1;waste_sorting;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};VI.2;x;12;1.5\n"
    with Session(db) as session:
        _id, [row] = preview(session, users["planner"], content.encode(), "ds.csv")
    assert [field for field, _reason, _params in row["problems"]] == ["measures.tonnes_sorted_per_month"]
    assert row["record"] is None


def test_a_closed_list_takes_its_names_and_refuses_free_text_by_name(db, users):
    content = ("Tên;Loại;Kinh độ;Vĩ độ;Nhiệm vụ;Nguồn;Loại điện mặt trời\n"
               f"Mái nhà;solar;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};I.1;x;áp mái\n"
               f"Mái tôn;solar;{IN_RACH_GIA_2[0]};{IN_RACH_GIA_2[1]};I.1;x;mái tôn\n")
    with Session(db) as session:
        _id, [named, free] = preview(session, users["planner"], content.encode(), "ds.csv")
    assert named["problems"] == [] and named["record"]["measures"] == {"solar_kind": "rooftop"}
    assert [field for field, _reason, _params in free["problems"]] == ["measures.solar_kind"]


def many_rows(n: int) -> list[list]:
    return [[f"Tổ {i}", "waste_sorting", IN_RACH_GIA[0], IN_RACH_GIA[1], "VI.2", "x", i, None] for i in range(n)]


def test_exactly_the_row_limit_is_accepted(db, users):
    with Session(db) as session:
        _id, rows = preview(session, users["planner"], workbook_of(many_rows(3)), "ds.xlsx", max_rows=4)
    assert [row["row"] for row in rows] == [2, 3, 4]
    with Session(db) as session, pytest.raises(BadParameter) as refused:
        preview(session, users["planner"], workbook_of(many_rows(4)), "ds.xlsx", max_rows=4)
    assert refused.value.field == "file"


# --- fast confirm ---------------------------------------------------------------------------------------------

def test_a_confirm_writes_every_row_and_its_history_row_in_one_transaction(db, users):
    rows = [[f"Tổ {i}", "waste_sorting", IN_RACH_GIA[0] + i * 1e-5, IN_RACH_GIA[1], "VI.2", "x", i + 1, None]
            for i in range(300)]
    with Session(db) as session, session.begin():
        import_id, shown = preview(session, users["staff_899"], workbook_of(rows), "ds.xlsx")
        ids = import_store.confirm(session, users["staff_899"], import_id, {row["row"] for row in shown})
    assert len(ids) == 300
    with db.connect() as connection:
        written = connection.execute(text(
            "SELECT s.name, s.moderation, s.district_code, s.measures, h.action, h.after->>'district_code', "
            "h.changed_by FROM site s JOIN site_history h ON h.site_id = s.id ORDER BY s.id")).all()
    assert len(written) == 300
    assert written[0] == ("Tổ 0", "submitted", "899", {"households": 1}, "create", "899", users["staff_899"].id)
    assert [row[0] for row in written] == [f"Tổ {i}" for i in range(300)]


# --- an office's spreadsheet, in one attempt ------------------------------------------------------------------

def office_workbook() -> bytes:
    """As an office types it: a title row, the form's headings with their units, numbers as Vietnamese text,
    dd/mm/yyyy and real dates, short and unaccented names, a column of its own."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐIỂM THÍ ĐIỂM SẢN XUẤT VÀ TIÊU DÙNG BỀN VỮNG NĂM 2024"])
    sheet.append([])
    sheet.append(["Tên điểm", "Loại", "Huyện", "Kinh độ", "Vĩ độ", "Số hộ tham gia (hộ)",
                  "Rác được phân loại (tấn/tháng)", "Công suất lắp đặt (kWp)", "Ngày bắt đầu", "Nguồn thông tin",
                  "Người lập"])
    sheet.append(["Tổ dân phố 1", "Phan loai rac", "TP. Rạch Giá", *IN_RACH_GIA, "1.200", "12,5", None,
                  "01/03/2024", "Phòng TN&MT", "Lan"])
    sheet.append(["Tổ dân phố 2", "Thí điểm phân loại rác tại nguồn", "Rach Gia", *IN_RACH_GIA_2, 35, 4.5, None,
                  dt.datetime(2024, 4, 2), "Phòng TN&MT", "Lan"])
    sheet.append(["Mái nhà UBND phường", "Điện mặt trời", "Rạch Giá", IN_RACH_GIA[0] + 0.002, IN_RACH_GIA[1], None,
                  None, "1.350,5", dt.date(2023, 12, 1), "Phòng KT", "Minh"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_office_spreadsheet_imports_in_one_attempt_with_every_value_right(db, users):
    with Session(db) as session, session.begin():
        import_id, shown = import_store.start(session, users["staff_899"], office_workbook(), "ds.xlsx", 2000)
        assert shown.heading_row == 3 and shown.locale == "vi"
        assert [(c.heading, c.field) for c in shown.columns if c.field is None] == [("Người lập", None)]
        assert [row["problems"] for row in shown.rows] == [[], [], []]
        import_store.confirm(session, users["staff_899"], import_id)
    with db.connect() as connection:
        stored = connection.execute(text("SELECT name, category_code, status, plan_task, start_date, measures "
                                         "FROM site ORDER BY id")).all()
    assert stored == [
        ("Tổ dân phố 1", "waste_sorting", "active", "VI.2", dt.date(2024, 3, 1),
         {"households": 1200, "tonnes_sorted_per_month": 12.5}),
        ("Tổ dân phố 2", "waste_sorting", "active", "VI.2", dt.date(2024, 4, 2),
         {"households": 35, "tonnes_sorted_per_month": 4.5}),
        ("Mái nhà UBND phường", "solar", "active", "I.1", dt.date(2023, 12, 1), {"kwp": 1350.5})]


def rows_of(db, users, *lines: list) -> list[dict]:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    with Session(db) as session:
        return import_store.start(session, users["planner"], buffer.getvalue(), "ds.xlsx", 2000)[1].rows


def reasons(row: dict) -> list[tuple[str, str]]:
    return [(field, reason % params if params else reason) for field, reason, params in row["problems"]]


def test_a_district_that_contradicts_the_coordinates_is_a_problem_on_its_row(db, users):
    row, unknown = rows_of(db, users, ["Tên", "Loại", "Huyện", "Kinh độ", "Vĩ độ", "Nguồn"],
                           ["Tổ 1", "waste_sorting", "Hòn Đất", *IN_RACH_GIA, "x"],
                           ["Tổ 2", "waste_sorting", "Huyện Không Có", *IN_RACH_GIA_2, "x"])
    assert reasons(row) == [("district", "Hòn Đất không khớp với vị trí: tọa độ nằm ở Thành phố Rạch Giá; kiểm tra "
                                         "tọa độ hoặc tên")]
    assert [field for field, _reason in reasons(unknown)] == ["district"] and unknown["record"] is None


def test_swapped_coordinates_are_detected_and_the_right_way_offered(db, users):
    [row] = rows_of(db, users, ["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nguồn"],
                    ["Tổ 1", "waste_sorting", IN_RACH_GIA[1], IN_RACH_GIA[0], "x"])
    assert [field for field, _reason in reasons(row)] == ["lat"]
    assert "Có thể đã đảo kinh độ và vĩ độ" in reasons(row)[0][1]
    assert row["suggestion"] == {"lon": IN_RACH_GIA[0], "lat": IN_RACH_GIA[1]}


def test_swapping_a_row_previews_it_again_the_right_way(db, users):
    book = openpyxl.Workbook()
    book.active.append(["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nguồn"])
    book.active.append(["Tổ 1", "waste_sorting", IN_RACH_GIA[1], IN_RACH_GIA[0], "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    with Session(db) as session, session.begin():
        import_id, _shown = import_store.start(session, users["planner"], buffer.getvalue(), "ds.xlsx", 2000)
        again_id, again = import_store.preview_again(session, users["planner"], import_id, chosen={}, swap={2})
        assert again.rows[0]["problems"] == [] and again.rows[0]["record"]["lon"] == IN_RACH_GIA[0]
        assert import_store.confirm(session, users["planner"], again_id) == [1]


def test_an_empty_required_value_says_missing_and_defaults_are_the_forms(db, users):
    no_category, no_task = rows_of(db, users, ["Tên", "Loại", "Nhiệm vụ", "Kinh độ", "Vĩ độ", "Nguồn"],
                                   ["Tổ 1", "", "", *IN_RACH_GIA, "x"],
                                   ["Tổ 2", "Siêu thị", "", *IN_RACH_GIA_2, "x"])
    assert reasons(no_category) == [("category", "Thiếu loại điểm"), ("plan_task", "Thiếu nhiệm vụ của kế hoạch")]
    assert no_task["problems"] == []
    assert (no_task["record"]["category"], no_task["record"]["plan_task"], no_task["record"]["status"]) == \
        ("retail", "III.2", "active")


def test_a_column_matching_nothing_can_be_mapped_by_hand(db, users):
    book = openpyxl.Workbook()
    book.active.append(["Tên", "Loại", "Kinh độ", "Vĩ độ", "Nguồn", "Số hộ dân"])
    book.active.append(["Tổ 1", "waste_sorting", *IN_RACH_GIA, "x", "1.350"])
    buffer = io.BytesIO()
    book.save(buffer)
    with Session(db) as session, session.begin():
        import_id, shown = import_store.start(session, users["planner"], buffer.getvalue(), "ds.xlsx", 2000)
        assert [(c.index, c.heading) for c in shown.columns if c.field is None] == [(5, "Số hộ dân")]
        _again_id, again = import_store.preview_again(session, users["planner"], import_id,
                                                      chosen={5: "measure:households"}, swap=set())
    assert again.rows[0]["record"]["measures"] == {"households": 1350}
    assert again.rows[0]["warnings"] and "hai cách" in again.rows[0]["warnings"][0][1]


def test_derived_columns_of_the_apps_exports_are_named_as_such(db, users):
    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên", "Loại", "Kinh độ", "Vĩ độ", "Nguồn", "Mã huyện", "Dữ liệu mẫu"])
    book.active.append([7, "Tổ 1", "waste_sorting", *IN_RACH_GIA, "x", "899", False])
    buffer = io.BytesIO()
    book.save(buffer)
    with Session(db) as session:
        _id, shown = import_store.start(session, users["planner"], buffer.getvalue(), "ds.xlsx", 2000)
    ignored = {c.heading: c.reason % c.params for c in shown.columns if c.field is None}
    assert set(ignored) == {"Mã", "Mã huyện", "Dữ liệu mẫu"}
    assert all("cột do ứng dụng tạo ra" in reason for reason in ignored.values())


# --- a confirm is taken once ----------------------------------------------------------------------------------

def test_a_second_confirm_is_a_conflict_and_stores_nothing(db, users):
    with Session(db) as session, session.begin():
        import_id, _shown = import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
    with Session(db) as session, session.begin():
        assert len(import_store.confirm(session, users["planner"], import_id)) == 3
    with Session(db) as session, session.begin(), pytest.raises(Conflict):
        import_store.confirm(session, users["planner"], import_id)
    assert len(sites(db)) == 3


def test_two_confirms_at_the_same_moment_store_the_rows_once(db, users):
    with Session(db) as session, session.begin():
        import_id, _shown = import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
    both_ready = threading.Barrier(2)
    outcomes: list[object] = []

    def confirm_once() -> None:
        with Session(db) as session:
            session.execute(text("SELECT 1"))  # each thread holds its own connection and transaction before the race
            both_ready.wait()
            try:
                outcomes.append(len(import_store.confirm(session, users["planner"], import_id)))
                session.commit()
            except Conflict as conflict:
                session.rollback()
                outcomes.append(type(conflict).__name__)

    threads = [threading.Thread(target=confirm_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [3, "Conflict"]
    assert len(sites(db)) == 3


def test_another_persons_import_cannot_be_confirmed(db, users):
    with Session(db) as session, session.begin():
        import_id, _shown = import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
    from geo.errors import NotFound
    with Session(db) as session, pytest.raises(NotFound):
        import_store.confirm(session, users["admin"], import_id)


def test_a_confirmed_import_cannot_be_previewed_again_and_old_previews_are_dropped(db, users):
    with Session(db) as session, session.begin():
        import_id, _shown = import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
        stale_id, _shown = import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
        session.execute(text("UPDATE site_import SET created_at = now() - interval '8 days' WHERE id = :id"),
                        {"id": stale_id})
        import_store.confirm(session, users["planner"], import_id)
    with Session(db) as session, pytest.raises(Conflict):
        import_store.preview_again(session, users["planner"], import_id, chosen={}, swap=set())
    with Session(db) as session, session.begin():
        import_store.start(session, users["planner"], office_workbook(), "ds.xlsx", 2000)
    with db.connect() as connection:
        kept = connection.execute(text("SELECT id::text, state, cells = '{}'::jsonb FROM site_import")).all()
    assert stale_id not in {row[0] for row in kept}
    assert (import_id, "confirmed", True) in kept and len(kept) == 2


# --- the tables of headings and names ------------------------------------------------------------------------

@pytest.mark.parametrize(("heading", "field"), [
    ("Rác được phân loại (tấn/tháng)", "measure:tonnes_sorted_per_month"),
    ("RAC DUOC PHAN LOAI", "measure:tonnes_sorted_per_month"), ("Công suất lắp đặt (kWp)", "measure:kwp"),
    ("Installed capacity (kWp)", "measure:kwp"), ("kwp", "measure:kwp"), ("Tên điểm", "name"), ("ten", "name"),
    ("Longitude", "lon"), ("Vĩ  độ", "lat"), ("Nhiệm vụ của kế hoạch", "plan_task"), ("Huyện", "district"),
    ("District", "district"), ("Xã (2025)", "commune"), ("Độ chính xác vị trí", "location_precision"),
    ("Mã", None), ("Người lập", None),
])
def test_a_heading_names_its_field_in_any_case_with_or_without_accents_and_unit(heading, field):
    from geo.import_headings import field_of

    assert field_of(heading) == field


@pytest.mark.parametrize(("field", "typed", "code"), [
    ("category", "Điện mặt trời", "solar"), ("category", "sieu thi", "retail"),
    ("category", "Cleaner production", "cleaner_production"),
    ("status", "Đang hoạt động", "active"), ("status", "phased out", "phased_out"), ("plan_task", "vi.2", "VI.2"),
    ("plan_task", "VI.2 – Thí điểm phân loại", "VI.2"), ("location_precision", "Theo xã, phường", "ward"),
    ("measure:solar_kind", "Nổi trên mặt nước", "floating"), ("category", "tiệm bánh", "tiệm bánh"),
])
def test_a_coded_value_is_read_by_its_code_or_name(field, typed, code):
    from geo.import_headings import value_code

    assert value_code(field, typed) == code
