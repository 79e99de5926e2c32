"""Staff pages over HTTP: sign-in, CSRF, rate limit, the forms, conflicts, bulk import, accounts, and the review
flow to the public map (the JSON write API is in test_api_write.py)."""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import text

from tests.staffkit import (IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, PASSWORD, api, approved,  # noqa: F401
                            csrf_token, feature, public_names, sign_in, site_count, tokens, users)


# --- sign-in -------------------------------------------------------------------------------------------

def test_sign_in_and_out(client, users):
    assert sign_in(client, "staff_899").status_code == 302
    page = client.get("/staff/").data.decode()
    assert "staff_899" in page and "Rạch Giá (899)" in page
    token = csrf_token(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(("target", "expected"), [
    ("/staff/review", "/staff/review"), ("//evil.example/x", "/staff/"), ("/\\evil.example", "/staff/"),
    ("/\tevil.example", "/staff/"), ("https://evil.example/", "/staff/"), ("staff", "/staff/")])
def test_sign_in_returns_only_to_a_page_of_this_site(client, users, target, expected):
    response = client.post("/staff/login", query_string={"next": target},
                           data={"username": "planner", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == expected


def test_wrong_password_is_refused_with_a_message(client, users):
    response = sign_in(client, "staff_899", "sai-mật-khẩu")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.data.decode()


def test_sign_in_is_rate_limited_after_five_failures(client, users):
    statuses = [sign_in(client, "planner", f"sai-{n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    # Even the right password waits until the minute is over.
    assert sign_in(client, "planner").status_code == 429
    # Another account from the same address is not blocked.
    assert sign_in(client, "staff_899").status_code == 302


def test_one_address_trying_many_names_is_rate_limited_too(client, users):
    statuses = [sign_in(client, f"ten-{n}", "sai").status_code for n in range(31)]
    assert statuses == [401] * 30 + [429]


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, users, db):
    sign_in(client, "planner")
    response = client.post("/staff/sites/new", data={"name": "Không có mã CSRF", "category": "solar",
                                                     "lat": "10.0095", "lon": "105.0832", "plan_task": "I.1",
                                                     "source": "x"})
    assert response.status_code == 400
    assert "CSRF" in response.data.decode()
    assert site_count(db) == 0


def test_passwords_are_stored_as_argon2_hashes(db, users):
    with db.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM app_user")).scalars().all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_approving_a_stale_version_is_refused_with_the_reason(client, users, tokens):
    created = api(client, "POST", "/api/sites", tokens["staff_899"], feature("Đang chờ")).get_json()
    version = created["properties"]["version"]
    # The staff member changes it again while the planner has the queue open.
    api(client, "PATCH", f"/api/sites/{created['id']}", tokens["staff_899"],
        {"type": "Feature", "properties": {"name": "Đang chờ (sửa lại)", "version": version}})
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/review")
    response = client.post(f"/staff/sites/{created['id']}/approve", data={"csrf_token": token, "version": version})
    html = response.data.decode()
    assert response.status_code == 409
    assert 'id="refused"' in html and 'data-field="version"' in html
    assert public_names(client) == []


BAD_VERSIONS = ["abc", "1.9", "1e309"]


@pytest.mark.parametrize("version", ["abc", "1.9", "1e309"])
def test_forms_refuse_a_version_that_is_not_a_whole_number(client, db, users, tokens, version):
    created = api(client, "POST", "/api/sites", tokens["staff_899"], feature("Đang chờ")).get_json()
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/review")
    for action, extra in (("edit", {"name": "Tên sửa"}), ("delete", {}), ("approve", {}),
                          ("reject", {"reason": "thiếu nguồn"})):
        response = client.post(f"/staff/sites/{created['id']}/{action}",
                               data={"csrf_token": token, "version": version, **extra})
        assert response.status_code == 400, (action, response.status_code)
        assert 'data-field="version"' in response.data.decode(), action
    assert site_count(db, "version = 1 AND moderation = 'submitted' AND deleted_at IS NULL") == 1


def test_password_change(client, users):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/password")
    wrong = client.post("/staff/password", data={"csrf_token": token, "current_password": "không-phải",
                                                 "new_password": "mật-khẩu-mới-đủ-dài"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.data.decode()
    short = client.post("/staff/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                 "new_password": "ngắn"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.data.decode()
    done = client.post("/staff/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                "new_password": "mật-khẩu-mới-đủ-dài"})
    assert done.status_code == 302
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert sign_in(client, "staff_899").status_code == 401
    assert sign_in(client, "staff_899", "mật-khẩu-mới-đủ-dài").status_code == 302


def test_session_cookie_flags(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = sign_in(client, "planner")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- the forms ----------------------------------------------------------------------------------------------

def test_the_form_keeps_what_was_typed_and_names_the_field(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    response = client.post("/staff/sites/new", data={
        "csrf_token": token, "name": "Điểm của tôi", "category": "waste_sorting", "plan_task": "VI.2",
        "lat": "10°00'34\" B", "lon": "abc", "source": "Phòng TN&MT", "measure_households": "120"})
    html = response.data.decode()
    assert response.status_code == 422
    assert 'data-field="lon"' in html and "Không đọc được tọa độ" in html
    assert 'value="Điểm của tôi"' in html and "10°00&#39;34&#34; B" in html
    assert site_count(db) == 0


def test_the_form_takes_only_the_measures_its_category_asks(client, users, db):
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/sites/new")
    # kWp was typed under "solar" before the category was changed to waste sorting, whose form hides it.
    response = client.post("/staff/sites/new", data={
        "csrf_token": token, "name": "Đổi loại giữa chừng", "name_en": "Changed its mind", "category": "waste_sorting",
        "plan_task": "VI.2", "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]), "source": "x",
        "measure_kwp": "50", "measure_households": "30"})
    assert response.status_code == 302
    with db.connect() as connection:
        name_en, measures = connection.execute(text("SELECT name_en, measures FROM site")).one()
    assert name_en == "Changed its mind" and measures == {"households": 30}


def new_site_form(token: str, submission: str, name: str = "Điểm phân loại rác chợ Rạch Sỏi") -> dict[str, str]:
    return {"csrf_token": token, "submission": submission, "name": name, "category": "waste_sorting",
            "plan_task": "VI.2", "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]), "source": "Phòng TN&MT",
            "measure_households": "120"}


def test_the_same_form_sent_twice_makes_one_site_and_says_so(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    key = "0b6c2f2e-8d4b-4f0e-9a51-3c1d2e7f9a10"
    first = client.post("/staff/sites/new", data=new_site_form(token, key))
    assert first.status_code == 302 and first.headers["Location"] == "/staff/"
    # The answer never reached the phone: it sends the same form again, as the offline queue does.
    again = client.post("/staff/sites/new", data=new_site_form(token, key), follow_redirects=True)
    assert again.status_code == 200 and again.request.path == "/staff/"
    assert "đã được lưu từ lần gửi trước" in again.data.decode()
    assert site_count(db) == 1
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site_history")).scalar_one() == 1
    # Another filling of the form (its own key) is another site.
    client.post("/staff/sites/new", data=new_site_form(token, "5f0e1c9a-2b3d-4e5f-8a7b-6c5d4e3f2a1b",
                                                       "Điểm phân loại rác chợ Vĩnh Thanh Vân"))
    assert site_count(db) == 2


def test_a_form_refused_once_is_saved_when_corrected_with_the_same_key(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    key = "7d3e9b1c-4a2f-4c6d-8e0b-1f2a3b4c5d6e"
    refused = client.post("/staff/sites/new", data={**new_site_form(token, key), "lon": "abc"})
    assert refused.status_code == 422 and f'value="{key}"' in refused.data.decode()  # the page keeps its key
    assert site_count(db) == 0
    assert client.post("/staff/sites/new", data=new_site_form(token, key)).status_code == 302
    assert site_count(db) == 1


def test_two_people_sending_the_same_key_each_get_their_site(client, users, db):
    key = "2a4c6e8f-1b3d-4f5a-9c7e-0d2f4a6b8c0e"
    for username in ("staff_899", "planner"):
        sign_in(client, username)
        token = csrf_token(client, "/staff/sites/new")
        assert client.post("/staff/sites/new", data=new_site_form(token, key, f"Điểm của {username}")).status_code \
            == 302
    assert site_count(db) == 2


def test_a_form_key_that_is_not_one_is_refused_by_name_and_saves_nothing(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    response = client.post("/staff/sites/new", data=new_site_form(token, "not-a-key"))
    assert response.status_code == 422
    assert 'data-field="submission"' in response.data.decode() and "Mã biểu mẫu không hợp lệ" in response.data.decode()
    assert site_count(db) == 0


def test_two_people_editing_the_same_site(client, users, db, tokens, approved):
    site_id, version = approved
    sign_in(client, "planner")
    token = csrf_token(client, f"/staff/sites/{site_id}/edit")
    form = {"csrf_token": token, "name": "Sửa trong biểu mẫu", "category": "waste_sorting", "plan_task": "VI.2",
            "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]), "source": "x", "status": "active",
            "version": str(version)}
    # Someone else saves first, through the API.
    body = {"type": "Feature", "properties": {"name": "Người khác đã lưu", "version": version}}
    assert api(client, "PATCH", f"/api/sites/{site_id}", tokens["admin"], body).status_code == 200
    response = client.post(f"/staff/sites/{site_id}/edit", data=form)
    html = response.data.decode()
    assert response.status_code == 409
    assert 'id="conflict"' in html and "Người khác đã lưu" in html and "Sửa trong biểu mẫu" in html
    with db.connect() as connection:
        assert connection.execute(text("SELECT name FROM site WHERE id = :id"), {"id": site_id}).scalar_one() \
            == "Người khác đã lưu"


def test_public_sees_no_staff_pages_drafts_or_history(client, users, tokens, approved):
    site_id, _ = approved
    api(client, "POST", "/api/sites", tokens["staff_899"], feature("Bản nháp của huyện"))
    assert public_names(client) == ["Điểm Rạch Giá"]
    for path in ("/staff/", f"/staff/sites/{site_id}/history", "/staff/review", f"/staff/sites/{site_id}/edit"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], path


def test_district_staff_cannot_open_review_or_another_districts_history(client, users, tokens, approved):
    site_id, _ = approved
    sign_in(client, "staff_911")
    assert client.get("/staff/review").status_code == 403
    assert client.get(f"/staff/sites/{site_id}/history").status_code == 404
    assert client.get(f"/staff/sites/{site_id}/edit").status_code == 404


# --- review flow to the public map ---------------------------------------------------------------------------

def test_review_flow_reaches_the_public_map_and_embed(client, users, tokens, db):
    created = api(client, "POST", "/api/sites", tokens["staff_899"], feature("Thí điểm mới của huyện")).get_json()
    assert created["properties"]["moderation"] == "submitted"
    assert public_names(client) == []
    sign_in(client, "planner")
    queue = client.get("/staff/review").data.decode()
    assert "Thí điểm mới của huyện" in queue
    token = csrf_token(client, "/staff/review")
    response = client.post(f"/staff/sites/{created['id']}/approve",
                           data={"csrf_token": token, "version": created["properties"]["version"]})
    assert response.status_code == 302
    assert public_names(client) == ["Thí điểm mới của huyện"]
    history = client.get(f"/staff/sites/{created['id']}/history").data.decode()
    assert "staff_899" in history and "planner" in history
    # The staff member sees the outcome in their list.
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, "staff_899")
    assert "Đã duyệt" in client.get("/staff/").data.decode()


def test_a_rejection_reason_reaches_the_district_staff(client, users, tokens):
    created = api(client, "POST", "/api/sites", tokens["staff_899"], feature("Cần sửa")).get_json()
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/review")
    client.post(f"/staff/sites/{created['id']}/reject", data={"csrf_token": token, "reason": "Thiếu nguồn số liệu",
                                                              "version": created["properties"]["version"]})
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, "staff_899")
    page = client.get("/staff/").data.decode()
    assert "Bị từ chối" in page and "Thiếu nguồn số liệu" in page


# --- bulk import ---------------------------------------------------------------------------------------------

def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tên", "Loại", "Kinh độ", "Vĩ độ", "Trạng thái", "Nhiệm vụ", "Nguồn", "Số hộ tham gia"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_with_one_bad_row_writes_nothing(client, users, db):
    sign_in(client, "staff_899")
    content = workbook([
        ["Tổ dân phố 1", "Thí điểm phân loại rác tại nguồn", "105.0832", "10.0095", "Đang hoạt động", "VI.2",
         "Danh sách của phòng", 50],
        ["Tổ dân phố 2", "waste_sorting", "105°04'09\" Đ", "10°01'34\" B", "active", "VI.2", "Danh sách", 40],
        ["Ở Phú Quốc", "waste_sorting", str(IN_PHU_QUOC[0]), str(IN_PHU_QUOC[1]), "active", "VI.2", "x", 10],
        ["Loại lạ", "tiệm bánh", "105.0832", "10.0095", "active", "VI.2", "x", 1],
    ])
    token = csrf_token(client, "/staff/import")
    preview = client.post("/staff/import", data={"csrf_token": token, "file": (io.BytesIO(content), "ds.xlsx")},
                          content_type="multipart/form-data")
    html = preview.data.decode()
    assert preview.status_code == 200
    assert "ngoài địa bàn" in html and "Loại điểm không có trong danh mục" in html
    assert site_count(db) == 0
    # The preview is kept server-side; its confirm names the rows to store, all or none.
    confirm = re.search(r'action="(/staff/import/[0-9a-f-]+/confirm)"', html).group(1)
    payload = {"csrf_token": token, "row": ["2", "3", "4"]}
    refused = client.post(confirm, data=payload)
    assert refused.status_code == 400 and "Không nhập gì cả" in refused.data.decode()
    assert site_count(db) == 0
    payload["row"] = ["2", "3"]
    assert client.post(confirm, data=payload).status_code == 302
    assert site_count(db, "moderation = 'submitted'") == 2


def test_import_flags_a_duplicate_of_an_existing_site(client, users, tokens, db):
    api(client, "POST", "/api/sites", tokens["planner"], feature("Điểm đã có", *IN_RACH_GIA_2))
    sign_in(client, "staff_899")
    csv_text = "Tên;Loại;Kinh độ;Vĩ độ;Nhiệm vụ;Nguồn\nđiểm đã có;waste_sorting;{};{};VI.2;x\n".format(
        IN_RACH_GIA_2[0] + 0.0001, IN_RACH_GIA_2[1])
    token = csrf_token(client, "/staff/import")
    html = client.post("/staff/import", data={"csrf_token": token,
                                              "file": (io.BytesIO(csv_text.encode()), "ds.csv")},
                       content_type="multipart/form-data").data.decode()
    assert "Trùng với điểm số" in html


def test_json_of_history_is_not_public(client, users, tokens, approved):
    site_id, _ = approved
    body = json.dumps(client.get("/api/sites").get_json(), ensure_ascii=False)
    assert "planner" not in body and "created_by" not in body


def test_only_the_admin_manages_accounts(client, users, db):
    sign_in(client, "planner")
    assert client.get("/staff/users").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, "admin")
    assert 'href="/staff/users"' in client.get("/staff/").data.decode()
    token = csrf_token(client, "/staff/users")
    no_area = client.post("/staff/users", data={"csrf_token": token, "action": "add", "username": "hatien",
                                                "role": "district_staff", "area_code": "", "password": PASSWORD})
    assert no_area.status_code == 400
    assert 'name="area_code"' in no_area.data.decode() and "Cán bộ huyện cần mã" in no_area.data.decode()
    short = client.post("/staff/users", data={"csrf_token": token, "action": "add", "username": "hatien",
                                              "role": "district_staff", "area_code": "900", "password": "ngắn"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.data.decode()
    added = client.post("/staff/users", data={"csrf_token": token, "action": "add", "username": "hatien",
                                              "role": "district_staff", "area_code": "900", "password": PASSWORD})
    assert added.status_code == 302
    assert "<td>Thành phố Hà Tiên (900)</td>" in client.get("/staff/users").data.decode()
    client.post("/staff/users", data={"csrf_token": token, "action": "disable", "username": "staff_911"})
    with db.connect() as connection:
        rows = dict(connection.execute(text("SELECT username, is_active FROM app_user")).all())
    assert rows["hatien"] is True and rows["staff_911"] is False
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert sign_in(client, "staff_911").status_code == 401  # a disabled account cannot sign in


def test_planners_enter_a_hand_reported_value_and_its_history_is_kept(client, users, db):
    sign_in(client, "staff_899")
    assert client.get("/staff/indicators").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, "planner")
    token = csrf_token(client, "/staff/indicators?year=2025")
    form = {"csrf_token": token, "year": "2025", "unit_code": "91", "sector": "cement", "value": "5,5",
            "note": "báo cáo của nhà máy", "version": ""}
    assert client.post("/staff/indicators", data=form).status_code == 302
    with db.connect() as connection:
        version = connection.execute(text("SELECT version FROM indicator_value WHERE sector = 'cement'")).scalar_one()
    changed = client.post("/staff/indicators", data={**form, "value": "6.25", "version": str(version)})
    assert changed.status_code == 302
    stale = client.post("/staff/indicators", data={**form, "value": "9", "version": str(version)})
    assert stale.status_code == 422 and "Phiên bản" in stale.data.decode()
    bad = client.post("/staff/indicators", data={**form, "value": "nhiều", "version": str(version + 1)})
    assert bad.status_code == 422 and "Giá trị: Phải là một số" in bad.data.decode()
    page = client.get("/staff/indicators?year=2025").data.decode()
    assert 'value="6,25"' in page and "5,5 → 6,25" in page and "planner" in page


@pytest.mark.parametrize(("who", "status"), [("admin", 302), ("planner", 302), ("staff_899", 403), ("staff_911", 403)])
def test_restore_by_role(client, db, tokens, approved, who, status):
    site_id, version = approved
    api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens["planner"])
    sign_in(client, who)
    token = csrf_token(client, "/staff/")
    assert client.post(f"/staff/sites/{site_id}/restore", data={"csrf_token": token}).status_code == status
    assert site_count(db, "deleted_at IS NULL") == (1 if status == 302 else 0)


@pytest.mark.parametrize(("content", "name"), [(b"PK\x03\x04 not really a workbook", "ds.xlsx"),
                                               (b"", "ds.csv"), (b"Name,Other\n", "ds.csv"), (b"x", "ds.pdf")])
def test_a_broken_import_file_is_refused_with_the_reason(client, users, db, content, name):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/import")
    response = client.post("/staff/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "flashes" in response.data.decode()
    assert site_count(db) == 0
