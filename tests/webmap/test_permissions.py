"""The permission matrix over HTTP: each role × each action × own area / other area / signed out.

Requests are crafted: they skip the form (no page is loaded before the POST, fields the form never sends are
added) or go straight to the JSON API with a personal token. Each test asserts the status and what the database
holds afterwards, so a refusal is known to have changed nothing.

Who is who (tests/staffkit.py): staff_899 is district staff of Rạch Giá, staff_30742 of the 2025 commune that
holds the test sites, staff_911 of Phú Quốc; every site here lies in Rạch Giá (899) and in commune 30742.
"""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import text
from tests.staffkit import (IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, csrf_token, feature, sign_in,  # noqa: F401
                            tokens, users)

OWN = ("staff_899", "staff_30742")
ALL = ("admin", "planner", "staff_899", "staff_30742", "staff_911", None)


@pytest.fixture
def sites(app, tokens):
    """An approved site, a submitted one (by staff_899) and a deleted one, all in Rạch Giá; id → version."""
    client = app.test_client()

    def post(token: str, name: str, lon_lat=IN_RACH_GIA) -> tuple[int, int]:
        body = client.post("/api/sites", json=feature(name, *lon_lat),
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        return body["id"], body["properties"]["version"]

    approved = post(tokens["planner"], "Điểm đã duyệt")
    submitted = post(tokens["staff_899"], "Bản nháp của huyện", IN_RACH_GIA_2)
    deleted_id, version = post(tokens["planner"], "Điểm đã xoá")
    client.delete(f"/api/sites/{deleted_id}?version={version}", headers={"Authorization": f"Bearer {tokens['planner']}"})
    return {"approved": approved, "submitted": submitted, "deleted": (deleted_id, version + 1)}


def row(db, site_id: int) -> dict:
    with db.connect() as connection:
        return dict(connection.execute(text(
            "SELECT name, moderation, district_code, pending, deleted_at IS NOT NULL AS deleted, version "
            "FROM site WHERE id = :id"), {"id": site_id}).one()._mapping)


def count(db, where: str = "true") -> int:
    with db.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM site WHERE {where}")).scalar_one()


def api(client, method: str, path: str, token: str | None, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, headers=headers, json=body)


def as_user(client, who: str | None) -> str:
    """Sign in (unless who is None) and return a CSRF token of the session, taken from any page."""
    if who:
        assert sign_in(client, who).status_code == 302
    return csrf_token(client, "/staff/login")


def site_form(name: str, lon_lat=IN_RACH_GIA, **extra) -> dict:
    form = {"name": name, "category": "waste_sorting", "status": "active", "plan_task": "VI.2",
            "lon": str(lon_lat[0]), "lat": str(lon_lat[1]), "source": "Biểu mẫu giả", "measure_households": "12"}
    form.update(extra)
    return form


def public_names(client) -> set[str]:
    return {f["properties"]["name"] for f in client.get("/api/sites").get_json()["features"]}


# --- create -----------------------------------------------------------------------------------------------

CREATE = {"admin": (201, "approved"), "planner": (201, "approved"), "staff_899": (201, "submitted"),
          "staff_30742": (201, "submitted"), "staff_911": (403, None), None: (401, None)}


@pytest.mark.parametrize("who", ALL)
def test_create_by_api(client, db, tokens, who):
    # Crafted: the body claims approval, another district and another author; none of it is taken.
    body = feature("Qua API", *IN_RACH_GIA, moderation="approved", district_code="911", created_by=1, version=99)
    response = api(client, "POST", "/api/sites", tokens.get(who), body)
    status, moderation = CREATE[who]
    assert response.status_code == status, response.get_json()
    if moderation:
        properties = response.get_json()["properties"]
        assert (properties["moderation"], properties["district_code"], properties["version"]) == (moderation, "899", 1)
    else:
        assert response.get_json()["error"]["field"] in ("location", "Authorization")
    assert count(db) == (1 if moderation else 0)


@pytest.mark.parametrize("who", ALL)
def test_create_by_form(client, db, users, who):
    token = as_user(client, who)
    response = client.post("/staff/sites/new", data={**site_form("Qua biểu mẫu", moderation="approved",
                                                                 district_code="911"), "csrf_token": token})
    expected, moderation = {**CREATE, None: (302, None)}[who]
    expected = 302 if expected == 201 else expected  # the form redirects to the list after saving
    assert response.status_code == expected
    if who is None:
        assert "/staff/login" in response.headers["Location"]
    assert count(db) == (1 if moderation else 0)
    if moderation:
        assert count(db, f"moderation = '{moderation}' AND district_code = '899'") == 1


# --- edit an approved site -------------------------------------------------------------------------------

# Another district's site answers as a missing one would (404): its ids are not theirs to probe.
EDIT = {"admin": 200, "planner": 200, "staff_899": 200, "staff_30742": 200, "staff_911": 404, None: 401}


@pytest.mark.parametrize("who", ALL)
def test_edit_by_api(client, db, tokens, sites, who):
    site_id, version = sites["approved"]
    body = {"type": "Feature", "properties": {"name": "Tên sửa", "version": version, "moderation": "approved"}}
    response = api(client, "PATCH", f"/api/sites/{site_id}", tokens.get(who), body)
    assert response.status_code == EDIT[who], response.get_json()
    after = row(db, site_id)
    if who in ("admin", "planner"):
        assert after["name"] == "Tên sửa" and after["pending"] is None
    elif who in OWN:
        # The change waits for review; the public keeps the approved version.
        assert after["name"] == "Điểm đã duyệt" and after["pending"]["name"] == "Tên sửa"
        assert after["moderation"] == "approved" and "Tên sửa" not in public_names(client)
    else:
        assert after["version"] == version and after["pending"] is None


@pytest.mark.parametrize("who", ALL)
def test_edit_by_form(client, db, users, sites, who):
    site_id, version = sites["submitted"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/edit",
                           data={**site_form("Sửa bản nháp", IN_RACH_GIA_2), "version": str(version),
                                 "csrf_token": token, "moderation": "approved"})
    expected = {"admin": 302, "planner": 302, "staff_899": 302, "staff_30742": 302, "staff_911": 404,
                None: 302}[who]
    assert response.status_code == expected
    after = row(db, site_id)
    if who is None or who == "staff_911":
        assert after["name"] == "Bản nháp của huyện" and after["version"] == version
    else:
        assert after["name"] == "Sửa bản nháp"
        assert after["moderation"] == ("approved" if who in ("admin", "planner") else "submitted")


# --- move a site out of Rạch Giá ------------------------------------------------------------------------

MOVE = {"admin": 200, "planner": 200, "staff_899": 403, "staff_30742": 403, "staff_911": 404, None: 401}


@pytest.mark.parametrize("who", ALL)
def test_move_out_by_api(client, db, tokens, sites, who):
    site_id, version = sites["approved"]
    # Crafted: the point is in Phú Quốc while the properties still say Rạch Giá.
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(IN_PHU_QUOC)},
            "properties": {"version": version, "district_code": "899"}}
    response = api(client, "PATCH", f"/api/sites/{site_id}", tokens.get(who), body)
    assert response.status_code == MOVE[who]
    assert row(db, site_id)["district_code"] == ("911" if MOVE[who] == 200 else "899")
    assert row(db, site_id)["pending"] is None
    if who in OWN:
        assert response.get_json()["error"]["field"] == "location"


@pytest.mark.parametrize("who", OWN)
def test_move_out_of_a_draft_by_form(client, db, users, sites, who):
    site_id, version = sites["submitted"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/edit",
                           data={**site_form("Dời ra Phú Quốc", IN_PHU_QUOC), "version": str(version),
                                 "csrf_token": token})
    assert response.status_code == 403
    assert "ngoài địa bàn" in response.data.decode()
    assert row(db, site_id)["district_code"] == "899" and row(db, site_id)["version"] == version


# --- delete -------------------------------------------------------------------------------------------------

DELETE = {"admin": 200, "planner": 200, "staff_899": 200, "staff_30742": 200, "staff_911": 404, None: 401}


@pytest.mark.parametrize("who", ALL)
def test_delete_by_api(client, db, tokens, sites, who):
    site_id, version = sites["approved"]
    response = api(client, "DELETE", f"/api/sites/{site_id}?version={version}", tokens.get(who))
    assert response.status_code == DELETE[who]
    # District staff's deletion of an approved site waits for a planner, like a change.
    assert row(db, site_id)["deleted"] is (who in ("admin", "planner"))
    assert row(db, site_id)["pending"] == ({"deleted": True} if who in ("staff_899", "staff_30742") else None)


@pytest.mark.parametrize("who", ALL)
def test_delete_by_form(client, db, users, sites, who):
    site_id, version = sites["approved"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/delete", data={"csrf_token": token, "version": str(version)})
    # The form redirects after a deletion, and a signed-out person to the sign-in page.
    assert response.status_code == {"staff_911": 404}.get(who, 302)
    assert row(db, site_id)["deleted"] is (who in ("admin", "planner"))
    assert row(db, site_id)["pending"] == ({"deleted": True} if who in ("staff_899", "staff_30742") else None)


# --- restore, approve, reject: planners only (forms) --------------------------------------------------------

PLANNERS_ONLY = {"admin": 302, "planner": 302, "staff_899": 403, "staff_30742": 403, "staff_911": 403,
                 None: 302}


@pytest.mark.parametrize("who", ALL)
def test_restore(client, db, users, sites, who):
    site_id, _version = sites["deleted"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/restore", data={"csrf_token": token})
    assert response.status_code == PLANNERS_ONLY[who]
    assert row(db, site_id)["deleted"] is not (who in ("admin", "planner"))


@pytest.mark.parametrize("who", ALL)
def test_approve(client, db, users, sites, who):
    site_id, version = sites["submitted"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/approve", data={"csrf_token": token, "version": str(version)})
    assert response.status_code == PLANNERS_ONLY[who]
    approved = who in ("admin", "planner")
    assert row(db, site_id)["moderation"] == ("approved" if approved else "submitted")
    assert ("Bản nháp của huyện" in public_names(client)) is approved


@pytest.mark.parametrize("who", ALL)
def test_reject(client, db, users, sites, who):
    site_id, version = sites["submitted"]
    token = as_user(client, who)
    response = client.post(f"/staff/sites/{site_id}/reject",
                           data={"csrf_token": token, "version": str(version), "reason": "Thiếu nguồn"})
    assert response.status_code == PLANNERS_ONLY[who]
    assert row(db, site_id)["moderation"] == ("rejected" if who in ("admin", "planner") else "submitted")


# --- what each one may see --------------------------------------------------------------------------------

SEE = {"admin": 200, "planner": 200, "staff_899": 200, "staff_30742": 200, "staff_911": 404, None: 302}


@pytest.mark.parametrize("who", ALL)
def test_view_history(client, users, sites, who):
    site_id, _version = sites["approved"]
    as_user(client, who)
    response = client.get(f"/staff/sites/{site_id}/history")
    assert response.status_code == SEE[who]
    if SEE[who] == 200:
        assert "planner" in response.data.decode()


@pytest.mark.parametrize("who", ALL)
def test_view_drafts(client, users, sites, who):
    site_id, _version = sites["submitted"]
    as_user(client, who)
    response = client.get(f"/staff/sites/{site_id}/edit")
    assert response.status_code == SEE[who]
    listing = client.get("/staff/")
    if who is None:
        assert listing.status_code == 302
    else:
        assert ("Bản nháp của huyện" in listing.data.decode()) is (SEE[who] == 200)


def test_the_public_sees_no_draft_rejected_or_deleted_site_anywhere(client, tokens, sites):
    submitted_id, _ = sites["submitted"]
    deleted_id, _ = sites["deleted"]
    assert public_names(client) == {"Điểm đã duyệt"}
    ogc = client.get("/ogc/collections/sites/items").get_json()
    assert {f["properties"]["name"] for f in ogc["features"]} == {"Điểm đã duyệt"}
    for site_id in (submitted_id, deleted_id):
        assert client.get(f"/ogc/collections/sites/items/{site_id}").status_code == 404
    csv_text = client.get("/api/sites?f=csv").data.decode()
    assert "Điểm đã duyệt" in csv_text and "Bản nháp" not in csv_text and "Điểm đã xoá" not in csv_text
    embed = client.get("/embed").data.decode()
    assert "Bản nháp" not in embed and "staff_899" not in embed


# --- crafted requests that try to get around the rules -------------------------------------------------------

def test_a_token_is_for_the_api_only_and_a_form_post_with_one_still_needs_csrf(client, db, tokens):
    response = client.post("/staff/sites/new", data=site_form("Bằng mã API"),
                           headers={"Authorization": f"Bearer {tokens['planner']}"})
    assert response.status_code == 400 and "CSRF" in response.data.decode()
    assert count(db) == 0


def test_a_bad_token_never_falls_back_to_the_session(client, db, users):
    sign_in(client, "planner")
    response = client.post("/api/sites", json=feature("Mã giả"), headers={"Authorization": "Bearer giả-mạo"})
    assert response.status_code == 401
    assert count(db) == 0


def test_district_staff_cannot_import_outside_their_area(client, db, users):
    token = as_user(client, "staff_911")
    csv_text = "Tên,Loại,Kinh độ,Vĩ độ,Nhiệm vụ,Nguồn\nNgoài địa bàn,waste_sorting,{},{},VI.2,x\n".format(*IN_RACH_GIA)
    upload = {"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "ds.csv")}
    preview = client.post("/staff/import", data=upload, content_type="multipart/form-data").data.decode()
    assert "ngoài địa bàn" in preview
    confirm = re.search(r'action="(/staff/import/[0-9a-f-]+/confirm)"', preview).group(1)
    response = client.post(confirm, data={"csrf_token": token, "row": ["2"]})
    assert response.status_code == 400 and "các dòng 2 có lỗi" in response.data.decode()
    assert count(db) == 0


def test_user_text_is_escaped_on_every_staff_page(client, tokens, users):
    evil = "<script>alert('x')</script>"
    created = api(client, "POST", "/api/sites", tokens["staff_899"],
                  feature(evil, *IN_RACH_GIA, description=evil, address=evil)).get_json()
    site_id = created["id"]
    as_user(client, "planner")
    for path in ("/staff/", "/staff/review", f"/staff/sites/{site_id}/history", f"/staff/sites/{site_id}/edit"):
        html = client.get(path).data.decode()
        assert evil not in html, path
        assert "&lt;script&gt;" in html, path
