"""The engine every app and command makes: its sessions run without JIT compiling and without parallel workers
(the app's statements are short and many run at once), and options written in the URL are kept and win."""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import text

from geo.db import make_engine


def settings(url: str, *names: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [connection.execute(text(f"SHOW {name}")).scalar_one() for name in names]  # noqa: S608
    finally:
        engine.dispose()


def test_the_apps_sessions_compile_no_plan_and_start_no_parallel_worker(database_url, app):
    assert settings(database_url, "jit", "max_parallel_workers_per_gather") == ["off", "0"]
    with app.extensions["engine"].connect() as connection:
        # Costs set as a million sites make them: any statement is worth compiling and splitting among workers.
        connection.execute(text("SET LOCAL jit_above_cost = 0; SET LOCAL parallel_setup_cost = 0; "
                                "SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0"))
        plan = "\n".join(connection.execute(text(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM site s WHERE ST_X(ST_Transform(s.geom, 3857)) > 0"
        )).scalars())
    assert "JIT" not in plan and "Gather" not in plan, plan


def test_options_written_in_the_url_are_kept_and_come_last(database_url):
    separator = "&" if "?" in database_url else "?"
    url = database_url + separator + "options=" + quote("-c statement_timeout=4321 -c jit=on")
    assert settings(url, "statement_timeout", "jit", "max_parallel_workers_per_gather") == ["4321ms", "on", "0"]
