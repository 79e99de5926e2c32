"""The staff's installable app: its manifest, its service worker (per signed-in person, for /staff/), a fresh CSRF
token for the sites kept offline, and sign-out clearing what the device kept."""
from __future__ import annotations

import re

from PIL import Image

from tests.staffkit import csrf_token, sign_in, users  # noqa: F401 (fixture)
from webmap.assets import STATIC_DIR


def test_manifest_names_the_app_in_vietnamese_with_its_icons(client):
    response = client.get("/staff/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Bản đồ SXTD bền vững – cán bộ"
    assert manifest["start_url"] == "/staff/" and manifest["scope"] == "/staff/"
    assert manifest["display"] == "standalone"
    types = {icon["type"]: icon for icon in manifest["icons"]}
    assert types["image/svg+xml"]["src"].startswith("/static/favicon.svg?v=")
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert [icon["sizes"] for icon in pngs] == ["192x192", "512x512"]
    for icon in pngs:
        assert client.get(icon["src"]).status_code == 200
        with Image.open(STATIC_DIR / icon["src"].split("?")[0].removeprefix("/static/")) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    english = client.get("/staff/manifest.webmanifest?lang=en").get_json(force=True)
    assert english["name"] == "Sustainable production map – staff"


def test_staff_pages_link_the_manifest_and_the_offline_scripts_public_pages_do_not(client, users):
    assert 'rel="manifest"' not in client.get("/staff/login").data.decode()
    sign_in(client, "staff_899")
    page = client.get("/staff/sites/new").data.decode()
    assert '<link rel="manifest" href="/staff/manifest.webmanifest">' in page
    assert re.search(r'<script src="/static/offline\.js\?v=\w+" defer>', page)
    assert 'enctype="multipart/form-data"' in page
    assert 'id="offline-queue"' in page
    # The map pages of the public are not the staff's app.
    assert 'rel="manifest"' not in client.get("/progress").data.decode()


def test_service_worker_is_for_a_signed_in_person_only_and_keeps_the_form(client, users):
    assert client.get("/staff/sw.js").status_code == 401
    sign_in(client, "staff_899")
    response = client.get("/staff/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"  # every visit checks for a new worker
    worker = response.data.decode()
    for url in ("/staff/sites/new", "/static/site_form.js?v=", "/static/vendor/leaflet/dist/leaflet.js?v=",
                "/static/vendor/leaflet/dist/leaflet.css?v=", "/static/offline_queue.js?v="):
        assert f'"{url}' in worker
    # Another person's worker keeps its own cache.
    other = client.application.test_client()
    sign_in(other, "staff_911")
    cache = re.compile(r'"cache": "(scp-staff-[0-9a-f]+-[0-9a-f]+)"')
    assert cache.search(worker).group(1) != cache.search(other.get("/staff/sw.js").data.decode()).group(1)


def test_csrf_token_for_sending_kept_sites(client, users):
    response = client.get("/staff/csrf-token")
    assert response.status_code == 401
    assert response.get_json()["error"]["reason"] == "Cần đăng nhập để mở trang này"
    sign_in(client, "staff_899")
    body = client.get("/staff/csrf-token").get_json()
    # The token is the session's: a site form posted with it is taken.
    response = client.post("/staff/sites/new", data={"csrf_token": body["csrf_token"], "name": ""})
    assert response.status_code == 422


def test_sign_out_clears_what_the_device_kept(client, users):
    sign_in(client, "staff_899")
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_policy_allows_the_worker_and_the_manifest_from_this_site(client):
    policy = client.get("/staff/login").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_workers_copy_of_a_page_leaves_a_message_for_the_persons_next_page(client, users):
    sign_in(client, "staff_899")
    with client.session_transaction() as session:  # as a save leaves it
        session["_flashes"] = [("message", "Đã lưu điểm “Chợ Rạch Sỏi”")]
    kept = client.get("/staff/", headers={"X-Offline-Copy": "1"}).data.decode()
    assert "Chợ Rạch Sỏi" not in kept
    assert "Đã lưu điểm “Chợ Rạch Sỏi”" in client.get("/staff/").data.decode()
