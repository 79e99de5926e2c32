"""Benchmarks of the map pages (scripts/bench): page weight, API time and vector-tile time with generated sites.

Runs in a scratch database of its own (the served data is not touched) and prints figures; it asserts nothing.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable

from sqlalchemy import make_url, text

from geo import admin, boundaries, reference
from geo.db import make_engine, transaction


def fill_sites(engine, count: int) -> None:
    """Replace every site with count approved random points inside the districts (set-based, in SQL)."""
    with transaction(engine) as session:
        session.execute(text("TRUNCATE site_history, site RESTART IDENTITY CASCADE"))
        session.execute(text("""
            INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency, source, is_sample,
                              moderation, start_date, measures)
            SELECT 'Điểm thử nghiệm ' || n, c.code, 'active', p.geom, c.plan_tasks[1], 'Sở Công Thương',
                   'benchmark', true, 'approved', date '2022-01-01', '{"households": 10}'::jsonb
            FROM (SELECT row_number() OVER () AS n, (ST_Dump(ST_GeneratePoints(ST_Union(geom), :count, 135))).geom
                  FROM admin_unit WHERE level = 'district') p
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


# Tiles of the benchmark: the province's middle at z8, Rạch Giá at z11 and z15 (z/x/y).
TILES = ((8, 202, 120), (11, 1621, 966), (15, 25948, 15467))


def tile_time(client, z: int, x: int, y: int, repeats: int = 20) -> tuple[float, int, int]:
    """Median seconds of a tile over repeats, warm (after one request), with its bytes and status."""
    path = f"/tiles/sites/{z}/{x}/{y}.pbf"
    client.get(path)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
    assert response.status_code in (200, 204), path
    return statistics.median(times), len(response.data), response.status_code


def run(url: str, counts: list[int], *, say: Callable[[str], None] = print) -> None:
    """Fill a scratch database beside url with each count of sites in turn and print the figures."""
    base = make_url(url)
    scratch = base.set(database=f"{base.database}_bench").render_as_string(hide_password=False)
    admin.create_database(scratch)
    admin.migrate(scratch)
    engine = make_engine(scratch)
    with transaction(engine) as session:
        reference.load_reference(session)
        if boundaries.count_units(session, "district") == 0:
            for layer in boundaries.SHIPPED_LAYERS:
                boundaries.load_shipped_layer(session, layer)
    from webmap import create_app

    app = create_app({"DATABASE_URL": scratch, "SECRET_KEY": "benchmark-only-secret-key", "TESTING": True})
    client = app.test_client()
    say(f"{'sites':>7} {'page / (bytes)':>15} {'/embed (bytes)':>15} {'/api/sites (bytes)':>19} {'/api/sites (s)':>15}")
    for count in counts:
        fill_sites(engine, count)
        page, _ = measure(client, "/")
        embed, _ = measure(client, "/embed")
        api, seconds = measure(client, "/api/sites?limit=10000")
        say(f"{count:>7} {page:>15,} {embed:>15,} {api:>19,} {seconds:>15.3f}")
        for z, x, y in TILES:
            seconds, size, status = tile_time(client, z, x, y)
            say(f"{'':>7} tile {z}/{x}/{y}: median of 20 {seconds * 1000:.1f} ms, {size:,} bytes ({status})")
