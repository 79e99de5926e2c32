"""deploy/nginx.conf, run by a real nginx on a free port in front of the app: public reads cached, staff not."""
from __future__ import annotations

import gzip
import os
import subprocess
import threading
import urllib.error
import urllib.request
from typing import Iterator

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from bench import load
from geo.site_store import insert_site
from tests.serverkit import Visitor, gunicorn
from tests.sitedata import RACH_GIA, site
from tests.staffkit import PASSWORD, users  # noqa: F401 - fixture

CONF = load.ROOT / "deploy" / "nginx.conf"
NGINX = load.NGINX


@pytest.fixture
def proxy(app) -> Iterator[str]:
    """The app on a werkzeug server, and nginx with deploy/nginx.conf in front of it (started the way
    scripts/bench starts it); yields nginx's base URL."""
    assert os.access(NGINX, os.X_OK), "nginx is missing: scripts/setup --test installs it"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with load.nginx(f"http://127.0.0.1:{server.server_port}") as (base, _log):
            yield base
    finally:
        server.shutdown()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_second_request_for_districts_is_answered_by_nginx(proxy, db):
    status, first, body = _get(f"{proxy}/api/districts?simplify=100")
    assert status == 200 and first["X-Cache-Status"] == "MISS"
    status, second, again = _get(f"{proxy}/api/districts?simplify=100")
    assert status == 200 and second["X-Cache-Status"] == "HIT" and again == body
    assert second["ETag"] == first["ETag"]


def test_compressed_and_plain_clients_each_get_their_own_copy(proxy, db):
    _, plain, plain_body = _get(f"{proxy}/api/districts")
    _, zipped, zipped_body = _get(f"{proxy}/api/districts", **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped_body) == plain_body
    _, zipped_again, _ = _get(f"{proxy}/api/districts", **{"Accept-Encoding": "gzip, deflate"})
    assert zipped_again["X-Cache-Status"] == "HIT" and zipped_again["Content-Encoding"] == "gzip"


def test_sites_cached_until_the_app_says_stale_and_staff_sign_in_never_cached(proxy, db):
    with Session(db) as session, session.begin():
        insert_site(session, site("Điểm qua nginx", *RACH_GIA))
    _get(f"{proxy}/api/sites")
    _, headers, body = _get(f"{proxy}/api/sites")
    assert headers["X-Cache-Status"] == "HIT" and "Điểm qua nginx".encode() in body

    first = _get(f"{proxy}/staff/login")
    second = _get(f"{proxy}/staff/login")
    for _, headers, _ in (first, second):
        assert headers.get("X-Cache-Status", "") == ""
    # Each sign-in page carries its own CSRF token: the second is the app's, not a stored copy.
    assert first[2] != second[2]


def test_a_signed_in_visitor_goes_straight_to_the_app(proxy, db):
    _get(f"{proxy}/api/districts")
    _, headers, _ = _get(f"{proxy}/api/districts", Cookie="session=someone")
    assert headers["X-Cache-Status"] == "BYPASS"


def test_shipped_configuration_passes_nginx_syntax_check(tmp_path):
    main = tmp_path / "nginx.conf"
    conf = CONF.read_text().replace("/var/cache/nginx/scp-map", str(tmp_path / "cache"))
    (tmp_path / "scp-map.conf").write_text(conf)
    main.write_text(f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}} "
                    f"http {{ proxy_temp_path {tmp_path}/proxy; client_body_temp_path {tmp_path}/body; "
                    f"include {tmp_path}/scp-map.conf; }}")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stderr


def test_behind_nginx_one_address_locked_out_does_not_lock_out_another(database_url, users, tmp_path):
    # gunicorn told that one proxy stands in front (TRUSTED_PROXIES=1), its access log naming each client.
    log = tmp_path / "access.log"
    with gunicorn(database_url, log, env={"TRUSTED_PROXIES": "1"}, log_format="%(h)s %(s)s") as app_server, \
            load.nginx(app_server) as (base, _nginx_log):
        attacker, colleague = Visitor(base, "127.0.0.2"), Visitor(base, "127.0.0.3")
        statuses = [attacker.sign_in(f"name{n}", "sai-mật-khẩu") for n in range(31)]
        assert statuses == [401] * 30 + [429]
        assert attacker.sign_in("planner", PASSWORD) == 429
        assert colleague.sign_in("planner", PASSWORD) == 302
    answers = [line.split() for line in log.read_text().splitlines()]
    assert [address for address, status in answers if status in ("401", "429")] == ["127.0.0.2"] * 32
    assert ["127.0.0.3", "302"] in answers
