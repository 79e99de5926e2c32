"""Benchmarks of the map pages (scripts/bench): page weight, API time and vector-tile time with generated sites.

Runs in a scratch database of its own (the served data is not touched) and prints figures; it asserts nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import quote
from pathlib import Path
from typing import Callable

from sqlalchemy import make_url, text

from geo import admin, boundaries, reference
from geo.db import make_engine, transaction

ROOT = Path(__file__).resolve().parent.parent


def fill_sites(engine, count: int) -> None:
    """Replace every site with count approved random points inside the districts (set-based, in SQL)."""
    with transaction(engine) as session:
        session.execute(text("TRUNCATE site_history, site RESTART IDENTITY CASCADE"))
        session.execute(text("""
            INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency, source, is_sample,
                              moderation, start_date, measures)
            SELECT 'Điểm thử nghiệm ' || n, c.code, 'active', p.geom, c.plan_tasks[1], 'Sở Công Thương',
                   'benchmark', true, 'approved', date '2022-01-01', '{"households": 10}'::jsonb
            -- Numbered after ST_Dump, one number a point: numbering the one multipoint gave every site n = 1,
            -- so every site had the same name and category.
            FROM (SELECT row_number() OVER () AS n, d.geom
                  FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), :count, 135))).geom
                        FROM admin_unit WHERE level = 'district') d) p
            JOIN LATERAL (SELECT code, plan_tasks FROM category ORDER BY sort_order
                          OFFSET (p.n % 11) LIMIT 1) c ON true
        """), {"count": count})


def measure(client, path: str) -> tuple[int, float]:
    """Bytes of a response and the seconds it took (best of three)."""
    best, size = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        response = client.get(path)
        best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, path
        size = len(response.data)
    return size, best


# Tiles of the benchmark: the province's middle at z8, Rạch Giá at z11, z12 (the first zoom of points, crowded
# here) and z15 (z/x/y).
TILES = ((8, 202, 120), (11, 1621, 966), (12, 3243, 1933), (15, 25948, 15467))


def tile_filters(engine) -> tuple[str, ...]:
    """The query strings of the tile benchmark: none, each filter of the public map once, then three at once."""
    with engine.connect() as connection:
        commune = connection.execute(text("SELECT commune_code FROM site WHERE district_code = '899' "
                                          "AND commune_code IS NOT NULL LIMIT 1")).scalar()
    return ("", "category=solar", "status=active", "district=899", f"commune={commune}", "plan_task=VI.2",
            "lead_agency=Sở Công Thương", "year=2025", "start_year=2022", "category=solar&status=active&year=2025")


def tile_times(client, engine, *, say: Callable[[str], None] = print) -> None:
    """Print the median time of each benchmark tile with each filter of tile_filters."""
    say(f"tile server time, median of 20 ms ({_load()})")
    say(f"{'filter':<40}" + "".join(f"{f'z{z}':>10}" for z, _, _ in TILES))
    for query in tile_filters(engine):
        cells = [tile_time(client, z, x, y, query=query)[0] * 1000 for z, x, y in TILES]
        say(f"{query or '(none)':<40}" + "".join(f"{ms:>10.1f}" for ms in cells))


def tile_time(client, z: int, x: int, y: int, repeats: int = 20, query: str = "") -> tuple[float, int, int]:
    """Median seconds of a tile over repeats, warm (after one request), with its bytes and status."""
    path = f"/tiles/sites/{z}/{x}/{y}.pbf" + (f"?{quote(query, safe='=&')}" if query else "")
    client.get(path)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
    assert response.status_code in (200, 204), path
    return statistics.median(times), len(response.data), response.status_code


def scratch_database(url: str, suffix: str):
    """A database beside url named with suffix, migrated, with the reference lists and boundaries: (url, engine)."""
    base = make_url(url)
    scratch = base.set(database=f"{base.database}{suffix}").render_as_string(hide_password=False)
    admin.create_database(scratch)
    admin.migrate(scratch)
    engine = make_engine(scratch)
    with transaction(engine) as session:
        reference.load_reference(session)
        if boundaries.count_units(session, "district") == 0:
            for layer in boundaries.SHIPPED_LAYERS:
                boundaries.load_shipped_layer(session, layer)
    return scratch, engine


def run(url: str, counts: list[int], *, say: Callable[[str], None] = print) -> None:
    """Fill a scratch database beside url with each count of sites in turn and print the figures."""
    scratch, engine = scratch_database(url, "_bench")
    from webmap import create_app

    app = create_app({"DATABASE_URL": scratch, "SECRET_KEY": "benchmark-only-secret-key", "TESTING": True})
    client = app.test_client()
    say(f"{'sites':>7} {'page / (bytes)':>15} {'/embed (bytes)':>15} {'/api/sites (bytes)':>19} {'/api/sites (s)':>15}")
    for count in counts:
        fill_sites(engine, count)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE site, site_cell"))
        page, _ = measure(client, "/")
        embed, _ = measure(client, "/embed")
        api, seconds = measure(client, "/api/sites?limit=10000")
        say(f"{count:>7} {page:>15,} {embed:>15,} {api:>19,} {seconds:>15.3f}")
        for z, x, y in TILES:
            seconds, size, status = tile_time(client, z, x, y)
            say(f"{'':>7} tile {z}/{x}/{y}: median of 20 {seconds * 1000:.1f} ms, {size:,} bytes ({status})")
        tile_times(client, engine, say=say)


# --- provincial scale (scripts/bench --scale): server time of the progress views, API throughput next to a
# bare Flask + psycopg2 app, and a mixed load of 200 clients on gunicorn gthread. Prints figures with the
# machine's load; asserts nothing.

SCALE_PATHS = ("/progress?year=2025", "/api/progress/summary?year=2025")
BBOX_PATH = "/api/sites?bbox=104.9,9.9,105.1,10.1&limit=10000"
MIX_PATHS = ("/embed", "/api/districts", "/api/sites?bbox=104.9,9.9,105.1,10.1&limit=1000")


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def server_times(client, paths=SCALE_PATHS, repeat: int = 5) -> dict[str, float]:
    """Median seconds of each path in the app (no network), after one warm-up request."""
    out = {}
    for path in paths:
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
        out[path] = statistics.median(times)
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


def _gunicorn(app_spec: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """gunicorn (deploy/gunicorn.conf.py: gthread) on a free port; returns the process and its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                "--access-logfile", "/dev/null", app_spec],
                               env={**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sites?limit=1", timeout=2):
                break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


_WRK_MIX = """
paths = {%s}
n = 0
request = function() n = n + 1; return wrk.format("GET", paths[(n %% #paths) + 1]) end
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%%.1f p95=%%.1f p99=%%.1f requests=%%d errors=%%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout))
end
"""


def wrk(base: str, paths, seconds: int, connections: int) -> dict[str, float]:
    """wrk (Debian package wrk) cycling through paths: requests/s, p50/p95/p99 in ms, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_MIX % ", ".join(json.dumps(p) for p in paths))
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", script.name,
                           base], capture_output=True, text=True, check=True)
    os.unlink(script.name)
    result = dict(item.split("=") for item in done.stdout.split("RESULT ")[1].split())
    out = {k: float(v) for k, v in result.items()}
    out["rps"] = out["requests"] / seconds
    return out


def scale(url: str, counts: list[int], *, say: Callable[[str], None] = print, load_seconds: int = 60) -> None:
    """The provincial-scale figures for each count of sites, in a scratch database <db>_bench_scale."""
    scratch, engine = scratch_database(url, "_bench_scale")
    for count in counts:
        fill_sites(engine, count)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE site"))
        scale_figures(scratch, count, say=say, load_seconds=load_seconds)


def scale_figures(url: str, count: int, *, say: Callable[[str], None] = print, load_seconds: int = 60) -> None:
    """The figures of one filled database: progress times, throughput beside the bare app, the mixed load."""
    from webmap import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-only-secret-key", "TESTING": True})
    for path, seconds in server_times(app.test_client()).items():
        say(f"{count:>8} sites  {path:<34} median of 5: {seconds:.3f} s  ({_load()})")
    if not shutil.which("wrk"):
        say("wrk is missing (apt-get install wrk): no throughput or load figures")
        return
    sql, parameters = captured_statement(app, BBOX_PATH)
    app.extensions["engine"].dispose()
    env = {"DATABASE_URL": url, "SECRET_KEY": "benchmark-only-secret-key",
           "BENCH_BARE": json.dumps({"url": make_url(url).render_as_string(hide_password=False).replace(
               "postgresql+psycopg2", "postgresql"), "sql": sql, "params": parameters})}
    servers = [_gunicorn("webmap:create_app()", env), _gunicorn("webmap.benchmark:bare_app()", env)]
    try:
        rates = [wrk(base_url, [BBOX_PATH], 20, 8)["rps"] for _, base_url in servers]
        say(f"{count:>8} sites  {BBOX_PATH}: app {rates[0]:.1f} req/s, bare Flask + psycopg2 {rates[1]:.1f} req/s, "
            f"ratio {rates[0] / rates[1]:.2f}  ({_load()})")
        mix = wrk(servers[0][1], MIX_PATHS, load_seconds, 200)
        say(f"{count:>8} sites  200 clients x {load_seconds} s on {', '.join(MIX_PATHS)}: {mix['rps']:.1f} req/s, "
            f"p50 {mix['p50']:.0f} ms, p95 {mix['p95']:.0f} ms, p99 {mix['p99']:.0f} ms, "
            f"errors {mix['errors']:.0f}  ({_load()})")
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    # scripts/bench --scale [COUNT…]; BENCH_DATABASE_URL measures an already filled database instead.
    numbers = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    if os.environ.get("BENCH_DATABASE_URL"):
        scale_figures(os.environ["BENCH_DATABASE_URL"], numbers[0])
    else:
        scale(os.environ["DATABASE_URL"], numbers)
