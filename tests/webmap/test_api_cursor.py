"""A cursor walk through /api/sites counts the matched sites once, on its first page."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site


def test_cursor_pages_leave_the_count_out_and_do_not_run_it(client, app, db):
    with Session(db) as session, session.begin():
        for n in range(5):
            insert_site(session, site(f"Điểm {n}", RACH_GIA[0] + n * 0.001, RACH_GIA[1]))
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app.extensions["engine"], "before_cursor_execute", seen)
    first = client.get("/api/sites?limit=2").get_json()
    assert first["numberMatched"] == 5 and first["numberReturned"] == 2
    assert sum("count(*) AS total" in s for s in statements) == 1
    statements.clear()
    names, cursor = [f["properties"]["name"] for f in first["features"]], first["lastId"]
    while cursor is not None:
        response = client.get(f"/api/sites?limit=2&cursor={cursor}")
        page = response.get_json()
        assert "numberMatched" not in page
        names += [f["properties"]["name"] for f in page["features"]]
        cursor = page["lastId"] if "Link" in response.headers else None
    assert names == [f"Điểm {n}" for n in range(5)]
    assert not any("count(*) AS total" in s for s in statements)


def test_ogc_items_by_cursor_still_link_the_next_page(client, db):
    with Session(db) as session, session.begin():
        for n in range(3):
            insert_site(session, site(f"Điểm {n}", RACH_GIA[0] + n * 0.001, RACH_GIA[1]))
    first = client.get("/ogc/collections/sites/items?limit=1").get_json()
    page = client.get(f"/ogc/collections/sites/items?limit=1&cursor={first['lastId']}").get_json()
    assert [link["rel"] for link in page["links"]] == ["self", "next"]
    last = client.get(f"/ogc/collections/sites/items?limit=1&cursor={page['lastId']}").get_json()
    assert [f["properties"]["name"] for f in last["features"]] == ["Điểm 2"]
