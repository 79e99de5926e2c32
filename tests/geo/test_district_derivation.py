"""The database sets a site's district from its location, never from the input."""
from __future__ import annotations

import json

import pytest
from pyproj import Geod
from shapely.geometry import Point, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.boundaries import BOUNDARY_DIR
from geo.errors import OutsideProvince
from geo.site_store import insert_site
from tests.sitedata import site

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def districts() -> dict[str, object]:
    """The shipped district polygons by code, to choose test points against."""
    collection = json.loads((BOUNDARY_DIR / "kien-giang-districts-2009-2025.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["code"]: shape(f["geometry"]) for f in collection["features"]}


def derived_district(engine, lon: float, lat: float, **extra) -> str:
    with Session(engine) as session, session.begin():
        site_id = insert_site(session, site("điểm thử", lon, lat, **extra))
        return session.execute(text("SELECT district_code FROM site WHERE id = :id"), {"id": site_id}).scalar_one()


def offset(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    """The point metres away from lon/lat on the given azimuth (degrees from north)."""
    to_lon, to_lat, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return to_lon, to_lat


def test_points_either_side_of_a_district_border(db, districts):
    # The border between Rạch Giá (899) and Châu Thành (905): 300 m into each side of its middle.
    border = districts["899"].boundary.intersection(districts["905"].boundary)
    middle = border.interpolate(0.5, normalized=True)
    inside = {}
    for code in ("899", "905"):
        centre = districts[code].representative_point()
        azimuth, _, _ = GEOD.inv(middle.x, middle.y, centre.x, centre.y)
        inside[code] = offset(middle.x, middle.y, azimuth, 300)
        assert districts[code].contains(Point(inside[code])), "test point must lie in the polygon it names"
    assert derived_district(db, *inside["899"]) == "899"
    assert derived_district(db, *inside["905"]) == "905"


def test_district_given_in_the_input_is_ignored(db):
    with Session(db) as session, session.begin():
        site_id = insert_site(session, site("điểm thử", 103.9650, 10.2170, district_code="899"))
        session.execute(text("UPDATE site SET district_code = '899' WHERE id = :id"), {"id": site_id})
        code = session.execute(text("SELECT district_code FROM site WHERE id = :id"), {"id": site_id}).scalar_one()
    assert code == "911"  # Dương Đông, on Phú Quốc island


@pytest.mark.parametrize(("name", "lon", "lat", "expected"), [
    ("Dương Đông, đảo Phú Quốc", 103.9650, 10.2170, "911"),
    ("An Thới, nam đảo Phú Quốc", 104.0188, 10.0370, "911"),
    ("đảo Thổ Châu, 100 km ngoài khơi", 103.4762, 9.3038, "911"),
    ("đảo Hòn Nghệ, huyện Kiên Lương", 104.5480, 10.0193, "902"),
])
def test_points_on_islands(db, districts, name, lon, lat, expected):
    assert districts[expected].contains(Point(lon, lat))
    assert derived_district(db, lon, lat) == expected


def test_every_island_commune_of_kien_hai_is_in_kien_hai(db, districts):
    import csv

    with open(BOUNDARY_DIR / "kien-giang-wards-2020.csv", encoding="utf-8") as f:
        wards = [row for row in csv.DictReader(f) if row["district_code"] == "912"]
    assert len(wards) == 4  # Hòn Tre, Lại Sơn, An Sơn, Nam Du
    for ward in wards:
        assert derived_district(db, float(ward["lon"]), float(ward["lat"])) == "912", ward["name"]


def test_point_just_off_the_coast_goes_to_the_nearest_district(db, districts):
    # 1 km out to sea west of Rạch Giá's coast: within the 2 km tolerance for piers and coastal sites.
    province = None
    for polygon in districts.values():
        province = polygon if province is None else province.union(polygon)
    # From the centre of Rạch Giá, walk west to the sea, then 1 km further.
    lon, lat = 105.0832, 10.0095
    assert province.contains(Point(lon, lat))
    while province.contains(Point(lon, lat)):
        lon, lat = offset(lon, lat, 270, 100)
    lon, lat = offset(lon, lat, 270, 1000)
    assert not province.contains(Point(lon, lat))
    nearest = min(districts, key=lambda code: districts[code].distance(Point(lon, lat)))
    assert derived_district(db, lon, lat) == nearest


@pytest.mark.parametrize(("name", "lon", "lat"), [
    ("10 km ngoài khơi Rạch Giá", 104.90, 10.0),
    ("Cần Thơ (tỉnh khác)", 105.7800, 10.0300),
    ("Long Xuyên, An Giang (tỉnh khác)", 105.4350, 10.3860),
    ("Hà Nội", 105.8340, 21.0280),
])
def test_far_at_sea_or_in_another_province_is_refused(db, name, lon, lat):
    with pytest.raises(OutsideProvince) as refused:
        derived_district(db, lon, lat)
    assert refused.value.field == "location"
    assert "ngoài tỉnh Kiên Giang" in refused.value.reason
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site")).scalar_one() == 0


def test_moving_a_site_changes_its_district(db):
    with Session(db) as session, session.begin():
        site_id = insert_site(session, site("điểm thử", 105.0809, 10.0125))
        session.execute(text("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(103.965, 10.217), 4326) "
                             "WHERE id = :id"), {"id": site_id})
        code = session.execute(text("SELECT district_code FROM site WHERE id = :id"), {"id": site_id}).scalar_one()
    assert code == "911"
