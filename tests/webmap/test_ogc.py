"""OGC API – Features: what QGIS asks for when a planner adds the layer."""
from __future__ import annotations

from tests.webmap.test_api import sites  # noqa: F401 - the fixture of seven known sites


def test_landing_conformance_and_collections(client, sites):  # noqa: F811
    links = {link["rel"]: link["href"] for link in client.get("/ogc").get_json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(links)
    conforms = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms
    ids = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
    assert ids == ["sites", "districts", "communes"]


def test_items_page_with_next_link_and_bbox(client, sites):  # noqa: F811
    first = client.get("/ogc/collections/sites/items?limit=2").get_json()
    assert first["numberMatched"] == 5 and len(first["features"]) == 2
    next_link = [link["href"] for link in first["links"] if link["rel"] == "next"][0]
    assert "offset=2" in next_link
    island = client.get("/ogc/collections/sites/items?bbox=103.8,9.9,104.1,10.5").get_json()
    assert [f["properties"]["name"] for f in island["features"]] == ["Phân loại rác Dương Đông"]


def test_one_item_and_a_missing_one(client, sites):  # noqa: F811
    feature = client.get(f"/ogc/collections/sites/items/{sites[0]}").get_json()
    assert feature["properties"]["name"] == "Phân loại rác Vĩnh Thanh Vân"
    unapproved = client.get(f"/ogc/collections/sites/items/{sites[5]}")  # submitted, not public
    assert unapproved.status_code == 404
    assert client.get("/ogc/collections/roads/items").status_code == 404
    district = client.get("/ogc/collections/districts/items/912").get_json()
    assert district["properties"]["short_name"] == "Kiên Hải"


def test_openapi_document_lists_the_paths(client, db):
    document = client.get("/ogc/api").get_json()
    assert document["openapi"].startswith("3.0")
    assert "/ogc/collections/{collectionId}/items" in document["paths"]
    # The JSON API has its own document now.
    assert {"/api/sites", "/api/districts"} <= set(client.get("/api/openapi.json").get_json()["paths"])
