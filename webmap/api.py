"""The JSON and GeoJSON API: approved sites with filters and paging, and the boundaries."""
from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Response, request, url_for
from flask_babel import get_locale

from geo import boundaries, exports, sites
from geo.errors import N_, BadParameter
from webmap.db import get_session

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _geojson(body: str, max_age: int = 60) -> Response:
    response = Response(body, mimetype=GEOJSON)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/sites")
def list_sites() -> Response:
    """Approved sites as a GeoJSON FeatureCollection: filters, bbox, limit/offset or cursor paging."""
    session = get_session()
    filters = sites.parse_filters(request.args.to_dict(),
                                  known_districts=sites.known_unit_codes(session, "district"),
                                  known_communes=sites.known_unit_codes(session, "commune"))
    fmt = request.args.get("f", "geojson")
    if fmt != "geojson":
        return _export(session, filters, fmt)
    body = sites.sites_geojson(session, filters)
    response = _geojson(body)
    # A Link header lets a client page through without reading the body first.
    page = json.loads(body)
    if page["numberReturned"] == filters.limit and page["lastId"] is not None:
        args = request.args.to_dict()
        args.pop("offset", None)
        args["cursor"] = str(page["lastId"])
        response.headers["Link"] = f'<{url_for("api.list_sites", _external=True, **args)}>; rel="next"'
    return response


def _export(session, filters: sites.SiteFilters, fmt: str) -> Response:
    """The sites as a file for GIS users or offices: CSV, Excel, GeoPackage or zipped Shapefile."""
    if fmt not in exports.FORMATS:
        raise BadParameter("f", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=fmt, allowed=", ".join(["geojson", *exports.FORMATS]))
    if "limit" not in request.args:
        filters.limit = sites.MAX_LIMIT
    lang = str(get_locale() or "vi")
    data = exports.export_sites(exports.sites_frame(session, filters, lang), fmt, lang)
    mimetype, extension = exports.FORMATS[fmt]
    name = f"kien-giang-diem-{dt.date.today():%Y%m%d}.{extension}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/districts")
def list_districts() -> Response:
    """The district boundaries (2009–June 2025) as GeoJSON; ?simplify=metres to lighten them."""
    return _units("district")


@bp.get("/communes")
def list_communes() -> Response:
    """The commune-level units from 1 July 2025 as GeoJSON; ?simplify=metres to lighten them."""
    return _units("commune")


def _units(level: str) -> Response:
    raw = request.args.get("simplify", "0")
    try:
        simplify = float(raw)
    except ValueError:
        raise BadParameter("simplify", N_("Phải là số mét, nhận được “%(value)s”"), value=raw) from None
    if not 0 <= simplify <= 5000:
        raise BadParameter("simplify", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=0, high=5000)
    return _geojson(boundaries.units_geojson(get_session(), level, simplify_m=simplify), max_age=3600)
