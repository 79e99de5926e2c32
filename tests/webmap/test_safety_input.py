"""Nothing lost, nothing injected: size and depth limits, malformed bodies and parameters answered 4xx by name."""
from __future__ import annotations

import re

import pytest

from tests.staffkit import (api, approved, csrf_token, feature, sign_in, site_count, tokens,  # noqa: F401 - fixtures
                            users)


def _post_raw(client, token: str, data: bytes, path: str = "/api/sites", method: str = "POST"):
    return client.open(path, method=method, data=data, content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_a_body_over_the_limit_is_a_413_naming_the_body_in_the_users_language(client, db, tokens):
    body = b'{"type": "Feature", "properties": {"name": "' + b"x" * (11 * 1024 * 1024) + b'"}}'
    response = _post_raw(client, tokens["planner"], body)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["field"] == "body" and "quá lớn" in error["reason"] and "10" in error["reason"]
    english = client.open("/api/sites?lang=en", method="POST", data=body, content_type="application/json",
                          headers={"Authorization": f"Bearer {tokens['planner']}"})
    assert english.status_code == 413 and "too large" in english.get_json()["error"]["reason"]
    assert site_count(db) == 0


def test_a_page_upload_over_the_limit_gets_the_sites_error_page(client, users):
    sign_in(client, "planner")
    response = client.post("/staff/import", data={"csrf_token": "x", "file": "y" * (11 * 1024 * 1024)},
                           headers={"Accept": "text/html"})
    assert response.status_code == 413
    page = response.data.decode()
    assert 'data-status="413"' in page and "quá lớn" in page


def test_the_limit_comes_from_the_settings(app, client, tokens):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _post_raw(client, tokens["planner"], b'{"type": "Feature", "properties": {"x": "' + b"y" * 2000 + b'"}}')
    assert response.status_code == 413


def test_a_50000_deep_body_is_a_400_not_a_crash(client, db, tokens):
    response = _post_raw(client, tokens["planner"], b"[" * 50_000 + b"]" * 50_000)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"
    assert site_count(db) == 0


def test_a_body_deeper_than_the_setting_is_refused_by_name(client, db, tokens):
    deep: dict = {}
    node = deep
    for _ in range(40):
        node["a"] = {}
        node = node["a"]
    response = api(client, "POST", "/api/sites", tokens["planner"], feature("Sâu", measures=deep))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "body" and "32" in error["reason"]
    assert site_count(db) == 0


@pytest.mark.parametrize(("raw", "field"), [
    (b'{"type": "Feature", "properties": ["name"], "geometry": null}', "properties"),
    (b'{"type": "Feature", "properties": "abc"}', "properties"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": "POINT(1 2)"}', "geometry"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": [105, 10]}', "geometry"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": ["105", 10]}}',
     "geometry"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [true, 10]}}',
     "geometry"),
    (b'{"type": "Feature", "properties": {"name": "\\ud800"}}', "body"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [NaN, 10]}}',
     "body"),
    (b'{"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [1e999, 10]}}',
     "body"),
    (b'{"type": "Feature", "properties": {"name": "a", "measures": {"households": Infinity}}}', "body"),
    (b'\xff\xfe', "body"),
    (b'', "body"),
    (b'[]', "body"),
])
def test_malformed_bodies_are_a_400_naming_the_field(client, db, tokens, raw, field):
    response = _post_raw(client, tokens["planner"], raw)
    assert response.status_code == 400, response.data
    error = response.get_json()["error"]
    assert error["field"] == field and error["status"] == 400 and error["reason"]
    assert site_count(db) == 0


def test_a_malformed_patch_changes_nothing(client, db, tokens, approved):
    site_id, version = approved
    response = _post_raw(client, tokens["planner"], b'{"type": "Feature", "properties": {"name": "\\udfff"}}',
                         path=f"/api/sites/{site_id}", method="PATCH")
    assert response.status_code == 400
    assert client.get(f"/api/sites/{site_id}").get_json()["properties"]["name"] == "Điểm Rạch Giá"


@pytest.mark.parametrize("value", ["abc", "1e3", "99999"])
def test_manual_values_page_refuses_a_bad_year_by_name(client, users, value):
    sign_in(client, "planner")
    response = client.get(f"/staff/indicators?year={value}")
    assert response.status_code == 400
    assert 'data-field="year"' in response.data.decode()


@pytest.mark.parametrize("version", ["abc", "1.5", "-1"])
def test_manual_values_page_refuses_a_bad_version_by_name(client, users, version):
    sign_in(client, "planner")
    response = client.post("/staff/indicators?year=2024", data={
        "csrf_token": csrf_token(client, "/staff/indicators"), "version": version, "value": "1",
        "unit_code": "899", "sector": "industry"})
    assert response.status_code == 422
    html = response.data.decode()
    # The refusal names the row (unit, sector) and the field in words, never the form's field name.
    assert 'id="value-errors"' in html and re.search(r"Rạch Giá, industry — Phiên bản: \S", html)
