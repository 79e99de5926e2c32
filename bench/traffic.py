"""The realistic mix of scripts/bench (`--only realistic`): visitors of the portal's map drawn with a fixed seed,
thousands of distinct URLs with the skew of real traffic, through nginx (deploy/nginx.conf) after a warm-up
minute and straight to gunicorn, with the cache's statuses and the app's own time per kind of path.

A visit opens /embed (its first view, the province at z9, is the same for everyone), then looks at a few views
chosen among VIEWS places by a Zipf law of exponent ZIPF_EXPONENT: the n-th most looked-at place is looked at
1/n^s as often as the first, as web caches' request logs and map tile servers' logs show (a few places, the
towns, draw most of the looks; a long tail is looked at once). A view is the 3 x 3 tiles around its centre at
its zoom (z8 to z16); its centre lies near a commune's seat (wards and special zones weighted up, where people
and the sites are), spread by two tiles of its zoom. Some visits ask the site list of their view
(/api/sites?bbox=…&limit=1000, the bbox rounded to 0.01°, as a client snapping to its view does), some open
/progress and its year slider (/progress.json?year=…).
"""
from __future__ import annotations

import bisect
import math
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench import Say, load
from bench import clients as load_clients
from geo.catalogue import FIRST_YEAR, LAST_YEAR
from geo.tiles import BOUNDS, CENTRE, tile_of

SEED = 135
VIEWS = 20_000
ZIPF_EXPONENT = 1.0
# How often a view is at each zoom: the province's overview and the towns' streets are looked at most.
ZOOM_WEIGHTS = {8: 2, 9: 4, 10: 4, 11: 3, 12: 3, 13: 3, 14: 3, 15: 2, 16: 2}
# A commune's seat weighs by the people and sites around it: wards (towns) and special zones (Phú Quốc) more.
SEAT_WEIGHTS = (("Phường", 4), ("Đặc khu", 3))
VIEWS_PER_VISIT = (1, 5)
BBOX_SHARE = 0.3
PROGRESS_SHARE = 0.15
# Paths of one run: more than the requests either run makes (nginx answered 184 000 in a minute), so that none goes
# round its list twice.
RUN_PATHS = 300_000


@dataclass(frozen=True)
class Seat:
    """Where views gather: a commune's point on its surface, and how much it draws."""

    lon: float
    lat: float
    weight: int


def seats(engine) -> list[Seat]:
    """The communes' seats with their weights (SEAT_WEIGHTS by the start of the name, else 1)."""
    with engine.connect() as connection:
        rows = connection.execute(text("""
            SELECT name, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
            FROM admin_unit WHERE level = 'commune' ORDER BY code""")).all()
    return [Seat(row.lon, row.lat, next((w for prefix, w in SEAT_WEIGHTS if row.name.startswith(prefix)), 1))
            for row in rows] or [Seat(*CENTRE, 1)]


def _view(rng: random.Random, places: list[Seat], seat_weights: list[int]) -> tuple[int, float, float]:
    z = rng.choices(list(ZOOM_WEIGHTS), weights=list(ZOOM_WEIGHTS.values()))[0]
    seat = rng.choices(places, weights=seat_weights)[0]
    spread = 2 * 360 / 2 ** z  # two tiles of its zoom, in degrees
    lon = min(max(rng.gauss(seat.lon, spread), BOUNDS[0]), BOUNDS[2])
    lat = min(max(rng.gauss(seat.lat, spread * math.cos(math.radians(seat.lat))), BOUNDS[1]), BOUNDS[3])
    return z, lon, lat


def tiles_of_view(z: int, lon: float, lat: float) -> list[str]:
    """The 3 x 3 tiles a view of zoom z centred on lon, lat loads."""
    x, y = tile_of(lon, lat, z)
    return [f"/tiles/sites/{z}/{x + dx}/{y + dy}.pbf" for dy in (-1, 0, 1) for dx in (-1, 0, 1)
            if 0 <= x + dx < 2 ** z and 0 <= y + dy < 2 ** z]


def bbox_of_view(z: int, lon: float, lat: float) -> str:
    """/api/sites of a view's 3 x 3 tiles, its bbox rounded to 0.01° outwards."""
    half = 1.5 * 360 / 2 ** z
    west, east = math.floor((lon - half) * 100) / 100, math.ceil((lon + half) * 100) / 100
    south, north = math.floor((lat - half) * 100) / 100, math.ceil((lat + half) * 100) / 100
    return f"/api/sites?bbox={west:.2f},{south:.2f},{east:.2f},{north:.2f}&limit=1000"


def visits(places: list[Seat], count: int, seed: int = SEED) -> list[str]:
    """The paths of visits in the order they are asked, at least count of them, drawn with seed among the views
    (the places and their ranks, drawn with SEED: every run's visitors look at the same places)."""
    seat_weights = [seat.weight for seat in places]
    drawing = random.Random(SEED)
    views = [_view(drawing, places, seat_weights) for _ in range(VIEWS)]
    rng = random.Random(seed)
    ranks = list(range(1, VIEWS + 1))
    cumulative = [0.0]
    for rank in ranks:
        cumulative.append(cumulative[-1] + rank ** -ZIPF_EXPONENT)
    first_view = tiles_of_view(9, *CENTRE)
    out: list[str] = []
    while len(out) < count:
        out += ["/embed", *first_view]
        for _ in range(rng.randint(*VIEWS_PER_VISIT)):
            view = views[bisect.bisect(cumulative, rng.random() * cumulative[-1]) - 1]
            out += tiles_of_view(*view)
            if rng.random() < BBOX_SHARE:
                out.append(bbox_of_view(*view))
        if rng.random() < PROGRESS_SHARE:
            out += ["/progress", *(f"/progress.json?year={rng.randint(FIRST_YEAR, LAST_YEAR)}"
                                   for _ in range(rng.randint(1, 3)))]
    return out


def kind(path: str) -> str:
    """The kind of a path the profile groups by: a tile's zoom, /api/sites, /embed, /progress, /progress.json."""
    if path.startswith("/tiles/sites/"):
        return f"tile z{int(path.split('/')[3]):02d}"
    return path.split("?")[0]


ACCESS_FORMAT = "%(U)s?%(q)s %(s)s %(L)s"


def profile(log: str) -> dict[str, tuple[int, float, float]]:
    """Per kind of path in lines of gunicorn's access log (ACCESS_FORMAT): requests, median and 95th percentile
    of the app's own seconds."""
    times: dict[str, list[float]] = {}
    for line in log.splitlines():
        match = re.fullmatch(r"(\S+) (\d+) ([\d.]+)", line.strip())
        if match:
            times.setdefault(kind(match[1]), []).append(float(match[3]))
    return {k: (len(v), statistics.median(v), _p95(v)) for k, v in sorted(times.items())}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def run(url: str, places: list[Seat], line: Say, seconds: int, clients: int) -> None:
    """The realistic mix around places (seats()): through nginx (a warm-up of `seconds`, then `seconds` measured),
    then straight to a gunicorn started afresh (its processes keep no tile or answer of the nginx runs) on visits
    drawn anew; each run's figures with the load average, the cache's statuses and the app's time per kind of
    path."""
    warm_up, measured, direct = (visits(places, RUN_PATHS, seed=SEED + n) for n in range(3))
    distinct = len(set(warm_up) | set(measured) | set(direct))
    what = (f"realistic mix, {clients} clients x {seconds} s, {distinct:,} distinct paths among "
            f"{3 * RUN_PATHS:,} (Zipf {ZIPF_EXPONENT} over {VIEWS:,} views z8-z16, seed {SEED})")
    with tempfile.TemporaryDirectory(prefix="scp-map-bench-access-") as work:
        access = Path(work) / "access.log"
        with load.gunicorn("webmap:create_app()", url, access_log=access, access_format=ACCESS_FORMAT) as base:
            with load.nginx(base) as (proxy, log):
                result = load_clients.run(proxy, warm_up, seconds, clients, load.BROWSER_ENCODING)
                _say(line, f"{what}: nginx warm-up minute", result, len(warm_up))
                time.sleep(1.5)  # nginx flushes its access log every second
                start, served = log.stat().st_size, access.stat().st_size
                result = load_clients.run(proxy, measured, seconds, clients, load.BROWSER_ENCODING)
                time.sleep(1.5)
                times = load.cache_times(log, since=start)
            statuses = {cache: len(took) for cache, took in times.items()}
            hits, logged = statuses.get("HIT", 0), sum(statuses.values())
            _say(line, f"{what}: nginx in front, after the warm-up", result, len(measured),
                 f", cache HIT {100 * hits / max(logged, 1):.1f} % ({hits:,} of {logged:,}: "
                 + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())) + ")")
            for cache, took in sorted(times.items()):
                line(f"nginx time, measured minute: {cache:<11} {len(took):>7,} requests, median "
                     f"{statistics.median(took) * 1000:.0f} ms, p95 {_p95(took) * 1000:.0f} ms")
            _profile(line, "behind nginx, measured minute", access, served)
        access = Path(work) / "direct.log"
        with load.gunicorn("webmap:create_app()", url, access_log=access, access_format=ACCESS_FORMAT) as base:
            served = access.stat().st_size
            result = load_clients.run(base, direct, seconds, clients, load.BROWSER_ENCODING)
            _say(line, f"{what}: gunicorn direct", result, len(direct))
            _profile(line, "gunicorn direct", access, served)


def _say(line: Say, what: str, result: dict[str, float], listed: int, extra: str = "") -> None:
    wrapped = " (went round its paths: repeats)" if result["requests"] > listed else ""
    line(f"load {what}: {load_clients.described(result)}{extra}{wrapped}")


def _profile(line: Say, where: str, access: Path, since: int) -> None:
    with access.open() as log:
        log.seek(since)
        kinds = profile(log.read())
    for name, (count, median, p95) in kinds.items():
        line(f"app time {where}: {name:<14} {count:>7,} requests, median {median * 1000:.0f} ms, "
             f"p95 {p95 * 1000:.0f} ms")
