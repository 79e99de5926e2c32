"""The boundaries and seed sites the project ships: what they promise, measured."""
from __future__ import annotations

import csv
import json

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.boundaries import BOUNDARY_DIR, DISTRICT_CODES
from geo.catalogue import CATEGORY_CODES
from geo.site_store import load_seed_sites
from geo.sites import SEED_FILE


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(BOUNDARY_DIR / "kien-giang-districts-2009-2025.geojson")


@pytest.fixture(scope="module")
def wards() -> list[dict[str, str]]:
    with open(BOUNDARY_DIR / "kien-giang-wards-2020.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_fifteen_valid_districts_with_names(districts):
    assert districts.crs.to_epsg() == 4326
    assert sorted(districts["code"]) == sorted(DISTRICT_CODES)
    assert districts.geometry.is_valid.all()
    assert set(districts.geom_type) == {"MultiPolygon"}
    names = dict(zip(districts["code"], districts["short_name"]))
    assert names["899"] == "Rạch Giá" and names["913"] == "U Minh Thượng" and names["906"] == "Giồng Riềng"


def test_districts_do_not_overlap(districts):
    metric = districts.to_crs("EPSG:9207")
    overlap = sum(metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area
                  for i in range(len(metric)) for j in range(i + 1, len(metric)))
    assert overlap < 1.0  # square metres


def test_every_ward_centroid_is_in_its_own_district(districts, wards):
    assert len(wards) == 143
    by_code = dict(zip(districts["code"], districts.geometry))
    misplaced = [w["name"] for w in wards
                 if not by_code[w["district_code"]].covers(Point(float(w["lon"]), float(w["lat"])))]
    assert misplaced == []


def test_metadata_says_how_far_to_trust_the_layers():
    for name in ("kien-giang-districts-2009-2025", "kien-giang-province", "kien-giang-communes-2025"):
        meta = json.loads((BOUNDARY_DIR / f"{name}.meta.json").read_text(encoding="utf-8"))
        assert {"source", "method", "licence", "date", "accuracy"} <= set(meta)
        assert meta["approximate"] is True


def test_seed_sites_cover_every_category_and_district(db):
    with Session(db) as session, session.begin():
        loaded = load_seed_sites(session, SEED_FILE)
        rows = session.execute(text("SELECT category_code, district_code, source, is_sample, ref, "
                                    "moderation FROM site")).all()
    assert loaded == len(rows) >= 60
    assert {r.category_code for r in rows} == set(CATEGORY_CODES)
    assert {r.district_code for r in rows} == set(DISTRICT_CODES)
    assert all(r.is_sample and "mẫu" in r.source for r in rows)
    assert all(r.moderation == "approved" for r in rows)
    pilots = {r.district_code for r in rows if r.category_code == "waste_sorting"}
    assert {"899", "900", "911"} <= pilots


def test_seed_sites_land_in_the_district_they_were_written_for(db):
    collection = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    expected = {f["properties"]["ref"]: f["properties"]["expected_district_code"] for f in collection["features"]}
    with Session(db) as session, session.begin():
        load_seed_sites(session, SEED_FILE)
        derived = dict(session.execute(text("SELECT ref, district_code FROM site")).all())
    assert derived == expected
