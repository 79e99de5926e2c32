"""Public responses an HTTP cache in front (nginx, Varnish) and browsers may keep: Cache-Control, and a
strong ETag tied to the data version and the request, answered with 304 when the client already has it."""
from __future__ import annotations

import hashlib
from typing import Callable

from flask import Response, request

from geo import data_version
from webmap.db import get_session


def public(build: Callable[[], Response], max_age: int = 60, *, vary: str = "") -> Response:
    """The response of build(), or 304 without building it when If-None-Match names the current ETag."""
    version = data_version.current(get_session())
    # The same URL with the same data is the same body; vary names anything else it depends on.
    key = hashlib.sha256(f"{request.full_path}\n{vary}".encode()).hexdigest()[:20]
    etag = f"{version}-{key}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = build()
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
