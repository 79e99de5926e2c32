"""The tables the database keeps from the sites (site_cell, site_cell_detail, site_figure) equal their rebuild
after a storm of inserts, moves, status changes, deletions and approvals through geo's own writers; the check
(geo.aggregates.drift and `db check-summaries`) finds a table that does not."""
from __future__ import annotations

import random

from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import aggregates, editing
from geo.catalogue import DOIT
from geo.site_record import validate_site
from tests.staffkit import IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, IN_VINH_THONG, make_users, site_input
from webmap.cli import cli

PLACES = (IN_RACH_GIA, IN_RACH_GIA_2, IN_VINH_THONG, IN_PHU_QUOC)
# Records differing in every column a kept table reads: category, status, plan task, lead agency, dates, measures.
KINDS = (
    {},
    {"category": "solar", "plan_task": "VI.5", "measures": {"kwp": 12.5, "solar_kind": "rooftop"}},
    {"category": "solar", "plan_task": "VI.5", "measures": {"kwp": "7", "solar_kind": "floating"}, "lead_agency": DOIT},
    {"status": "completed", "start_date": "2021-03-01", "end_date": "2023-06-30"},
    {"status": "planned", "start_date": "2026-01-01"},
    {"category": "retail", "plan_task": "III.3", "measures": {"eco_packaging": True}},
    {"category": "organic_farm", "plan_task": "II.9", "measures": {"certification": "VietGAP"}},
)


def storm(db, seed: int = 135) -> None:
    """Sixty changes in random order, each in its own transaction as the staff pages make them."""
    users = make_users(db)
    planner, staff = users["planner"], users["staff_899"]
    rng = random.Random(seed)

    def record(n: int) -> dict:
        lon, lat = rng.choice(PLACES)
        return site_input(f"Điểm {n}", lon + rng.uniform(-0.004, 0.004), lat + rng.uniform(-0.004, 0.004),
                          **rng.choice(KINDS))

    with Session(db) as session, session.begin():
        editing.create_sites(session, planner, [validate_site(record(n)) for n in range(12)])
    for n in range(12, 72):
        with Session(db) as session, session.begin():
            ids = [row.id for row in session.execute(text("SELECT id FROM site ORDER BY id"))]
            site_id = rng.choice(ids)
            current = session.execute(text("SELECT version, moderation, deleted_at, pending FROM site WHERE id = :id"),
                                      {"id": site_id}).one()
            step = rng.choice(("insert", "submit", "move", "status", "edit", "delete", "review", "restore"))
            if step == "insert":
                editing.create_site(session, planner, record(n))
            elif step == "submit":
                editing.create_site(session, staff, record(n) | {"lon": IN_RACH_GIA[0], "lat": IN_RACH_GIA[1]})
            elif current.deleted_at is not None:
                editing.restore_site(session, planner, site_id)
            elif current.moderation == "submitted" or current.pending:
                if rng.random() < 0.7:
                    editing.approve_site(session, planner, site_id, current.version)
                else:
                    editing.reject_site(session, planner, site_id, current.version, "Thiếu nguồn số liệu")
            elif step == "move":
                lon, lat = rng.choice(PLACES)
                editing.update_site(session, planner, site_id, {"lon": lon, "lat": lat}, current.version)
            elif step == "status":
                editing.update_site(session, planner, site_id, {"status": rng.choice(("active", "completed",
                                    "suspended", "planned"))}, current.version)
            elif step == "edit":
                editing.update_site(session, planner, site_id, rng.choice(KINDS) | {"name": f"Sửa {n}"},
                                    current.version)
            elif step == "delete":
                editing.delete_site(session, planner, site_id, current.version)


def test_every_kept_table_equals_its_rebuild_after_a_storm_of_changes(db):
    storm(db)
    with Session(db) as session:
        assert aggregates.drift(session) == {table: 0 for table in aggregates.AGGREGATES}
        counts = dict(session.execute(text(
            "SELECT 'published', count(*) FROM site WHERE scp_published(moderation, deleted_at) "
            "UNION ALL SELECT 'deleted', count(*) FROM site WHERE deleted_at IS NOT NULL "
            "UNION ALL SELECT 'waiting', count(*) FROM site WHERE moderation = 'submitted' OR pending IS NOT NULL "
            "UNION ALL SELECT 'cells', sum(n) FROM site_cell "
            "UNION ALL SELECT 'groups', sum(sites) FROM site_figure WHERE figure = 'sites'")).all())
    # The storm left sites of every kind, and the kept tables count the published ones.
    assert counts["published"] >= 10 and counts["deleted"] > 0 and counts["waiting"] > 0
    assert counts["cells"] == counts["groups"] == counts["published"]


def test_the_check_names_a_table_that_differs_from_its_rebuild(db, database_url, monkeypatch):
    storm(db, seed=21)
    runner = CliRunner()
    monkeypatch.setenv("TEST_DATABASE_URL", database_url)
    in_step = runner.invoke(cli, ["db", "check-summaries", "--url-env", "TEST_DATABASE_URL"])
    assert in_step.exit_code == 0 and in_step.output.count("in step") == 4
    with Session(db) as session, session.begin():
        session.execute(text("UPDATE site_cell SET n = n + 1 WHERE ctid = (SELECT min(ctid) FROM site_cell)"))
        session.execute(text("UPDATE site_cell_detail SET sum_x = sum_x + 50 "
                             "WHERE ctid = (SELECT min(ctid) FROM site_cell_detail)"))
        session.execute(text("DELETE FROM site_figure WHERE ctid = (SELECT min(ctid) FROM site_figure)"))
        session.execute(text("UPDATE site_cell_coarse SET sum_y = sum_y - 50 "
                             "WHERE ctid = (SELECT min(ctid) FROM site_cell_coarse)"))
    with Session(db) as session:
        assert aggregates.drift(session) == {"site_cell": 1, "site_cell_coarse": 1, "site_cell_detail": 1,
                                             "site_figure": 1}
    broken = runner.invoke(cli, ["db", "check-summaries", "--url-env", "TEST_DATABASE_URL"])
    assert broken.exit_code == 1
    assert "site_cell: 1 groups differ" in broken.output and "site_figure: 1 groups differ" in broken.output
    assert "site_cell_coarse: 1 groups differ" in broken.output
    with Session(db) as session, session.begin():
        for table in aggregates.AGGREGATES:
            aggregates.rebuild(session, table)
        assert aggregates.drift(session) == {table: 0 for table in aggregates.AGGREGATES}
