"""Benchmarks of the map at provincial scale (scripts/bench): every figure of issue 9's "Benchmarks" for each
count of generated sites, each printed with the machine's load average.

Runs in a scratch database of its own (the served data is not touched), dropped at the end; asserts nothing.
Servers and load are in bench.load, the browser in bench.browser.
"""
from __future__ import annotations

import statistics
import time
from urllib.parse import quote

from sqlalchemy import make_url, text

from bench import Say, figure, load
from bench import clients as load_clients
from geo import admin, boundaries, reference
from geo.db import make_engine, transaction

# A fill inserts this many sites a statement, so that a large one reports its progress (1 000 000 sites take
# minutes: each row's district and commune are derived by a trigger).
FILL_BATCH = 100_000


def fill_sites(engine, count: int, say: Say | None = None) -> None:
    """Replace every site with count approved random points inside the districts (set-based, in SQL), in one
    transaction; with say, a line after each batch of FILL_BATCH when there are several."""
    start = time.perf_counter()
    with transaction(engine) as session:
        session.execute(text("TRUNCATE site_history, site RESTART IDENTITY CASCADE"))
        for first in range(0, count, FILL_BATCH):
            session.execute(text("""
                INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency, source, is_sample,
                                  moderation, start_date, measures)
                SELECT 'Điểm thử nghiệm ' || n, c.code, 'active', p.geom, c.plan_tasks[1], 'Sở Công Thương',
                       'benchmark', true, 'approved', date '2022-01-01', '{"households": 10}'::jsonb
                -- Numbered after ST_Dump, one number a point: numbering the one multipoint gave every site
                -- n = 1, so every site had the same name and category.
                FROM (SELECT :first + row_number() OVER () AS n, d.geom
                      FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), :count, :seed))).geom
                            FROM admin_unit WHERE level = 'district') d) p
                JOIN LATERAL (SELECT code, plan_tasks FROM category ORDER BY sort_order
                              OFFSET (p.n % 11) LIMIT 1) c ON true
            """), {"count": min(FILL_BATCH, count - first), "first": first, "seed": 135 + first // FILL_BATCH})
            if say and count > FILL_BATCH:
                figure(say, f"{count:>9,} sites | filling: {min(first + FILL_BATCH, count):,} inserted in "
                            f"{time.perf_counter() - start:.0f} s")


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
    return ("", "category=solar", "status=active", "district=899", *([f"commune={commune}"] if commune else []),
            "plan_task=VI.2", "lead_agency=Sở Công Thương", "year=2025", "start_year=2022",
            "category=solar&status=active&year=2025")


def tile_times(client, engine, line: Say) -> None:
    """Print the median time of each benchmark tile with each filter of tile_filters, a line a filter."""
    for query in tile_filters(engine):
        cells = [f"z{z} {tile_time(client, z, x, y, query=query)[0] * 1000:.1f}" for z, x, y in TILES]
        line(f"server tiles with filter {query or '(none)'}: {', '.join(cells)} ms (median of 20, warm)")


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


def fill_and_analyse(engine, count: int, say: Say) -> None:
    """fill_sites, then VACUUM ANALYZE of the sites and the tables kept from them, as autovacuum would have done
    by the time people use the map (a plan made on the statistics of an empty table is no figure of the map)."""
    start = time.perf_counter()
    fill_sites(engine, count, say)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE site, site_cell, site_cell_coarse, site_cell_detail, site_figure"))
        made = connection.execute(text("SELECT count(*) FROM site")).scalar_one()
    figure(say, f"{count:>9,} sites | filled: {made:,} sites generated, filled and analysed in "
                f"{time.perf_counter() - start:.1f} s")


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


# /progress of the site count and of an indicator whose legend is drawn from every year, the slider's JSON of
# another year, and the summary of every indicator.
SCALE_PATHS = ("/progress?year=2025", "/progress?figure=solar_kwp&year=2025", "/progress.json?year=2021",
               "/api/progress/summary?year=2025")


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


def cold_times(app, paths=SCALE_PATHS, repeat: int = 5) -> dict[str, float]:
    """Median seconds of each path on the first request after a site changed (one site's name is edited and
    put back, which moves the data version and passes through every trigger on site)."""
    out = {}
    client = app.test_client()
    for path in paths:
        times = []
        for _ in range(repeat):
            with transaction(app.extensions["engine"]) as session:
                session.execute(text("UPDATE site SET name = name || ' ' WHERE id = (SELECT min(id) FROM site)"))
                session.execute(text("UPDATE site SET name = rtrim(name) WHERE id = (SELECT min(id) FROM site)"))
            start = time.perf_counter()
            assert client.get(path).status_code == 200, path
            times.append(time.perf_counter() - start)
        out[path] = statistics.median(times)
    return out


# The parts of the figures, each named for --only: the app's own times, the browser's table, /api/sites' throughput
# beside a bare app, the mixed load of 39 paths and the realistic mix (bench.traffic).
PARTS = ("app", "browser", "throughput", "mix", "realistic")


def run(url: str, counts: list[int], *, say: Say = print, load_seconds: int = 60, clients: int = 200,
        throughput_seconds: int = 20, keep: bool = False, only: tuple[str, ...] = ()) -> None:
    """Fill a scratch database beside url (<db>_bench) with each count of sites in turn and print every figure
    (or only the parts named); the database is dropped at the end unless keep."""
    scratch, engine = scratch_database(url, "_bench")
    try:
        for count in counts:
            fill_and_analyse(engine, count, say)
            figures(scratch, count, say=say, load_seconds=load_seconds, clients=clients,
                    throughput_seconds=throughput_seconds, only=only)
    finally:
        engine.dispose()
        if not keep:
            admin.drop_database(scratch)


def figures(url: str, count: int, *, say: Say = print, load_seconds: int = 60, clients: int = 200,
            throughput_seconds: int = 20, only: tuple[str, ...] = ()) -> None:
    """Every figure of one filled database (or only the parts named, of PARTS): in the app, in a browser, under
    load."""
    from webmap import create_app
    from bench import browser, traffic

    def line(text: str) -> None:
        figure(say, f"{count:>9,} sites | {text}")

    parts = set(only or PARTS)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": load.SECRET, "TESTING": True})
    if "app" in parts:
        server_figures(app.test_client(), line)
        tile_times(app.test_client(), app.extensions["engine"], line)
        for path, seconds in cold_times(app).items():
            line(f"server {path}: {seconds:.3f} s (median of 5, first request after a site changed)")
    bare_env = load.bare_env(app, url) if "throughput" in parts else {}
    places = traffic.seats(app.extensions["engine"])
    app.extensions["engine"].dispose()
    if parts & {"browser", "throughput", "mix"}:
        with load.gunicorn("webmap:create_app()", url) as base:
            if "browser" in parts:
                browser_table(browser.page_loads(base, shots=f"{count}-sites-"), count, say)
            if "throughput" in parts:
                throughput(base, url, bare_env, line, throughput_seconds)
            if "mix" in parts:
                mixed_load(base, line, load_seconds, clients)
    if "realistic" in parts:
        traffic.run(url, places, line, load_seconds, clients)


def throughput(base: str, url: str, bare_env: dict[str, str], line: Say, seconds: int) -> None:
    """/api/sites?bbox=…&limit=10000 with 8 clients, the app and the bare Flask + psycopg2 app taking turns."""
    # The two apps take turns, four times each, so that a change in the machine's load falls on both.
    piece = max(1, seconds // 4)
    answered, took = [0.0, 0.0], [0.0, 0.0]
    with load.gunicorn("bench.load:bare_app()", url, bare_env) as bare:
        for _ in range(4):
            for i, server in enumerate((base, bare)):
                result = load_clients.run(server, [load.BBOX_PATH], piece, 8, None)
                answered[i] += result["requests"]
                took[i] += result["elapsed"]
    rates = [n / seconds_taken for n, seconds_taken in zip(answered, took)]
    line(f"throughput {load.BBOX_PATH}, 8 clients, 4 turns of {piece} s each: app {rates[0]:.1f} req/s, "
         f"bare Flask + psycopg2 {rates[1]:.1f} req/s, ratio {rates[0] / rates[1]:.2f}")


def server_figures(client, line: Say) -> None:
    """Figures measured in the app itself (no network): page weights, /api/sites, tiles, the progress views."""
    for path in ("/", "/embed"):
        size, _ = measure(client, path)
        line(f"server page {path}: {size:,} bytes (HTML only, uncompressed)")
    size, seconds = measure(client, "/api/sites?limit=10000")
    line(f"server /api/sites?limit=10000: {size:,} bytes, {seconds:.3f} s (best of 3)")
    for z, x, y in TILES:
        seconds, size, status = tile_time(client, z, x, y)
        line(f"server tile z{z} {z}/{x}/{y}: {seconds * 1000:.1f} ms (median of 20, warm), {size:,} bytes, "
             f"status {status}")
    for path, seconds in server_times(client).items():
        line(f"server {path}: {seconds:.3f} s (median of 5)")
    # The pages of the mixed load besides the tiles: what one request of each costs the app alone.
    for path, seconds in server_times(client, load.MIX_PAGES).items():
        line(f"server {path}: {seconds * 1000:.1f} ms (median of 5)")


def browser_table(loads: list, count: int, say: Say) -> None:
    """The browser's figures of each view as a table, a row a view."""
    say(f"{count:>9,} sites | browser (Chromium, empty cache; 1366x768, the phone view 390x844; bytes over the "
        f"network, every request from this server counted; the base map's tiles from the internet are refused "
        f"and not counted; widths in CSS px)")
    say(f"{count:>9,} sites | {'page':<8} {'view':<9} {'requests':>8} {'bytes':>11} {'tiles':>5} "
        f"{'tile bytes':>10} {'API bytes':>9} {'sites drawn (s)':>15} {'count shown (s)':>15} {'JS heap (MB)':>12} "
        f"{'screen':>6} {'map':>5} {'page':>5}")
    for row in loads:
        if row.error:
            say(f"{count:>9,} sites | {row.path:<8} {row.view:<9} failed: {row.error}  [{row.load}]")
            continue
        say(f"{count:>9,} sites | {row.path:<8} {row.view:<9} {row.requests:>8,} {row.bytes:>11,} "
            f"{row.tiles:>5,} {row.tile_bytes:>10,} {row.api_bytes:>9,} {row.sites_drawn_s:>15.2f} "
            f"{row.count_shown_s:>15.2f} {row.heap_bytes / 1e6:>12.1f} {row.screen_width:>6} {row.map_width:>5} "
            f"{row.page_width:>5}  [{row.load}]")
    shots = [row.screenshot for row in loads if row.screenshot]
    if shots:
        say(f"{count:>9,} sites | screenshots: {', '.join(shots)}")


def mixed_load(base: str, line: Say, seconds: int, clients: int) -> None:
    """The clients on the mix of /embed, /api/districts, /api/sites and tiles: straight to gunicorn, then through
    nginx with deploy/nginx.conf as deployed (its cache starts empty)."""
    paths = load.mix_paths()
    what = f"{clients} clients x {seconds} s on {len(paths)} paths (/embed, /api/districts, /api/sites, " \
           f"tiles z8-z15; Accept-Encoding: {load.BROWSER_ENCODING})"

    def say_result(where: str, result: dict[str, float], extra: str = "") -> None:
        line(f"load {where}, {what}: {load_clients.described(result)}{extra}")

    say_result("gunicorn direct", load_clients.run(base, paths, seconds, clients, load.BROWSER_ENCODING))
    with load.nginx(base) as (proxy, log):
        result = load_clients.run(proxy, paths, seconds, clients, load.BROWSER_ENCODING)
        time.sleep(1.5)  # the access log is flushed every second
        statuses = load.cache_statuses(log)
    hits, logged = statuses.get("HIT", 0), sum(statuses.values())
    say_result("nginx in front", result, f", cache HIT {100 * hits / max(logged, 1):.1f} % ({hits:,} of {logged:,}: "
               + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())) + ")")
