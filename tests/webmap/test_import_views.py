"""The staff's import page and site form over HTTP: every stored value shown, limits, bad confirm forms, selects."""
from __future__ import annotations

import base64
import io
import re

import pytest

from tests.staffkit import (IN_RACH_GIA, IN_RACH_GIA_2, approved, csrf_token, sign_in, site_count,  # noqa: F401
                            tokens, users)

HEADINGS = "Tên;Loại;Kinh độ;Vĩ độ;Nhiệm vụ;Nguồn;Ngày bắt đầu;Số hộ tham gia;Rác được phân loại"


def csv_file(*lines: str) -> bytes:
    return "\n".join([HEADINGS, *lines]).encode()


def row_of(name: str = "Tổ 1", where=IN_RACH_GIA, households: str = "1.200", tonnes: str = "2,5") -> str:
    return f"{name};waste_sorting;{where[0]};{where[1]};VI.2;Phòng;01/06/2023;{households};{tonnes}"


def upload(client, content: bytes, name: str = "ds.csv"):
    token = csrf_token(client, "/staff/import")
    return client.post("/staff/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def confirm(client, content: bytes, rows: list[str], name: str = "ds.csv", encoded: str | None = None):
    token = csrf_token(client, "/staff/import")
    return client.post("/staff/import", data={
        "csrf_token": token, "confirm": "1", "filename": name, "row": rows,
        "content": base64.b64encode(content).decode() if encoded is None else encoded})


def preview_cells(html: str, row: int) -> list[str]:
    found = re.search(rf'<tr class="\w+" data-row="{row}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", found, re.S)]


def test_the_preview_shows_every_value_to_be_stored_formatted(client, users, db):
    sign_in(client, "staff_899")
    response = upload(client, csv_file(row_of()))
    assert response.status_code == 200
    cells = preview_cells(response.data.decode(), 2)
    assert "Tổ 1" in cells and "Thí điểm phân loại rác tại nguồn" in cells and "01/06/2023" in cells
    assert "Số hộ tham gia: 1.200 hộ; Rác được phân loại: 2,5 tấn/tháng" in cells
    assert "Phòng" in cells and "10,009516" in cells
    assert any(cell.startswith("VI.2 — ") for cell in cells)  # the plan task by its code and name
    assert site_count(db) == 0


def test_what_a_row_says_is_escaped_in_the_preview(client, users, db):
    sign_in(client, "staff_899")
    html = upload(client, csv_file(row_of(name="<script>alert(1)</script>"))).data.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_confirm_stores_what_the_preview_showed(client, users, db):
    sign_in(client, "staff_899")
    content = csv_file(row_of())
    assert confirm(client, content, ["2"]).status_code == 302
    assert site_count(db, "measures = '{\"households\": 1200, \"tonnes_sorted_per_month\": 2.5}'::jsonb") == 1


@pytest.mark.parametrize(("form", "field"), [({"row": ["abc"]}, "row"), ({"row": ["2"], "encoded": "%%%not base64"},
                                                                                  "content")])
def test_a_broken_confirm_form_is_a_400_naming_the_field(client, users, db, form, field):
    sign_in(client, "staff_899")
    response = confirm(client, csv_file(row_of()), form["row"], encoded=form.get("encoded"))
    assert response.status_code == 400
    assert field in response.data.decode()
    assert site_count(db) == 0


def test_the_size_and_row_limits_come_from_the_settings(app, client, users, db):
    sign_in(client, "staff_899")
    app.config.update(IMPORT_MAX_ROWS=1, IMPORT_MAX_BYTES=100_000)
    two_rows = csv_file(row_of(), row_of("Tổ 2", IN_RACH_GIA_2))
    too_many = upload(client, two_rows)
    assert too_many.status_code == 422 and "quá 1 dòng" in too_many.data.decode()
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
    assert not re.search(r'value="2"\s+checked', html)


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
