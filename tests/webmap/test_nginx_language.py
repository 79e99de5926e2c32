"""deploy/nginx.conf keeps one copy of a public answer per language (a visitor who chose English by the lang
cookie does not fill the cache for the next visitor, who reads Vietnamese), keeps /progress and its JSON for
visitors, and the app sends tiles compressed."""
from __future__ import annotations

import gzip
import json

from sqlalchemy.orm import Session

from geo.site_store import insert_site
from geo.tiles import tile_of
from tests.sitedata import RACH_GIA, site

from tests.webmap.test_nginx import _get, proxy  # noqa: F401 - fixture

VIETNAMESE_NAME = "Điểm thí điểm sản xuất và tiêu dùng bền vững tỉnh Kiên Giang"


def test_each_visitor_gets_the_tilejson_in_the_language_they_chose(proxy, db):  # noqa: F811 - fixture
    status, english_headers, english = _get(f"{proxy}/tiles/sites.json", Cookie="lang=en")
    assert status == 200 and english_headers["Content-Language"] == "en"
    assert json.loads(english)["name"] != VIETNAMESE_NAME

    status, headers, body = _get(f"{proxy}/tiles/sites.json")
    assert status == 200 and headers["Content-Language"] == "vi"
    assert json.loads(body)["name"] == VIETNAMESE_NAME
    assert "Cookie" in headers["Vary"]

    # Each language is then answered from the cache, still in its own language.
    _, again_headers, again = _get(f"{proxy}/tiles/sites.json", Cookie="lang=en")
    assert again_headers["X-Cache-Status"] == "HIT" and again == english
    _, again_headers, again = _get(f"{proxy}/tiles/sites.json", Cookie="lang=vi")
    assert again_headers["X-Cache-Status"] == "HIT" and json.loads(again)["name"] == VIETNAMESE_NAME


def test_the_language_in_the_url_wins_over_the_cookie(proxy, db):  # noqa: F811 - fixture
    _, headers, body = _get(f"{proxy}/tiles/sites.json?lang=vi", Cookie="lang=en")
    assert headers["Content-Language"] == "vi" and json.loads(body)["name"] == VIETNAMESE_NAME


def test_progress_and_its_year_slider_are_kept_by_nginx_for_visitors(proxy, db):  # noqa: F811 - fixture
    for path in ("/progress?figure=sites&year=2025", "/progress.json?figure=sites&year=2024"):
        status, first, body = _get(f"{proxy}{path}")
        assert status == 200 and first["X-Cache-Status"] == "MISS" and first["Cache-Control"].startswith("public")
        status, again, same = _get(f"{proxy}{path}")
        assert status == 200 and again["X-Cache-Status"] == "HIT" and same == body
        # Someone signed in reaches the app: their page names them and is kept by nobody.
        _status, signed_in, _body = _get(f"{proxy}{path}", Cookie="session=someone")
        assert signed_in["X-Cache-Status"] == "BYPASS"


def test_tiles_are_sent_compressed_with_their_own_etag(client, db):
    # Sixty sites in one z14 tile of Rạch Giá: a tile of points large enough to be worth compressing.
    with Session(db) as session, session.begin():
        for n in range(60):
            insert_site(session, site(f"Tổ phân loại rác {n}", RACH_GIA[0] + n * 0.0002, RACH_GIA[1]))
    z = 14
    x, y = tile_of(*RACH_GIA, z)
    plain = client.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    zipped = client.get(f"/tiles/sites/{z}/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200 and len(plain.data) > 1000
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    assert zipped.headers["ETag"] != plain.headers["ETag"] and "Accept-Encoding" in zipped.headers["Vary"]
