"""Photos through the staff pages: the site form stores them with the site, the review queue shows them beside the
mini-map with a flag when one was taken far from the site, and the review decides what the public sees."""
from __future__ import annotations

import io
import re

from sqlalchemy import text

from tests.photokit import phone_jpeg, png_bomb
from tests.staffkit import IN_RACH_GIA, api, approved, csrf_token, sign_in, site_count, tokens, users  # noqa: F401
from tests.webmap.test_photos import A_KM_AWAY, post_photo

FORM = {"name": "Điểm phân loại rác Vĩnh Thanh Vân", "category": "waste_sorting", "plan_task": "VI.2",
        "lat": str(IN_RACH_GIA[1]), "lon": str(IN_RACH_GIA[0]), "source": "Phòng TN&MT", "measure_households": "120"}


def photo_rows(db) -> list[tuple]:
    with db.connect() as connection:
        return connection.execute(text("""
            SELECT p.site_id, p.moderation, round(p.distance_m)::integer, b.width, b.height
            FROM site_photo p JOIN photo b ON b.sha256 = p.sha256 ORDER BY p.id""")).all()


def test_the_site_form_stores_its_photos_with_the_site(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    response = client.post("/staff/sites/new", content_type="multipart/form-data", data={
        **FORM, "csrf_token": token,
        "photo": [(io.BytesIO(phone_jpeg(*IN_RACH_GIA)), "IMG_0001.jpg"),
                  (io.BytesIO(phone_jpeg(*A_KM_AWAY, taken="2025:03:15 10:00:00")), "IMG_0002.jpg")]})
    assert response.status_code == 302
    assert photo_rows(db) == [(1, "pending", 0, 2048, 1536), (1, "pending", 995, 2048, 1536)]


def test_a_bad_photo_on_the_form_saves_nothing_and_names_the_field(client, users, db):
    sign_in(client, "staff_899")
    token = csrf_token(client, "/staff/sites/new")
    response = client.post("/staff/sites/new", content_type="multipart/form-data", data={
        **FORM, "csrf_token": token, "photo": [(io.BytesIO(png_bomb()), "bom.png")]})
    html = response.data.decode()
    assert response.status_code == 422
    assert 'data-field="photo"' in html and "Ảnh có quá nhiều điểm ảnh (tối đa 60 triệu)" in html
    assert 'value="Điểm phân loại rác Vĩnh Thanh Vân"' in html
    assert site_count(db) == 0 and photo_rows(db) == []


def queue_item(html: str, site_id: int) -> str:
    return re.search(rf'<section class="review-item" data-id="{site_id}">(.*?)</section>', html, re.S).group(1)


def test_the_review_queue_flags_a_photo_taken_a_kilometre_away(client, tokens, approved):
    site_id, _version = approved
    near = post_photo(client, site_id, tokens["staff_899"], phone_jpeg(*IN_RACH_GIA)).get_json()
    far = post_photo(client, site_id, tokens["staff_899"], phone_jpeg(*A_KM_AWAY, taken="2025:03:15 10:00:00"))
    sign_in(client, "planner")
    item = queue_item(client.get("/staff/review").data.decode(), site_id)
    assert "Ảnh mới của một điểm đã duyệt" in item
    photos = re.findall(r'<li data-photo="(\d+)">(.*?)</li>', item, re.S)
    assert [photo_id for photo_id, _html in photos] == [str(near["id"]), str(far.get_json()["id"])]
    assert "cách điểm" not in photos[0][1] and "chụp 14/03/2025" in photos[0][1]
    assert re.findall(r'class="photo-far">([^<]*)<', photos[1][1]) == ["cách điểm 995 m"]
    assert "chụp 15/03/2025" in photos[1][1] and "staff_899" in photos[1][1]


def test_approving_publishes_the_photos_and_rejecting_keeps_them_from_the_public(client, tokens, approved):
    site_id, _version = approved
    first = post_photo(client, site_id, tokens["staff_899"], phone_jpeg(*IN_RACH_GIA)).get_json()
    sign_in(client, "planner")
    version = client.get(f"/api/sites/{site_id}").get_json()["properties"]["version"]
    approved_now = client.post(f"/staff/sites/{site_id}/approve",
                               data={"csrf_token": csrf_token(client, "/staff/review"), "version": version})
    assert approved_now.status_code == 302
    public = client.application.test_client()
    assert public.get(first["url"]).status_code == 200
    assert [p["id"] for p in public.get(f"/api/sites/{site_id}").get_json()["properties"]["photos"]] == [first["id"]]

    second = post_photo(client, site_id, tokens["staff_899"], phone_jpeg(*A_KM_AWAY)).get_json()
    version = public.get(f"/api/sites/{site_id}").get_json()["properties"]["version"]
    rejected = client.post(f"/staff/sites/{site_id}/reject", data={
        "csrf_token": csrf_token(client, "/staff/review"), "version": version, "reason": "Ảnh chụp nơi khác"})
    assert rejected.status_code == 302
    site = public.get(f"/api/sites/{site_id}").get_json()
    assert site["properties"]["name"] == "Điểm Rạch Giá"  # the site itself stays approved and public
    assert [p["id"] for p in site["properties"]["photos"]] == [first["id"]]
    assert public.get(second["url"]).status_code == 404
    assert "Không có gì chờ duyệt" in client.get("/staff/review").data.decode()


def test_a_planners_photo_on_the_edit_form_is_public_at_once(client, tokens, approved, db):
    site_id, version = approved
    sign_in(client, "planner")
    token = csrf_token(client, f"/staff/sites/{site_id}/edit")
    form = client.get(f"/staff/sites/{site_id}/edit").data.decode()
    assert 'enctype="multipart/form-data"' in form and 'capture="environment"' in form
    response = client.post(f"/staff/sites/{site_id}/edit", content_type="multipart/form-data", data={
        **FORM, "name": "Điểm Rạch Giá", "measure_households": "80", "source": "API (thử nghiệm)",
        "status": "active", "csrf_token": token, "version": str(version),
        "photo": [(io.BytesIO(phone_jpeg(*IN_RACH_GIA)), "IMG_0003.jpg")]})
    assert response.status_code == 302
    assert [row[1] for row in photo_rows(db)] == ["approved"]
    listed = client.application.test_client().get(f"/api/sites/{site_id}").get_json()["properties"]["photos"]
    assert len(listed) == 1
    assert 'class="photo-list"' in client.get(f"/staff/sites/{site_id}/edit").data.decode()
