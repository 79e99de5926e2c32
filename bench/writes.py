"""The write path at a province's volume (scripts/bench-writes): what one insert, move, deletion and approval costs
with many sites stored, with the summary tables' triggers (site_cell, site_cell_coarse, site_cell_detail,
site_figure) and without them, each write in its own transaction as the API runs it (geo.editing), and the plan of
each statement the triggers run. Asserts nothing; runs in a scratch database of its own, dropped at the end."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench import Say, figure
from bench.scale import fill_and_analyse, scratch_database
from geo import accounts, admin, aggregates, editing

# The district of the benchmark's staff account (Rạch Giá): every written site lies in it.
DISTRICT = "899"
EVENTS = ("insert", "update", "delete", "truncate")


def _places(engine, count: int, seed: int) -> list[tuple[float, float]]:
    """count random points (lon, lat) inside DISTRICT."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("""
            SELECT ST_X(p.geom), ST_Y(p.geom)
            FROM admin_unit u, ST_Dump(ST_GeneratePoints(u.geom, :count, :seed)) p
            WHERE u.level = 'district' AND u.code = :district"""),
            {"count": count, "seed": seed, "district": DISTRICT})]


def _site(place: tuple[float, float], n: int) -> dict:
    return {"name": f"Điểm đo ghi số {n}", "category": "waste_sorting", "status": "active", "plan_task": "VI.2",
            "lon": place[0], "lat": place[1], "source": "benchmark", "measures": {"households": 10 + n % 490}}


def _triggers(engine, enabled: bool) -> None:
    """Switch the summary tables' triggers on site on or off."""
    switch = "ENABLE" if enabled else "DISABLE"
    with Session(engine) as session, session.begin():
        for table in aggregates.AGGREGATES:
            for event in EVENTS:
                session.execute(text(f"ALTER TABLE site {switch} TRIGGER {table}s_{event}"))  # noqa: S608 - names


def _rebuild(engine) -> None:
    with Session(engine) as session, session.begin():
        for table in aggregates.AGGREGATES:
            aggregates.rebuild(session, table)


def _timed(engine, writes: int, step: Callable[[Session, int], object]) -> list[float]:
    """Milliseconds of writes calls of step, each in its own transaction."""
    times = []
    for n in range(writes):
        with Session(engine) as session:
            started = time.perf_counter()
            with session.begin():
                step(session, n)
            times.append((time.perf_counter() - started) * 1000)
    return times


def write_times(engine, planner, staff, writes: int, seed: int) -> dict[str, list[float]]:
    """The times of each kind of write: a planner's insert, a move of an approved site, a deletion, and a
    district officer's new site approved by a planner (the approval timed)."""
    places = _places(engine, 3 * writes, seed)
    made: list[dict] = []

    def insert(session, n):
        made.append(editing.create_site(session, planner, _site(places[n], n)))

    def move(session, n):
        site, (lon, lat) = made[n], places[writes + n]
        made[n] = editing.update_site(session, planner, site["id"], {"lon": lon, "lat": lat}, site["version"])

    def delete(session, n):
        editing.delete_site(session, planner, made[n]["id"], made[n]["version"])

    submitted = []
    with Session(engine) as session, session.begin():
        for n in range(writes):
            submitted.append(editing.create_site(session, staff, _site(places[2 * writes + n], 2 * writes + n)))

    def approve(session, n):
        editing.approve_site(session, planner, submitted[n]["id"], submitted[n]["version"])

    return {"insert": _timed(engine, writes, insert), "move": _timed(engine, writes, move),
            "delete": _timed(engine, writes, delete), "approve": _timed(engine, writes, approve)}


# The statements the triggers run on the summary tables for one site, planned and run on the filled database
# inside a transaction that is rolled back: the deletion of emptied groups must use its partial index.
_PLANS = {
    "insert": "INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency, source, moderation, "
              "measures) VALUES ('Điểm kế hoạch', 'solar', 'active', ST_SetSRID(ST_Point(105.1, 10.02), 4326), "
              "'VI.4', 'Sở Công Thương', 'benchmark', 'approved', '{\"kwp\": 12}')",
    "move": "UPDATE site SET geom = ST_SetSRID(ST_Point(105.11, 10.03), 4326) "
            "WHERE id = (SELECT max(id) FROM site WHERE moderation = 'approved')",
    "delete": "UPDATE site SET deleted_at = now() WHERE id = (SELECT max(id) FROM site WHERE deleted_at IS NULL)",
    **{f"emptied {table}": f"DELETE FROM {table} WHERE {count} = 0"
       for table, count in (("site_cell", "n"), ("site_cell_coarse", "n"), ("site_cell_detail", "n"),
                            ("site_figure", "sites"))},
}


def plans(engine) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement of _PLANS, each rolled back."""
    out = {}
    with engine.connect() as connection:
        for name, statement in _PLANS.items():
            with connection.begin() as outer:
                rows = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")).scalars()
                out[name] = "\n".join(rows)
                outer.rollback()
    return out


def _alternated(engine, planner, staff, writes: int, rounds: int = 4) -> tuple[dict, dict]:
    """The times of each kind of write with the triggers and without, in rounds that take turns, so that a change
    of the machine's load falls on both alike."""
    kept: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    try:
        for round_ in range(rounds):
            for times, enabled in ((kept, True), (bare, False)):
                _triggers(engine, enabled=enabled)
                seed = 1 + 2 * round_ + enabled
                for kind, taken in write_times(engine, planner, staff, writes // rounds, seed).items():
                    times.setdefault(kind, []).extend(taken)
    finally:
        _triggers(engine, enabled=True)
        _rebuild(engine)
    return kept, bare


def run(url: str, counts: list[int], writes: int, *, say: Say = print, keep: bool = False) -> None:
    """For each count of generated sites: the median time of each kind of write with and without the triggers,
    their ratio, and the plans of the statements the triggers run."""
    scratch, engine = scratch_database(url, "_bench_writes")
    try:
        with Session(engine) as session, session.begin():
            planner = accounts.create_user(session, "bench-planner", "bench-password-135", "planner")
            staff = accounts.create_user(session, "bench-staff", "bench-password-135", "district_staff", DISTRICT)
        for count in counts:
            fill_and_analyse(engine, count, say)
            for name, plan in plans(engine).items():
                say(f"--- EXPLAIN ANALYZE {name} at {count:,} sites\n{plan}")
            kept, bare = _alternated(engine, planner, staff, writes)
            for kind in kept:
                with_, without = statistics.median(kept[kind]), statistics.median(bare[kind])
                figure(say, f"{count:>9,} sites | {kind}: {with_:.1f} ms with the summary triggers, "
                            f"{without:.1f} ms without ({with_ / without:.2f}×; median of {len(kept[kind])} each)")
    finally:
        engine.dispose()
        if not keep:
            admin.drop_database(scratch)
