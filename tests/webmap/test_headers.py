"""Headers of every response: a strict Content-Security-Policy with a per-request nonce, referrer, HSTS, caching."""
from __future__ import annotations

import re

import pytest

from tests.staffkit import sign_in, users  # noqa: F401 - fixture
from webmap import create_app, mapbuild


def _policy(response) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in response.headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path", ["/", "/embed", "/progress", "/embed/builder", "/staff/login", "/api/sites",
                                  "/ogc", "/no-such-page"])
def test_every_response_has_a_strict_policy(client, path):
    policy = _policy(client.get(path))
    assert policy["default-src"] == "'self'"
    scripts = policy["script-src"].split()
    assert scripts[0] == "'self'" and scripts[1].startswith("'nonce-")
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert all(s.startswith("'sha256-") for s in scripts[3:]) and scripts[2] == "'unsafe-hashes'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == ("'self' http://portal.test:8100" if path == "/embed" else "'none'")


@pytest.mark.parametrize("path", ["/", "/embed", "/progress?figure=sites&year=2025", "/embed/builder"])
def test_every_inline_script_carries_this_requests_nonce(client, path):
    first, second = client.get(path), client.get(path)
    nonces = [_policy(r)["script-src"].split()[1][len("'nonce-"):-1] for r in (first, second)]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    page = first.data.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the page has its map script inline"
    assert all(f'nonce="{nonces[0]}"' in attributes for attributes in inline)


def test_the_folium_parts_keep_no_inline_script_outside_the_script_part():
    parts = mapbuild.page_parts(mapbuild.base_map(mapbuild.MapOptions()))
    assert "<script>" not in parts["header"] and "<script>" not in parts["html"]
    assert "L_NO_TOUCH" in parts["script"] and parts["script"].index("L_NO_TOUCH") < parts["script"].index("L.map")


def test_referrer_nosniff_and_no_hsts_over_plain_http(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_cookies_are_secure(db, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32,
                      "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.extensions["engine"].dispose()


def test_staff_pages_are_never_stored(client, users):
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    sign_in(client, "planner")
    for path in ("/staff/", "/staff/review", "/staff/indicators"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path
    assert client.get("/embed").headers["Cache-Control"] == "public, max-age=300"
