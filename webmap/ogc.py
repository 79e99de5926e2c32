"""OGC API – Features (Part 1: Core, GeoJSON; Part 2: CRS) over the same queries as /api, so QGIS, GDAL and ArcGIS
can add the layers, in WGS 84, Web Mercator or the province's VN-2000 zone."""
from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DataError, InternalError

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from geo import boundaries, sites
from geo.catalogue import CATEGORY_CODES, FIRST_YEAR, LAST_YEAR, PLAN_TASK_CODES, STATUSES
from geo.crs import CRS84, OUTPUT_CRS, OutputCrs, bbox_sql, output_crs
from geo.errors import N_, BadParameter, NotFound
from webmap import openapi as oas, params
from webmap.db import get_session
from webmap.ogc_tiles import TILES_CONFORMANCE, TILES_PATHS

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


@bp.after_request
def _vary_on_language(response: Response) -> Response:
    # The OGC API honours Accept-Language (webmap.i18n): a cache must keep one answer per language.
    response.vary.add("Accept-Language")
    return response

GEOJSON = "application/geo+json"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
# Items also take the names their features carry (district_code) besides those of /api/sites (district).
PROPERTY_NAMES = {"district_code": "district", "commune_code": "commune"}
# What the standard's clients add to every request besides the filters.
REQUEST_OPTIONS = ("f", "crs", "bbox-crs", "lang")
FORMATS = ("json", "html")
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
    return _answer({
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
    return _answer({"conformsTo": [*CONFORMANCE, *TILES_CONFORMANCE]})


def _crs_list(collection_id: str) -> list[str]:
    """The CRSs a collection's items are offered in: every one for sites (PostGIS transforms each point);
    CRS84 for the boundaries, whose simplified shapes are kept ready in that CRS."""
    return list(OUTPUT_CRS) if collection_id == "sites" else [CRS84.uri]


def _collection(collection_id: str) -> dict[str, Any]:
    title, _kind = COLLECTIONS[collection_id]
    links = [_link(url_for("ogc.items", collection_id=collection_id, _external=True), "items",
                   "application/geo+json"),
             _link(url_for("ogc.queryables", collection_id=collection_id, _external=True),
                   "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json")]
    if collection_id == "sites":
        links.append(_link(url_for("ogc_tiles.tilesets", _external=True),
                           "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json",
                           _("Ô bản đồ vector của các điểm")))
    return {
        "id": collection_id, "title": _(title),
        "extent": {"spatial": {"bbox": [EXTENT], "crs": CRS84.uri}},
        "itemType": "feature", "crs": _crs_list(collection_id), "storageCrs": CRS84.uri,
        "links": links,
    }


def _answer(body: dict[str, Any] | str, mimetype: str = "application/json", *,
            crs: OutputCrs | None = None) -> Response | str:
    """The body as JSON (the default, or f=json) or as a page people can read (f=html); Content-Crs with crs."""
    fmt = request.args.get("f") or "json"
    if fmt not in FORMATS:
        raise BadParameter("f", N_("Định dạng phải là một trong: %(known)s"), known=", ".join(FORMATS))
    text_ = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    if fmt == "html":
        data = json.loads(text_)
        response = Response(render_template("ogc/page.html", data=data,
                                            pretty=json.dumps(data, ensure_ascii=False, indent=2)))
    else:
        response = Response(text_, mimetype=mimetype)
    if crs is not None:
        response.headers["Content-Crs"] = f"<{crs.uri}>"
    return response


def _crs_of(collection_id: str, args: dict[str, str], name: str) -> OutputCrs:
    crs = output_crs(args.pop(name, None), name)
    if crs.uri not in _crs_list(collection_id):
        raise BadParameter(name, N_("Lớp %(name)s chỉ có hệ toạ độ %(known)s"), name=collection_id,
                           known=", ".join(_crs_list(collection_id)))
    return crs


def _bbox_in_crs84(args: dict[str, str], bbox_crs: OutputCrs) -> None:
    """Replace args' bbox given in bbox_crs (in its axis order) by the same area in CRS84."""
    if bbox_crs == CRS84 or not args.get("bbox"):
        return
    try:
        numbers = [float(part) for part in args["bbox"].split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or any(n != n or abs(n) == float("inf") for n in numbers):
        raise BadParameter("bbox", N_("Phải là bốn số theo thứ tự trục của hệ toạ độ bbox-crs"))
    # The lower corner, then the upper one, in the CRS's axis order: the same rule as a box in degrees.
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise BadParameter("bbox", N_("Giá trị tối thiểu phải nhỏ hơn giá trị tối đa"))
    session = get_session()
    try:
        # In a savepoint: PostGIS refusing a point far outside the CRS's domain (an error, not a NULL) leaves the
        # request's transaction usable; an outage (OperationalError) is not caught here.
        with session.begin_nested():
            box = session.execute(text(bbox_sql(bbox_crs)), dict(zip(("b0", "b1", "b2", "b3"), numbers))).one()
    except (DataError, InternalError):
        box = (None,)
    if any(value is None or not math.isfinite(value) for value in box):
        raise BadParameter("bbox", N_("Nằm ngoài vùng dùng được của hệ toạ độ bbox-crs"))
    args["bbox"] = ",".join(f"{value:.8f}" for value in box)


@bp.get("/collections")
def collections() -> Response:
    """The feature collections: approved sites, districts, communes of 2025."""
    return _answer({"collections": [_collection(c) for c in COLLECTIONS],
                    "links": [_link(url_for("ogc.collections", _external=True), "self")],
                    "crs": list(OUTPUT_CRS)})


def _known(collection_id: str) -> None:
    if collection_id not in COLLECTIONS:
        raise NotFound("collection", N_("Không có lớp dữ liệu %(name)s"), name=collection_id)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    """One collection's description."""
    _known(collection_id)
    return _answer(_collection(collection_id))


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    """Features of a collection: bbox, limit, offset and, for sites, the filters of /api/sites."""
    _known(collection_id)
    session = get_session()
    request_args = request.args.to_dict()
    args = {PROPERTY_NAMES.get(name, name): value for name, value in request_args.items()}
    crs = _crs_of(collection_id, args, "crs")
    _bbox_in_crs84(args, output_crs(args.pop("bbox-crs", None), "bbox-crs"))
    for option in ("f", "lang"):
        args.pop(option, None)
    if collection_id != "sites":
        # The standard: a parameter the API does not define is a 400, not silently ignored.
        params.reject_unknown(args, params.PAGING)
        filters = params.site_filters(session, args)
        body = boundaries.units_page(session, COLLECTIONS[collection_id][1], bbox=filters.bbox,
                                     limit=filters.limit, offset=filters.offset)
        body["links"] = [_link(request.url, "self", GEOJSON)]
        if filters.offset + body["numberReturned"] < body["numberMatched"]:
            body["links"].append(_next_link(collection_id, request_args, filters.offset + filters.limit))
        return _answer(body, GEOJSON, crs=crs)
    filters = params.site_filters(session, args)
    page = sites.site_page(session, filters, self_link=_link(request.url, "self", GEOJSON),
                           next_link=_next_link(collection_id, request_args, filters.offset + filters.limit),
                           crs=crs)
    return _answer(page.body, GEOJSON, crs=crs)


def _next_link(collection_id: str, args: dict[str, str], offset: int) -> dict[str, str]:
    args = {k: v for k, v in args.items() if k != "cursor"}
    args["offset"] = str(offset)
    return _link(url_for("ogc.items", collection_id=collection_id, _external=True, **args), "next", GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature of a collection by its id."""
    _known(collection_id)
    session = get_session()
    args = request.args.to_dict()
    crs = _crs_of(collection_id, args, "crs")
    if collection_id == "sites":
        site_id = int(feature_id) if feature_id.isascii() and feature_id.isdigit() and len(feature_id) < 10 else None
        feature = sites.published_site(session, site_id, crs) if site_id is not None else None
        if feature is not None:
            return _answer(feature, GEOJSON, crs=crs)
    else:
        feature_dict = boundaries.unit_feature(session, COLLECTIONS[collection_id][1], feature_id)
        if feature_dict is not None:
            return _answer(feature_dict, GEOJSON, crs=crs)
    raise NotFound("featureId", N_("Không có đối tượng %(name)s"), name=feature_id)


# The filters of /api/sites, and the same under their feature properties' names.
_SITE_FILTERS = [
    *oas.SITE_FILTERS,
    {"name": "district_code", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the same as district"},
    {"name": "commune_code", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the same as commune"},
]
QUERYABLE_SITE_PROPERTIES = {
    "category": {"type": "string", "enum": list(CATEGORY_CODES), "title": "category"},
    "status": {"type": "string", "enum": list(STATUSES), "title": "status"},
    "district_code": {"type": "string", "title": "GSO district code (2009–2025)"},
    "commune_code": {"type": "string", "title": "GSO commune code (from 2025-07-01)"},
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
    return _answer(body, "application/schema+json")


@bp.get("/api")
def openapi() -> Response:
    """The OpenAPI 3.0 description of the OGC API."""
    collection_id = {"name": "collectionId", "in": "path", "required": True,
                     "schema": {"type": "string", "enum": list(COLLECTIONS)}}
    json_ok = {"description": "JSON", "content": {"application/json": {"schema": {"type": "object"}}}}
    not_found = oas.error("no such collection or feature")
    crs = {"name": "crs", "in": "query", "required": False, "schema": {"type": "string", "enum": list(OUTPUT_CRS)},
           "description": "CRS of the answer's geometries (sites: any listed; boundaries: CRS84); default CRS84"}
    bbox_crs = {"name": "bbox-crs", "in": "query", "required": False,
                "schema": {"type": "string", "enum": list(OUTPUT_CRS)},
                "description": "CRS of bbox, in its axis order (EPSG:4326: lat first); default CRS84"}
    fmt = {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": list(FORMATS)},
           "description": "json (default) or html"}
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
                "summary": "Items; sites also take the filters of /api/sites (each also under its feature "
                           "property's name: district_code, commune_code)",
                "parameters": [collection_id, *oas.PAGING, *_SITE_FILTERS, crs, bbox_crs, fmt, oas.LANG],
                "responses": {"200": oas.GEOJSON, "400": oas.BAD, "404": not_found}}},
            "/ogc/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "One feature",
                "parameters": [collection_id, {"name": "featureId", "in": "path", "required": True,
                                               "schema": {"type": "string"}}, crs, fmt, oas.LANG],
                "responses": {"200": oas.GEOJSON, "404": not_found}}},
            **TILES_PATHS,
        },
    }
    return oas.document_response(document)
