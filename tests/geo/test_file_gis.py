"""GIS files read as rows: each format written here with geopandas, read back to its points' lon/lat in WGS84
and its attributes with their diacritics, whatever the file's CRS."""
from __future__ import annotations

import io
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPoint, Point

from geo.errors import BadParameter
from geo.file_table import ReadLimits, read_file
from tests.staffkit import IN_RACH_GIA, IN_RACH_GIA_2

VN2000_KIEN_GIANG = "EPSG:9207"
NAMES = ["Chợ Vĩnh Quang", "Tổ dân phố 3 – Phường Vĩnh Thanh Vân"]


def sites(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"Tên": NAMES, "Số hộ": [12, 30]},
                             geometry=[Point(*IN_RACH_GIA), Point(*IN_RACH_GIA_2)], crs="EPSG:4326")
    return frame.to_crs(crs)


def written(frame: gpd.GeoDataFrame, path: Path, **options) -> bytes:
    frame.to_file(path, engine="pyogrio", **options)
    return path.read_bytes()


def zipped(folder: Path, inside: str = "ranh-gioi/") -> bytes:
    """Every file of a folder in a zip, under a folder as people zip them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, inside + path.name)
    return buffer.getvalue()


def shapefile(tmp_path: Path, frame: gpd.GeoDataFrame, *, prj: bool = True, cpg: bool = True) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir()
    written(frame, folder / "diem.shp")
    for suffix, kept in ((".prj", prj), (".cpg", cpg)):
        if not kept:
            (folder / "diem").with_suffix(suffix).unlink()
    return zipped(folder)


def assert_sites(rows: list[list], attributes: list[str], values: list[list]) -> None:
    """The heading row and each site's attributes, then its lon/lat within a millionth of a degree."""
    assert rows[0] == [*attributes, "lon", "lat"]
    assert [row[:-2] for row in rows[1:]] == values
    for row, (lon, lat) in zip(rows[1:], (IN_RACH_GIA, IN_RACH_GIA_2)):
        assert row[-2:] == [pytest.approx(lon, abs=1e-6), pytest.approx(lat, abs=1e-6)]


def test_geojson(tmp_path):
    table = read_file(written(sites(), tmp_path / "diem.geojson"), "diem.geojson")
    assert_sites(table.rows, ["Tên", "Số hộ"], [[NAMES[0], 12], [NAMES[1], 30]])
    assert (table.kind, table.separator, table.warnings) == ("geojson", None, [])


def test_geojson_arrays_and_objects_come_as_their_json_text():
    content = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
               f'"coordinates": [{IN_RACH_GIA[0]}, {IN_RACH_GIA[1]}]}}, "properties": {{"Tên": "{NAMES[0]}", '
               '"Nhãn": ["chợ", "rác"], "Số liệu": {"hộ": 12}}}]}').encode()
    table = read_file(content, "diem.json")
    assert_sites(table.rows[:2], ["Tên", "Nhãn", "Số liệu"], [[NAMES[0], '["chợ", "rác"]', '{"hộ": 12}']])


def test_geopackage_in_vn2000_is_read_back_in_degrees(tmp_path):
    table = read_file(written(sites(VN2000_KIEN_GIANG), tmp_path / "diem.gpkg"), "diem.gpkg")
    assert_sites(table.rows, ["Tên", "Số hộ"], [[NAMES[0], 12], [NAMES[1], 30]])
    assert (table.kind, table.warnings) == ("gpkg", [])


def test_zipped_shapefile(tmp_path):
    table = read_file(shapefile(tmp_path, sites()), "diem.zip")
    assert_sites(table.rows, ["Tên", "Số hộ"], [[NAMES[0], 12], [NAMES[1], 30]])
    assert table.kind == "shp"


def test_shapefile_without_prj_in_vn2000_needs_the_preset_named(tmp_path):
    content = shapefile(tmp_path, sites(VN2000_KIEN_GIANG), prj=False)
    with pytest.raises(BadParameter) as refused:
        read_file(content, "diem.zip")
    assert refused.value.field == "crs" and "vn2000-kien-giang" in str(refused.value)
    table = read_file(content, "diem.zip", crs="vn2000-kien-giang")
    assert_sites(table.rows, ["Tên", "Số hộ"], [[NAMES[0], 12], [NAMES[1], 30]])


def test_shapefile_without_prj_in_degrees_around_the_province_is_read_as_wgs84_and_said_so(tmp_path):
    table = read_file(shapefile(tmp_path, sites(), prj=False, cpg=False), "diem.zip")
    assert_sites(table.rows, ["Tên", "Số hộ"], [[NAMES[0], 12], [NAMES[1], 30]])
    assert [(field, params) for field, _reason, params in table.warnings] == [("crs", {})]


def test_an_unknown_crs_is_refused_by_name(tmp_path):
    with pytest.raises(BadParameter) as refused:
        read_file(shapefile(tmp_path, sites(), prj=False), "diem.zip", crs="vn2000-ca-mau")
    assert refused.value.field == "crs" and refused.value.params == {"crs": "vn2000-ca-mau"}


def kml_of(tmp_path: Path) -> bytes:
    frame = sites().rename(columns={"Tên": "Name"})
    return written(frame, tmp_path / "doc.kml", driver="KML")


def test_kml_of_google_earth(tmp_path):
    table = read_file(kml_of(tmp_path), "diem.kml")
    assert_sites(table.rows, ["Name", "description", "Số hộ"], [[NAMES[0], None, "12"], [NAMES[1], None, "30"]])
    assert table.kind == "kml"


def test_kmz(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml_of(tmp_path))
    table = read_file(buffer.getvalue(), "diem.kmz")
    assert_sites(table.rows, ["Name", "description", "Số hộ"], [[NAMES[0], None, "12"], [NAMES[1], None, "30"]])


def test_every_folder_of_a_kml_is_read():
    placemark = ("<Placemark><name>{}</name><ExtendedData><Data name=\"Số hộ\"><value>{}</value></Data></ExtendedData>"
                 "<Point><coordinates>{},{}</coordinates></Point></Placemark>")
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           f'<Folder><name>Phường Vĩnh Thanh Vân</name>{placemark.format(NAMES[0], 12, *IN_RACH_GIA)}</Folder>'
           f'<Folder><name>Phường Vĩnh Quang</name>{placemark.format(NAMES[1], 30, *IN_RACH_GIA_2)}</Folder>'
           '</Document></kml>')
    table = read_file(kml.encode(), "diem.kml")
    assert_sites(table.rows, ["Name", "description", "Số hộ"], [[NAMES[0], None, "12"], [NAMES[1], None, "30"]])


def test_a_feature_that_is_not_one_point_keeps_its_row_without_a_location(tmp_path):
    frame = gpd.GeoDataFrame({"Tên": ["Điểm", "Đường", "Một điểm", "Hai điểm"]}, crs="EPSG:4326", geometry=[
        Point(*IN_RACH_GIA), LineString([IN_RACH_GIA, IN_RACH_GIA_2]), MultiPoint([IN_RACH_GIA_2]),
        MultiPoint([IN_RACH_GIA, IN_RACH_GIA_2])])
    table = read_file(written(frame, tmp_path / "diem.geojson"), "diem.geojson")
    assert [row[0] for row in table.rows] == ["Tên", "Điểm", "Đường", "Một điểm", "Hai điểm"]
    assert [row[1] is None for row in table.rows[1:]] == [False, True, False, True]
    assert table.rows[3][1:] == [pytest.approx(IN_RACH_GIA_2[0], abs=1e-9), pytest.approx(IN_RACH_GIA_2[1], abs=1e-9)]
    [(field, _reason, params)] = table.warnings
    assert field == "file" and params == {"n": 2, "kinds": "LineString, MultiPoint", "rows": "3, 5"}


def test_more_features_than_rows_allowed_is_refused_before_reading(tmp_path):
    content = written(sites(), tmp_path / "diem.gpkg")
    with pytest.raises(BadParameter) as refused:
        read_file(content, "diem.gpkg", ReadLimits(max_rows=2))
    assert refused.value.field == "file" and refused.value.params == {"n": 2}


def test_a_zip_bomb_is_refused_by_its_uncompressed_size():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("diem.shp", "w") as part:
            for _ in range(60):
                part.write(bytes(1_000_000))
    assert len(buffer.getvalue()) < 1_000_000
    with pytest.raises(BadParameter) as refused:
        read_file(buffer.getvalue(), "diem.zip")
    assert refused.value.field == "file" and refused.value.params["part"] == "diem.shp"


def test_a_kml_declaring_entities_is_refused():
    kml = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
           b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&b;</name>'
           b'<Point><coordinates>105.08,10.01</coordinates></Point></Placemark></kml>')
    with pytest.raises(BadParameter) as refused:
        read_file(kml, "diem.kml")
    assert refused.value.field == "file" and "DOCTYPE" in str(refused.value)


def test_a_file_gdal_cannot_read_is_refused_without_the_servers_paths():
    with pytest.raises(BadParameter) as refused:
        read_file(b'{"sites": []}', "diem.json")
    assert refused.value.field == "file" and "tmp" not in str(refused.value) and "upload.json" in str(refused.value)


def test_a_geopackage_holding_an_sql_view_is_refused_before_gdal_runs_it(tmp_path):
    path = tmp_path / "diem.gpkg"
    written(sites(), path)
    with closing(sqlite3.connect(path)) as database, database:
        database.execute("CREATE VIEW endless AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                         "SELECT i FROM n")
    with pytest.raises(BadParameter) as refused:
        read_file(path.read_bytes(), "diem.gpkg")
    assert refused.value.field == "file" and refused.value.params == {"views": "endless"}
