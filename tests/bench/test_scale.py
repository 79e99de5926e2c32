"""scripts/bench end to end on a tiny count (60 sites, 3 s of load): every figure of issue 9 is printed, as a
number, with the load average; the scratch database is gone afterwards. Times are printed, never asserted."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

pytestmark = pytest.mark.browser

N = r"(\d[\d,]*(?:\.\d+)?)"  # a number as the harness prints it: 1,234 or 0.123
LOAD = r"\[load \d+\.\d\d \d+\.\d\d \d+\.\d\d\]$"
# A load run's figures (bench.clients.described): rate, percentiles, the mean beside Little's law, errors, CPU.
RUN = (rf"{N} req/s, p50 {N} ms, p95 {N} ms, p99 {N} ms, mean {N} ms \(Little's law: {N} ms\), errors {N} of {N} "
       rf"\(status {N}, timeouts {N}, connections {N}\), the clients' own CPU {N} cores")
FIGURES = {
    "filled": rf"filled: {N} sites generated, filled and analysed in {N} s",
    "page /": rf"server page /: {N} bytes",
    "page /embed": rf"server page /embed: {N} bytes",
    "/api/sites": rf"server /api/sites\?limit=10000: {N} bytes, {N} s \(best of 3\)",
    "tile z8": rf"server tile z8 8/\d+/\d+: {N} ms \(median of 20, warm\), {N} bytes, status (200|204)",
    "tile z11": rf"server tile z11 11/\d+/\d+: {N} ms \(median of 20, warm\), {N} bytes, status (200|204)",
    "tile z15": rf"server tile z15 15/\d+/\d+: {N} ms \(median of 20, warm\), {N} bytes, status (200|204)",
    "/progress": rf"server /progress\?year=2025: {N} s \(median of 5\)",
    "/progress solar": rf"server /progress\?figure=solar_kwp&year=2025: {N} s \(median of 5\)",
    "/progress.json": rf"server /progress\.json\?year=2021: {N} s \(median of 5\)",
    "/api/progress/summary": rf"server /api/progress/summary\?year=2025: {N} s \(median of 5\)",
    "mix /embed": rf"server /embed: {N} ms \(median of 5\)",
    "mix /api/districts": rf"server /api/districts: {N} ms \(median of 5\)",
    "mix /api/sites": rf"server /api/sites\?bbox=[\d.,]+&limit=1000: {N} ms \(median of 5\)",
    "throughput": rf"throughput /api/sites\?bbox=[\d.,]+&limit=10000, .*: app {N} req/s, "
                  rf"bare Flask \+ psycopg2 {N} req/s, ratio {N}",
    "load direct": rf"load gunicorn direct, 20 clients x 3 s .*: {RUN}",
    "load nginx": rf"load nginx in front, 20 clients x 3 s .*: {RUN}, cache HIT {N} % \({N} of {N}",
    # The realistic mix (bench/traffic.py): thousands of distinct paths, nginx after its warm-up, then gunicorn.
    "realistic warm-up": rf"load realistic mix, 20 clients x 3 s, {N} distinct paths among {N} \(Zipf .*\): nginx "
                         rf"warm-up minute: {RUN}",
    "realistic nginx": rf"load realistic mix, .*: nginx in front, after the warm-up: {RUN}, cache HIT {N} %",
    "realistic direct": rf"load realistic mix, .*: gunicorn direct: {RUN}",
    "realistic profile": rf"app time gunicorn direct: tile z09 +{N} requests, median {N} ms, p95 {N} ms",
    "realistic nginx times": rf"nginx time, measured minute: HIT +{N} requests, median {N} ms, p95 {N} ms",
}
ROOT = Path(__file__).resolve().parents[2]
HARNESS = ("import sys; from bench import scale; "
           "scale.run(sys.argv[1], [60], load_seconds=3, clients=20, throughput_seconds=1)")
BROWSER_ROW = rf"(/|/embed) +(province|district|phone) +{N} +{N} +{N} +{N} +{N} +{N} +{N} +{N} +{N} +{N} +{N}"


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def printed(engine, database_url) -> list[str]:
    """What the harness prints for 60 sites, with 20 clients for 3 s."""
    # In a process of its own, as scripts/bench runs: the harness drives Chromium with Playwright's sync API, which
    # refuses to start inside the event loop the browser tests' Playwright leaves running in this process.
    done = subprocess.run([sys.executable, "-c", HARNESS, database_url], capture_output=True, text=True, check=False,
                          cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def _figure(lines: list[str], pattern: str) -> tuple[float, ...]:
    found = [m for m in (re.search(rf"^ +60 sites \| {pattern}", line) for line in lines) if m]
    assert len(found) == 1, (pattern, lines)
    line = found[0].string
    assert re.search(LOAD, line), f"no load average on: {line}"
    return tuple(number(g) for g in found[0].groups() if g and g[0].isdigit())


@pytest.mark.parametrize("label", FIGURES)
def test_every_figure_is_printed_as_numbers_with_the_load(printed, label):
    values = _figure(printed, FIGURES[label])
    assert values and all(v >= 0 for v in values)


def test_the_browser_table_has_both_pages_at_both_views_with_what_they_downloaded(printed):
    rows = {(m[1], m[2]): tuple(number(g) for g in m.groups()[2:])
            for m in (re.search(rf"^ +60 sites \| {BROWSER_ROW} +{LOAD}", line) for line in printed) if m}
    assert set(rows) == {(page, view) for page in ("/", "/embed") for view in ("province", "district", "phone")}
    for (page, view), (requests, size, tiles, tile_bytes, api_bytes, drawn, shown, heap, screen, map_width,
                       page_width) in rows.items():
        # The page, its scripts, the count and the site tiles all came over the network and were counted.
        assert requests > tiles > 0 and size > tile_bytes > 0 and api_bytes > 0
        assert drawn > 0 and shown > 0 and heap > 0
        assert screen == (390 if view == "phone" else 1366)
        # On a phone the map takes the screen's width; no page scrolls sideways.
        assert page_width <= screen and map_width >= (0.9 * screen if view == "phone" else 0.5 * screen)
    shots = next(line for line in printed if "60 sites | screenshots: " in line).split("screenshots: ")[1]
    assert len(shots.split(", ")) == 6
    assert all((ROOT / shot).is_file() and (ROOT / shot).stat().st_size > 10_000 for shot in shots.split(", "))


def test_the_load_gets_answers_and_nginx_serves_repeats_from_its_cache(printed):
    _, _, _, _, _, _, errors, requests, *_ = _figure(printed, FIGURES["load direct"])
    assert requests > 0 and errors == 0
    _, _, _, _, _, _, errors, requests, *_, ratio, hits, logged = _figure(printed, FIGURES["load nginx"])
    assert requests > 0 and errors == 0
    assert 0 < hits <= logged and ratio == pytest.approx(100 * hits / logged, abs=0.1)


@pytest.mark.parametrize("label", ["load direct", "load nginx", "realistic warm-up", "realistic nginx",
                                   "realistic direct"])
def test_every_load_runs_latencies_add_up_to_its_clients_time(printed, label):
    """The clients were busy at most the whole run: the mean latency cannot exceed clients / rate (Little's law),
    which wrk's latencies broke by a factor of 3 to 8."""
    _figure(printed, FIGURES[label])
    line = next(line for line in printed if re.search(rf"^ +60 sites \| {FIGURES[label]}", line))
    rps, p50, p95, p99, mean, little, *_ = (number(g) for g in re.search(RUN, line).groups())
    assert rps > 0 and p50 <= p95 <= p99
    assert mean <= little * 1.02 + 1


def test_the_scratch_database_is_dropped(printed, engine, database_url):
    scratch = f"{make_url(database_url).database}_bench"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                                  {"name": scratch}).scalar_one() == 0


def test_the_realistic_mix_asks_thousands_of_distinct_paths_with_the_popular_ones_repeated():
    from bench import traffic

    # 48 seats, as the province has 48 communes; a ward weighs 4.
    places = [traffic.Seat(104.3 + 0.1 * i, 9.7 + 0.1 * j, 4 if i == j else 1) for i in range(8) for j in range(6)]
    paths = traffic.visits(places, 50_000)
    assert paths == traffic.visits(places, 50_000)  # the seed draws the same visits every time
    kinds = {traffic.kind(path) for path in paths}
    assert {f"tile z{z:02d}" for z in range(8, 17)} | {"/embed", "/api/sites", "/progress", "/progress.json"} <= kinds
    counts = sorted(Counter(paths).values(), reverse=True)
    assert len(counts) > 3_000  # thousands of distinct paths
    assert sum(counts[:len(counts) // 10]) > 0.5 * len(paths)  # a tenth of them draw most of the requests
