"""Public responses an HTTP cache in front (nginx, Varnish) and browsers may keep: Cache-Control, and a
strong ETag tied to the data version and the request, answered with 304 when the client already has it.

Responses are compressed (brotli or gzip, as the client accepts) by Flask-Compress, which gives a compressed
representation its own strong ETag, the identity one with ':br' or ':gzip' appended, and adds
Vary: Accept-Encoding.

Static files are addressed with their content's hash (url_for('static', …) adds ?v=…), and a request naming the
current hash may be kept a year: a changed file gets a new URL, so no browser keeps an old one.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from flask_login import current_user

from geo import data_version
from webmap.db import get_session
from webmap.i18n import LANGUAGES, select_locale

ENCODINGS = ("br", "gzip")
# Flask-Compress's defaults leave out GeoJSON and CSV, the biggest bodies the map sends.
COMPRESSED_TYPES = ("application/vnd.mapbox-vector-tile", "text/html", "text/css", "text/plain", "text/csv",
                    "text/javascript", "application/javascript",
                    "application/json", "application/geo+json", "application/schema+json", "image/svg+xml")


STATIC_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Compress responses the client accepts compressed; versioned static URLs, kept a year."""
    app.config.setdefault("COMPRESS_ALGORITHM", list(ENCODINGS))
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_LEVEL", 5)  # gzip: nearly the size of 6 for less CPU on 10 MB pages
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    Compress(app)
    app.url_defaults(_static_version)
    app.after_request(_keep_versioned_static)


def file_version(path: Path) -> str | None:
    """A short hash of a file's content (None when there is no such file), read again only when it changes."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _content_hash(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _content_hash(path: str, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _static_file(filename: str) -> Path:
    return Path(current_app.static_folder or "") / os.path.normpath(filename)


def _static_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "v" not in values and "filename" in values:
        version = file_version(_static_file(values["filename"]))
        if version:
            values["v"] = version


def _keep_versioned_static(response: Response) -> Response:
    # Only the current hash earns a year: an old ?v= would otherwise pin the new content under an old name.
    if (request.endpoint == "static" and response.status_code in (200, 304) and request.args.get("v")
            and request.args["v"] == file_version(_static_file(request.view_args["filename"]))):
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    return response


def _held(key: str) -> dict[int, str]:
    """The data versions of If-None-Match's tags naming this request's key (in identity or any compressed form),
    each with the tag the client sent."""
    held = {}
    for tag in request.if_none_match.as_set():
        version, _, rest = tag.partition("-")
        if version.isdigit() and (rest == key or (rest.startswith(f"{key}:") and rest[len(key) + 1:] in ENCODINGS)):
            held[int(version)] = tag
    return held


def public(build: Callable[[], Response], max_age: int = 60, *, vary: str = "") -> Response:
    """The response of build(), or 304 without building it when If-None-Match names the current ETag."""
    version = data_version.current(get_session())
    return public_versioned(lambda held: (version, None if version in held else build()), max_age, vary=vary)


def public_versioned(build: Callable[[tuple[int, ...]], tuple[int, Response | None]], max_age: int = 60, *,
                     vary: str = "", shared_max_age: int | None = None) -> Response:
    """public() for a body read together with the data version, in one statement: build(held) is given the
    versions of the client's ETags for this request and returns the current version and the response, or None
    when the version is one of held (answered 304). shared_max_age: how long a shared cache (nginx) may keep it,
    when not max_age."""
    # The same URL with the same data and language is the same body; vary names anything else it depends on.
    language = select_locale()
    key = hashlib.sha256(f"{request.full_path}\n{language}\n{vary}".encode()).hexdigest()[:20]
    held = _held(key)
    version, response = build(tuple(held))
    if response is None:
        # The 304 names the representation the client holds (Flask-Compress leaves a 304 alone).
        response = Response(status=304)
        response.set_etag(held[version])
    else:
        response.set_etag(f"{version}-{key}")
    shared = f", s-maxage={shared_max_age}" if shared_max_age is not None else ""
    response.headers["Cache-Control"] = f"public, max-age={max_age}{shared}"
    if request.args.get("lang") not in LANGUAGES:
        # The language then comes from the visitor's cookie: a cache must not hand one visitor's to another.
        response.vary.add("Cookie")
    response.headers["Content-Language"] = language
    return response


def public_for_visitors(build: Callable[[], Response], max_age: int = 60) -> Response:
    """public() for a visitor who is not signed in; a signed-in person's page (it names them, and shows their
    links) is built for them alone and kept by nobody."""
    if current_user.is_authenticated:
        response = build()
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return public(build, max_age)
