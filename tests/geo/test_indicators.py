"""The plan's indicators computed from sites built for the purpose, by district and by 2025 commune."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import figures, manual_values, report
from geo.catalogue import DARD, DOIT
from geo.errors import Conflict, InvalidRecord
from geo.site_store import insert_site
from tests.sitedata import site

# Ward centroids (data/boundaries/kien-giang-wards-2020.csv): district → 2025 commune.
VINH_THANH_VAN = (105.083232, 10.009516)   # 899 → 30742
VINH_THONG = (105.095377, 10.036169)       # 899 → 30760
TO_CHAU = (104.498536, 10.373515)          # 900 → 30766
DUONG_DONG = (103.966612, 10.230453)       # 911 → 31078
KIEN_LUONG = (104.6436, 10.2527)           # 902


def park(name, lon, lat, reached: int | None, **extra):
    measures = {"hectares": 10} if reached is None else {"hectares": 10, "scp_outreach_year": reached}
    return site(name, lon, lat, category="eco_industrial_park", plan_task="II.2", lead_agency=DOIT,
                measures=measures, start_date="2021-01-01", **extra)


def retail(name, lon, lat, eco: bool, **extra):
    return site(name, lon, lat, category="retail", plan_task="III.3", lead_agency=DOIT,
                measures={"eco_packaging": eco}, start_date="2021-01-01", **extra)


@pytest.fixture
def sites(db):
    """Parks and villages reached or not, shops with and without eco-packaging, pilots, a closed and a
    moved site — each in a known district and commune."""
    with Session(db) as session, session.begin():
        ids = {
            "park_rg_2022": insert_site(session, park("KCN A", *VINH_THANH_VAN, 2022)),
            "park_rg_2024": insert_site(session, park("KCN B", *VINH_THONG, 2024)),
            "park_rg_never": insert_site(session, park("KCN C", VINH_THONG[0] + 0.003, VINH_THONG[1], None)),
            "park_ht_closed": insert_site(session, park("KCN đã đóng", *TO_CHAU, 2021, end_date="2022-06-30",
                                                        status="completed")),
            "shop_rg_eco": insert_site(session, retail("Siêu thị 1", *VINH_THANH_VAN, True)),
            "shop_rg_plain": insert_site(session, retail("Chợ 1", *VINH_THONG, False)),
            "shop_pq_eco": insert_site(session, retail("Siêu thị 2", *DUONG_DONG, True)),
            "pilot_rg": insert_site(session, site("Thí điểm 1", *VINH_THANH_VAN, start_date="2022-01-01",
                                                  measures={"households": 1200, "tonnes_sorted_per_month": 30})),
            "pilot_pq": insert_site(session, site("Thí điểm 2", *DUONG_DONG, start_date="2023-01-01",
                                                  measures={"households": 800})),
            "pilot_moved": insert_site(session, site("Thí điểm chuyển", *TO_CHAU, start_date="2022-01-01",
                                                     measures={"households": 100})),
            "farm": insert_site(session, site("Lúa VietGAP", *KIEN_LUONG, category="organic_farm",
                                              plan_task="II.9", lead_agency=DARD,
                                              measures={"certification": "VietGAP", "hectares": 30})),
        }
        # The pilot moves from Hà Tiên to Rạch Giá: the trigger puts it in its new district.
        session.execute(text("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) WHERE id = :id"),
                        {"lon": VINH_THONG[0], "lat": VINH_THONG[1], "id": ids["pilot_moved"]})
    return ids


def unit(result: dict, code: str) -> dict:
    return next(row for row in result["units"] if row["code"] == code)


def progress(db, code, year, geography="district"):
    with Session(db) as session:
        return figures.progress(session, code, year, geography)


def test_awareness_share_counts_reached_parks_over_all_parks(db, sites):
    rg_2023 = unit(progress(db, "scp_awareness_share", 2023), "899")
    assert (rg_2023["numerator"], rg_2023["denominator"]) == (1, 3)
    assert rg_2023["value"] == 33.3  # shown to one decimal
    rg_2024 = unit(progress(db, "scp_awareness_share", 2024), "899")
    assert (rg_2024["numerator"], rg_2024["denominator"]) == (2, 3)


def test_no_denominator_is_no_data_not_zero(db, sites):
    phu_quoc = unit(progress(db, "scp_awareness_share", 2024), "911")
    assert phu_quoc["denominator"] == 0 and phu_quoc["value"] is None and phu_quoc["progress_status"] == "no_data"


def test_a_site_closed_before_the_year_does_not_count(db, sites):
    assert unit(progress(db, "scp_awareness_share", 2022), "900")["denominator"] == 1
    assert unit(progress(db, "scp_awareness_share", 2023), "900")["denominator"] == 0


def test_a_site_that_moved_counts_in_its_new_district(db, sites):
    households = progress(db, "waste_sorting_households", 2024)
    assert unit(households, "899")["value"] == 1300   # 1200 + the 100 of the moved pilot
    assert unit(households, "900")["value"] in (0, None)
    assert unit(households, "911")["value"] == 800
    assert households["province"]["value"] == 2100


def test_eco_packaging_share_of_retail(db, sites):
    result = progress(db, "eco_packaging_retail_share", 2024)
    assert (unit(result, "899")["numerator"], unit(result, "899")["denominator"]) == (1, 2)
    assert unit(result, "911")["value"] == 100
    assert result["province"]["value"] == 66.7


def test_status_against_the_year_target(db, sites):
    # 2025 target is 85 %: Phú Quốc's 100 % is on track, Rạch Giá's 50 % far behind (under 75 % of it).
    result = progress(db, "eco_packaging_retail_share", 2025)
    assert unit(result, "911")["progress_status"] == "on_track"
    assert unit(result, "899")["progress_status"] == "far_behind"


def test_district_and_commune_views_sum_to_the_same_province_total(db, sites):
    for code in ("waste_sorting_households", "waste_sorting_pilots", "gap_farms", "cleaner_production_models"):
        by_district = progress(db, code, 2025, "district")
        by_commune = progress(db, code, 2025, "commune")
        district_sum = sum(row["value"] or 0 for row in by_district["units"])
        commune_sum = sum(row["value"] or 0 for row in by_commune["units"])
        assert district_sum == commune_sum == by_district["province"]["value"] == by_commune["province"]["value"]
    assert unit(progress(db, "waste_sorting_households", 2025, "commune"), "30742")["value"] == 1200
    assert unit(progress(db, "waste_sorting_households", 2025, "commune"), "30760")["value"] == 100


def test_sites_behind_a_figure(db, sites):
    with Session(db) as session:
        behind = figures.sites_behind(session, "scp_awareness_share", "899", 2024)
    assert sorted((s["name"], s["in_numerator"]) for s in behind) == [
        ("KCN A", True), ("KCN B", True), ("KCN C", False)]


def test_a_hand_entered_value_changes_and_keeps_its_history(db, sites):
    with Session(db) as session, session.begin():
        first = manual_values.record_manual_value(session, "material_fuel_cut", "91", 2025, 5.5,
                                               sector="cement", reported_by=None, note="báo cáo của Sở")
        manual_values.record_manual_value(session, "material_fuel_cut", "91", 2025, 6.25, sector="cement",
                                       reported_by=None, note="số liệu sửa", expected_version=first["version"])
    with Session(db) as session, session.begin():
        with pytest.raises(Conflict):
            manual_values.record_manual_value(session, "material_fuel_cut", "91", 2025, 9, sector="cement",
                                           reported_by=None, expected_version=first["version"])
    with Session(db) as session:
        history = manual_values.manual_value_history(session, "material_fuel_cut", "91", 2025, "cement")
    assert [h["after"]["value"] for h in history] == [5.5, 6.25]
    assert history[1]["before"]["value"] == 5.5 and history[0]["before"] is None


def test_workbook_holds_the_sections_and_figures(db, sites):
    with Session(db) as session:
        data = report.build_report(session, 2024, "district")
        book = openpyxl.load_workbook(io.BytesIO(report.workbook_bytes(data, lang="vi")))
        html = report.render_html(data, lang="vi")
    names = book.sheetnames
    assert names == ["Tổng hợp", "Mục I", "Mục II", "Mục III", "Mục IV", "Mục V", "Mục VI", "Mục VII"]
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert "Thí điểm 1" in cells and "Siêu thị 1" in cells
    assert "66,7 %" in cells  # the retail share in Vietnamese number format
    summary = book["Tổng hợp"]
    assert any(c.number_format == "dd/mm/yyyy" for row in summary.iter_rows(max_row=6) for c in row if c.value)
    assert any("Sở Công Thương" in c for c in cells)
    assert "data:image/png;base64," in html and "Báo cáo" in html


def test_a_table_of_hand_entered_values_is_saved_whole_or_not_at_all(db, sites):
    rows = [{"unit_code": "91", "sector": "cement", "value": "5,5", "note": "", "version": ""},
            {"unit_code": "899", "sector": "beverages", "value": "2", "note": "Sở Công Thương", "version": ""}]
    with Session(db) as session, session.begin():
        saved = manual_values.record_manual_values(session, "material_fuel_cut", 2025, rows, reported_by=None)
    assert [(s["unit_code"], s["value"], s["version"]) for s in saved] == [("91", 5.5, 1), ("899", 2.0, 1)]
    stale = [{**rows[0], "value": "7", "version": "1"}, {**rows[1], "value": "3", "version": "0"},
             {"unit_code": "899", "sector": "paper", "value": "1", "version": ""},
             {"unit_code": "900", "sector": "cement", "value": "150", "version": ""}]
    with Session(db) as session:
        with pytest.raises(InvalidRecord) as refused:
            manual_values.record_manual_values(session, "material_fuel_cut", 2025, stale, reported_by=None)
        session.rollback()
    assert set(refused.value.errors) == {"1.version", "2.sector", "3.value"}
    with db.connect() as connection:
        values = connection.execute(text("SELECT unit_code, value FROM indicator_value ORDER BY unit_code")).all()
        assert [(u, float(v)) for u, v in values] == [("899", 2.0), ("91", 5.5)]
        assert connection.execute(text("SELECT count(*) FROM indicator_value_history")).scalar() == 2
