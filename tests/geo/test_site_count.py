"""numberMatched of a box: the sites of the grid's whole cells are summed from the cell tables and only those along
the box's edges are read; the count is exactly the one of every matching site read one by one, for any box and
filters, with sites on the cells' very edges, drafts and deleted sites among them."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.scale import fill_sites
from geo.site_query import SiteFilters, where
from geo.sites import site_page

WEST, SOUTH, EAST, NORTH = 103.4, 9.2, 105.6, 10.7  # around the mainland and Phú Quốc, where the sites are


def _sites(db) -> None:
    """1 500 approved sites spread over the districts, then 40 on the corners of Rạch Giá's cells of the grid;
    one in fifteen sent back to review and another one in fifteen deleted (the cell tables follow by their
    triggers)."""
    fill_sites(db, 1_500)
    with Session(db) as session, session.begin():
        session.execute(text("""
            INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency, source, is_sample,
                              moderation, start_date, measures)
            SELECT 'Góc ô ' || i || '-' || j, 'solar', 'active',
                   ST_Transform(ST_SetSRID(ST_MakePoint(
                       (25948 + i) * 1222.99245256282 - 20037508.342789244,
                       20037508.342789244 - (15465 + j) * 1222.99245256282), 3857), 4326),
                   'II.4', 'Sở Công Thương', 'test', true, 'approved', date '2024-01-01', '{"kwp": 5}'::jsonb
            FROM generate_series(0, 7) i, generate_series(0, 4) j"""))
        session.execute(text("UPDATE site SET moderation = 'submitted' WHERE id % 15 = 1"))
        session.execute(text("UPDATE site SET deleted_at = now() WHERE id % 15 = 2"))


FILTERS = st.fixed_dictionaries({}, optional={
    "categories": st.lists(st.sampled_from(["solar", "waste_sorting", "organic", "craft_village"]), min_size=1,
                           max_size=2, unique=True).map(tuple),
    "districts": st.lists(st.sampled_from(["899", "911", "902"]), min_size=1, max_size=2, unique=True).map(tuple),
    "statuses": st.just(("active",)),
    "year": st.integers(2021, 2030),
    "lead_agency": st.just("Sở Công Thương"),
})
CORNER = st.tuples(st.floats(WEST, EAST), st.floats(SOUTH, NORTH))
SIZE = st.sampled_from([0.005, 0.02, 0.05, 0.2, 0.6, 1.5])


def plain_count(session: Session, filters: SiteFilters) -> int:
    clause, params = where(filters)
    return session.execute(text(f"SELECT count(*) FROM site s WHERE {clause}"), params).scalar_one()  # noqa: S608


@pytest.fixture
def db_with_sites(db):
    _sites(db)
    return db


def test_a_box_over_rach_gia_counts_its_whole_cells_and_its_edges(db_with_sites):
    with Session(db_with_sites) as session:
        for box in [(105.0, 9.9, 105.2, 10.1), (104.0, 9.5, 105.5, 10.5), (105.08, 10.0, 105.09, 10.01)]:
            filters = SiteFilters(bbox=box)
            assert site_page(session, filters).matched == plain_count(session, filters)
        assert plain_count(session, SiteFilters(bbox=(104.0, 9.5, 105.5, 10.5))) > 500
        # The corners of the cells, exactly: a box whose edges run along them.
        corners = session.execute(text("""
            SELECT min(ST_X(geom)), min(ST_Y(geom)), max(ST_X(geom)), max(ST_Y(geom)) FROM site
            WHERE name LIKE 'Góc ô %'""")).one()
        filters = SiteFilters(bbox=tuple(corners))
        assert site_page(session, filters).matched == plain_count(session, filters) >= 26


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corner=CORNER, size=SIZE, filters=FILTERS)
def test_any_box_with_any_filters_counts_what_reading_every_site_counts(db_with_sites, corner, size, filters):
    west, south = corner
    query = SiteFilters(bbox=(west, south, min(west + size, 180), min(south + size, 90)), limit=1, **filters)
    with Session(db_with_sites) as session:
        assert site_page(session, query).matched == plain_count(session, query)
