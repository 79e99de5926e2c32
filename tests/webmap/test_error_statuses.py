"""Public requests that used to answer 500: an export of no site is an empty file of its format, and a site form
with lat=nan names the field (422)."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pyogrio
import pytest

from geo.exports import HEADINGS
from tests.staffkit import csrf_token, sign_in, users  # noqa: F401 - fixture

NO_SITE = "/api/sites?district=899"


def test_an_export_of_no_site_is_a_csv_and_a_workbook_with_their_headings_only(client, db):
    text = client.get(f"{NO_SITE}&f=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0][:3] == [HEADINGS[key][0] for key in ("id", "ref", "name")]

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{NO_SITE}&f=xlsx").data))
    sheet = workbook["Điểm"]
    assert sheet.max_row == 1 and [cell.value for cell in sheet[1]][:3] == ["Mã", "Số hiệu", "Tên"]


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_an_export_of_no_site_is_an_empty_point_layer_in_wgs84(client, db, tmp_path, fmt):
    response = client.get(f"{NO_SITE}&f={fmt}")
    assert response.status_code == 200
    if fmt == "gpkg":
        path = tmp_path / "sites.gpkg"
        path.write_bytes(response.data)
    else:
        zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)
        path = tmp_path / "kien_giang_sites.shp"
    info = pyogrio.read_info(path)
    assert (info["features"], info["geometry_type"], info["crs"]) == (0, "Point", "EPSG:4326")
    assert "name" in list(info["fields"])


@pytest.mark.parametrize("lat", ["nan", "inf"])
def test_a_site_form_with_a_coordinate_that_is_not_a_number_names_it(client, users, lat):
    sign_in(client, "staff_899")
    form = {"csrf_token": csrf_token(client, "/staff/sites/new"), "name": "Điểm thử", "category": "waste_sorting",
            "status": "active", "lat": lat, "lon": "105.1", "plan_task": "VI.2", "source": "Phòng TN&MT"}
    response = client.post("/staff/sites/new", data=form)
    assert response.status_code == 422
    assert 'class="field-error" data-field="lat"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("vi", "Địa chỉ này không có trên trang"),
                                             ("en", "There is no such address on this site")])
def test_every_error_body_has_its_reason(client, db, lang, words):
    for path, status in (("/api/no-such-thing", 404), ("/api/sites/999999", 404)):
        body = client.get(f"{path}?lang={lang}").get_json()["error"]
        assert body["status"] == status and body["reason"]
    missing = client.get(f"/api/no-such-thing?lang={lang}").get_json()["error"]
    assert missing["reason"].startswith(words)
    page = client.get(f"/no-such-page?lang={lang}")
    assert page.status_code == 404 and words in page.get_data(as_text=True)
