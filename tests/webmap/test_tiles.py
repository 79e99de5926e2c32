"""The tile routes over HTTP: bytes that decode, filters, unpublished sites absent, ETag and 304, TileJSON."""
from __future__ import annotations

import mapbox_vector_tile
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.geo.test_tiles import tile_of
from tests.sitedata import HA_TIEN, RACH_GIA, site

MVT = "application/vnd.mapbox-vector-tile"


def add_sites(db) -> list[int]:
    with Session(db) as session, session.begin():
        return [insert_site(session, site("Điểm A", *RACH_GIA)),
                insert_site(session, site("Điểm B", RACH_GIA[0] + 0.001, RACH_GIA[1], category="solar",
                                          plan_task="II.4", measures={"kwp": 5})),
                insert_site(session, site("Hà Tiên", *HA_TIEN)),
                insert_site(session, site("Chờ duyệt", RACH_GIA[0], RACH_GIA[1] + 0.001, moderation="submitted"))]


def path(lon: float, lat: float, z: int, query: str = "") -> str:
    z, x, y = tile_of(lon, lat, z)
    return f"/tiles/sites/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def test_a_tile_decodes_to_the_published_sites_only(client, db):
    ids = add_sites(db)
    response = client.get(path(*RACH_GIA, 16))
    assert response.status_code == 200 and response.mimetype == MVT
    features = mapbox_vector_tile.decode(response.data)["sites"]["features"]
    assert sorted(f["properties"]["id"] for f in features) == sorted(ids[:2])  # not the one awaiting review


def test_a_filter_changes_the_tile(client, db):
    ids = add_sites(db)
    features = mapbox_vector_tile.decode(client.get(path(*RACH_GIA, 16, "category=solar")).data)["sites"]["features"]
    assert [f["properties"]["id"] for f in features] == [ids[1]]
    assert client.get(path(*RACH_GIA, 16, "district=900")).status_code == 204  # Rạch Giá's tile, Hà Tiên's sites


def test_a_province_tile_counts_clusters(client, db):
    add_sites(db)
    clusters = mapbox_vector_tile.decode(client.get(path(104.5, 10.0, 6)).data)["clusters"]["features"]
    assert sorted(c["properties"]["count"] for c in clusters) == [1, 2]


def test_an_empty_tile_is_204_with_no_body(client, db):
    add_sites(db)
    response = client.get(path(106.7, 10.8, 12))
    assert response.status_code == 204 and response.data == b""


def test_tiles_carry_an_etag_and_answer_304_until_the_data_changes(client, db):
    add_sites(db)
    first = client.get(path(*RACH_GIA, 16))
    etag = first.headers["ETag"]
    # nginx keeps a tile TILE_CACHE_SECONDS (default 300), a browser a minute.
    assert first.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    again = client.get(path(*RACH_GIA, 16), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    with Session(db) as session, session.begin():
        insert_site(session, site("Điểm mới", RACH_GIA[0] + 0.0005, RACH_GIA[1]))
    changed = client.get(path(*RACH_GIA, 16), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert len(mapbox_vector_tile.decode(changed.data)["sites"]["features"]) == 3


def test_a_tile_answers_304_to_its_own_etag_only(client, db):
    add_sites(db)
    first = client.get(path(*RACH_GIA, 16))
    again = client.get(path(*RACH_GIA, 16), headers={"If-None-Match": f'"1-x", {first.headers["ETag"]}'})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    other = client.get(path(*RACH_GIA, 15), headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.data  # the tag of another tile names another key


def test_the_tile_cache_seconds_of_a_shared_cache_are_a_setting(app, db):
    add_sites(db)
    app.config["TILE_CACHE_SECONDS"] = 900
    response = app.test_client().get(path(*RACH_GIA, 16))
    assert response.headers["Cache-Control"] == "public, max-age=60, s-maxage=900"


def test_bad_tile_coordinates_and_filters_are_named(client, db):
    for url, field in (("/tiles/sites/17/0/0.pbf", "z"), ("/tiles/sites/3/8/0.pbf", "x"),
                       ("/tiles/sites/3/0/8.pbf", "y"), ("/tiles/sites/3/0/0.pbf?category=nope", "category"),
                       ("/tiles/sites/3/0/0.pbf?limit=5", "limit"), ("/tiles/sites.json?year=1800", "year")):
        response = client.get(url)
        assert response.status_code == 400, url
        assert field in response.get_data(as_text=True), url


def test_tilejson_carries_the_filters_in_its_tile_url(client, db):
    body = client.get("/tiles/sites.json?category=solar&district=899&lang=en").get_json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"] == ["http://localhost/tiles/sites/{z}/{x}/{y}.pbf?category=solar&district=899"]
    assert (body["minzoom"], body["maxzoom"]) == (0, 16)
    west, south, east, north = body["bounds"]
    assert west < 103.5 and east > 105.3 and south < 9.3 and north > 10.5  # Thổ Châu to U Minh Thượng
    assert [layer["id"] for layer in body["vector_layers"]] == ["sites", "clusters"]
    assert "n_solar" in body["vector_layers"][1]["fields"]


def test_tilejson_speaks_english_when_asked(client, db):
    client.set_cookie("lang", "en")
    english = client.get("/tiles/sites.json")
    assert english.get_json()["name"] == "Sustainable production and consumption pilot sites, Kiên Giang province"
    # The language the cookie keeps is part of the ETag: a cached English body is not Vietnamese's.
    client.set_cookie("lang", "vi")
    vietnamese = client.get("/tiles/sites.json", headers={"If-None-Match": english.headers["ETag"]})
    assert vietnamese.status_code == 200 and vietnamese.get_json()["name"].startswith("Điểm thí điểm")
