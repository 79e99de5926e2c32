"""Vector tiles of the sites built by PostGIS: points, clusters, filters, published sites only."""
from __future__ import annotations

import json
from dataclasses import asdict

import mapbox_vector_tile
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.scale import fill_sites
from geo import tiles
from geo.catalogue import DOIT, DONRE
from geo.site_query import SiteFilters, where
from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, PHU_QUOC_DUONG_DONG, RACH_GIA, site


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The z/x/y of the tile holding a point."""
    return (z, *tiles.tile_of(lon, lat, z))


@pytest.fixture
def five_sites(db):
    """Three approved sites in Rạch Giá (two waste sorting, one solar), one in Hà Tiên, one in Phú Quốc,
    and in Rạch Giá one draft and one rejected site that nobody outside may see."""
    with Session(db) as session, session.begin():
        ids = [insert_site(session, site("Điểm A", *RACH_GIA)),
               insert_site(session, site("Điểm B", RACH_GIA[0] + 0.001, RACH_GIA[1])),
               insert_site(session, site("Điểm C", RACH_GIA[0], RACH_GIA[1] + 0.001, category="solar",
                                         plan_task="II.4", measures={"kwp": 5})),
               insert_site(session, site("Hà Tiên", *HA_TIEN)),
               insert_site(session, site("Phú Quốc", *PHU_QUOC_DUONG_DONG))]
        insert_site(session, site("Nháp", RACH_GIA[0] + 0.002, RACH_GIA[1], moderation="draft"))
        insert_site(session, site("Bị từ chối", RACH_GIA[0] - 0.002, RACH_GIA[1], moderation="rejected"))
    return ids


def decode(tile: tiles.Tile) -> dict:
    return mapbox_vector_tile.decode(tile.body)


def test_a_deep_tile_carries_the_published_points_with_id_category_and_colour(db, five_sites):
    with Session(db) as session:
        tile = tiles.site_tile(session, *tile_of(*RACH_GIA, 15), SiteFilters())
    layers = decode(tile)
    assert list(layers) == ["sites"]
    features = layers["sites"]["features"]
    assert len(features) == 3 == tile.sites  # the draft and the rejected site are not in it
    assert sorted(f["properties"]["id"] for f in features) == sorted(five_sites[:3])
    assert sorted(f["properties"]["category"] for f in features) == ["solar", "waste_sorting", "waste_sorting"]
    assert all(f["properties"]["colour"].startswith("#") for f in features)
    assert not tile.clustered


def test_a_province_tile_carries_clusters_with_their_count_and_category_mix(db, five_sites):
    with Session(db) as session:
        tile = tiles.site_tile(session, *tile_of(104.5, 10.0, 6), SiteFilters())
    layers = decode(tile)
    assert list(layers) == ["clusters"]
    clusters = layers["clusters"]["features"]
    assert tile.clustered and tile.sites == 5
    assert sum(c["properties"]["count"] for c in clusters) == 5
    rach_gia = max(clusters, key=lambda c: c["properties"]["count"])
    assert rach_gia["properties"]["count"] == 3
    assert rach_gia["properties"]["category"] == "waste_sorting"
    assert rach_gia["properties"]["n_waste_sorting"] == 2 and rach_gia["properties"]["n_solar"] == 1


def test_filters_apply_to_tiles(db, five_sites):
    with Session(db) as session:
        solar = tiles.site_tile(session, *tile_of(*RACH_GIA, 15), SiteFilters(categories=("solar",)))
        phu_quoc = tiles.site_tile(session, *tile_of(104.5, 10.0, 6), SiteFilters(districts=("911",)))
    assert [f["properties"]["id"] for f in decode(solar)["sites"]["features"]] == [five_sites[2]]
    assert [c["properties"]["count"] for c in decode(phu_quoc)["clusters"]["features"]] == [1]


def test_a_tile_with_no_site_is_empty(db, five_sites):
    with Session(db) as session:
        tile = tiles.site_tile(session, *tile_of(106.7, 10.8, 12), SiteFilters())  # Hồ Chí Minh City
    assert tile.body == b"" and tile.sites == 0


def test_a_crowded_deep_tile_is_clustered_until_the_deepest_zoom(db):
    with Session(db) as session:
        layout = tiles.layout(session)
        assert tiles.clusters_at(session, 11, 3)
        assert not tiles.clusters_at(session, 12, layout.max_points)
        assert tiles.clusters_at(session, 14, layout.max_points + 1)
        assert not tiles.clusters_at(session, layout.max_zoom, 10 * layout.max_points)


def province_counts(session: Session, filters: SiteFilters) -> list[int]:
    tile = tiles.site_tile(session, *tile_of(104.5, 10.0, 6), filters)
    return sorted(c["properties"]["count"] for c in decode(tile)["clusters"]["features"]) if tile.body else []


def test_the_cells_behind_province_tiles_follow_every_change_as_the_sites_do(db, five_sites):
    # year=2025 takes every fixture site: its tile sums site_cell_detail, the others site_cell_coarse.
    every = SiteFilters(year=2025)
    with Session(db) as session:
        assert province_counts(session, SiteFilters()) == province_counts(session, every) == [1, 1, 3]
    with Session(db) as session, session.begin():
        session.execute(text("UPDATE site SET moderation = 'approved' WHERE name = 'Nháp'"))
        session.execute(text("UPDATE site SET deleted_at = now() WHERE name = 'Hà Tiên'"))
        session.execute(text("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) "
                             "WHERE name = 'Phú Quốc'"), {"lon": RACH_GIA[0] + 0.003, "lat": RACH_GIA[1]})
    with Session(db) as session:
        assert province_counts(session, SiteFilters()) == province_counts(session, every) == [5]
        assert province_counts(session, SiteFilters(categories=("solar",))) == [1]
        assert province_counts(session, SiteFilters(districts=("900",))) == []
    with Session(db) as session, session.begin():
        session.execute(text("DELETE FROM site_history"))
        session.execute(text("DELETE FROM site WHERE name = 'Điểm A'"))
    with Session(db) as session:
        assert province_counts(session, SiteFilters()) == province_counts(session, every) == [4]


@pytest.fixture
def varied_sites(db):
    """Published sites differing in every filter: category, status, plan task, lead agency, commune and district,
    a start in 2021, 2023 or none, an end in 2022 or none; and a draft that no tile counts."""
    records = [
        site("A", *RACH_GIA),
        site("B", RACH_GIA[0] + 0.001, RACH_GIA[1], status="completed", start_date="2021-05-01",
             end_date="2022-06-30"),
        site("C", RACH_GIA[0], RACH_GIA[1] + 0.001, category="solar", plan_task="VI.5", measures={"kwp": 5},
             lead_agency=DOIT, start_date="2023-01-01"),
        site("D", *HA_TIEN, status="planned", plan_task="VI.1", start_date=None),
        site("E", *PHU_QUOC_DUONG_DONG, status="suspended", lead_agency=DOIT, start_date="2021-12-31"),
        site("Nháp", RACH_GIA[0] + 0.002, RACH_GIA[1], moderation="draft"),
    ]
    with Session(db) as session, session.begin():
        for record in records:
            insert_site(session, record)
        return dict(session.execute(text("SELECT name, commune_code FROM site")).all())


def matching(session: Session, filters: SiteFilters) -> int:
    """How many published sites /api/sites finds with these filters (geo.site_query.where)."""
    clause, params = where(filters)
    return session.execute(text(f"SELECT count(*) FROM site s WHERE {clause}"), params).scalar_one()


def clustered(session: Session, z: int, filters: SiteFilters) -> int:
    """The sites counted by the clusters of the tiles of zoom z holding the fixture's three places."""
    counted = 0
    for tile in {tile_of(*place, z) for place in (RACH_GIA, HA_TIEN, PHU_QUOC_DUONG_DONG)}:
        built = tiles.site_tile(session, *tile, filters)
        assert built.clustered or not built.body
        counted += sum(c["properties"]["count"] for c in decode(built)["clusters"]["features"]) if built.body else 0
    return counted


# Each filter of the public map and the number of varied_sites it finds.
EVERY_FILTER = (
    (SiteFilters(), 5), (SiteFilters(categories=("solar",)), 1), (SiteFilters(categories=("waste_sorting", "solar")), 5),
    (SiteFilters(statuses=("active",)), 2), (SiteFilters(statuses=("completed", "planned")), 2),
    (SiteFilters(districts=("899",)), 3), (SiteFilters(plan_tasks=("VI.2",)), 3), (SiteFilters(lead_agency=DOIT), 2),
    (SiteFilters(lead_agency="Không ai"), 0), (SiteFilters(year=2021), 3), (SiteFilters(year=2022), 4),
    (SiteFilters(year=2023), 4), (SiteFilters(year=2030), 4), (SiteFilters(start_year=2021), 2),
    (SiteFilters(start_year=2022), 1), (SiteFilters(start_year=2023), 1),
    (SiteFilters(categories=("waste_sorting",), statuses=("active", "completed"), year=2022, lead_agency=DONRE), 2),
)


@pytest.mark.parametrize("z", [6, 8, 11])
def test_a_clustered_tile_counts_the_sites_each_filter_finds(db, varied_sites, z):
    communes = sorted({code for code in varied_sites.values() if code})
    assert len(communes) >= 2  # the fixture's points lie in different communes
    by_commune = (SiteFilters(communes=(varied_sites["A"],)), SiteFilters(communes=tuple(communes)))
    with Session(db) as session:
        for filters, expected in EVERY_FILTER:
            assert clustered(session, z, filters) == matching(session, filters) == expected, filters
        for filters in by_commune:
            assert clustered(session, z, filters) == matching(session, filters) > 0, filters


def test_an_edited_site_moves_between_filtered_tiles_at_once(db, varied_sites):
    old_commune, new_commune = varied_sites["A"], varied_sites["D"]  # Rạch Giá's, Hà Tiên's
    before = {"status": ("active", "completed"), "commune": (old_commune, new_commune),
              "start_year": (2022, 2023), "year": (2022, 2023)}

    def counts(session: Session) -> dict[str, tuple[int, int]]:
        filters = {"status": lambda v: SiteFilters(statuses=(v,)), "commune": lambda v: SiteFilters(communes=(v,)),
                   "start_year": lambda v: SiteFilters(start_year=v), "year": lambda v: SiteFilters(year=v)}
        return {name: tuple(clustered(session, 8, make(value)) for value in before[name])
                for name, make in filters.items()}

    with Session(db) as session:
        was = counts(session)
    with Session(db) as session, session.begin():
        session.execute(text("UPDATE site SET status = 'completed', start_date = '2023-02-01', "
                             "geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) WHERE name = 'A'"),
                        {"lon": HA_TIEN[0] + 0.001, "lat": HA_TIEN[1]})
    with Session(db) as session:
        now = counts(session)
        assert session.execute(text("SELECT commune_code FROM site WHERE name = 'A'")).scalar() == new_commune
    assert now == {"status": (was["status"][0] - 1, was["status"][1] + 1),
                   "commune": (was["commune"][0] - 1, was["commune"][1] + 1),
                   "start_year": (was["start_year"][0] - 1, was["start_year"][1] + 1),
                   # in 2022 no longer (it starts in 2023), in 2023 still
                   "year": (was["year"][0] - 1, was["year"][1])}


def test_a_crowded_tile_from_the_first_zoom_of_points_is_clustered_as_from_the_sites(db, varied_sites):
    with Session(db) as session, session.begin():
        # Rạch Giá's three sites crowd a tile when a tile holds two points at most (undone with the transaction).
        session.execute(text("CREATE OR REPLACE FUNCTION scp_tile_layout() RETURNS jsonb LANGUAGE sql IMMUTABLE "
                             "AS $$ SELECT :layout::jsonb $$".replace(":layout", "'" + json.dumps(
                                 {**asdict(tiles.layout(session)), "max_points": 2}) + "'")))
        for z in (12, 13):  # z12 sums site_cell, z13 (finer than its cells) counts the sites themselves
            crowded = tiles.site_tile(session, *tile_of(*RACH_GIA, z), SiteFilters())
            assert crowded.clustered and crowded.sites == 3
            assert sum(c["properties"]["count"] for c in decode(crowded)["clusters"]["features"]) == 3
            few = tiles.site_tile(session, *tile_of(*RACH_GIA, z), SiteFilters(statuses=("active",)))
            assert not few.clustered and len(decode(few)["sites"]["features"]) == few.sites == 2
        session.rollback()


def cluster_features(tile: tiles.Tile) -> list[tuple[dict, tuple[int, int]]]:
    """A clustered tile's clusters (their properties and their point in the tile's pixels), in a fixed order."""
    assert tile.clustered or not tile.body
    features = decode(tile)["clusters"]["features"] if tile.body else []
    return sorted(((f["properties"], tuple(f["geometry"]["coordinates"])) for f in features),
                  key=lambda feature: (sorted(feature[0].items()), feature[1]))


def test_low_zoom_tiles_summed_from_the_coarse_cells_are_those_summed_from_site_cell(db):
    # 1 500 sites over the districts, one in fifteen sent back to review and another deleted.
    fill_sites(db, 1_500)
    with Session(db) as session, session.begin():
        session.execute(text("UPDATE site SET moderation = 'submitted' WHERE id % 15 = 1"))
        session.execute(text("UPDATE site SET deleted_at = now() WHERE id % 15 = 2"))
    published = 1_500 - 2 * 100
    west, south, east, north = tiles.BOUNDS
    wanted = [(z, x, y) for z in (5, 7, 9)
              for x in range(tiles.tile_of(west, north, z)[0], tiles.tile_of(east, south, z)[0] + 1)
              for y in range(tiles.tile_of(west, north, z)[1], tiles.tile_of(east, south, z)[1] + 1)]
    every = (SiteFilters(), SiteFilters(categories=("solar",)), SiteFilters(districts=("899", "911")))

    def built(session: Session) -> dict:
        return {(tile, n): cluster_features(tiles.site_tile(session, *tile, filters))
                for tile in wanted for n, filters in enumerate(every)}

    with Session(db) as session, session.begin():
        coarse = built(session)
        # The same tiles with no coarse grid: every one sums site_cell (undone with the transaction).
        session.execute(text("CREATE OR REPLACE FUNCTION scp_tile_layout() RETURNS jsonb LANGUAGE sql IMMUTABLE "
                             "AS $$ SELECT :layout::jsonb $$".replace(":layout", "'" + json.dumps(
                                 {**asdict(tiles.layout(session)), "coarse_level": 0}) + "'")))
        fine = built(session)
        session.rollback()
    for z in (5, 7, 9):
        assert sum(properties["count"] for (tile, n), clusters in coarse.items()
                   for properties, _ in clusters if tile[0] == z and n == 0) == published
    assert coarse.keys() == fine.keys()
    for key, clusters in coarse.items():
        assert [properties for properties, _ in clusters] == [properties for properties, _ in fine[key]], key
        # Sums added in another order may round a point to the next pixel of the tile's 4 096, no further.
        assert all(abs(a - b) <= 1 for (_, at), (_, bt) in zip(clusters, fine[key]) for a, b in zip(at, bt)), key
