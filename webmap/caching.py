"""Public responses an HTTP cache in front (nginx, Varnish) and browsers may keep: Cache-Control, and a
strong ETag tied to the data version and the request, answered with 304 when the client already has it.

Responses are compressed (brotli or gzip, as the client accepts) by Flask-Compress, which gives a compressed
representation its own strong ETag, the identity one with ':br' or ':gzip' appended, and adds
Vary: Accept-Encoding.

Each process keeps the public answers it built (geo.kept) with their data version, keyed as their ETag is: one
asked again while the data stand costs one read of the data version. A page whose scripts carry the request's CSP
nonce is never kept whole; its dear, nonce-free parts may be (kept()).

Static files are addressed with their content's hash (url_for('static', …) adds ?v=…), and a request naming the
current hash may be kept a year: a changed file gets a new URL, so no browser keeps an old one.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress
from flask_login import current_user

from geo import data_version
from geo.kept import Kept
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


def _key(vary: str) -> str:
    # The same URL with the same data and language is the same body; vary names anything else it depends on.
    return hashlib.sha256(f"{request.full_path}\n{select_locale()}\n{vary}".encode()).hexdigest()[:20]


# Per process: the public responses built last, each with its data version (what an ETag promises: the same key
# and version are the same body), so a response asked again while the data stand is not built again. Pages whose
# scripts carry this request's CSP nonce are not kept: each response has a nonce of its own.
_BUILT = Kept(64 * 1024 * 1024)
MAX_KEPT_BODY = 4 * 1024 * 1024


def _kept_key(session, vary: str) -> tuple[str, str, str]:
    # The host too: a body may name its own address (a TileJSON's tile URL, a page's Link).
    return session.get_bind().url.render_as_string(hide_password=True), request.host_url, _key(vary)


def kept(what: str, make: Callable[[], dict[str, str]]) -> dict[str, str]:
    """make()'s texts for this request (its URL, language and host) at the current data version, made once per
    process while the data stand: the parts of a page that carry no nonce (a Folium map's head, body and script)."""
    session = get_session()
    version = data_version.current(session)
    key = _kept_key(session, what)
    found = _BUILT.get(key)
    if found is not None and found[0] == version:
        return found[1]
    texts = make()
    _BUILT.put(key, version, texts, sum(len(text) for text in texts.values()))
    return texts


def _built(session, version: int, vary: str, build: Callable[[], Response]) -> Response:
    """build()'s response, or the one built at this version for the same key."""
    key = _kept_key(session, vary)
    found = _BUILT.get(key)
    if found is not None and found[0] == version:
        headers, body = found[1]
        return Response(body, status=200, headers=headers)
    response = build()
    if response.status_code == 200 and not response.is_streamed and "csp_nonce" not in g:
        body = response.get_data()
        if len(body) <= MAX_KEPT_BODY:
            _BUILT.put(key, version, (list(response.headers.items()), body), len(body))
    return response


def public(build: Callable[[], Response], max_age: int = 60, *, vary: str = "") -> Response:
    """The response of build() (or the one built before at this data version), or 304 without building it when
    If-None-Match names the current ETag."""
    session = get_session()
    version = data_version.current(session)
    return public_versioned(lambda held: (version, None if version in held else _built(session, version, vary, build)),
                            max_age, vary=vary)


def public_versioned(build: Callable[[tuple[int, ...]], tuple[int, Response | None]], max_age: int = 60, *,
                     vary: str = "", shared_max_age: int | None = None) -> Response:
    """public() for a body read together with the data version, in one statement: build(held) is given the
    versions of the client's ETags for this request and returns the current version and the response, or None
    when the version is one of held (answered 304). shared_max_age: how long a shared cache (nginx) may keep it,
    when not max_age."""
    language = select_locale()
    key = _key(vary)
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
