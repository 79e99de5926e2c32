"""POST /api/imports and its confirm, as an office's script uses them: a bearer token or a session, the preview as
JSON, the new sites' ids, and a confirm taken once."""
from __future__ import annotations

import io

from tests.staffkit import (IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, csrf_token, sign_in, site_count,  # noqa: F401
                            tokens, users)

CSV = ("Tên điểm;Loại;Trạng thái;Kinh độ;Vĩ độ;Số hộ tham gia (hộ);Rác được phân loại (tấn/tháng);Ngày bắt đầu;"
       "Nguồn thông tin;Người lập\n"
       f"Tổ 1;Phân loại rác;Hoàn thành;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};1.200;12,5;01/03/2024;Phòng;Lan\n"
       f"Tổ 2;Phân loại rác;;{IN_PHU_QUOC[0]};{IN_PHU_QUOC[1]};30;;;Phòng;Lan\n")


def post_file(client, token: str | None, content: bytes = CSV.encode(), name: str = "ds.csv", **form):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/imports", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), **form})


def test_a_file_is_answered_with_its_preview_as_json(client, tokens, db):
    response = post_file(client, tokens["staff_899"])
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "rows", "ignored_columns"}
    first, second = body["rows"]
    assert first["row"] == 2 and first["errors"] == [] and first["warnings"] == []
    assert first["values"]["name"] == "Tổ 1" and first["values"]["category"] == "waste_sorting"
    assert first["values"]["status"] == "completed" and first["values"]["plan_task"] == "VI.2"
    assert first["values"]["start_date"] == "2024-03-01"
    assert first["values"]["measures"] == {"households": 1200, "tonnes_sorted_per_month": 12.5}
    assert second["errors"] == [{"field": "lon", "message": "Vị trí nằm ngoài địa bàn được giao cho bạn (899)"}]
    assert body["ignored_columns"] == [{
        "column": 10, "heading": "Người lập",
        "reason": "không khớp với trường nào nên không được nhập; chọn trường cho cột này nếu cần"}]
    assert site_count(db) == 0


def test_a_confirm_answers_the_new_sites_and_is_taken_once(client, tokens, db):
    import_id = post_file(client, tokens["planner"]).get_json()["id"]
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    created = client.post(f"/api/imports/{import_id}/confirm", headers=headers)
    assert created.status_code == 201 and created.get_json()["created"] == [1, 2]
    again = client.post(f"/api/imports/{import_id}/confirm", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["field"] == "id"
    assert site_count(db) == 2
    assert site_count(db, "status = 'active' AND name = 'Tổ 2' AND moderation = 'approved'") == 1


def test_a_confirm_takes_the_rows_named(client, tokens, db):
    import_id = post_file(client, tokens["planner"]).get_json()["id"]
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    created = client.post(f"/api/imports/{import_id}/confirm", headers=headers, json={"rows": [3]})
    assert created.get_json()["created"] == [1]
    assert site_count(db, "name = 'Tổ 2'") == 1 and site_count(db) == 1


def test_a_row_with_a_problem_makes_the_confirm_store_nothing(client, tokens, db):
    import_id = post_file(client, tokens["staff_899"]).get_json()["id"]
    headers = {"Authorization": f"Bearer {tokens['staff_899']}"}
    refused = client.post(f"/api/imports/{import_id}/confirm", headers=headers, json={"rows": [2, 3]})
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "row"
    assert site_count(db) == 0
    # The refusal did not use the import up.
    assert client.post(f"/api/imports/{import_id}/confirm", headers=headers, json={"rows": [2]}).status_code == 201


def test_without_a_token_or_session_the_import_is_refused(client, tokens, db):
    assert post_file(client, None).status_code in (400, 401)
    assert post_file(client, "not-a-token").status_code == 401
    assert site_count(db) == 0


def test_a_signed_in_session_imports_with_its_csrf_token(client, users, db):
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/import")
    response = client.post("/api/imports", headers={"X-CSRFToken": token}, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV.encode()), "ds.csv")})
    assert response.status_code == 201
    import_id = response.get_json()["id"]
    assert client.post(f"/api/imports/{import_id}/confirm", headers={"X-CSRFToken": token}).status_code == 201
    assert site_count(db) == 2


def test_someone_elses_import_is_not_found(client, tokens, db):
    import_id = post_file(client, tokens["planner"]).get_json()["id"]
    other = client.post(f"/api/imports/{import_id}/confirm", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert other.status_code == 404
    bad = client.post("/api/imports/not-an-id/confirm", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert bad.status_code == 404 and site_count(db) == 0


def test_a_file_that_is_not_a_table_is_a_400_naming_the_file(client, tokens, db):
    response = post_file(client, tokens["planner"], b"\x00\x01", "ds.pdf")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "file"
    missing = client.post("/api/imports", headers={"Authorization": f"Bearer {tokens['planner']}"},
                          content_type="multipart/form-data", data={})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "file"


def test_a_second_column_of_one_field_is_named_by_the_fields_label(client, tokens, db):
    content = f"Tên;Loại;Kinh độ;Vĩ độ;Nguồn;Tên điểm\nTổ 1;waste_sorting;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};x;Tổ một\n"
    body = post_file(client, tokens["planner"], content.encode()).get_json()
    assert body["ignored_columns"] == [{"column": 6, "heading": "Tên điểm",
                                        "reason": "trùng trường Tên điểm với cột Tên trước nó nên không được nhập"}]
    assert body["rows"][0]["values"]["name"] == "Tổ 1"


def test_uploads_past_the_reading_slots_are_told_to_come_back(client, tokens, db, monkeypatch):
    from webmap import imports_api

    monkeypatch.setattr(imports_api, "WAIT_SECONDS", 0.1)
    for _ in range(imports_api.MAX_READINGS):
        assert imports_api._readings.acquire(timeout=1)
    try:
        busy = post_file(client, tokens["planner"])
    finally:
        for _ in range(imports_api.MAX_READINGS):
            imports_api._readings.release()
    assert busy.status_code == 503 and busy.get_json()["error"]["field"] == "file"
    assert post_file(client, tokens["planner"]).status_code == 201
