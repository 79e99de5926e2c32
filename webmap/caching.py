"""Public responses an HTTP cache in front (nginx, Varnish) and browsers may keep: Cache-Control, and a
strong ETag tied to the data version and the request, answered with 304 when the client already has it.

Responses are compressed (brotli or gzip, as the client accepts) by Flask-Compress, which gives a compressed
representation its own strong ETag, the identity one with ':br' or ':gzip' appended, and adds
Vary: Accept-Encoding.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from flask import Flask, Response, request
from flask_compress import Compress

from geo import data_version
from webmap.db import get_session

ENCODINGS = ("br", "gzip")
# Flask-Compress's defaults leave out GeoJSON and CSV, the biggest bodies the map sends.
COMPRESSED_TYPES = ("text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
                    "application/json", "application/geo+json", "application/schema+json", "image/svg+xml")


def init_app(app: Flask) -> None:
    """Compress responses the client accepts compressed."""
    app.config.setdefault("COMPRESS_ALGORITHM", list(ENCODINGS))
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_LEVEL", 5)  # gzip: nearly the size of 6 for less CPU on 10 MB pages
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    Compress(app)


def _matched(etag: str) -> str | None:
    """The tag of If-None-Match naming this ETag, in identity or any compressed form."""
    for tag in request.if_none_match.as_set():
        if tag == etag or (tag.startswith(f"{etag}:") and tag[len(etag) + 1:] in ENCODINGS):
            return tag
    return None


def public(build: Callable[[], Response], max_age: int = 60, *, vary: str = "") -> Response:
    """The response of build(), or 304 without building it when If-None-Match names the current ETag."""
    version = data_version.current(get_session())
    # The same URL with the same data is the same body; vary names anything else it depends on.
    key = hashlib.sha256(f"{request.full_path}\n{vary}".encode()).hexdigest()[:20]
    etag = f"{version}-{key}"
    matched = _matched(etag)
    if matched is not None:
        # The 304 names the representation the client holds (Flask-Compress leaves a 304 alone).
        response = Response(status=304)
        response.set_etag(matched)
    else:
        response = build()
        response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
