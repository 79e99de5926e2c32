"""GET /api/indicators, /api/progress and /report: what other tools and the yearly report read."""
from __future__ import annotations

import io

import openpyxl
import pytest

from tests.geo.test_indicators import sites  # noqa: F401 - the fixture of sites built for the purpose


def test_indicators_list_targets_and_methods(client, db):
    body = client.get("/api/indicators").get_json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["scp_awareness_share"]["targets"]["2025"] == {"low": 70.0, "high": 70.0}
    assert by_code["eco_packaging_retail_share"]["targets"]["2030"] == {"low": 100.0, "high": 100.0}
    assert by_code["material_fuel_cut"]["method"] == "manual"
    assert by_code["material_fuel_cut"]["targets"]["2025"] == {"low": 5.0, "high": 8.0}
    assert by_code["cleaner_production_models"]["method"] == "computed"


def test_progress_by_district_with_numerator_and_denominator(client, sites):  # noqa: F811
    body = client.get("/api/progress?indicator=scp_awareness_share&year=2024&geography=district").get_json()
    rg = next(u for u in body["units"] if u["code"] == "899")
    assert (rg["numerator"], rg["denominator"], rg["status"]) == (2, 3, "on_track")  # 66,7 % against 56 % (70 % in 2025, reached in steps from 2021)
    assert len(body["units"]) == 15


def test_progress_sites_behind_a_unit(client, sites):  # noqa: F811
    body = client.get("/api/progress/sites?indicator=scp_awareness_share&year=2024&unit=899").get_json()
    assert sorted(s["name"] for s in body["sites"]) == ["KCN A", "KCN B", "KCN C"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("indicator=happiness&year=2024", "indicator"), ("indicator=solar_kwp&year=abc", "year"),
    ("indicator=solar_kwp&year=2024&geography=ward", "level"), ("indicator=solar_kwp&year=2024&level=ward", "level"),
])
def test_progress_bad_parameter_is_400(client, db, query, parameter):
    response = client.get(f"/api/progress?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_report_workbook_download_and_printable_page(client, sites):  # noqa: F811
    response = client.get("/report/2024.xlsx")
    assert response.status_code == 200
    assert "bao-cao-sxtdbv-2024-district.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Tổng hợp"
    page = client.get("/report/2024").data.decode()
    assert "data:image/png;base64," in page and "Báo cáo" in page


def test_progress_page_links_the_report(client, sites):  # noqa: F811
    html = client.get("/progress?measure=scp_awareness_share&year=2024").data.decode()
    assert "/report/2024.xlsx?level=district" in html and 'id="province-summary"' in html
