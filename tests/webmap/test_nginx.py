"""deploy/nginx.conf, run by a real nginx on a free port in front of the app: public reads cached, staff not."""
from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(app) -> Iterator[str]:
    """The app on a werkzeug server, and nginx with deploy/nginx.conf in front of it; yields nginx's base URL."""
    assert os.access(NGINX, os.X_OK), "nginx is missing: scripts/setup --test installs it"
    # Not pytest's tmp_path: its parent is private to root, and nginx's workers drop root.
    tmp_path = Path(tempfile.mkdtemp(prefix="scp-map-nginx-"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = _free_port()
    # The shipped file with this machine's addresses: its listen port, upstream and cache directory.
    site_conf = CONF.read_text()
    for shipped, here in (("listen 80;", f"listen 127.0.0.1:{port};"),
                          ("server 127.0.0.1:5000;", f"server 127.0.0.1:{server.server_port};"),
                          ("/var/cache/nginx/scp-map", str(tmp_path / "cache"))):
        assert shipped in site_conf
        site_conf = site_conf.replace(shipped, here)
    (tmp_path / "scp-map.conf").write_text(site_conf)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "cache").mkdir()
    for path in (tmp_path, temp, tmp_path / "cache"):
        path.chmod(0o777)  # nginx's workers drop root
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path}/scp-map.conf;
}}
""")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert nginx.poll() is None, nginx.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.shutdown()
        shutil.rmtree(tmp_path, ignore_errors=True)


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
