"""The staff's import page and site form over HTTP: every stored value shown, limits, bad confirm forms, selects."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import text

from tests.staffkit import (IN_RACH_GIA, IN_RACH_GIA_2, approved, csrf_token, sign_in, site_count,  # noqa: F401
                            tokens, users)

HEADINGS = "Tên;Loại;Kinh độ;Vĩ độ;Nhiệm vụ;Nguồn;Ngày bắt đầu;Số hộ tham gia;Rác được phân loại"


def csv_file(*lines: str) -> bytes:
    return "\n".join([HEADINGS, *lines]).encode()


def row_of(name: str = "Tổ 1", where=IN_RACH_GIA, households: str = "1.200", tonnes: str = "2,5") -> str:
    return f"{name};waste_sorting;{where[0]};{where[1]};VI.2;Phòng;01/06/2023;{households};{tonnes}"


class PreviewTable(HTMLParser):
    """The preview table's rows as a user reads them: row number → the text of each cell, and its checkbox."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, list[str]] = {}
        self.boxes: dict[int, dict[str, str | None]] = {}
        self._row: int | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr" and "data-row" in attributes:
            self._row = int(attributes["data-row"])
            self.rows[self._row] = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "input" and self._row is not None and attributes.get("type") == "checkbox":
            self.boxes[self._row] = attributes

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None


def preview_of(html: str) -> PreviewTable:
    table = PreviewTable()
    table.feed(html)
    return table


def upload(client, content: bytes, name: str = "ds.csv"):
    token = csrf_token(client, "/staff/import")
    return client.post("/staff/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def import_id_of(html: str) -> str:
    return re.search(r'/staff/import/([0-9a-f-]{36})/confirm', html).group(1)


def confirm(client, import_id: str, rows: list[str]):
    token = csrf_token(client, "/staff/import")
    return client.post(f"/staff/import/{import_id}/confirm", data={"csrf_token": token, "row": rows})


def test_the_preview_shows_every_value_to_be_stored_by_name_with_the_errors_first(client, users, db):
    sign_in(client, "staff_899")
    response = upload(client, csv_file(row_of()))
    assert response.status_code == 200
    cells = preview_of(response.data.decode()).rows[2]
    assert cells[:3] == ["", "2", ""]  # the checkbox, the row's number, its (empty) errors, then the values
    assert "Tổ 1" in cells and "Thí điểm phân loại rác tại nguồn" in cells and "01/06/2023" in cells
    assert "Số hộ tham gia: 1.200 hộ; Rác được phân loại: 2,5 tấn/tháng" in cells
    assert "Phòng" in cells and "10,009516" in cells
    assert any(cell.startswith("VI.2 — ") for cell in cells)  # the plan task by its code and name
    assert site_count(db) == 0


def test_a_rows_problem_is_worded_with_the_fields_name(client, users, db):
    sign_in(client, "staff_899")
    html = upload(client, csv_file(row_of(households="12,5"))).data.decode()
    table = preview_of(html)
    assert table.rows[2][2] == "Số hộ tham gia: Phải là số nguyên: “12,5”"
    assert "disabled" in table.boxes[2] and table.boxes[2]["aria-label"] == "Nhập dòng 2"


def test_what_a_row_says_is_escaped_in_the_preview(client, users, db):
    sign_in(client, "staff_899")
    html = upload(client, csv_file(row_of(name="<script>alert(1)</script>"))).data.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_confirm_stores_what_the_preview_showed_once(client, users, db):
    sign_in(client, "staff_899")
    import_id = import_id_of(upload(client, csv_file(row_of())).data.decode())
    assert confirm(client, import_id, ["2"]).status_code == 302
    assert site_count(db, "measures = '{\"households\": 1200, \"tonnes_sorted_per_month\": 2.5}'::jsonb") == 1
    again = confirm(client, import_id, ["2"])
    assert again.status_code == 409 and "đã được xác nhận" in again.data.decode()
    assert site_count(db) == 1


@pytest.mark.parametrize(("rows", "status", "said"), [(["abc"], 400, "Dòng"), (["7"], 400, "Tệp không có dòng 7")])
def test_a_broken_confirm_form_is_refused_naming_the_field(client, users, db, rows, status, said):
    sign_in(client, "staff_899")
    import_id = import_id_of(upload(client, csv_file(row_of())).data.decode())
    response = confirm(client, import_id, rows)
    assert response.status_code == status
    assert said in response.data.decode()
    assert site_count(db) == 0


def test_the_size_and_row_limits_come_from_the_settings(app, client, users, db):
    sign_in(client, "staff_899")
    app.config.update(IMPORT_MAX_ROWS=2, IMPORT_MAX_BYTES=100_000)
    two_rows = csv_file(row_of(), row_of("Tổ 2", IN_RACH_GIA_2))
    too_many = upload(client, two_rows)
    assert too_many.status_code == 422 and "quá 2 dòng" in too_many.data.decode()
    app.config.update(IMPORT_MAX_ROWS=10, IMPORT_MAX_BYTES=len(two_rows) - 1)
    too_big = upload(client, two_rows)
    assert too_big.status_code == 422 and "Tệp lớn quá" in too_big.data.decode()
    assert site_count(db) == 0


def test_a_two_way_number_is_flagged_and_left_unchosen(client, users, db):
    sign_in(client, "staff_899")
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADINGS.split(";"))
    book.active.append(["Tổ 1", "waste_sorting", *IN_RACH_GIA, "VI.2", "x", None, "1.200", None])
    buffer = io.BytesIO()
    book.save(buffer)
    html = upload(client, buffer.getvalue(), "ds.xlsx").data.decode()
    assert 'class="doubt" data-row="2"' in html and "đọc được hai cách" in html
    assert "checked" not in preview_of(html).boxes[2]


def test_a_column_matching_nothing_is_listed_with_a_picker(client, users, db):
    sign_in(client, "staff_899")
    html = upload(client, "\n".join([HEADINGS + ";Số hộ dân", row_of() + ";45"]).encode()).data.decode()
    assert "Cột 10 “Số hộ dân”: không khớp với trường nào" in html
    import_id = import_id_of(html)
    token = csrf_token(client, "/staff/import")
    again = client.post(f"/staff/import/{import_id}/again", data={"csrf_token": token, "column-9": "name_en"})
    assert again.status_code == 200 and "Cột 10" not in again.data.decode()
    assert "45" in preview_of(again.data.decode()).rows[2]


def test_the_import_page_offers_the_template_with_the_accepted_headings(client, users):
    sign_in(client, "staff_899")
    import openpyxl

    page = client.get("/staff/import").data.decode()
    assert "/staff/import/template.xlsx" in page and "Rác được phân loại (tấn/tháng)" in page
    template = client.get("/staff/import/template.xlsx")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.data))
    headings = [cell.value for cell in book["Điểm"][1]]
    assert headings[:4] == ["Tên điểm", "Tên tiếng Anh", "Loại", "Trạng thái"]
    assert "Công suất lắp đặt (kWp)" in headings and "Nguồn thông tin" in headings


# --- the site form's closed lists ------------------------------------------------------------------------------

def test_the_form_offers_solar_kinds_and_certifications_as_translated_choices(client, users):
    sign_in(client, "planner")
    html = client.get("/staff/sites/new").data.decode()
    assert '<option value="rooftop" >Áp mái</option>' in html
    assert '<option value="sustainable_aquaculture" >Nuôi trồng thủy sản bền vững</option>' in html
    english = client.get("/staff/sites/new?lang=en").data.decode()
    assert '<option value="rooftop" >Rooftop</option>' in english


def test_the_form_refuses_free_text_for_a_solar_kind_by_name(client, users, db):
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/sites/new")
    response = client.post("/staff/sites/new", data={
        "csrf_token": token, "name": "Mái nhà", "category": "solar", "status": "active", "lat": str(IN_RACH_GIA[1]),
        "lon": str(IN_RACH_GIA[0]), "plan_task": "I.1", "source": "x", "measure_solar_kind": "áp mái"})
    assert response.status_code == 422
    assert 'data-field="measures.solar_kind"' in response.data.decode()
    assert site_count(db) == 0


def post_site(client, **fields):
    token = csrf_token(client, "/staff/sites/new")
    data = {"csrf_token": token, "name": "Tổ 9", "category": "waste_sorting", "status": "active",
            "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]), "plan_task": "VI.2", "source": "x", **fields}
    return client.post("/staff/sites/new", data=data)


def test_a_count_typed_in_the_form_is_read_the_pages_way_and_must_be_whole(client, users, db):
    sign_in(client, "planner")
    assert post_site(client, measure_households="1.350", measure_tonnes_sorted_per_month="12,5").status_code == 302
    assert site_count(db, "measures = '{\"households\": 1350, \"tonnes_sorted_per_month\": 12.5}'::jsonb") == 1
    refused = post_site(client, name="Tổ 10", measure_households="12,5")
    assert refused.status_code == 422 and "Phải là số nguyên: “12,5”" in refused.data.decode()
    assert site_count(db) == 1


def test_the_form_shows_numbers_back_the_pages_way(client, users, db):
    sign_in(client, "planner")
    post_site(client, measure_households="1.350", measure_tonnes_sorted_per_month="12,5")
    site_id = db.connect().execute(text("SELECT id FROM site")).scalar_one()
    html = client.get(f"/staff/sites/{site_id}/edit").data.decode()
    assert 'name="measure_tonnes_sorted_per_month" value="12,5"' in html
    assert 'name="measure_households" value="1.350"' in html
    english = client.get(f"/staff/sites/{site_id}/edit?lang=en").data.decode()
    assert 'name="measure_tonnes_sorted_per_month" value="12.5"' in english


def test_the_form_preselects_the_plans_task_of_the_first_category(client, users):
    sign_in(client, "planner")
    html = client.get("/staff/sites/new").data.decode()
    assert re.search(r'<option value="VI.2"\s+selected>', html)


def test_saving_the_form_unchanged_makes_no_review_item(client, users, db, approved):
    site_id, version = approved
    sign_in(client, "staff_899")
    html = client.get(f"/staff/sites/{site_id}/edit").data.decode()
    fields = dict(re.findall(r'<input type="(?:text|hidden)" name="([^"]+)"[^>]*value="([^"]*)"', html))
    selects = re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    for name, options in selects:
        chosen = re.search(r'<option value="([^"]*)"[^>]*\sselected', options)
        fields[name] = chosen.group(1) if chosen else ""
    response = client.post(f"/staff/sites/{site_id}/edit", data=fields, follow_redirects=True)
    assert response.status_code == 200 and "Không có gì thay đổi" in response.data.decode()
    assert site_count(db, "pending IS NULL AND version = %d" % version) == 1
    sign_in(client, "planner")
    assert f'data-id="{site_id}"' not in client.get("/staff/review").data.decode()


def test_the_import_limits_are_settings_checked_at_start_up():
    from webmap import settings

    env = {"DATABASE_URL": "postgresql://x@localhost/db", "SECRET_KEY": "s" * 20}
    defaults = settings.from_environment(env)
    assert (defaults["IMPORT_MAX_ROWS"], defaults["IMPORT_MAX_BYTES"]) == (2000, 5 * 1024 * 1024)
    assert settings.from_environment({**env, "IMPORT_MAX_ROWS": "50"})["IMPORT_MAX_ROWS"] == 50
    for bad in ("abc", "0"):
        with pytest.raises(settings.ConfigError, match="IMPORT_MAX_ROWS"):
            settings.from_environment({**env, "IMPORT_MAX_ROWS": bad})


def test_the_form_refuses_an_edit_while_a_deletion_waits_and_says_why(client, users, db, tokens, approved):
    from tests.staffkit import api

    site_id, version = approved
    asked = api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens["staff_899"]).get_json()
    sign_in(client, "staff_899")
    token = csrf_token(client, f"/staff/sites/{site_id}/edit")
    response = client.post(f"/staff/sites/{site_id}/edit", data={
        "csrf_token": token, "version": str(asked["properties"]["version"]), "name": "Tên mới",
        "category": "waste_sorting", "status": "active", "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]),
        "plan_task": "VI.2", "source": "x"})
    assert response.status_code == 409 and "chờ duyệt yêu cầu xoá" in response.data.decode()
    assert site_count(db, "pending = '{\"deleted\": true}'::jsonb AND name = 'Điểm Rạch Giá'") == 1


def test_a_gis_file_without_its_crs_is_read_in_the_crs_chosen(client, users, db):
    import json

    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:9207", always_xy=True).transform(*IN_RACH_GIA)
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
        "properties": {"Tên": "Tổ 1", "Loại": "Phân loại rác", "Nguồn": "Sở TN&MT"}}]}
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/import")
    response = client.post("/staff/import", content_type="multipart/form-data", data={
        "csrf_token": token, "crs": "vn2000-kien-giang",
        "file": (io.BytesIO(json.dumps(collection).encode()), "ds.geojson")})
    assert response.status_code == 200
    table = preview_of(response.data.decode())
    assert table.rows[2][2] == "" and "10,009516" in table.rows[2] and "105,083232" in table.rows[2]
