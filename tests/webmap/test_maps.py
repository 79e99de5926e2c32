"""The map pages over HTTP: framing and cache headers, no CDN, points not in the page, the progress figures."""
from __future__ import annotations

import csv
import io
import re

import openpyxl

import pytest
from sqlalchemy.orm import Session

from geo.catalogue import DARD
from geo.site_store import insert_site
from tests.sitedata import site

RACH_GIA = (105.0832, 10.0095)
HA_TIEN = (104.4985, 10.3735)
DUONG_DONG = (103.9666, 10.2305)
TAN_HIEP = (105.2850, 10.1150)


@pytest.fixture
def sites(db):
    """Pilots in Rạch Giá (two), Hà Tiên and Phú Quốc, a farm in Tân Hiệp, one pilot not yet approved."""
    with Session(db) as session, session.begin():
        insert_site(session, site("Thí điểm Vĩnh Thanh Vân", *RACH_GIA, measures={"households": 1200}))
        insert_site(session, site("Thí điểm An Hòa", RACH_GIA[0] + 0.01, RACH_GIA[1], measures={"households": 300},
                                  start_date="2024-01-01"))
        insert_site(session, site("Thí điểm Tô Châu", *HA_TIEN, measures={"households": 540}))
        insert_site(session, site("Thí điểm Dương Đông", *DUONG_DONG, measures={"households": 2100},
                                  start_date="2021-01-01", end_date="2022-12-31", status="completed"))
        insert_site(session, site("Lúa VietGAP", *TAN_HIEP, category="organic_farm", plan_task="II.9",
                                  lead_agency=DARD, measures={"hectares": 10}))
        insert_site(session, site("Chưa duyệt", *RACH_GIA, moderation="submitted", measures={"households": 999}))


def read_csv(response) -> list[dict[str, str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheet programs read UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("path", ["/", "/progress", "/embed/builder"])
def test_pages_refuse_to_be_framed(client, sites, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_may_be_framed_by_the_configured_portal_and_cached(client, sites):
    response = client.get("/embed?district=899&lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'self' http://portal.test:8100")
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Language"] == "en"
    assert "Set-Cookie" not in response.headers  # a shared cache must not keep anyone's cookie
    again = client.get("/embed?district=899&lang=en", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_embed_rejects_unknown_options(client, sites):
    response = client.get("/embed?colour=red")
    assert response.status_code == 400 and b"colour" in response.data


def test_pages_load_nothing_from_a_cdn(client, sites):
    for path in ("/", "/progress", "/embed"):
        html = client.get(path).data.decode()
        # A preconnect to the shown base map's tile server loads nothing; it only opens the connection early.
        sources = re.findall(r'<(?:script|link)(?![^>]*rel="preconnect")[^>]+(?:src|href)="([^"]+)"', html)
        assert sources and not [s for s in sources if re.match(r"(https?:)?//", s)], path


def test_site_points_are_not_written_into_the_page(client, sites):
    html = client.get("/?district=899").data.decode()
    assert "Thí điểm Vĩnh Thanh Vân" not in html
    # The page reads its sites from vector tiles with the filter, and counts them with one site asked for.
    assert '"/tiles/sites/{z}/{x}/{y}.pbf?district=899"' in html
    assert '"/api/sites?limit=1&district=899"' in html
    assert "limit=10000" not in html


def test_the_filter_form_keeps_the_chosen_values(client, sites):
    html = client.get("/?district=911&status=active&category=solar,retail").data.decode()
    assert '<option value="911" selected>' in html
    assert '<option value="active" selected>' in html
    assert 'value="solar" checked' in html and 'value="retail" checked' in html


def test_a_bad_filter_is_400_naming_it(client, sites):
    response = client.get("/?district=123")
    assert response.status_code == 400
    assert b"district" in response.data and b"123" in response.data


def test_sites_per_district_by_category_and_status(client, sites):
    rows = {r["Mã đơn vị"]: r for r in read_csv(client.get("/progress.csv?measure=sites&year=2024"))}
    assert len(rows) == 15
    assert rows["899"]["Giá trị"] == "2" and rows["900"]["Giá trị"] == "1" and rows["904"]["Giá trị"] == "1"
    assert rows["911"]["Giá trị"] == "0"  # the Dương Đông pilot ended in 2022
    by_category = {r["Mã đơn vị"]: r["Giá trị"] for r in
                   read_csv(client.get("/progress.csv?measure=sites&year=2024&category=organic_farm"))}
    assert by_category["904"] == "1" and by_category["899"] == "0"
    completed = {r["Mã đơn vị"]: r["Giá trị"] for r in
                 read_csv(client.get("/progress.csv?measure=sites&year=2022&status=completed"))}
    assert completed["911"] == "1" and sum(int(v) for v in completed.values()) == 1


def test_households_in_the_source_sorting_pilots_are_one_figure_everywhere(client, sites):
    """The map's table, its CSV, the API and the yearly workbook give the same households, from one rule."""
    query = "figure=waste_sorting_households&year=2024&level=district"
    rows = {r["Mã đơn vị"]: r["Giá trị"] for r in read_csv(client.get(f"/progress.csv?{query}"))}
    assert rows["899"] == "1500" and rows["900"] == "540" and rows["911"] == "0"
    assert rows["904"] == ""  # not a pilot area: no data, not zero
    api = {u["code"]: u["value"] for u in client.get(
        "/api/progress?indicator=waste_sorting_households&year=2024&level=district").get_json()["units"]}
    assert (api["899"], api["900"], api["911"], api["904"]) == (1500, 540, 0, None)
    html = client.get(f"/progress?{query}").data.decode()
    assert re.search(r'<tr data-code="899"[^>]*><td><a [^>]*>[^<]+</a></td><td class="num">1\.500</td>', html)
    names = {figure["code"] for figure in client.get("/api/progress/summary?year=2024").get_json()["indicators"]}
    assert "waste_sorting_households" in names
    book = openpyxl.load_workbook(io.BytesIO(client.get("/report/2024.xlsx?level=district").data))
    values = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
              if row and row[0] == "899" and 1500 in row]
    assert values, "the workbook lists Rạch Giá's 1 500 households"
    earlier = {r["Mã đơn vị"]: r["Giá trị"] for r in read_csv(
        client.get("/progress.csv?figure=waste_sorting_households&year=2022&level=district"))}
    assert earlier["899"] == "1200" and earlier["911"] == "2100"


def test_progress_lists_no_two_figures_with_the_same_label(client, sites):
    html = client.get("/progress?year=2024").data.decode()
    select = html[html.index('name="figure"'):]
    labels = re.findall(r"<option [^>]*>([^<]+)</option>", select[:select.index("</select>")])
    assert len(labels) == len(set(labels)) > 5


def test_progress_page_shows_the_table_and_a_legend(client, sites):
    html = client.get("/progress?figure=waste_sorting_households&year=2024").data.decode()
    assert html.count('<tr data-code="') == 15
    assert "1.500" in html  # Vietnamese number format
    assert "Chưa có số liệu" in html


def test_old_parameter_names_still_work(client, sites):
    old = client.get("/progress.csv?measure=waste_sorting_households&year=2024&geography=district")
    new = client.get("/progress.csv?figure=waste_sorting_households&year=2024&level=district")
    assert old.status_code == 200 and old.data == new.data


@pytest.mark.parametrize(("query", "parameter"), [
    ("figure=happiness", "figure"), ("measure=happiness", "figure"), ("year=1999", "year"),
    ("level=ward", "level"), ("geography=ward", "level"),
    ("category=bakery", "category"), ("status=done", "status"), ("basemap=google", "basemap"),
])
def test_progress_bad_parameter_is_400(client, sites, query, parameter):
    response = client.get(f"/progress?{query}")
    assert response.status_code == 400
    assert parameter.encode() in response.data


def test_builder_makes_an_iframe_snippet_with_the_options(client, sites):
    html = client.get("/embed/builder?category=solar&category=retail&district=911&basemap=blank&lang=en").data.decode()
    assert "&lt;iframe src=&#34;http://localhost/embed?" in html
    assert "category=solar%2Cretail" in html and "district=911" in html and "basemap=blank" in html
    assert html.count("<iframe") == 1  # the preview; the snippet and the help text are text, not markup


def test_the_print_sheet_is_turned_to_the_shape_of_the_area_it_shows():
    from webmap.maps import print_sheet

    province = [[9.2, 103.45], [10.55, 105.6]]  # Thổ Châu and Phú Quốc to Giồng Riềng: wider than tall
    assert print_sheet(province)["orientation"] == "landscape"
    assert print_sheet([[9.8, 105.0], [10.4, 105.3]])["orientation"] == "portrait"  # a district taller than wide
    assert print_sheet(None)["orientation"] == "landscape"  # a typed centre and zoom
    for sheet in (print_sheet(province), print_sheet([[9.8, 105.0], [10.4, 105.3]])):
        assert sheet["map_height"] < sheet["height"] and {sheet["width"], sheet["height"]} == {281, 194}


def test_the_print_view_asks_for_one_a4_page_turned_to_the_province(client, sites):
    body = client.get("/print").get_data(as_text=True)
    assert "@page { size: A4 landscape; margin: 8mm; }" in body and 'data-orientation="landscape"' in body


def test_the_builder_keeps_a_chosen_area_and_the_embed_refuses_a_bad_one(client, sites):
    html = client.get("/embed/builder?district=904&bounds=104.2,9.9,104.6,10.3").data.decode()
    assert "bounds=104.2%2C9.9%2C104.6%2C10.3" in html and 'value="104.2,9.9,104.6,10.3"' in html
    body = client.get("/embed?bounds=104.2,9.9,104.6,10.3").data.decode()
    assert "[[9.9, 104.2], [10.3, 104.6]]" in body  # fitted when it loads, and on a resize
    for bad in ("104.6,9.9,104.2,10.3", "90,9.9,104.2,10.3", "a,b,c,d", "104.2,9.9"):
        response = client.get(f"/embed?bounds={bad}")
        assert response.status_code == 400, bad
