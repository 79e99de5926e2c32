"""OGC API – Tiles for the site layer: the tilesets of the sites collection in WebMercatorQuad, each tile the same
as /tiles/sites/{z}/{x}/{y}.pbf (the standard orders them tileMatrix/tileRow/tileCol), so GDAL's OGCAPI driver
and QGIS read the clusters and points as vector tiles."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _

from geo import tiles as site_tiles
from webmap import params, tiles
from webmap.db import get_session

bp = Blueprint("ogc_tiles", __name__, url_prefix="/ogc")

MATRIX_SET = "WebMercatorQuad"
MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILES_REL = "http://www.opengis.net/def/rel/ogc/1.0"
TILES_CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
_PATH = "/ogc/collections/sites/tiles"
TILES_PATHS = {
    _PATH: {"get": {"summary": "Tilesets of the sites (vector)", "responses": {"200": {"description": "JSON"}}}},
    f"{_PATH}/{MATRIX_SET}": {"get": {"summary": "The sites' tileset in WebMercatorQuad",
                                       "responses": {"200": {"description": "JSON"}}}},
    f"{_PATH}/{MATRIX_SET}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": {"get": {
        "summary": "One vector tile of the sites (the same as /tiles/sites/{z}/{x}/{y}.pbf)",
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                       for name in ("tileMatrix", "tileRow", "tileCol")],
        "responses": {"200": {"description": "Mapbox vector tile",
                              "content": {tiles.MVT: {"schema": {"type": "string", "format": "binary"}}}},
                      "204": {"description": "no site in the tile"}}}},
    "/ogc/tileMatrixSets": {"get": {"summary": "Tile matrix sets", "responses": {"200": {"description": "JSON"}}}},
}


def _filters_query() -> str:
    """The site filters of this request, checked, as the query string the tile links carry on."""
    args = {k: v for k, v in request.args.items() if k not in ("f", "lang") and v}
    params.reject_unknown(args, params.SITE_FILTERS)
    return "?" + urlencode(args) if args else ""


def _link(href: str, rel: str, type_: str = "application/json", **extra: Any) -> dict[str, Any]:
    return {"href": href, "rel": rel, "type": type_, **extra}


def _tileset_summary(query: str) -> dict[str, Any]:
    return {
        "title": _("Các điểm thực hiện Kế hoạch 135/KH-UBND (đã duyệt)"), "dataType": "vector",
        "crs": WEB_MERCATOR, "tileMatrixSetURI": MATRIX_SET_URI,
        "links": [_link(url_for("ogc_tiles.tileset", _external=True) + query, "self"),
                  _link(url_for("ogc_tiles.matrix_set", _external=True), f"{TILES_REL}/tiling-scheme")],
    }


def _limits(z: int) -> dict[str, Any]:
    """The tiles of level z that hold the province: a client asks for no tile of the open sea or the world."""
    west, south, east, north = site_tiles.BOUNDS
    (min_col, min_row), (max_col, max_row) = site_tiles.tile_of(west, north, z), site_tiles.tile_of(east, south, z)
    return {"tileMatrix": str(z), "minTileRow": min_row, "maxTileRow": max_row,
            "minTileCol": min_col, "maxTileCol": max_col}


@bp.get("/collections/sites/tiles")
def tilesets() -> Response:
    """The sites' tilesets: one, vector, in WebMercatorQuad."""
    query = _filters_query()
    return jsonify({"tilesets": [_tileset_summary(query)],
                    "links": [_link(url_for("ogc_tiles.tilesets", _external=True) + query, "self")]})


@bp.get(f"/collections/sites/tiles/{MATRIX_SET}")
def tileset() -> Response:
    """The sites' tileset: its zoom levels, its two layers (points and clusters) and the tile URL template."""
    query = _filters_query()
    template = url_for("ogc_tiles.tileset", _external=True) + "/{tileMatrix}/{tileRow}/{tileCol}" + query
    body = _tileset_summary(query)
    body["links"].append(_link(template, "item", tiles.MVT, templated=True))
    layout = site_tiles.layout(get_session())
    body["tileMatrixSetLimits"] = [_limits(z) for z in range(layout.min_zoom, layout.max_zoom + 1)]
    body["layers"] = [
        {"id": layout.points_layer, "dataType": "vector", "geometryDimension": 0,
         "minTileMatrix": str(layout.min_zoom), "maxTileMatrix": str(layout.max_zoom), "title": _("Điểm")},
        {"id": layout.clusters_layer, "dataType": "vector", "geometryDimension": 0,
         "minTileMatrix": str(layout.min_zoom), "maxTileMatrix": str(layout.max_zoom - 1),
         "title": _("Cụm điểm, có số đếm")},
    ]
    return jsonify(body)


@bp.get(f"/collections/sites/tiles/{MATRIX_SET}/<int:tile_matrix>/<int:tile_row>/<int:tile_col>")
def tile(tile_matrix: int, tile_row: int, tile_col: int) -> Response:
    """One tile: the very tile of /tiles/sites/{z}/{x}/{y}.pbf, with its filters, caching and ETag."""
    return tiles.site_tile(tile_matrix, tile_col, tile_row)


@bp.get("/tileMatrixSets")
def matrix_sets() -> Response:
    """The tile matrix sets the tiles use: WebMercatorQuad, as OGC defines it."""
    return jsonify({"tileMatrixSets": [{"id": MATRIX_SET, "uri": MATRIX_SET_URI, "links": [
        _link(url_for("ogc_tiles.matrix_set", _external=True), "self")]}]})


# WebMercatorQuad as OGC's Two Dimensional Tile Matrix Set standard defines it: 256 px tiles from the
# top-left corner of EPSG:3857's square world, each level half the cell size of the one above.
_WORLD_HALF = 20037508.3427892
_PIXEL = 0.00028  # the standard's rendering pixel, in metres


def _tile_matrix(z: int) -> dict[str, Any]:
    cell = 2 * _WORLD_HALF / 256 / 2 ** z
    return {"id": str(z), "scaleDenominator": cell / _PIXEL, "cellSize": cell, "cornerOfOrigin": "topLeft",
            "pointOfOrigin": [-_WORLD_HALF, _WORLD_HALF], "tileWidth": 256, "tileHeight": 256,
            "matrixWidth": 2 ** z, "matrixHeight": 2 ** z}


@bp.get(f"/tileMatrixSets/{MATRIX_SET}")
def matrix_set() -> Response:
    """WebMercatorQuad's definition, down to the deepest level the tiles go."""
    layout = site_tiles.layout(get_session())
    return jsonify({"id": MATRIX_SET, "title": "Google Maps Compatible for the World", "uri": MATRIX_SET_URI,
                    "crs": WEB_MERCATOR, "orderedAxes": ["E", "N"], "wellKnownScaleSet":
                    "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
                    "tileMatrices": [_tile_matrix(z) for z in range(layout.min_zoom, layout.max_zoom + 1)]})
