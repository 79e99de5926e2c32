"""scripts/import-boundaries: official files replace the boundaries in one transaction, or change nothing."""
from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.boundaries import BOUNDARY_DIR, import_boundaries
from geo.db import transaction
from geo.errors import BoundaryImportError
from geo.site_store import insert_site
from tests.sitedata import site

# VN-2000 / TM-3 104°30′ written out with the seven datum parameters of Circular 973/2001/TT-TCĐC,
# independently of the EPSG definition that the preset uses.
VN2000_KIEN_GIANG = CRS.from_proj4(
    "+proj=tmerc +lat_0=0 +lon_0=104.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 "
    "+units=m +no_defs")
KNOWN_POINT = (105.0809, 10.0125)  # Rạch Giá, in WGS 84


def district_fingerprint(engine) -> list[tuple[str, str, str]]:
    """Code, name and an MD5 of the geometry of every district: equal lists mean nothing changed."""
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT code, name, md5(ST_AsBinary(geom)) FROM admin_unit WHERE level = 'district' ORDER BY code"))]


@pytest.fixture
def shipped() -> gpd.GeoDataFrame:
    return gpd.read_file(BOUNDARY_DIR / "kien-giang-districts-2009-2025.geojson")


def refused_import(engine, path, **options) -> BoundaryImportError:
    before = district_fingerprint(engine)
    with pytest.raises(BoundaryImportError) as refused:
        with transaction(engine) as session:
            import_boundaries(session, path, **options)
    assert district_fingerprint(engine) == before
    assert len(before) == 15
    return refused.value


def test_unknown_code_changes_nothing(db, shipped, tmp_path):
    shipped.loc[0, "code"] = "999"
    path = tmp_path / "districts.geojson"
    shipped.to_file(path)
    error = refused_import(db, path)
    assert error.field == "code" and "999" in str(error)


def test_missing_district_changes_nothing(db, shipped, tmp_path):
    path = tmp_path / "districts.gpkg"
    shipped[shipped["code"] != "912"].to_file(path)
    error = refused_import(db, path)
    assert "912" in str(error)


def test_invalid_geometry_refused_without_repair(db, shipped, tmp_path):
    # A bow-tie polygon crossing itself inside Rạch Giá.
    shipped.loc[shipped["code"] == "899", "geometry"] = Polygon(
        [(105.05, 10.0), (105.1, 10.05), (105.1, 10.0), (105.05, 10.05), (105.05, 10.0)])
    path = tmp_path / "districts.geojson"
    shipped.to_file(path)
    error = refused_import(db, path, repair=False)
    assert error.field == "geometry" and "899" in str(error) and "Self-intersection" in str(error)


def test_unreadable_file_changes_nothing(db, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [ {"type": "Feat', encoding="utf-8")
    error = refused_import(db, path)
    assert error.field == "file"


def test_missing_name_field_names_the_field(db, shipped, tmp_path):
    path = tmp_path / "districts.geojson"
    shipped.rename(columns={"name": "TEN_HUYEN"}).to_file(path)
    error = refused_import(db, path, name_field="TEN")
    assert error.field == "TEN" and "TEN_HUYEN" in str(error)


def test_file_without_prj_needs_a_crs(db, shipped, tmp_path):
    path = tmp_path / "districts.shp"
    shipped.to_crs(VN2000_KIEN_GIANG).to_file(path)
    path.with_suffix(".prj").unlink()
    error = refused_import(db, path)
    assert error.field == "crs" and "vn2000-kien-giang" in str(error)


def test_a_site_left_outside_by_new_boundaries_changes_nothing(db, shipped, tmp_path):
    with Session(db) as session, session.begin():
        insert_site(session, site("điểm ở Dương Đông", 103.9650, 10.2170))
    # Phú Quốc shrunk to a small square in its south: Dương Đông falls outside every district.
    shipped.loc[shipped["code"] == "911", "geometry"] = Polygon(
        [(103.95, 10.02), (104.0, 10.02), (104.0, 10.06), (103.95, 10.06)])
    path = tmp_path / "districts.geojson"
    shipped.to_file(path)
    refused_import(db, path)


def test_vn2000_preset_puts_a_known_point_where_it_belongs(db, shipped, tmp_path):
    """A Shapefile in VN-2000 / TM-3 104°30′ with no .prj, imported with the preset, lands in place."""
    to_vn2000 = Transformer.from_crs("EPSG:4326", VN2000_KIEN_GIANG, always_xy=True)
    x, y = to_vn2000.transform(*KNOWN_POINT)
    # A district of Rạch Giá drawn as a 200 m square around the known point, in VN-2000 metres.
    square = Polygon([(x - 100, y - 100), (x + 100, y - 100), (x + 100, y + 100), (x - 100, y + 100)])
    frame = shipped.to_crs(VN2000_KIEN_GIANG)
    frame.loc[frame["code"] == "899", "geometry"] = frame.loc[frame["code"] == "899", "geometry"].difference(
        square.buffer(1)).union(square)
    frame = frame.rename(columns={"code": "MA_HUYEN", "name": "TEN_HUYEN"})
    path = tmp_path / "ranh_gioi_huyen.shp"
    frame.to_file(path)
    path.with_suffix(".prj").unlink()

    with Session(db) as session:
        try:
            report = import_boundaries(session, path, code_field="MA_HUYEN", name_field="TEN_HUYEN",
                                       crs="vn2000-kien-giang")
            assert report.units == 15
            lon, lat = session.execute(text(
                """SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Centroid(ST_Intersection(geom,
                       ST_Buffer(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 150)::geometry)) AS p
                   FROM admin_unit WHERE level = 'district' AND code = '899') q"""),
                dict(lon=KNOWN_POINT[0], lat=KNOWN_POINT[1])).one()
            distance = session.execute(text(
                "SELECT ST_Distance(ST_MakePoint(:a, :b)::geography, ST_MakePoint(:c, :d)::geography)"),
                dict(a=lon, b=lat, c=KNOWN_POINT[0], d=KNOWN_POINT[1])).scalar_one()
            # The EPSG datum shift and the circular's seven parameters agree within about 1.3 m here.
            assert distance < 3.0
        finally:
            session.rollback()
    assert len(district_fingerprint(db)) == 15


def test_repaired_geometry_is_reported(db, shipped, tmp_path):
    frame = shipped.copy()
    geometry = frame.loc[frame["code"] == "903", "geometry"].iloc[0]
    # A second part overlapping the first: invalid as a MultiPolygon, repairable by make_valid.
    parts = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    frame.loc[frame["code"] == "903", "geometry"] = MultiPolygon(parts + [parts[0].buffer(-0.001)])
    path = tmp_path / "districts.geojson"
    frame.to_file(path)
    with Session(db) as session:
        try:
            report = import_boundaries(session, path)
            assert report.repaired == ["903"]
            assert report.units == 15
            assert session.execute(text("SELECT bool_and(ST_IsValid(geom)) FROM admin_unit "
                                        "WHERE level = 'district'")).scalar_one()
        finally:
            session.rollback()
