"""Responses go out compressed (brotli or gzip) where the client accepts it, each encoding with its own ETag."""
from __future__ import annotations

import gzip
import json

import brotli
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, RACH_GIA, site


def _sites(db, count: int) -> None:
    with Session(db) as session, session.begin():
        for n in range(count):
            insert_site(session, site(f"Điểm nén {n}", RACH_GIA[0] + n * 0.0005, RACH_GIA[1]))
        insert_site(session, site("Điểm <b>Hà Tiên</b>", *HA_TIEN))


def test_geojson_is_gzipped_or_brotli_and_decodes_to_the_same_collection(client, db):
    _sites(db, 20)
    plain = client.get("/api/sites", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    zipped = client.get("/api/sites", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.data) < len(plain.data) / 3
    br = client.get("/api/sites", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"

    def features(body: bytes) -> list:
        return [f["properties"]["name"] for f in json.loads(body)["features"]]

    assert features(gzip.decompress(zipped.data)) == features(brotli.decompress(br.data)) == features(plain.data)
    assert "Điểm <b>Hà Tiên</b>" in features(plain.data)


def test_each_encoding_has_its_own_etag_and_each_gets_its_304(client, db):
    _sites(db, 3)
    identity = client.get("/api/districts", headers={"Accept-Encoding": "identity"}).headers["ETag"]
    zipped = client.get("/api/districts", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert zipped != identity and zipped == identity[:-1] + ':gzip"'
    again = client.get("/api/districts", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped})
    assert again.status_code == 304 and again.headers["ETag"] == zipped and again.data == b""
    plain_again = client.get("/api/districts", headers={"Accept-Encoding": "identity", "If-None-Match": identity})
    assert plain_again.status_code == 304 and plain_again.headers["ETag"] == identity


def test_a_change_to_the_data_makes_the_compressed_etag_stale(client, db):
    _sites(db, 1)
    zipped = client.get("/api/sites", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    _sites(db, 1)
    fresh = client.get("/api/sites", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != zipped
    assert len(json.loads(gzip.decompress(fresh.data))["features"]) == 4
