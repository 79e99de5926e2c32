"""Other sites may read the public data (a portal's MapLibre map, a GIS tool in a browser), never staff pages,
writes or anything signed in."""
from __future__ import annotations

import pytest

PORTAL = "http://portal.example"


@pytest.mark.parametrize("path", ["/tiles/sites.json", "/tiles/sites/8/203/121.pbf", "/api/sites?limit=1",
                                  "/api/districts", "/api/indicators", "/ogc/collections", "/api/openapi.json"])
def test_public_reads_may_be_fetched_from_any_origin_without_credentials(client, path):
    response = client.get(path, headers={"Origin": PORTAL})
    assert response.status_code in (200, 204)  # an empty tile is a 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_of_a_read_is_answered(client):
    response = client.options("/tiles/sites.json", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "if-none-match"


def test_a_preflight_of_a_write_gets_no_permission(client):
    response = client.options("/api/sites", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["/staff/login", "/", "/report/2025"])
def test_pages_and_staff_are_not_opened_to_other_origins(client, path):
    response = client.get(path, headers={"Origin": PORTAL})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_write_answer_carries_no_permission(client):
    response = client.post("/api/sites", json={}, headers={"Origin": PORTAL})
    assert response.status_code in (400, 401, 403)
    assert "Access-Control-Allow-Origin" not in response.headers
