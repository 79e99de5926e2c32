"""A site's photos on the web: adding and deleting them through the API (session or API token, as other API
writes), reading them from the site form, and serving their bytes.

A photo's image and thumbnail are served at /photos/<sha256>.jpg and /photos/<sha256>/thumbnail.jpg with a strong
ETag (the content's sha256): an approved photo of a published site to anyone, kept a year (its URL changes with its
content); any other only to the staff who may see its site, kept by nobody, and a 404 for everyone else.
"""
from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, jsonify, request, url_for
from werkzeug.datastructures import FileStorage

from geo import editing, photos
from geo.errors import N_, BadParameter, DomainError, NotFound
from webmap.auth import current_actor
from webmap.db import get_session
from webmap.errors import Unauthorized, json_error

bp = Blueprint("photos", __name__)
SHA256 = re.compile(r"[0-9a-f]{64}")
YEAR = 365 * 24 * 3600
# The photos one request may carry (the API's field file, the site form's field photo).
MAX_PER_REQUEST = 5
# The requests that carry photos may be that much larger than MAX_CONTENT_LENGTH allows other requests.
PHOTO_ENDPOINTS = frozenset({"photos.add", "staff.new_site", "staff.edit_site"})


def init_app(app: Flask) -> None:
    """Let the requests that carry photos be as large as their photos may be. Registered before any hook that reads
    the form (the NUL check, CSRF), since the limit holds from the first read of the body."""

    @app.before_request
    def photo_request_limit() -> None:
        if request.endpoint in PHOTO_ENDPOINTS and request.method == "POST":
            request.max_content_length = max(app.config["MAX_CONTENT_LENGTH"] or 0,
                                             MAX_PER_REQUEST * photos.MAX_BYTES + 1024 * 1024)


def photo_base() -> str:
    """The URL the photos are served under (/photos/), for geo's answers that list them."""
    return url_for("photos.image", sha256="0" * 64).removesuffix("0" * 64 + ".jpg")


def processed(files: list[FileStorage], field: str) -> list[photos.ProcessedPhoto]:
    """The photos a request sent in field (the parts with a file chosen), each checked and re-encoded; a refusal
    names field."""
    chosen = [f for f in files if f.filename or f.content_length]
    if len(chosen) > MAX_PER_REQUEST:
        raise BadParameter(field, N_("Tối đa %(n)s ảnh mỗi lần gửi"), n=MAX_PER_REQUEST)
    return [photos.process(photos.read_upload(f.stream, field), field) for f in chosen]


@bp.post("/api/sites/<int:site_id>/photos")
def add(site_id: int) -> Response:
    """Add the photos of the multipart field file to a site: 201 with the first one's url and thumbnail_url, and
    every one sent under photos."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized("Authorization", N_("Cần đăng nhập hoặc mã truy cập API"))
    session = get_session()
    try:
        sent = processed(request.files.getlist("file"), "file")
        if not sent:
            raise BadParameter("file", N_("Cần gửi một tệp ảnh (trường file)"))
        added = editing.add_photos(session, actor, site_id, sent, photo_base())
    except DomainError as error:
        session.rollback()
        return json_error(error)
    session.commit()
    response = jsonify({**added[0], "photos": added})
    response.status_code = 201
    return response


@bp.delete("/api/sites/<int:site_id>/photos/<int:photo_id>")
def delete(site_id: int, photo_id: int) -> Response:
    """Remove a photo of a site the caller may edit: 204."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized("Authorization", N_("Cần đăng nhập hoặc mã truy cập API"))
    session = get_session()
    try:
        editing.delete_photo(session, actor, site_id, photo_id)
    except DomainError as error:
        session.rollback()
        return json_error(error)
    session.commit()
    return Response(status=204)


@bp.get("/photos/<sha256>.jpg")
def image(sha256: str) -> Response:
    """A photo, at most 2 048 px on its longer side."""
    return _serve(sha256, thumbnail=False)


@bp.get("/photos/<sha256>/thumbnail.jpg")
def thumbnail(sha256: str) -> Response:
    """A photo's thumbnail, at most 320 px on its longer side."""
    return _serve(sha256, thumbnail=True)


def _serve(sha256: str, *, thumbnail: bool) -> Response:
    if not SHA256.fullmatch(sha256):
        raise NotFound("photo", N_("Không có ảnh này"))
    found = editing.photo_content(get_session(), current_actor(), sha256, thumbnail=thumbnail)
    response = Response(bytes(found["body"]), mimetype=found["media_type"])
    # The bytes at a URL never change: the sha256 names them (the thumbnail's is made from the same image).
    response.set_etag(f"{sha256}-thumbnail" if thumbnail else sha256)
    response.headers["Cache-Control"] = (f"public, max-age={YEAR}, immutable" if found["public"]
                                         else "private, no-store")
    return response.make_conditional(request)
