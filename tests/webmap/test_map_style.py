"""The site layer's MapLibre style beside its TileJSON, and the glyphs its cluster counts are written with."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from geo.catalogue import CATEGORIES

PORTAL = "http://portal.example"


def test_the_style_reads_the_tilejson_and_the_glyphs_of_this_app(client, db):
    response = client.get("/tiles/sites/style.json?category=solar&lang=en", headers={"Origin": PORTAL})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
    style = response.get_json()
    assert style["version"] == 8
    assert style["name"] == "Sustainable production and consumption pilot sites, Kiên Giang province"
    source = urlsplit(style["sources"]["sites"]["url"])
    assert (source.scheme, source.netloc, source.path) == ("http", "localhost", "/tiles/sites.json")
    # The TileJSON is asked for with the same filters and in the same language (another origin sends no cookie).
    assert parse_qs(source.query) == {"category": ["solar"], "lang": ["en"]}
    assert style["glyphs"] == "http://localhost/tiles/glyphs/{fontstack}/{range}.pbf"


def test_clusters_are_counted_on_their_circles_and_sites_take_their_category_colour(client, db):
    layers = {layer["id"]: layer for layer in client.get("/tiles/sites/style.json").get_json()["layers"]}
    assert layers["clusters"]["type"] == "circle" and layers["clusters"]["source-layer"] == "clusters"
    label = layers["cluster-counts"]
    assert (label["type"], label["source-layer"]) == ("symbol", "clusters")
    assert label["layout"]["text-field"] == ["to-string", ["get", "count"]]
    colour = layers["sites"]["paint"]["circle-color"]
    assert layers["sites"]["source-layer"] == "sites" and colour[:2] == ["match", ["get", "category"]]
    assert dict(zip(colour[2:-1:2], colour[3:-1:2])) == {c.code: c.colour for c in CATEGORIES}


def test_the_style_speaks_the_visitors_language_and_keeps_it_in_the_tilejson_url(client, db):
    client.set_cookie("lang", "en")
    english = client.get("/tiles/sites/style.json")
    assert english.get_json()["sources"]["sites"]["url"] == "http://localhost/tiles/sites.json?lang=en"
    client.set_cookie("lang", "vi")
    vietnamese = client.get("/tiles/sites/style.json", headers={"If-None-Match": english.headers["ETag"]})
    assert vietnamese.status_code == 200 and vietnamese.get_json()["name"].startswith("Điểm thí điểm")
    assert vietnamese.get_json()["sources"]["sites"]["url"].endswith("?lang=vi")


def test_a_bad_filter_of_the_style_is_named(client, db):
    response = client.get("/tiles/sites/style.json?category=nope")
    assert response.status_code == 400 and "category" in response.get_data(as_text=True)


def test_the_glyphs_of_the_style_answer_a_pbf_for_any_origin(client):
    style = client.get("/tiles/sites/style.json").get_json()
    font = style["layers"][1]["layout"]["text-font"][0]
    url = style["glyphs"].replace("{fontstack}", font).replace("{range}", "0-255").removeprefix("http://localhost")
    response = client.get(url, headers={"Origin": PORTAL})
    assert response.status_code == 200 and response.mimetype == "application/x-protobuf"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # A glyphs message (field 1, length-delimited) of one fontstack holding the digits' glyphs.
    assert response.data[0] == 0x0A and len(response.data) > 10_000
    assert font.encode() in response.data[:200]
    vietnamese = client.get(url.replace("0-255", "7680-7935"))  # ạ, ả, ấ… of Vietnamese
    assert vietnamese.status_code == 200 and len(vietnamese.data) > 10_000
    # MapLibre asks for a stack of fonts; the first one served answers.
    assert client.get(url.replace(font, f"Nope Sans,{font}")).data == response.data


def test_a_glyph_range_that_is_not_one_is_refused_by_name(client):
    response = client.get("/tiles/glyphs/DejaVu Sans Bold/1-256.pbf")
    assert response.status_code == 400 and "range" in response.get_data(as_text=True)
    assert client.get("/tiles/glyphs/Comic Sans/0-255.pbf").status_code == 404
    assert client.get("/tiles/glyphs/../0-255.pbf").status_code == 404
