"""The JSON and GeoJSON API: published sites with filters and paging, one site, and the boundaries."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, request, url_for
from flask_babel import get_locale

from geo import boundaries, editing, exports, sites
from geo.errors import N_, BadParameter, NotFound
from geo.site_query import MAX_LIMIT, SiteFilters
from webmap import caching, params, photos
from webmap.auth import current_actor
from webmap.db import get_session

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _geojson(body: str) -> Response:
    return Response(body, mimetype=GEOJSON)


@bp.get("/sites")
def list_sites() -> Response:
    """Published sites as a GeoJSON FeatureCollection: filters, bbox, limit/offset or cursor paging."""
    session = get_session()
    filters = params.site_filters(session, request.args.to_dict(), extra=("f",))
    fmt = request.args.get("f", "geojson")
    if fmt != "geojson":
        return _export(session, filters, fmt)
    return caching.public(lambda: _site_page(session, filters))


def _site_page(session, filters: SiteFilters) -> Response:
    page = sites.site_page(session, filters)
    response = _geojson(page.body)
    # A Link header lets a client page through without reading the body first.
    cursor = page.next_cursor(filters.limit)
    if cursor is not None:
        args = request.args.to_dict()
        args.pop("offset", None)
        args["cursor"] = str(cursor)
        response.headers["Link"] = f'<{url_for("api.list_sites", _external=True, **args)}>; rel="next"'
    return response


@bp.get("/sites/<int:site_id>")
def get_site(site_id: int) -> Response:
    """One published site as a GeoJSON Feature, shaped like those of /api/sites, with its approved photos; the staff
    who may edit it also see its photos waiting for review, in an answer kept by nobody."""
    session = get_session()
    editor = editing.may_edit(session, current_actor(), site_id)
    feature = sites.published_site(session, site_id, photo_base=photos.photo_base(), pending_photos=editor)
    if feature is None:
        raise NotFound("id", N_("Không có điểm %(id)s"), id=site_id)
    if editor:
        response = _geojson(feature)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return caching.public(lambda: _geojson(feature))


def _export(session, filters: SiteFilters, fmt: str) -> Response:
    """The sites as a file for GIS users or offices: CSV, Excel, GeoPackage or zipped Shapefile."""
    if fmt not in exports.FORMATS:
        raise BadParameter("f", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=fmt, allowed=", ".join(["geojson", *exports.FORMATS]))
    if "limit" not in request.args:
        filters.limit = MAX_LIMIT
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
    return caching.public(lambda: _geojson(boundaries.units_geojson(get_session(), level, simplify_m=simplify)),
                          max_age=3600)
