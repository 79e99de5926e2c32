"""The JSON write API: POST, PATCH and DELETE of sites as GeoJSON Features, by session or personal API token.

The same geo.editing functions as the form do the work, so the same rules hold: area, review, versions.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from geo import editing, sites
from geo.errors import N_, BadParameter, Conflict, DomainError
from webmap import params, photos
from webmap.auth import current_actor
from webmap.db import get_session
from webmap.errors import Unauthorized, json_error

bp = Blueprint("api_write", __name__, url_prefix="/api")


def _feature(session, site_id: int) -> Response:
    """A site as the GeoJSON Feature GET /api/sites gives (geo.sites' one serialiser), with its review state."""
    return Response(json.dumps(sites.site_feature(session, site_id, photos.photo_base()), ensure_ascii=False),
                    mimetype="application/geo+json")


def _input() -> tuple[dict[str, Any], int | None]:
    """Properties and point of the Feature in the request body, and the version it was based on."""
    body = _body()
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise BadParameter("body", N_("Nội dung phải là một GeoJSON Feature"))
    properties = body.get("properties") or {}
    if not isinstance(properties, dict):
        raise BadParameter("properties", N_("Phải là một đối tượng JSON {tên: giá trị}"))
    properties = dict(properties)
    geometry = body.get("geometry")
    if geometry is not None:
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (not isinstance(geometry, dict) or geometry.get("type") != "Point" or not isinstance(coordinates, list)
                or len(coordinates) != 2 or not all(_is_number(c) for c in coordinates)):
            raise BadParameter("geometry", N_("Vị trí phải là một điểm GeoJSON (Point) [kinh độ, vĩ độ]"))
        properties["lon"], properties["lat"] = coordinates[0], coordinates[1]
    return properties, properties.pop("version", None)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _body() -> Any:
    """The request's JSON body, parsed once: strict and depth-limited (params.json_body)."""
    if "json_body" not in g:
        g.json_body = params.json_body(request.get_data(cache=True), current_app.config["MAX_JSON_DEPTH"])
    return g.json_body


def _version(value: Any) -> int | None:
    """The version a write was based on: a whole number, as a JSON number or text; 1.9 or 1e309 is refused."""
    # JSON numbers go through their text, so that 1.9 is refused rather than truncated to 1.
    return params.integer("version", None if value is None else str(value), 1, editing.MAX_VERSION)


def _signed_in():
    """The writer, or 401 before anything of the request is read: a bad body of nobody is not worth a 400."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized("Authorization", N_("Cần đăng nhập hoặc mã truy cập API"))
    return actor


def _run(actor, action, *args) -> Response:
    session = get_session()
    try:
        site = action(session, actor, *args)
    except DomainError as error:
        session.rollback()
        if isinstance(error, Conflict):
            # Both versions, so the caller can merge by hand: the one saved meanwhile and the one just sent
            # (a DELETE sends none).
            yours = {"yours": _body()} if request.get_data(cache=True) else {}
            return json_error(error, current=sites.site_feature(session, args[0], photos.photo_base()), **yours)
        return json_error(error)
    response = _feature(session, site["id"])
    session.commit()
    return response


@bp.post("/sites")
def create() -> Response:
    """Add a site from a Feature: approved at once for planners, submitted for review for district staff."""
    actor = _signed_in()
    properties, _based_on = _input()
    response = _run(actor, editing.create_site, properties)
    if response.status_code == 200:
        response.status_code = 201
    return response


@bp.patch("/sites/<int:site_id>")
def update(site_id: int) -> Response:
    """Change a site; properties.version must be the version the change was based on."""
    actor = _signed_in()
    properties, version = _input()
    return _run(actor, lambda session, who, sid: editing.update_site(session, who, sid, properties, _version(version)),
                site_id)


@bp.delete("/sites/<int:site_id>")
def delete(site_id: int) -> Response:
    """Soft-delete a site; ?version= is the version the deletion was based on."""
    return _run(_signed_in(), lambda session, who, sid: editing.delete_site(session, who, sid,
                                                                            _version(request.args.get("version"))),
                site_id)
