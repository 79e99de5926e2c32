"""The app's own exports import back into an empty database to the same sites: every field, measure, precision
and date, for each office and GIS format."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing, exports, import_store, sites
from geo.site_query import SiteFilters
from tests.staffkit import IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, make_users, site_input

FIELDS = ("name", "name_en", "category_code", "status", "plan_task", "lead_agency", "address", "location_precision",
          "start_date", "end_date", "measures", "description", "source", "district_code", "commune_code", "ward_code",
          "round(ST_X(geom)::numeric, 6) AS lon", "round(ST_Y(geom)::numeric, 6) AS lat")
SITES = [
    site_input("Tổ dân phố 1, phường Vĩnh Thanh Vân", *IN_RACH_GIA, name_en="Block 1", status="completed",
               address="Số 5 Trần Phú", start_date="01/03/2021", end_date="31/12/2024",
               description="Mô tả; có dấu “ngoặc”",
               location_precision="ward", ward_code="30742", measures={"households": 1350, "tonnes_sorted_per_month": 12.5}),
    site_input("Mái nhà xưởng Vĩnh Quang", *IN_RACH_GIA_2, category="solar", plan_task="I.1",
               lead_agency="Sở Công Thương",
               measures={"kwp": 1250.75, "solar_kind": "rooftop", "hectares": 0.3}),
    site_input("Siêu thị Co.op Phú Quốc", *IN_PHU_QUOC, category="retail", plan_task="III.3", status="planned",
               start_date="2023-06-15", location_precision="district", measures={"eco_packaging": True}),
    site_input("Lò gạch Phú Quốc", IN_PHU_QUOC[0] + 0.01, IN_PHU_QUOC[1], category="phase_out", plan_task="I.1",
               status="phased_out", measures={"phase_out_year": 2023}),
]


# The GeoJSON of /api/sites carries what the map draws too: each is named as the app's own, not dropped unsaid.
# The GeoPackage keeps the field codes, and the category both by code and by name: the name is the same field.
OFFICE_IGNORED = {"Mã", "Mã huyện", "Mã xã (2025)", "Dữ liệu mẫu"}
IGNORED = {"csv": OFFICE_IGNORED, "xlsx": OFFICE_IGNORED,
           "geojson": {"id", "ref", "category_name_vi", "category_name_en", "colour", "icon", "district_code",
                       "commune_code", "is_sample", "version", "updated_at"},
           "gpkg": {"id", "category_name", "district_code", "commune_code", "is_sample"}}


def stored(db) -> list[dict]:
    with db.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(
            f"SELECT {', '.join(FIELDS)} FROM site ORDER BY name"))]  # noqa: S608 - fixed column list


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "gpkg"])
def test_an_export_imports_back_to_the_same_sites(db, fmt):
    users = make_users(db)
    with Session(db) as session, session.begin():
        for data in SITES:
            editing.create_site(session, users["planner"], data)
    before = stored(db)
    with Session(db) as session:
        content = export_of(session, fmt)
    with db.begin() as connection:
        connection.execute(text("TRUNCATE site_history, site RESTART IDENTITY CASCADE"))
    with Session(db) as session, session.begin():
        import_id, preview = import_store.start(session, users["planner"], content, f"sites.{fmt}", 2000)
        assert [(row["row"], row["problems"], row["warnings"]) for row in preview.rows] == \
            [(n, [], []) for n in range(2, 2 + len(SITES))]
        assert {c.heading for c in preview.columns if c.field is None} == (
            IGNORED[fmt])
        import_store.confirm(session, users["planner"], import_id)
    assert stored(db) == before


def export_of(session, fmt: str) -> bytes:
    """A format as /api/sites?f=… gives it: GeoJSON built by PostgreSQL, the others by geo.exports."""
    if fmt == "geojson":
        return sites.site_page(session, SiteFilters(limit=100)).body.encode()
    return exports.export_sites(exports.sites_frame(session, SiteFilters(limit=100)), fmt)
