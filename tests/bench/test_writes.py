"""scripts/bench-writes on a tiny count: each kind of write is printed with and without the summary triggers, with
the load; the plans of the statements the triggers run are printed; afterwards the triggers are on again and the
kept tables equal their rebuild (a benchmark that left them off would leave the map's clusters wrong)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from geo import admin, aggregates
from geo.db import make_engine
from bench import writes

N = r"(\d[\d,]*(?:\.\d+)?)"


@pytest.fixture(scope="module")
def printed(engine, database_url) -> list[str]:
    lines: list[str] = []
    scratch = make_url(database_url).set(database=f"{make_url(database_url).database}_bench_writes")
    url = scratch.render_as_string(hide_password=False)
    admin.drop_database(url)
    writes.run(database_url, [60], 8, say=lines.append, keep=True)
    yield lines
    admin.drop_database(url)


@pytest.mark.parametrize("kind", ["insert", "move", "delete", "approve"])
def test_each_write_is_timed_with_and_without_the_triggers(printed, kind):
    found = [m for m in (re.search(rf"^ +60 sites \| {kind}: {N} ms with the summary triggers, {N} ms without "
                                   rf"\({N}×; median of 8 each\)  \[load [\d. ]+\]$", line) for line in printed) if m]
    assert len(found) == 1, printed
    with_, without, ratio = (float(g.replace(",", "")) for g in found[0].groups())
    # The times are printed to 0.1 ms and the ratio from the unrounded times.
    assert with_ > 0 and without > 0 and ratio == pytest.approx(with_ / without, abs=0.01 + 0.05 * (1 + ratio) / without)


def test_the_plans_of_the_triggers_statements_are_printed(printed):
    heads = [line.splitlines()[0] for line in printed if line.startswith("--- EXPLAIN ANALYZE")]
    assert heads == [f"--- EXPLAIN ANALYZE {name} at 60 sites" for name in writes._PLANS]
    assert all("Execution Time" in line for line in printed if line.startswith("--- EXPLAIN ANALYZE"))


def test_the_triggers_are_on_again_and_the_kept_tables_are_right(printed, database_url):
    url = make_url(database_url).set(database=f"{make_url(database_url).database}_bench_writes")
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with Session(engine) as session:
            disabled = session.execute(text(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'site'::regclass AND tgenabled = 'D'")).scalar_one()
            assert disabled == 0
            assert aggregates.drift(session) == {table: 0 for table in aggregates.AGGREGATES}
            # The benchmark's writes were made, with and without the triggers: 16 inserted, moved and deleted, 16
            # submitted and approved, beside the generated sites.
            generated = int(next(re.search(rf"filled: {N} sites generated", line)[1] for line in printed
                                 if "filled:" in line).replace(",", ""))
            counts = dict(session.execute(text("SELECT deleted_at IS NULL, count(*) FROM site GROUP BY 1")).all())
            assert counts == {True: generated + 16, False: 16}
    finally:
        engine.dispose()
