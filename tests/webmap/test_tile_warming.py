"""scripts/warm-tiles (webmap.warming): the province's low-zoom tiles asked through a real nginx with
deploy/nginx.conf, which then answers visitors from its cache, and after a change holds the new tiles."""
from __future__ import annotations

import http.client
from collections import Counter
from urllib.parse import urlsplit

from click.testing import CliRunner
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from geo.tiles import tile_of
from tests.sitedata import RACH_GIA, site
from tests.webmap.test_nginx import _get, proxy  # noqa: F401 - fixture
from webmap import warming
from webmap.cli import cli

ZOOMS = range(8, 10)


def _add_site(db, name: str) -> None:
    with Session(db) as session, session.begin():
        insert_site(session, site(name, *RACH_GIA))


def test_province_tiles_cover_the_bounds_at_each_zoom():
    tiles = warming.province_tiles(range(8, 13))
    assert Counter(z for z, _, _ in tiles) == {8: 6, 9: 12, 10: 35, 11: 117, 12: 442}
    for z in range(8, 13):
        assert (z, *tile_of(*RACH_GIA, z)) in tiles


def test_warming_fetches_every_tile_in_each_language_and_encoding_and_nginx_keeps_them(proxy, db, client):  # noqa: F811
    _add_site(db, "Điểm được làm ấm")
    tiles = warming.province_tiles(ZOOMS)
    # What the app answers each tile: 200 where the site lies, 204 elsewhere.
    expected = Counter(client.get("/tiles/sites/{}/{}/{}.pbf".format(*tile)).status_code for tile in tiles)
    assert expected[200] >= len(ZOOMS)

    done = warming.warm(proxy, ZOOMS)
    assert done.requests == 4 * len(tiles) and done.failed == []
    assert done.statuses == {200: 4 * expected[200], 204: 4 * expected[204]}

    rach_gia = "/tiles/sites/9/{}/{}.pbf".format(*tile_of(*RACH_GIA, 9))
    for headers in ({"Accept-Encoding": "gzip, deflate, br"}, {"Accept-Encoding": "gzip", "Cookie": "lang=en"}):
        status, answer, body = _get(proxy + rach_gia, **headers)
        assert status == 200 and answer["X-Cache-Status"] == "HIT" and body, headers


def test_after_a_change_warming_replaces_the_tiles_nginx_held(proxy, db):  # noqa: F811
    _add_site(db, "Điểm thứ nhất")
    rach_gia = proxy + "/tiles/sites/9/{}/{}.pbf".format(*tile_of(*RACH_GIA, 9))
    browser = {"Accept-Encoding": "gzip, deflate, br"}
    warming.warm(proxy, ZOOMS, languages=("vi",), encodings=("br",))
    _, before, old_body = _get(rach_gia, **browser)
    assert before["X-Cache-Status"] == "HIT"

    _add_site(db, "Điểm thứ hai")
    # nginx still holds the old tile (TILE_CACHE_SECONDS) until the warming asks the app again.
    assert _get(rach_gia, **browser)[1]["ETag"] == before["ETag"]
    done = warming.warm(proxy, ZOOMS, languages=("vi",), encodings=("br",))
    assert done.failed == []
    _, after, new_body = _get(rach_gia, **browser)
    assert after["X-Cache-Status"] == "HIT" and after["ETag"] != before["ETag"] and new_body != old_body


def _from(address: str, url: str, **headers: str) -> str:
    """nginx's cache status of a GET of url sent from a source address of this machine."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20, source_address=(address, 0))
    try:
        connection.request("GET", parts.path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.headers["X-Cache-Status"]
    finally:
        connection.close()


def test_only_this_machine_may_ask_nginx_to_refresh(proxy, db):  # noqa: F811
    _add_site(db, "Điểm được làm ấm")
    tile = proxy + "/tiles/sites/9/{}/{}.pbf".format(*tile_of(*RACH_GIA, 9))
    assert _from("127.0.0.1", tile) == "MISS"
    assert _from("127.0.0.2", tile, **{"X-Cache-Refresh": "1"}) == "HIT"
    assert _from("127.0.0.1", tile, **{"X-Cache-Refresh": "1"}) == "BYPASS"


def test_the_command_warms_and_names_a_bad_zoom(proxy, db):  # noqa: F811
    runner = CliRunner()
    done = runner.invoke(cli, ["tiles", "warm", "--base-url", proxy, "--zooms", "8-9", "--language", "vi"])
    assert done.exit_code == 0, done.output
    assert f"warmed {2 * len(warming.province_tiles(ZOOMS))} tile requests through {proxy}" in done.output
    bad = runner.invoke(cli, ["tiles", "warm", "--base-url", proxy, "--zooms", "12-8"])
    assert bad.exit_code == 2 and "--zooms" in bad.output
