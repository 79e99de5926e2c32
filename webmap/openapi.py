"""The OpenAPI 3 documents: the JSON API at /api/openapi.json; the parameters it shares with /ogc/api."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json

from geo.catalogue import CATEGORY_CODES, FIRST_YEAR, LAST_YEAR, LEVELS, PLAN_TASK_CODES, STATUSES
from geo.plan import INDICATOR_CODES
from geo.site_query import MAX_LIMIT

bp = Blueprint("openapi", __name__, url_prefix="/api")

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _codes(codes: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "description": f"comma-separated, each one of: {', '.join(codes)}"}


YEAR = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
LANG = _query("lang", {"type": "string", "enum": ["vi", "en"]}, "language of names and messages (vi default)")
PAGING = [
    _query("bbox", {"type": "string", "pattern": r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"},
           "minLon,minLat,maxLon,maxLat (WGS 84)"),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, f"1–{MAX_LIMIT}, default 1000"),
    _query("offset", {"type": "integer", "minimum": 0, "maximum": 10**9}, "features to skip"),
]
SITE_FILTERS = [
    _query("category", _codes(CATEGORY_CODES), "category codes"),
    _query("status", _codes(STATUSES), "site states"),
    _query("district", {"type": "string"}, "GSO district codes (2009–2025), comma-separated"),
    _query("commune", {"type": "string"}, "GSO commune codes (from 2025-07-01), comma-separated"),
    _query("plan_task", _codes(PLAN_TASK_CODES), "plan task codes such as VI.2"),
    _query("lead_agency", {"type": "string"}, "lead agency, exact name"),
    _query("year", YEAR, "sites active in that year"),
    _query("start_year", {"type": "integer", "minimum": 1900, "maximum": LAST_YEAR}, "sites started in that year"),
]
CURSOR = _query("cursor", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                "return sites with a larger id (the lastId of the previous page)")
ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["reason", "status"],
    "properties": {"field": {"type": "string"}, "parameter": {"type": "string"}, "reason": {"type": "string"},
                   "status": {"type": "integer"}}}}}


def error(description: str) -> dict[str, Any]:
    """A response of the one JSON error body (webmap/errors.py)."""
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


GEOJSON = {"description": "GeoJSON", "content": {"application/geo+json": {"schema": {"type": "object"}}}}
JSON = {"description": "JSON", "content": {"application/json": {"schema": {"type": "object"}}}}
BAD = error("a parameter is malformed: the body names it and the reason")


PROBLEM = {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}
IMPORT_PREVIEW = {"description": "the preview, kept for its confirm", "content": {"application/json": {"schema": {
    "type": "object", "required": ["id", "rows", "ignored_columns"], "properties": {
        "id": {"type": "string", "format": "uuid"},
        "heading_row": {"type": "integer", "description": "the file's row that holds the headings (1-based)"},
        "locale": {"type": "string", "nullable": True, "description": "how the file writes numbers: vi, en or null"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer", "description": "the row's number in the file"},
            "values": {"type": "object", "description": "the values it will store, by the API's field names; "
                                                        "measures under measures"},
            "errors": {"type": "array", "items": PROBLEM, "description": "a row with an error is not stored"},
            "warnings": {"type": "array", "items": PROBLEM},
            "suggestion": {"type": "object", "description": "lon and lat the other way round, when swapped"}}}},
        "ignored_columns": {"type": "array", "items": {"type": "object", "properties": {
            "column": {"type": "integer"}, "heading": {"type": "string"}, "reason": {"type": "string"}}}},
        "warnings": {"type": "array", "items": PROBLEM}}}}}}
SITE_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0,
                                                                 "maximum": 2**31 - 1}}
AUTH = error("no session or API token (Authorization: Bearer …)")


def _progress_parameters(*, unit: bool) -> list[dict[str, Any]]:
    return [
        _query("indicator", {"type": "string", "enum": list(INDICATOR_CODES)}, "indicator code", required=True),
        _query("year", YEAR, "the year (default: this year)"),
        _query("level", {"type": "string", "enum": list(LEVELS)}, "district (to June 2025) or commune"),
        _query("sector", {"type": "string"}, "one breakdown key of the indicator"),
        *([_query("unit", {"type": "string"}, "unit code (91: the province)", required=True)] if unit else []),
        LANG,
    ]


def json_api_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of the read API under /api, and of the import API."""
    simplify = _query("simplify", {"type": "number", "minimum": 0, "maximum": 5000}, "metres")
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kiên Giang SCP map API", "version": "1.0"},
        "paths": {
            "/api/sites": {"get": {
                "summary": "Approved sites", "parameters": [*SITE_FILTERS, *PAGING, CURSOR, _query(
                    "f", {"type": "string", "enum": ["geojson", "csv", "xlsx", "gpkg", "shp"]}, "format"), LANG],
                "responses": {"200": GEOJSON, "400": BAD}}},
            "/api/sites/{id}": {"get": {
                "summary": "One approved site, with its approved photos (properties.photos: url, thumbnail_url, "
                           "taken_at, width, height)",
                "parameters": [SITE_ID, LANG],
                "responses": {"200": GEOJSON, "404": error("no approved site with this id")}}},
            "/api/districts": {"get": {"summary": "District boundaries 2009–June 2025 (approximate)",
                                       "parameters": [simplify, LANG], "responses": {"200": GEOJSON, "400": BAD}}},
            "/api/communes": {"get": {"summary": "Commune boundaries from 2025-07-01 (approximate)",
                                      "parameters": [simplify, LANG], "responses": {"200": GEOJSON, "400": BAD}}},
            "/api/indicators": {"get": {"summary": "The plan's indicators and targets", "parameters": [LANG],
                                        "responses": {"200": JSON}}},
            "/api/progress": {"get": {"summary": "One indicator by unit for a year",
                                      "parameters": _progress_parameters(unit=False),
                                      "responses": {"200": JSON, "400": BAD}}},
            "/api/progress/sites": {"get": {"summary": "The sites behind one unit's figure",
                                            "parameters": _progress_parameters(unit=True),
                                            "responses": {"200": JSON, "400": BAD}}},
            "/api/imports": {"post": {
                "summary": "Preview a CSV, Excel or GIS file of sites (kept server-side for its confirm)",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "crs": {"type": "string", "description": "EPSG:… or vn2000-kien-giang for a GIS file "
                                                                 "whose own CRS is missing or wrong"}}}}}},
                "responses": {"201": IMPORT_PREVIEW, "400": BAD, "401": AUTH,
                              "503": error("files are being read at once; send it again in a few seconds")}}},
            "/api/imports/{id}/confirm": {"post": {
                "summary": "Store the chosen rows of a preview, all or none, once",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"rows": {
                        "type": "array", "items": {"type": "integer"},
                        "description": "row numbers; by default every row without an error or warning"}}}}}},
                "responses": {"201": {"description": "the new sites", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"id": {"type": "string"}, "created": {
                        "type": "array", "items": {"type": "integer"}}}}}}},
                    "400": BAD, "401": AUTH, "404": error("no import of yours with this id"),
                    "409": error("this import was confirmed already; nothing stored")}}},
            "/api/sites/{id}/photos": {"post": {
                "summary": "Add photos to a site you may edit (approved at once for planners, else with the site's "
                           "review): checked, turned upright, at most 2 048 px, re-encoded without EXIF",
                "parameters": [SITE_ID],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"], "properties": {"file": {
                        "type": "string", "format": "binary",
                        "description": "JPEG, PNG, WebP or HEIC, at most 15 MB and 60 megapixels"}}}}}},
                "responses": {"201": {"description": "the first photo's url, thumbnail_url, moderation and size, and "
                                                     "every photo sent under photos",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": error("file missing, not an image, too large or too many pixels"),
                              "401": AUTH, "404": error("no site with this id in your area")}}},
            "/api/sites/{id}/photos/{photo_id}": {"delete": {
                "summary": "Remove a photo of a site you may edit",
                "parameters": [SITE_ID, {"name": "photo_id", "in": "path", "required": True,
                                         "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}],
                "responses": {"204": {"description": "removed"}, "401": AUTH,
                              "404": error("no such site in your area, or no such photo of it")}}},
            "/api/progress/summary": {"get": {"summary": "Every indicator for the province in a year",
                                              "parameters": [_query("year", YEAR, "the year"), LANG],
                                              "responses": {"200": JSON, "400": BAD}}},
        },
    }


def document_response(document: dict[str, Any]) -> Response:
    """An OpenAPI document as its own media type."""
    return Response(json.dumps(document, ensure_ascii=False), mimetype=OPENAPI)


@bp.get("/openapi.json")
def json_api() -> Response:
    """The OpenAPI 3.0 description of the JSON API."""
    return document_response(json_api_document())
