"""OGC API – Features: queryables, paging of every collection, errors as the standard's JSON exception."""
from __future__ import annotations

import pytest


@pytest.fixture
def sites(db):
    from sqlalchemy.orm import Session

    from geo.site_store import load_seed_sites
    from geo.sites import SEED_FILE

    with Session(db) as session, session.begin():
        return load_seed_sites(session, SEED_FILE)


def test_sites_queryables_are_a_json_schema_of_the_filters(client):
    response = client.get("/ogc/collections/sites/queryables")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    schema = response.get_json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/ogc/collections/sites/queryables") and schema["type"] == "object"
    assert set(schema["properties"]) == {"category", "status", "district_code", "commune_code", "plan_task", "lead_agency",
                                         "year", "start_year"}
    assert "solar" in schema["properties"]["category"]["enum"]


def test_every_queryable_is_accepted_as_a_filter(client, sites):
    for name in client.get("/ogc/collections/sites/queryables").get_json()["properties"]:
        assert client.get(f"/ogc/collections/sites/items?{name}=").status_code == 200, name


def test_boundaries_have_no_queryables_and_collections_link_theirs(client):
    assert client.get("/ogc/collections/districts/queryables").get_json()["properties"] == {}
    links = client.get("/ogc/collections/communes").get_json()["links"]
    assert any(link["rel"].endswith("/queryables") and link["href"].endswith("/communes/queryables")
               for link in links)


@pytest.mark.parametrize(("collection", "total"), [("sites", 73), ("districts", 15)])
def test_every_collection_pages_with_limit_offset_and_bbox(client, sites, collection, total):
    first = client.get(f"/ogc/collections/{collection}/items?limit=5").get_json()
    assert first["numberMatched"] == total and first["numberReturned"] == 5
    assert any(link["rel"] == "next" and "offset=5" in link["href"] for link in first["links"])
    last = client.get(f"/ogc/collections/{collection}/items?limit=5&offset={total - 2}").get_json()
    assert last["numberReturned"] == 2 and not any(link["rel"] == "next" for link in last["links"])
    phu_quoc = client.get(f"/ogc/collections/{collection}/items?bbox=103.8,10.0,104.1,10.5").get_json()
    assert 0 < phu_quoc["numberMatched"] < total


def test_communes_page_too(client):
    body = client.get("/ogc/collections/communes/items?limit=3&offset=1").get_json()
    assert body["numberReturned"] == 3 and body["numberMatched"] > 3


@pytest.mark.parametrize(("path", "status", "field"), [
    ("/ogc/collections/roads", 404, "collection"),
    ("/ogc/collections/roads/queryables", 404, "collection"),
    ("/ogc/collections/sites/items?limit=abc", 400, "limit"),
    ("/ogc/collections/districts/items?bbox=1,2,3", 400, "bbox"),
    ("/ogc/collections/districts/items?category=solar", 400, "category"),
    ("/ogc/collections/sites/items/abc", 404, "featureId"),
    ("/ogc/nothing-here", 404, None),
])
def test_ogc_errors_are_json_exceptions(client, path, status, field):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == status and response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == {400: "Bad Request", 404: "Not Found"}[status]
    assert body["description"] == body["error"]["reason"] and body["error"].get("field") == field
