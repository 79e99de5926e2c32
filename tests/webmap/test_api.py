"""GET /api/sites and /api/districts: filters, bbox, paging, and 400 with the reason on bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import DARD, DOIT, DONRE
from geo.site_store import insert_site
from tests.sitedata import site

RACH_GIA = (105.0809, 10.0125)
HA_TIEN = (104.4880, 10.3830)
DUONG_DONG = (103.9650, 10.2170)
TAN_HIEP = (105.2850, 10.1150)


@pytest.fixture
def sites(db):
    """Seven sites with known places and states; five approved and not deleted."""
    records = [
        site("Phân loại rác Vĩnh Thanh Vân", *RACH_GIA),
        site("Phân loại rác Tô Châu", *HA_TIEN, start_date="2021-06-01"),
        site("Phân loại rác Dương Đông", *DUONG_DONG, status="planned", start_date="2026-01-01"),
        site("Điện mặt trời mái nhà Rạch Giá", RACH_GIA[0] + 0.003, RACH_GIA[1], category="solar",
             plan_task="I.1", lead_agency=DONRE, measures={"kwp": 120.5, "solar_kind": "rooftop"},
             start_date="2020-05-01", end_date="2022-12-31", status="completed"),
        site("Lúa VietGAP Tân Hiệp", *TAN_HIEP, category="organic_farm", plan_task="II.9", lead_agency=DARD,
             measures={"hectares": 50, "certification": "VietGAP"}),
        site("Bản nháp chưa duyệt", *RACH_GIA, moderation="submitted", category="retail", plan_task="III.3",
             lead_agency=DOIT),
        site("Đã xoá", *RACH_GIA),
    ]
    with Session(db) as session, session.begin():
        ids = [insert_site(session, record) for record in records]
        session.execute(text("UPDATE site SET deleted_at = now() WHERE id = :id"), {"id": ids[-1]})
    return ids


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/geo+json"
    return [f["properties"]["name"] for f in response.get_json()["features"]]


def test_only_approved_and_not_deleted_sites_in_id_order(client, sites):
    body = client.get("/api/sites").get_json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 5
    assert [f["id"] for f in body["features"]] == sites[:5]
    assert "Bản nháp chưa duyệt" not in str(body) and "Đã xoá" not in str(body)


def test_feature_carries_derived_district_and_no_personal_data(client, sites):
    feature = client.get("/api/sites?district=911").get_json()["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": list(DUONG_DONG)}
    props = feature["properties"]
    assert props["district_code"] == "911" and props["district_name"] == "Phú Quốc"
    assert props["category_name_vi"] == "Thí điểm phân loại rác tại nguồn"
    assert props["is_sample"] is True and props["measures"] == {"households": 100}
    assert not {"created_by", "updated_by", "email", "phone"} & set(props)


@pytest.mark.parametrize(("query", "expected"), [
    ("category=solar", ["Điện mặt trời mái nhà Rạch Giá"]),
    ("category=solar,organic_farm", ["Điện mặt trời mái nhà Rạch Giá", "Lúa VietGAP Tân Hiệp"]),
    ("status=planned", ["Phân loại rác Dương Đông"]),
    ("district=899", ["Phân loại rác Vĩnh Thanh Vân", "Điện mặt trời mái nhà Rạch Giá"]),
    ("district=900,904", ["Phân loại rác Tô Châu", "Lúa VietGAP Tân Hiệp"]),
    ("plan_task=II.9", ["Lúa VietGAP Tân Hiệp"]),
    (f"lead_agency={DARD}", ["Lúa VietGAP Tân Hiệp"]),
    # Active in 2021: started by its end, not ended before it began.
    ("year=2021", ["Phân loại rác Tô Châu", "Điện mặt trời mái nhà Rạch Giá"]),
    ("year=2023", ["Phân loại rác Vĩnh Thanh Vân", "Phân loại rác Tô Châu", "Lúa VietGAP Tân Hiệp"]),
    ("category=waste_sorting&district=899", ["Phân loại rác Vĩnh Thanh Vân"]),
])
def test_filters(client, sites, query, expected):
    assert names(client.get(f"/api/sites?{query}")) == expected


def test_bbox_gives_the_sites_inside_it(client, sites):
    # A box around Phú Quốc island only.
    assert names(client.get("/api/sites?bbox=103.8,9.9,104.1,10.5")) == ["Phân loại rác Dương Đông"]
    # A box around Rạch Giá city and Tân Hiệp.
    assert names(client.get("/api/sites?bbox=105.0,9.95,105.35,10.2")) == [
        "Phân loại rác Vĩnh Thanh Vân", "Điện mặt trời mái nhà Rạch Giá", "Lúa VietGAP Tân Hiệp"]


def test_paging_by_offset_and_by_cursor(client, sites):
    first = client.get("/api/sites?limit=2").get_json()
    assert first["numberMatched"] == 5 and first["numberReturned"] == 2
    second = client.get("/api/sites?limit=2&offset=2").get_json()
    response = client.get("/api/sites?limit=2")
    assert "cursor=" in response.headers["Link"]
    by_cursor = client.get(f"/api/sites?limit=2&cursor={first['lastId']}").get_json()
    assert [f["id"] for f in second["features"]] == [f["id"] for f in by_cursor["features"]] == sites[2:4]
    last = client.get(f"/api/sites?limit=2&cursor={by_cursor['lastId']}")
    assert [f["id"] for f in last.get_json()["features"]] == [sites[4]]
    assert "Link" not in last.headers


@pytest.mark.parametrize(("query", "parameter", "words"), [
    ("bbox=1,2,3", "bbox", "bốn số"),
    ("bbox=a,b,c,d", "bbox", "bốn số"),
    ("bbox=106,10,105,11", "bbox", "tối thiểu"),
    ("bbox=105,10,200,11", "bbox", "±180"),
    ("limit=0", "limit", "1–10000"),
    ("limit=abc", "limit", "số nguyên"),
    ("offset=-1", "offset", "0–"),
    ("year=20x5", "year", "số nguyên"),
    ("category=bakery", "category", "bakery"),
    ("status=done", "status", "done"),
    ("district=901", "district", "901"),
    ("plan_task=II.3", "plan_task", "II.3"),
    ("cursor=-4", "cursor", "0–"),
    ("colour=red", "colour", "không được hỗ trợ"),
])
def test_bad_parameter_is_400_naming_it(client, sites, query, parameter, words):
    response = client.get(f"/api/sites?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter
    assert words in error["reason"]


def test_bad_parameter_reason_in_english_when_asked(client, sites):
    error = client.get("/api/sites?limit=abc&lang=en").get_json()["error"]
    assert error == {"parameter": "limit", "field": "limit", "reason": "Must be a whole number, got “abc”",
                     "status": 400}


def test_districts_are_the_fifteen_with_names(client, db):
    body = client.get("/api/districts").get_json()
    props = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert sorted(props) == ["899", "900"] + [str(c) for c in range(902, 915)]
    assert props["912"]["short_name"] == "Kiên Hải"
    assert props["899"]["is_approximate"] is True
    assert props["899"]["valid_to"] == "2025-06-30"


def test_simplified_districts_are_lighter(client, db):
    full = client.get("/api/districts")
    simplified = client.get("/api/districts?simplify=500")
    assert len(simplified.data) < len(full.data) * 0.8
    assert len(simplified.get_json()["features"]) == 15
    bad = client.get("/api/districts?simplify=lots")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "simplify"


def test_sites_as_csv_with_vietnamese_headings(client, sites):
    response = client.get("/api/sites?f=csv&district=899")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff"))))
    assert [r["Tên"] for r in rows] == ["Phân loại rác Vĩnh Thanh Vân", "Điện mặt trời mái nhà Rạch Giá"]
    assert rows[1]["Công suất lắp đặt (kWp)"] == "120.5" and rows[0]["Huyện"] == "Rạch Giá"


def test_sites_as_geopackage_shapefile_and_excel(client, sites, tmp_path):
    import zipfile

    import geopandas as gpd
    import openpyxl

    gpkg = tmp_path / "sites.gpkg"
    gpkg.write_bytes(client.get("/api/sites?f=gpkg").data)
    frame = gpd.read_file(gpkg)
    assert len(frame) == 5 and frame.crs.to_epsg() == 4326
    assert set(frame["name"]) >= {"Phân loại rác Dương Đông", "Lúa VietGAP Tân Hiệp"}

    archive = tmp_path / "sites.zip"
    archive.write_bytes(client.get("/api/sites?f=shp&category=solar").data)
    with zipfile.ZipFile(archive) as z:
        assert {"kien_giang_sites.shp", "kien_giang_sites.dbf", "kien_giang_sites.prj",
                "kien_giang_sites.cpg"} <= set(z.namelist())
    shapes = gpd.read_file(f"zip://{archive}")
    assert list(shapes["name"]) == ["Điện mặt trời mái nhà Rạch Giá"]

    workbook = tmp_path / "sites.xlsx"
    workbook.write_bytes(client.get("/api/sites?f=xlsx&lang=en").data)
    sheet = openpyxl.load_workbook(workbook)["Sites"]
    headings = [cell.value for cell in sheet[1]]
    assert {"Name", "Category", "District", "Longitude", "Latitude", "Sample data"} <= set(headings)
    assert sheet.max_row == 6


def test_unknown_export_format_is_400(client, sites):
    response = client.get("/api/sites?f=docx")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "f"


@pytest.mark.parametrize("path", ["/api/sites?lead_agency=%00", "/api/progress/sites?indicator=solar_kwp&year=2025&unit=%00",
                                  "/?lead_agency=a%00b"])
def test_nul_characters_are_400_naming_the_parameter(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.data


def test_public_responses_carry_an_etag_and_answer_304_until_the_data_changes(client, sites, db):
    for path in ("/api/sites?district=899", "/api/districts?simplify=100", "/api/communes", "/embed?district=899",
                 f"/api/sites/{sites[0]}"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["Cache-Control"].startswith("public, max-age=")
        etag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    before = client.get("/api/sites").headers["ETag"]
    assert client.get("/api/sites?limit=1").headers["ETag"] != before  # another query, another body
    with Session(db) as session, session.begin():
        session.execute(text("UPDATE site SET name = name || ' (sửa)' WHERE id = :id"), {"id": sites[0]})
    changed = client.get("/api/sites", headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.headers["ETag"] != before
    assert "(sửa)" in changed.data.decode()
