"""deploy/nginx.conf keeps one copy of a public answer per language: a visitor who chose English (by the lang
cookie) does not fill the cache for the next visitor, who reads Vietnamese."""
from __future__ import annotations

import json

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
