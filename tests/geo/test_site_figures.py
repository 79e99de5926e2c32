"""site_figure (migration 0011): the groups the triggers keep equal the groups built again from the sites, and
every figure read from them equals what the sites behind it add up to."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import figures, plan, progress
from geo.plan import INDICATORS
from geo.site_store import insert_site
from geo.site_query import in_year, published
from tests.geo.test_indicators import DUONG_DONG, TO_CHAU, VINH_THONG, park, retail, sites  # noqa: F401
from tests.sitedata import site

GROUPS = "SELECT * FROM site_figure ORDER BY figure, category_code, status, district_code, commune_code, " \
         "start_date, end_date, numerator_from, kind"


def groups(session: Session) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(GROUPS))]


def change_every_way(session: Session, ids: dict[str, int]) -> None:
    """Inserts, edits of every column a figure reads, moderation, soft and hard deletion, a move."""
    insert_site(session, {**park("KCN mới", *DUONG_DONG, 2023), "start_date": "2019-05-05",
                          "end_date": "2026-02-01"})
    insert_site(session, retail("Chợ chờ duyệt", *TO_CHAU, True, moderation="submitted"))
    insert_site(session, site("Điện mặt trời", *VINH_THONG, category="solar", plan_task="VI.5",
                              measures={"kwp": "12.5", "solar_kind": "rooftop"}))
    insert_site(session, site("Điện mặt trời 2", *DUONG_DONG, category="solar", plan_task="VI.5",
                              measures={"kwp": 7, "solar_kind": "floating"}, status="planned"))
    session.execute(text("UPDATE site SET measures = measures || '{\"households\": 1500}' WHERE id = :id"),
                    {"id": ids["pilot_rg"]})
    session.execute(text("UPDATE site SET measures = measures || '{\"scp_outreach_year\": \"2021\"}' "
                         "WHERE id = :id"), {"id": ids["park_rg_never"]})
    session.execute(text("UPDATE site SET status = 'suspended' WHERE id = :id"), {"id": ids["shop_rg_plain"]})
    session.execute(text("UPDATE site SET moderation = 'rejected' WHERE id = :id"), {"id": ids["shop_pq_eco"]})
    session.execute(text("UPDATE site SET deleted_at = now() WHERE id = :id"), {"id": ids["pilot_pq"]})
    session.execute(text("UPDATE site SET end_date = '2023-12-31' WHERE id = :id"), {"id": ids["park_rg_2022"]})
    session.execute(text("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) WHERE id = :id"),
                    {"lon": DUONG_DONG[0], "lat": DUONG_DONG[1], "id": ids["pilot_moved"]})
    session.execute(text("DELETE FROM site_history WHERE site_id = :id"), {"id": ids["farm"]})
    session.execute(text("DELETE FROM site WHERE id = :id"), {"id": ids["farm"]})


def test_groups_kept_by_the_triggers_equal_groups_built_from_the_sites(db, sites):  # noqa: F811
    with Session(db) as session, session.begin():
        change_every_way(session, sites)
        kept = groups(session)
        session.execute(text("SELECT scp_site_figures_rebuild()"))
        assert groups(session) == kept
        assert {row[0] for row in kept} >= {"sites", "solar_kwp", "waste_sorting_households", "scp_awareness_share"}
        assert not any(row[-2] == 0 for row in kept)  # no empty group is left behind


def test_every_figure_equals_the_sites_behind_it(db, sites):  # noqa: F811
    with Session(db) as session, session.begin():
        change_every_way(session, sites)
    with Session(db) as session:
        for spec in INDICATORS:
            if spec.kind == "manual":
                continue
            for year in (2020, 2022, 2024, 2026):
                for level in ("district", "commune"):
                    result = figures.progress(session, spec.code, year, level)
                    for unit in (*result["units"], result["province"]):
                        behind = figures.sites_behind(session, spec.code, unit["code"], year)
                        assert unit["sites"] == len(behind), (spec.code, year, level, unit["code"])
                        if spec.kind == "share" and behind:
                            assert unit["numerator"] == sum(1 for s in behind if s["in_numerator"])
                        if spec.kind == "sum" and unit["value"] is not None:  # None: outside the pilots
                            assert unit["value"] == round(sum(s["amount"] or 0 for s in behind), 3)


def test_site_counts_by_unit_equal_the_count_from_the_sites(db, sites):  # noqa: F811
    with Session(db) as session, session.begin():
        change_every_way(session, sites)
    with Session(db) as session:
        for year in (2020, 2023, 2026):
            for level in ("district", "commune"):
                counted = dict(session.execute(text(
                    f"SELECT s.{level}_code, count(*) FROM site s WHERE {published()} AND {in_year()} "
                    f"GROUP BY 1"), {"year": year}).all())
                result = progress.count_sites_by_unit(session, year, level)
                assert {r["code"]: r["value"] for r in result["rows"] if r["value"]} == {
                    k: v for k, v in counted.items() if k is not None}
                assert result["total"] == sum(counted.values())
            active = progress.count_sites_by_unit(session, year, "district", category="retail", status="active")
            assert active["total"] == session.execute(text(
                f"SELECT count(*) FROM site s WHERE {published()} AND {in_year()} AND category_code = 'retail' "
                f"AND status = 'active'"), {"year": year}).scalar_one()


def test_the_counts_of_every_year_at_once_are_each_year_s_counts(db, sites):  # noqa: F811
    # The /progress legend is drawn from these: one query for 2021-2030 must give what ten single years give.
    with Session(db) as session:
        for level, category, status in (("district", None, None), ("commune", "retail", None),
                                        ("district", None, "active")):
            every = progress.sites_over_years(session, 2021, 2030, level, category=category, status=status)
            one_by_one = [row["value"] for year in range(2021, 2031) for row in progress.count_sites_by_unit(
                session, year, level, category=category, status=status)["rows"]]
            assert every == one_by_one and sum(every) > 0


def test_a_changed_rule_rebuilds_the_groups_and_an_unchanged_one_does_not(db, sites):  # noqa: F811
    with Session(db) as session, session.begin():
        assert plan.load_rules(session) is False
        session.execute(text("UPDATE indicator_rule SET categories = '{}' WHERE indicator_code = 'solar_kwp'"))
        session.execute(text("DELETE FROM site_figure WHERE figure = 'waste_sorting_pilots'"))
        assert plan.load_rules(session) is True
        assert session.execute(text("SELECT sum(sites) FROM site_figure WHERE figure = 'waste_sorting_pilots'")
                               ).scalar_one() == 3
