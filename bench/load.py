"""Servers and load for scripts/bench: the app and a bare Flask + psycopg2 app under gunicorn, nginx with
deploy/nginx.conf in front; the clients driving them are bench.clients."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import make_url

from bench import ROOT
from geo.tiles import tile_of

NGINX = "/usr/sbin/nginx"
SECRET = "benchmark-only-secret-key"
BBOX_PATH = "/api/sites?bbox=104.9,9.9,105.1,10.1&limit=10000"
# The pages of the mixed load; tiles come between them (mix_paths).
MIX_PAGES = ("/embed", "/api/districts", "/api/sites?bbox=104.9,9.9,105.1,10.1&limit=1000")
# What Chromium sends: the app and nginx answer it compressed, as they answer the portal's visitors.
BROWSER_ENCODING = "gzip, deflate, br"


def mix_paths() -> list[str]:
    """The mix of the 200 clients: /embed, /api/districts and /api/sites each followed by the tiles a visit
    loads, 3 x 3 tiles at z8 (the province), z11 and z13 (Rạch Giá) and z15 (its centre) in all."""
    tiles = []
    for z, (lon, lat) in ((8, (104.6, 10.0)), (11, (105.1, 10.0)), (13, (105.09, 10.01)), (15, (105.083, 10.01))):
        x, y = tile_of(lon, lat, z)
        tiles += [f"/tiles/sites/{z}/{x + dx}/{y + dy}.pbf" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    out = []
    for i, page in enumerate(MIX_PAGES):
        out += [page, *tiles[i * 12:(i + 1) * 12]]
    return out


def bare_app():
    """A bare Flask + psycopg2 app answering one path with the statement of BENCH_BARE (JSON: url, sql, params),
    the yardstick of /api/sites' throughput; run by gunicorn."""
    from flask import Flask, Response
    from psycopg2.pool import ThreadedConnectionPool

    spec = json.loads(os.environ["BENCH_BARE"])
    pool = ThreadedConnectionPool(1, 16, spec["url"])
    app = Flask("bare")

    @app.get("/api/sites")
    def sites() -> Response:
        connection = pool.getconn()
        try:
            with connection.cursor() as cursor:
                cursor.execute(spec["sql"], spec["params"])
                body = cursor.fetchone()[0]
            connection.rollback()
        finally:
            pool.putconn(connection)
        return Response(body, mimetype="application/geo+json")

    return app


def captured_statement(app, path: str) -> tuple[str, dict]:
    """The SQL statement and parameters (psycopg2's form) of the body of path in app."""
    from sqlalchemy import event

    seen: list[tuple[str, dict]] = []

    def keep(_connection, _cursor, statement, parameters, *_args) -> None:
        if "FeatureCollection" in statement:
            seen.append((statement, parameters))

    event.listen(app.extensions["engine"], "before_cursor_execute", keep)
    app.test_client().get(path)
    event.remove(app.extensions["engine"], "before_cursor_execute", keep)
    return seen[-1]


def bare_env(app, url: str) -> dict[str, str]:
    """The environment of the bare app: the database and the statement behind BBOX_PATH in app."""
    sql, parameters = captured_statement(app, BBOX_PATH)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return {"BENCH_BARE": json.dumps({"url": plain, "sql": sql, "params": parameters})}


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_spec: str, url: str, env: dict[str, str] | None = None, *, access_log: Path | None = None,
             access_format: str | None = None) -> Iterator[str]:
    """gunicorn (deploy/gunicorn.conf.py: gthread) serving app_spec on the database at url, on a free port;
    yields its base URL. Its access log goes to access_log (in access_format) when given."""
    port = free_port()
    logging = ["--access-logfile", str(access_log or "/dev/null"),
               *(["--access-logformat", access_format] if access_format else [])]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), *logging,
         app_spec],
        env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, **(env or {}), "HOST": "127.0.0.1",
             "PORT": str(port)},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/api/sites?limit=1", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app_spec} stopped: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def nginx(upstream: str) -> Iterator[tuple[str, Path]]:
    """nginx with deploy/nginx.conf (its port, upstream and cache directory replaced) in front of upstream;
    yields its base URL and its access log, one "$status $upstream_cache_status $request_time" a line."""
    work = Path(tempfile.mkdtemp(prefix="scp-map-bench-nginx-"))
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for shipped, here in (("listen 80;", f"listen 127.0.0.1:{port};"),
                          ("server 127.0.0.1:5000;", f"server {upstream.removeprefix('http://')};"),
                          ("/var/cache/nginx/scp-map", str(work / "cache"))):
        if shipped not in site:
            raise RuntimeError(f"deploy/nginx.conf no longer holds {shipped!r}: the benchmark cannot adapt it")
        site = site.replace(shipped, here)
    (work / "scp-map.conf").write_text(site)
    for path in (work, work / "temp", work / "cache"):
        path.mkdir(exist_ok=True)
        path.chmod(0o777)  # nginx's workers drop root
    temp = work / "temp"
    # Two workers with room for 200 clients and their upstream connections, as on a small server.
    (work / "nginx.conf").write_text(f"""
pid {work}/nginx.pid;
error_log {work}/error.log warn;
worker_processes 2;
events {{ worker_connections 2048; }}
http {{
    log_format cache "$status $upstream_cache_status $request_time";
    access_log {work}/access.log cache buffer=64k flush=1s;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {work}/scp-map.conf;
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"nginx stopped: {process.stderr.read().decode()}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", work / "access.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def cache_times(log: Path, since: int = 0) -> dict[str, list[float]]:
    """The seconds nginx took for each answered request of its access log (from byte since), by cache status ("-":
    not cacheable); requests whose client left first (499) are left out."""
    times: dict[str, list[float]] = {}
    with log.open() as lines:
        lines.seek(since)
        logged = lines.read()
    for line in logged.splitlines():
        status, cache, seconds = line.split()
        if status != "499":
            times.setdefault(cache, []).append(float(seconds))
    return times


def cache_statuses(log: Path, since: int = 0) -> dict[str, int]:
    """How many answered requests of nginx's access log (from byte since) had each cache status (cache_times)."""
    return {cache: len(seconds) for cache, seconds in cache_times(log, since).items()}
