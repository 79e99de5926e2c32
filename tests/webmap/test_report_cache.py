"""The yearly report is built once per year, level, language and data version, then read from report_cache."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site


def _cached(db) -> list[tuple]:
    with db.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT year, level, lang, kind, data_version FROM report_cache ORDER BY lang, kind"))]


def test_second_request_is_served_from_the_cache_until_the_data_change(client, db):
    with db.begin() as connection:
        connection.execute(text("DELETE FROM report_cache"))
    with Session(db) as session, session.begin():
        insert_site(session, site("Điểm phân loại rác Vĩnh Thanh Vân", *RACH_GIA))
    first = client.get("/report/2024?level=district")
    assert first.status_code == 200 and "Vĩnh Thanh Vân" in first.data.decode()
    [(year, level, lang, kind, version)] = _cached(db)
    assert (year, level, lang, kind) == (2024, "district", "vi", "html")

    # What the second request shows is the stored body: a marker put there by hand comes back.
    with db.begin() as connection:
        connection.execute(text("UPDATE report_cache SET body = body || convert_to('<!-- kept -->', 'UTF8')"))
    assert client.get("/report/2024?level=district").data.decode().endswith("<!-- kept -->")

    # Another language and the workbook are separate entries.
    assert client.get("/report/2024?level=district&lang=en").status_code == 200
    assert client.get("/report/2024.xlsx?level=district&lang=vi").data[:2] == b"PK"
    assert [row[2:4] for row in _cached(db)] == [("en", "html"), ("vi", "html"), ("vi", "xlsx")]

    # A change to the sites moves the data version on: the report is built again with the new site.
    with Session(db) as session, session.begin():
        insert_site(session, site("Điểm mới Rạch Giá", RACH_GIA[0] + 0.002, RACH_GIA[1]))
    again = client.get("/report/2024?level=district&lang=vi").data.decode()
    assert "Điểm mới Rạch Giá" in again and not again.endswith("<!-- kept -->")
    assert max(row[4] for row in _cached(db)) > version


def test_bad_year_is_refused_and_nothing_is_cached(client, db):
    with db.begin() as connection:
        connection.execute(text("DELETE FROM report_cache"))
    response = client.get("/report/1990")
    assert response.status_code in (400, 404)
    assert _cached(db) == []
