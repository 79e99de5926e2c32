"""Photos of a site through the API and at their URLs: processing, listing, review states, serving, refusals."""
from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from tests.photokit import phone_jpeg, png_bomb
from tests.staffkit import IN_RACH_GIA, approved, sign_in, tokens, users  # noqa: F401 - fixtures

# About 1 km north of IN_RACH_GIA (0.009° of latitude).
A_KM_AWAY = (IN_RACH_GIA[0], IN_RACH_GIA[1] + 0.009)


def post_photo(client, site_id: int, token: str | None, data: bytes, name: str = "anh.jpg", lang: str = "vi"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/sites/{site_id}/photos?lang={lang}", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_phone_photo_is_served_resized_without_exif_and_listed_on_the_site(client, tokens, approved):
    site_id, _version = approved
    sent = post_photo(client, site_id, tokens["planner"], phone_jpeg(*IN_RACH_GIA))
    assert sent.status_code == 201
    body = sent.get_json()
    assert body["url"].endswith(".jpg") and body["thumbnail_url"].endswith("/thumbnail.jpg")
    assert body["moderation"] == "approved" and body["taken_at"] == "2025-03-14T09:30:00"

    served = client.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (2048, 1536)
    exif = image.getexif()
    assert dict(exif) == {} and dict(exif.get_ifd(ExifTags.IFD.GPSInfo)) == {}
    assert b"PhoneCo" not in served.data
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    sha256 = body["url"].rsplit("/", 1)[1].removesuffix(".jpg")
    assert served.headers["ETag"] == f'"{sha256}"'
    assert client.get(body["url"], headers={"If-None-Match": f'"{sha256}"'}).status_code == 304
    thumbnail = Image.open(io.BytesIO(client.get(body["thumbnail_url"]).data))
    assert max(thumbnail.size) == 320

    listed = client.get(f"/api/sites/{site_id}").get_json()["properties"]["photos"]
    assert [(p["url"], p["thumbnail_url"], p["width"], p["height"]) for p in listed] == [
        (body["url"], body["thumbnail_url"], 2048, 1536)]


def test_the_exif_orientation_turns_the_photo_upright(client, tokens, approved):
    site_id, _version = approved
    body = post_photo(client, site_id, tokens["planner"], phone_jpeg(*IN_RACH_GIA, orientation=6)).get_json()
    assert Image.open(io.BytesIO(client.get(body["url"]).data)).size == (1536, 2048)


def test_a_staff_photo_waits_for_review_and_is_shown_only_to_staff_until_approved(app, client, tokens, approved):
    site_id, _version = approved
    staff, other = app.test_client(), app.test_client()
    sign_in(staff, "staff_899")
    sign_in(other, "staff_911")
    body = post_photo(client, site_id, tokens["staff_899"], phone_jpeg(*IN_RACH_GIA)).get_json()
    assert body["moderation"] == "pending"
    assert client.get(f"/api/sites/{site_id}").get_json()["properties"]["photos"] == []
    assert client.get(body["url"]).status_code == 404
    assert client.get(body["thumbnail_url"]).status_code == 404
    seen = staff.get(body["url"])
    assert seen.status_code == 200 and seen.headers["Cache-Control"] == "private, no-store"
    assert other.get(body["url"]).status_code == 404
    as_staff = client.get(f"/api/sites/{site_id}", headers={"Authorization": f"Bearer {tokens['staff_899']}"})
    assert [p["moderation"] for p in as_staff.get_json()["properties"]["photos"]] == ["pending"]
    assert as_staff.headers["Cache-Control"] == "private, no-store"
    assert post_photo(client, site_id, tokens["staff_911"], phone_jpeg(*IN_RACH_GIA)).status_code == 404


@pytest.mark.parametrize("data, name, reason", [
    (png_bomb(), "bom.png", "Ảnh có quá nhiều điểm ảnh (tối đa 60 triệu)"),
    (b"%PDF-1.4 not a photo", "giay-to.pdf", "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"),
    (phone_jpeg(*IN_RACH_GIA)[:5000], "cut.jpg", "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"),
])
def test_a_bomb_or_a_file_that_is_not_an_image_is_refused_naming_the_field(client, tokens, approved, data, name,
                                                                            reason):
    site_id, _version = approved
    refused = post_photo(client, site_id, tokens["planner"], data, name)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "file"
    assert refused.get_json()["error"]["reason"] == reason
    assert client.get(f"/api/sites/{site_id}").get_json()["properties"]["photos"] == []


def test_refusals_are_in_english_on_an_english_request(client, tokens, approved):
    refused = post_photo(client, approved[0], tokens["planner"], png_bomb(), lang="en")
    assert refused.get_json()["error"]["reason"] == "The image has too many pixels (at most 60 million)"


def test_a_photo_without_a_file_or_a_signed_in_writer_is_refused(client, tokens, approved):
    site_id, _version = approved
    empty = client.post(f"/api/sites/{site_id}/photos", headers={"Authorization": f"Bearer {tokens['planner']}"},
                        data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and empty.get_json()["error"]["field"] == "file"
    assert post_photo(client, site_id, None, phone_jpeg(*IN_RACH_GIA)).status_code == 401


def test_the_same_photo_twice_is_kept_once_and_deleting_it_removes_its_bytes(client, db, tokens, approved):
    site_id, _version = approved
    photo = phone_jpeg(*IN_RACH_GIA)
    first = post_photo(client, site_id, tokens["planner"], photo).get_json()
    again = post_photo(client, site_id, tokens["planner"], photo).get_json()
    assert again["id"] == first["id"]
    gone = client.delete(f"/api/sites/{site_id}/photos/{first['id']}",
                         headers={"Authorization": f"Bearer {tokens['staff_899']}"})
    assert gone.status_code == 204
    assert client.get(first["url"]).status_code == 404
    assert client.get(f"/api/sites/{site_id}").get_json()["properties"]["photos"] == []
    missing = client.delete(f"/api/sites/{site_id}/photos/{first['id']}",
                            headers={"Authorization": f"Bearer {tokens['planner']}"})
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "photo_id"


def test_adding_and_deleting_a_photo_are_lines_of_the_sites_history(client, tokens, approved):
    site_id, _version = approved
    photo = post_photo(client, site_id, tokens["planner"], phone_jpeg(*IN_RACH_GIA)).get_json()
    post_photo(client, site_id, tokens["planner"], phone_jpeg(*IN_RACH_GIA))  # the same photo: nothing added
    client.delete(f"/api/sites/{site_id}/photos/{photo['id']}", headers={"Authorization": f"Bearer {tokens['staff_899']}"})
    sign_in(client, "planner")
    page = client.get(f"/staff/sites/{site_id}/history").data.decode()
    rows = [" ".join(row.split()) for row in page.split("<tr>")[1:]]
    photo_rows = [row for row in rows if "ảnh" in row]
    assert len(photo_rows) == 2
    assert "Xoá ảnh: #" + str(photo["id"]) in photo_rows[0] and "staff_899" in photo_rows[0]  # newest first
    assert "Thêm ảnh: #" + str(photo["id"]) in photo_rows[1] and "planner" in photo_rows[1]


def test_a_photo_larger_than_other_requests_may_be_is_read_and_one_past_the_limit_refused(client, tokens, approved):
    site_id, _version = approved
    # 12 MB: past MAX_CONTENT_LENGTH (10 MB) of other requests, within a photo's 15 MB, so it is read (and is no image).
    read = post_photo(client, site_id, tokens["planner"], b"\xff\xd8" + b"\0" * (12 * 1024 * 1024))
    assert read.status_code == 400
    assert read.get_json()["error"]["reason"] == "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"
    refused = post_photo(client, site_id, tokens["planner"], b"\xff\xd8" + b"\0" * (15 * 1024 * 1024))
    assert refused.status_code == 400
    assert refused.get_json()["error"] == {"field": "file", "parameter": "file", "reason": "Ảnh lớn quá 15 MB",
                                           "status": 400}
