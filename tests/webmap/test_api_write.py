"""The JSON write API over HTTP: the permission matrix of crafted requests (no form), bad input, versions."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import accounts
from tests.staffkit import (IN_PHU_QUOC, IN_RACH_GIA, api, approved, csrf_token, feature,  # noqa: F401 - fixtures
                            public_names, sign_in, site_count, tokens, users)

BAD_VERSIONS = ["abc", "1.9", "1e309"]

# --- the permission matrix of the JSON API (crafted requests, no form) -------------------------------------

@pytest.mark.parametrize(("who", "where", "status", "moderation"), [
    ("admin", IN_RACH_GIA, 201, "approved"),
    ("planner", IN_PHU_QUOC, 201, "approved"),
    ("staff_899", IN_RACH_GIA, 201, "submitted"),
    ("staff_911", IN_RACH_GIA, 403, None),
    (None, IN_RACH_GIA, 401, None),
])
def test_api_create_by_role_and_area(client, db, tokens, who, where, status, moderation):
    response = api(client, "POST", "/api/sites", tokens.get(who), feature("Qua API", *where))
    assert response.status_code == status, response.get_json()
    if moderation:
        assert response.get_json()["properties"]["moderation"] == moderation
        assert response.get_json()["properties"]["district_code"] in ("899", "911")
    assert site_count(db) == (1 if moderation else 0)



@pytest.mark.parametrize(("who", "status"), [
    ("admin", 200), ("planner", 200), ("staff_899", 200), ("staff_911", 404), (None, 401)])
def test_api_edit_by_role_and_area(client, tokens, approved, who, status):
    site_id, version = approved
    body = {"type": "Feature", "properties": {"name": "Tên sửa", "version": version}}
    assert api(client, "PATCH", f"/api/sites/{site_id}", tokens.get(who), body).status_code == status


@pytest.mark.parametrize(("who", "status"), [("planner", 200), ("staff_899", 403)])
def test_api_move_out_of_the_district(client, tokens, approved, who, status):
    site_id, version = approved
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(IN_PHU_QUOC)},
            "properties": {"version": version}}
    response = api(client, "PATCH", f"/api/sites/{site_id}", tokens.get(who), body)
    assert response.status_code == status
    if status == 403:
        assert response.get_json()["error"]["field"] == "location"


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 200), ("planner", 200), ("staff_899", 200), ("staff_911", 404), (None, 401)])
def test_api_delete_by_role_and_area(client, db, tokens, approved, who, status):
    site_id, version = approved
    assert api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens.get(who)).status_code == status
    # District staff ask for the deletion of an approved site: it stays public until a planner approves.
    assert site_count(db, "deleted_at IS NOT NULL") == (1 if who in ("admin", "planner") else 0)
    assert public_names(client) == ([] if who in ("admin", "planner") else ["Điểm Rạch Giá"])


def test_a_staff_deletion_reaches_the_public_map_once_approved(client, db, users, tokens, approved):
    site_id, version = approved
    asked = api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens["staff_899"]).get_json()
    assert asked["properties"]["pending"] == {"deleted": True}
    assert public_names(client) == ["Điểm Rạch Giá"]
    sign_in(client, "planner")
    review = client.get("/staff/review").data.decode()
    assert f'data-id="{site_id}"' in review
    token = csrf_token(client, "/staff/review")
    approved_now = client.post(f"/staff/sites/{site_id}/approve",
                               data={"csrf_token": token, "version": asked["properties"]["version"]})
    assert approved_now.status_code == 302
    assert public_names(client) == []
    history = client.get(f"/staff/sites/{site_id}/history").data.decode()
    assert "Gửi yêu cầu xoá chờ duyệt" in history


def test_a_revoked_or_unknown_token_is_refused(client, db, tokens, users):
    with Session(db) as session, session.begin():
        accounts.revoke_tokens(session, "planner")
    assert api(client, "POST", "/api/sites", tokens["planner"], feature()).status_code == 401
    assert api(client, "POST", "/api/sites", "made-up-token", feature()).status_code == 401


def test_api_bad_input_is_422_naming_each_field(client, db, tokens):
    body = feature("", *IN_RACH_GIA, category="bakery")
    response = api(client, "POST", "/api/sites", tokens["planner"], body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"name", "category"}
    assert api(client, "POST", "/api/sites", tokens["planner"], {"type": "Point"}).status_code == 400
    assert site_count(db) == 0


def test_api_write_with_a_session_needs_the_csrf_header(client, db, users):
    sign_in(client, "planner")
    assert client.post("/api/sites", json=feature()).status_code == 400
    token = csrf_token(client, "/staff/")
    assert client.post("/api/sites", json=feature(), headers={"X-CSRFToken": token}).status_code == 201


def test_api_conflict_shows_the_current_version(client, tokens, approved):
    site_id, version = approved
    first = {"type": "Feature", "properties": {"name": "Bản thứ nhất", "version": version}}
    second = {"type": "Feature", "properties": {"name": "Bản thứ hai", "version": version}}
    assert api(client, "PATCH", f"/api/sites/{site_id}", tokens["planner"], first).status_code == 200
    response = api(client, "PATCH", f"/api/sites/{site_id}", tokens["admin"], second)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["field"] == "version" and error["current"]["properties"]["name"] == "Bản thứ nhất"
    assert error["yours"]["properties"]["name"] == "Bản thứ hai"


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_api_refuses_a_version_that_is_not_a_whole_number(client, db, tokens, approved, version):
    site_id, _version = approved
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    number = json.dumps(version) if version == "abc" else version  # 1.9 and 1e309 as JSON numbers
    patched = client.patch(f"/api/sites/{site_id}", headers=headers, content_type="application/json",
                           data='{"type": "Feature", "properties": {"name": "Tên sửa", "version": %s}}' % number)
    deleted = client.delete(f"/api/sites/{site_id}?version={version}", headers=headers)
    for response in (patched, deleted):
        assert response.status_code == 400, response.data
        # 1e309 is no finite number: a strict JSON reader refuses the body before any field is read.
        expected = "body" if response is patched and version == "1e309" else "version"
        assert response.get_json()["error"]["field"] == expected
    assert public_names(client) == ["Điểm Rạch Giá"]
    assert site_count(db, "version = 1 AND deleted_at IS NULL") == 1


# --- closed lists, limits and impossible values, by name ------------------------------------------------------

@pytest.mark.parametrize(("properties", "field"), [
    ({"category": "solar", "plan_task": "I.1", "measures": {"solar_kind": "áp mái"}}, "measures.solar_kind"),
    ({"category": "organic_farm", "plan_task": "II.9", "measures": {"certification": "sạch"}},
     "measures.certification"),
    ({"plan_task": "II.8"}, "plan_task"),
    ({"description": "x" * 5001}, "description"),
    ({"address": "x" * 501}, "address"),
])
def test_api_refuses_a_value_off_its_list_or_too_long_by_name(client, db, tokens, properties, field):
    response = api(client, "POST", "/api/sites", tokens["planner"], feature(**properties))
    assert response.status_code == 422, response.data
    assert field in response.get_json()["error"]["fields"]
    assert site_count(db) == 0


@pytest.mark.parametrize("raw", [
    '"measures": {"households": NaN}', '"measures": {"households": Infinity}', '"measures": {"households": 1e309}',
    '"name": "Đi\\ud800ểm"', '"source": "\\udfff"',
])
def test_api_refuses_nan_infinity_and_lone_surrogates_as_a_bad_body(client, db, tokens, raw):
    """Not JSON as the standard has it: the strict parser refuses the body before any field is read."""
    body = ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [%s, %s]}, "properties": '
            '{"name": "Điểm", "category": "waste_sorting", "plan_task": "VI.2", "source": "x", %s}}'
            % (*IN_RACH_GIA, raw))
    response = client.post("/api/sites", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {tokens['planner']}"})
    assert response.status_code == 400, response.data
    assert response.get_json()["error"]["field"] == "body"
    assert site_count(db) == 0


# --- a pending change cannot vanish ------------------------------------------------------------------------------

def test_a_second_persons_partial_patch_keeps_the_first_persons_pending_change(client, tokens, approved):
    site_id, version = approved
    first = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_899"],
                {"type": "Feature", "properties": {"name": "Tên của A", "version": version}}).get_json()
    second = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_30742"],
                 {"type": "Feature", "properties": {"description": "Mô tả của B",
                                                    "version": first["properties"]["version"]}})
    assert second.status_code == 200
    pending = second.get_json()["properties"]["pending"]
    assert (pending["name"], pending["description"]) == ("Tên của A", "Mô tả của B")
    assert public_names(client) == ["Điểm Rạch Giá"]
    sign_in(client, "planner")
    review = client.get("/staff/review").data.decode()
    assert "Tên của A" in review and "Mô tả của B" in review


def test_a_planners_patch_over_a_pending_change_publishes_both_and_is_an_approval(client, tokens, approved):
    site_id, version = approved
    first = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_899"],
                {"type": "Feature", "properties": {"name": "Tên của A", "version": version}}).get_json()
    api(client, "PATCH", f"/api/sites/{site_id}", tokens["planner"],
        {"type": "Feature", "properties": {"description": "Ghi chú", "version": first["properties"]["version"]}})
    assert public_names(client) == ["Tên của A"]
    sign_in(client, "planner")
    history = client.get(f"/staff/sites/{site_id}/history").data.decode()
    assert "<td>planner</td><td>Duyệt</td>" in history and "<td>planner</td><td>Sửa</td>" not in history


def test_an_unchanged_patch_writes_nothing(client, db, tokens, approved):
    site_id, version = approved
    same = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_899"],
               {"type": "Feature", "properties": {"name": "Điểm Rạch Giá", "version": version}})
    assert same.status_code == 200 and same.get_json()["properties"]["version"] == version
    assert same.get_json()["properties"]["pending"] is None
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site_history")).scalar_one() == 1


# --- the right status for each refusal (no 500, no 400 where another status tells more) ---------------------

def test_a_delete_with_a_stale_version_is_a_409_with_the_saved_site(client, tokens, approved):
    site_id, version = approved
    api(client, "PATCH", f"/api/sites/{site_id}", tokens["planner"],
        {"type": "Feature", "properties": {"name": "Tên mới hơn", "version": version}})
    stale = api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens["planner"])
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["field"] == "version" and error["current"]["properties"]["name"] == "Tên mới hơn"
    assert "yours" not in error
    assert public_names(client) == ["Tên mới hơn"]


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/sites"), ("PATCH", "/api/sites/1"),
                                              ("DELETE", "/api/sites/1?version=abc")])
def test_a_write_of_nobody_is_a_401_whatever_its_body(client, db, method, path):
    response = client.open(path, method=method, data="{not json", content_type="application/json")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["error"]["field"] == "Authorization"


def test_a_deletion_request_does_not_replace_a_change_waiting_for_review(client, db, tokens, approved):
    site_id, version = approved
    changed = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_899"],
                  {"type": "Feature", "properties": {"name": "Tên chờ duyệt", "version": version}}).get_json()
    assert changed["properties"]["pending"]["name"] == "Tên chờ duyệt"

    refused = api(client, "DELETE", f"/api/sites/{site_id}?version={changed['properties']['version']}",
                  tokens["staff_899"])
    assert refused.status_code == 409 and refused.get_json()["error"]["field"] == "pending"
    assert refused.get_json()["error"]["current"]["properties"]["pending"]["name"] == "Tên chờ duyệt"
    with db.connect() as connection:
        pending = connection.execute(text("SELECT pending->>'name' FROM site WHERE id = :id"), {"id": site_id})
        assert pending.scalar_one() == "Tên chờ duyệt"



def test_a_written_site_comes_back_as_the_read_api_gives_it(client, tokens):
    """One Feature for reads and writes: the same properties with the same values, the time in UTC with Z."""
    created = api(client, "POST", "/api/sites", tokens["planner"], feature("Một hình dạng"))
    assert created.status_code == 201
    written = created.get_json()
    read = client.get(f"/api/sites/{written['id']}").get_json()
    review_state = {"moderation", "pending", "review_note", "deleted"}
    assert set(written["properties"]) == set(read["properties"]) | review_state
    assert {k: v for k, v in written["properties"].items() if k not in review_state} == read["properties"]
    assert written["geometry"] == read["geometry"]
    assert written["properties"]["updated_at"].endswith("Z") and written["properties"]["moderation"] == "approved"
