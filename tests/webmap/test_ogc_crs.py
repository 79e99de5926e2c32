"""OGC API – Features Part 2 (CRS), f=json/html, Accept-Language, and OGC API – Tiles: what GDAL and QGIS ask
for, checked against the project's own answers and against GDAL itself (pyogrio's OAPIF and OGCAPI drivers)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Iterator

import pytest
from pyproj import Transformer
from werkzeug.serving import make_server

from geo.tiles import BOUNDS, tile_of
from tests.webmap.test_api import DUONG_DONG, RACH_GIA, sites  # noqa: F401 - fixture

VN2000 = "http://www.opengis.net/def/crs/EPSG/0/9207"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
ITEMS = "/ogc/collections/sites/items"


def _first_point(client, query: str) -> tuple[list[float], dict]:
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 200, response.get_json()
    features = {f["properties"]["name"]: f for f in response.get_json()["features"]}
    return features["Phân loại rác Vĩnh Thanh Vân"]["geometry"]["coordinates"], response.headers


def test_the_default_is_crs84_longitude_first(client, sites):  # noqa: F811
    point, headers = _first_point(client, "")
    assert point == pytest.approx(list(RACH_GIA), abs=1e-6)
    assert headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_epsg_4326_puts_latitude_first_as_the_standard_says(client, sites):  # noqa: F811
    point, headers = _first_point(client, f"crs={EPSG_4326}")
    assert point == pytest.approx([RACH_GIA[1], RACH_GIA[0]], abs=1e-6)
    assert headers["Content-Crs"] == f"<{EPSG_4326}>"


@pytest.mark.parametrize("crs", [VN2000, "EPSG:9207"])
def test_the_provinces_vn2000_zone_is_in_metres(client, sites, crs):  # noqa: F811
    point, headers = _first_point(client, f"crs={crs}")
    expected = Transformer.from_crs("EPSG:4326", "EPSG:9207", always_xy=True).transform(*RACH_GIA)
    assert point == pytest.approx(list(expected), abs=0.05)
    assert headers["Content-Crs"] == f"<{VN2000}>"


def test_bbox_in_vn2000_finds_the_island_site(client, sites):  # noqa: F811
    to_vn2000 = Transformer.from_crs("EPSG:4326", "EPSG:9207", always_xy=True)
    west, south = to_vn2000.transform(DUONG_DONG[0] - 0.05, DUONG_DONG[1] - 0.05)
    east, north = to_vn2000.transform(DUONG_DONG[0] + 0.05, DUONG_DONG[1] + 0.05)
    body = client.get(f"{ITEMS}?bbox={west},{south},{east},{north}&bbox-crs={VN2000}").get_json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Phân loại rác Dương Đông"]
    # EPSG:4326 boxes are latitude first.
    lat_first = f"{DUONG_DONG[1] - 0.05},{DUONG_DONG[0] - 0.05},{DUONG_DONG[1] + 0.05},{DUONG_DONG[0] + 0.05}"
    body = client.get(f"{ITEMS}?bbox={lat_first}&bbox-crs={EPSG_4326}").get_json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Phân loại rác Dương Đông"]


def test_a_box_of_no_size_in_metres_is_a_point_with_no_site(client, sites):  # noqa: F811
    response = client.get(f"{ITEMS}?bbox=11690000,1120000,11690000,1120000&bbox-crs={WEB_MERCATOR}")
    assert response.status_code == 200
    assert response.get_json()["numberMatched"] == 0 and response.get_json()["features"] == []


@pytest.mark.parametrize("bbox", ["11700000,1130000,11690000,1120000", "11690000,1130000,11700000,1120000"])
def test_a_box_in_metres_given_upside_down_is_refused_as_one_in_degrees_is(client, sites, bbox):  # noqa: F811
    response = client.get(f"{ITEMS}?bbox={bbox}&bbox-crs={WEB_MERCATOR}", headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "bbox" and error["reason"] == "Giá trị tối thiểu phải nhỏ hơn giá trị tối đa"
    in_degrees = client.get(f"{ITEMS}?bbox=105.2,10.2,104.9,9.9", headers={"Accept-Language": "vi"}).get_json()
    assert in_degrees["error"]["reason"] == error["reason"]


def test_a_box_outside_the_crs_area_is_refused_by_name(client, sites):  # noqa: F811
    response = client.get(f"{ITEMS}?bbox=1e30,1e30,1e31,1e31&bbox-crs={VN2000}", headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "bbox" and error["reason"] == "Nằm ngoài vùng dùng được của hệ toạ độ bbox-crs"


def test_collections_list_their_crs(client, db):
    sites_collection = client.get("/ogc/collections/sites").get_json()
    assert VN2000 in sites_collection["crs"] and EPSG_4326 in sites_collection["crs"]
    assert sites_collection["storageCrs"].endswith("CRS84")
    assert client.get("/ogc/collections/districts").get_json()["crs"] == [sites_collection["storageCrs"]]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in \
        client.get("/ogc/conformance").get_json()["conformsTo"]


@pytest.mark.parametrize(("query", "field"), [("crs=EPSG:32648", "crs"), ("bbox-crs=EPSG:1", "bbox-crs"),
                                              ("f=xml", "f")])
def test_a_crs_or_format_not_offered_is_refused_by_name(client, db, query, field):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field


def test_boundaries_offer_crs84_only_and_say_so(client, db):
    response = client.get(f"/ogc/collections/districts/items?crs={VN2000}")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "crs"


def test_features_property_names_are_filters_too(client, sites):  # noqa: F811
    by_property = client.get(f"{ITEMS}?district_code=899").get_json()
    by_old_name = client.get(f"{ITEMS}?district=899").get_json()
    assert by_property["numberMatched"] == by_old_name["numberMatched"] > 0


def test_f_json_and_f_html(client, sites):  # noqa: F811
    assert client.get(f"{ITEMS}?f=json").mimetype == "application/geo+json"
    page = client.get(f"{ITEMS}?f=html")
    assert page.mimetype == "text/html" and "Phân loại rác Vĩnh Thanh Vân" in page.get_data(as_text=True)
    assert client.get("/ogc/collections?f=html").status_code == 200


def test_accept_language_is_honoured_on_the_ogc_api(client, db):
    english = client.get("/ogc/collections/roads", headers={"Accept-Language": "en-GB,en;q=0.8"})
    vietnamese = client.get("/ogc/collections/roads")
    assert english.get_json()["error"]["reason"] == "There is no collection roads"
    assert vietnamese.get_json()["error"]["reason"] == "Không có lớp dữ liệu roads"
    assert "Accept-Language" in english.headers["Vary"]


def test_the_openapi_document_declares_every_filter_crs_and_format(client, db):
    items = client.get("/ogc/api").get_json()["paths"]["/ogc/collections/{collectionId}/items"]["get"]
    names = {p["name"] for p in items["parameters"]}
    assert {"crs", "bbox-crs", "f", "category", "status", "district", "district_code", "commune_code",
            "plan_task", "lead_agency", "year", "start_year", "bbox", "limit", "offset"} <= names


def test_ogc_tiles_are_the_sites_tiles(client, sites):  # noqa: F811
    tileset = client.get("/ogc/collections/sites/tiles/WebMercatorQuad").get_json()
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    assert template.endswith("/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    z = 8
    x, y = tile_of(*RACH_GIA, z)
    ogc = client.get(f"/ogc/collections/sites/tiles/WebMercatorQuad/{z}/{y}/{x}")
    ours = client.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    assert ogc.status_code == ours.status_code == 200 and ogc.data == ours.data
    assert any(t["tileMatrixSetURI"].endswith("WebMercatorQuad")
               for t in client.get("/ogc/collections/sites/tiles").get_json()["tilesets"])


@pytest.fixture
def server(app) -> Iterator[str]:
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()


def _gdal(script: str) -> dict:
    """What GDAL (pyogrio's own build) reads, run in a child process: its reads hold the interpreter's lock, which
    would stop the test server's thread from answering."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gdal_reads_the_sites_in_vn2000(server, sites):  # noqa: F811
    read = _gdal(f"""
import json, pyogrio
frame = pyogrio.read_dataframe("OAPIF:{server}/ogc", layer="sites", CRS="EPSG:9207")
print(json.dumps({{"epsg": frame.crs.to_epsg(), "points": {{n: [g.x, g.y] for n, g in zip(frame["name"], frame.geometry)}}}}))
""")
    assert read["epsg"] == 9207 and len(read["points"]) == 5
    expected = Transformer.from_crs("EPSG:4326", "EPSG:9207", always_xy=True).transform(*RACH_GIA)
    assert read["points"]["Phân loại rác Vĩnh Thanh Vân"] == pytest.approx(list(expected), abs=0.05)


def test_gdal_reads_the_ogc_tiles(server, sites):  # noqa: F811
    # GDAL's OGCAPI driver finds the tileset, the tiling scheme and the tile template, and makes a layer of each
    # level; it reads the collection's CRS84 extent as if in the tiles' metres, so without MINX… it has only the
    # whole-world levels.
    read = _gdal(f"""
import json, pyogrio
frame = pyogrio.read_dataframe("OGCAPI:{server}/ogc/collections/sites", API="TILES", layer="Zoom level 0")
print(json.dumps({{"sites": int(frame["count"].sum())}}))
""")
    assert read["sites"] == 5


def test_gdal_reads_the_provinces_ogc_tiles_at_every_level_given_the_extent_in_metres(server, sites):  # noqa: F811
    # The README's command: the province's extent in EPSG:3857 (MINX…MAXY), so GDAL asks for its tiles down to the
    # deepest level; at z14 the tiles carry each published site as a point with its id and category.
    west, south, east, north = BOUNDS
    (minx, maxx), (miny, maxy) = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(
        [west, east], [south, north])
    read = _gdal(f"""
import json, pyogrio
source = "OGCAPI:{server}/ogc/collections/sites"
options = dict(API="TILES", MINX={minx}, MINY={miny}, MAXX={maxx}, MAXY={maxy})
deepest = pyogrio.read_info(source, layer="Zoom level 16", **options)["crs"]
frame = pyogrio.read_dataframe(source, layer="Zoom level 14", **options)
print(json.dumps({{"deepest": deepest, "ids": sorted(int(i) for i in frame["id"]), "epsg": frame.crs.to_epsg(),
                  "categories": sorted(set(frame["category"]))}}))
""")
    assert read["epsg"] == 3857 and read["deepest"] == "EPSG:3857"
    assert read["ids"] == sorted(sites[:5])
    assert read["categories"] == ["organic_farm", "solar", "waste_sorting"]
