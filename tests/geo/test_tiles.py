"""Vector tiles of the sites built by PostGIS: points, clusters, filters, published sites only."""
from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import tiles
from geo.site_query import SiteFilters
from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, PHU_QUOC_DUONG_DONG, RACH_GIA, site


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The z/x/y of the tile holding a point (the slippy-map formula)."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


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


def test_a_crowded_deep_tile_is_clustered_until_the_deepest_zoom():
    assert tiles.clusters_at(11, 3)
    assert not tiles.clusters_at(12, tiles.MAX_POINTS)
    assert tiles.clusters_at(14, tiles.MAX_POINTS + 1)
    assert not tiles.clusters_at(tiles.MAX_ZOOM, 10 * tiles.MAX_POINTS)


def province_counts(session: Session, filters: SiteFilters) -> list[int]:
    tile = tiles.site_tile(session, *tile_of(104.5, 10.0, 6), filters)
    return sorted(c["properties"]["count"] for c in decode(tile)["clusters"]["features"]) if tile.body else []


def test_the_cells_behind_province_tiles_follow_every_change_as_the_sites_do(db, five_sites):
    # year=2025 takes every fixture site but is not kept per cell: that tile is counted from the sites themselves.
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
