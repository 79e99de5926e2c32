"""OGC API – Features (Part 1: Core, GeoJSON) over the same queries as /api, so QGIS and ArcGIS can add the layers."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _

from geo import boundaries, sites
from geo.catalogue import CATEGORY_CODES, FIRST_YEAR, LAST_YEAR, PLAN_TASK_CODES, STATUSES
from geo.errors import N_, NotFound
from webmap import openapi as oas, params
from webmap.db import get_session

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

GEOJSON = "application/geo+json"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
# The extent of Kiên Giang, Thổ Châu included (lon/lat, WGS 84).
EXTENT = [103.4, 9.2, 105.6, 10.6]
COLLECTIONS = {
    "sites": (N_("Các điểm thực hiện Kế hoạch 135/KH-UBND (đã duyệt)"), "point"),
    "districts": (N_("Huyện, thành phố 2009 – 30/06/2025 (ranh giới gần đúng)"), "district"),
    "communes": (N_("Xã, phường, đặc khu từ 01/07/2025 (ranh giới gần đúng)"), "commune"),
}


def _link(href: str, rel: str, type_: str = "application/json", title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


@bp.get("")
@bp.get("/")
def landing() -> Response:
    """The landing page of the OGC API."""
    return jsonify({
        "title": _("Bản đồ sản xuất và tiêu dùng bền vững tỉnh Kiên Giang"),
        "links": [
            _link(url_for("ogc.landing", _external=True), "self"),
            _link(url_for("ogc.openapi", _external=True), "service-desc", "application/vnd.oai.openapi+json;version=3.0"),
            _link(url_for("ogc.conformance", _external=True), "conformance"),
            _link(url_for("ogc.collections", _external=True), "data"),
        ],
    })


@bp.get("/conformance")
def conformance() -> Response:
    """The conformance classes this API implements."""
    return jsonify({"conformsTo": CONFORMANCE})


def _collection(collection_id: str) -> dict[str, Any]:
    title, _kind = COLLECTIONS[collection_id]
    return {
        "id": collection_id, "title": _(title),
        "extent": {"spatial": {"bbox": [EXTENT], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "itemType": "feature", "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "links": [_link(url_for("ogc.items", collection_id=collection_id, _external=True), "items",
                        "application/geo+json"),
                  _link(url_for("ogc.queryables", collection_id=collection_id, _external=True),
                        "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json")],
    }


@bp.get("/collections")
def collections() -> Response:
    """The feature collections: approved sites, districts, communes of 2025."""
    return jsonify({"collections": [_collection(c) for c in COLLECTIONS],
                    "links": [_link(url_for("ogc.collections", _external=True), "self")]})


def _known(collection_id: str) -> None:
    if collection_id not in COLLECTIONS:
        raise NotFound("collection", N_("Không có lớp dữ liệu %(name)s"), name=collection_id)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    """One collection's description."""
    _known(collection_id)
    return jsonify(_collection(collection_id))


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    """Features of a collection: bbox, limit, offset and, for sites, the filters of /api/sites."""
    _known(collection_id)
    session = get_session()
    args = request.args.to_dict()
    if collection_id != "sites":
        # The standard: a parameter the API does not define is a 400, not silently ignored.
        params.reject_unknown(args, params.PAGING)
        filters = params.site_filters(session, args)
        body = boundaries.units_page(session, COLLECTIONS[collection_id][1], bbox=filters.bbox,
                                     limit=filters.limit, offset=filters.offset)
        body["links"] = [_link(request.url, "self", GEOJSON)]
        if filters.offset + body["numberReturned"] < body["numberMatched"]:
            body["links"].append(_next_link(collection_id, args, filters.offset + filters.limit))
        return Response(json.dumps(body, ensure_ascii=False), mimetype=GEOJSON)
    filters = params.site_filters(session, args)
    page = sites.site_page(session, filters, self_link=_link(request.url, "self", GEOJSON),
                           next_link=_next_link(collection_id, args, filters.offset + filters.limit))
    return Response(page.body, mimetype=GEOJSON)


def _next_link(collection_id: str, args: dict[str, str], offset: int) -> dict[str, str]:
    args = {k: v for k, v in args.items() if k != "cursor"}
    args["offset"] = str(offset)
    return _link(url_for("ogc.items", collection_id=collection_id, _external=True, **args), "next", GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature of a collection by its id."""
    _known(collection_id)
    session = get_session()
    if collection_id == "sites":
        site_id = int(feature_id) if feature_id.isascii() and feature_id.isdigit() and len(feature_id) < 10 else None
        feature = sites.published_site(session, site_id) if site_id is not None else None
        if feature is not None:
            return Response(feature, mimetype=GEOJSON)
    else:
        feature_dict = boundaries.unit_feature(session, COLLECTIONS[collection_id][1], feature_id)
        if feature_dict is not None:
            return Response(json.dumps(feature_dict, ensure_ascii=False), mimetype=GEOJSON)
    raise NotFound("featureId", N_("Không có đối tượng %(name)s"), name=feature_id)


QUERYABLE_SITE_PROPERTIES = {
    "category": {"type": "string", "enum": list(CATEGORY_CODES), "title": "category"},
    "status": {"type": "string", "enum": list(STATUSES), "title": "status"},
    "district": {"type": "string", "title": "GSO district code (2009–2025)"},
    "commune": {"type": "string", "title": "GSO commune code (from 2025-07-01)"},
    "plan_task": {"type": "string", "enum": list(PLAN_TASK_CODES), "title": "plan task"},
    "lead_agency": {"type": "string", "title": "lead agency"},
    "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR, "title": "active in year"},
    "start_year": {"type": "integer", "minimum": 1900, "maximum": LAST_YEAR, "title": "started in year"},
}


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    """The properties a collection's items can be filtered by, as a JSON Schema (OGC API – Features Part 3)."""
    _known(collection_id)
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url_for("ogc.queryables", collection_id=collection_id, _external=True),
        "type": "object", "title": _(COLLECTIONS[collection_id][0]),
        # Sites take the filters of /api/sites; boundaries only bbox, limit and offset.
        "properties": QUERYABLE_SITE_PROPERTIES if collection_id == "sites" else {},
        "additionalProperties": False,
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/schema+json")


@bp.get("/api")
def openapi() -> Response:
    """The OpenAPI 3.0 description of the OGC API."""
    collection_id = {"name": "collectionId", "in": "path", "required": True,
                     "schema": {"type": "string", "enum": list(COLLECTIONS)}}
    json_ok = {"description": "JSON", "content": {"application/json": {"schema": {"type": "object"}}}}
    not_found = oas.error("no such collection or feature")
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Kiên Giang SCP map – OGC API – Features", "version": "1.0"},
        "paths": {
            "/ogc": {"get": {"summary": "Landing page", "responses": {"200": json_ok}}},
            "/ogc/conformance": {"get": {"summary": "Conformance classes", "responses": {"200": json_ok}}},
            "/ogc/collections": {"get": {"summary": "Collections", "responses": {"200": json_ok}}},
            "/ogc/collections/{collectionId}": {"get": {
                "summary": "One collection", "parameters": [collection_id],
                "responses": {"200": json_ok, "404": not_found}}},
            "/ogc/collections/{collectionId}/queryables": {"get": {
                "summary": "Filterable properties (JSON Schema)", "parameters": [collection_id],
                "responses": {"200": {"description": "JSON Schema",
                                      "content": {"application/schema+json": {"schema": {"type": "object"}}}},
                              "404": not_found}}},
            "/ogc/collections/{collectionId}/items": {"get": {
                "summary": "Items; sites also take the filters of /api/sites",
                "parameters": [collection_id, *oas.PAGING, oas.LANG],
                "responses": {"200": oas.GEOJSON, "400": oas.BAD, "404": not_found}}},
            "/ogc/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "One feature",
                "parameters": [collection_id, {"name": "featureId", "in": "path", "required": True,
                                               "schema": {"type": "string"}}],
                "responses": {"200": oas.GEOJSON, "404": not_found}}},
        },
    }
    return oas.document_response(document)
