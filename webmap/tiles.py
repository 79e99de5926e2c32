"""The site layer as vector tiles (/tiles/sites/{z}/{x}/{y}.pbf) and its TileJSON, for the maps, QGIS and MapLibre."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, jsonify, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from geo import tiles
from geo.catalogue import CATEGORY_CODES
from geo.errors import N_, BadParameter
from geo.site_query import SiteFilters
from webmap import caching, map_style, mapbuild, params
from webmap.db import get_session

bp = Blueprint("tiles", __name__, url_prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"
# The layer's name, in its TileJSON and its style.
LAYER_NAME = N_("Điểm thí điểm sản xuất và tiêu dùng bền vững tỉnh Kiên Giang")
GLYPH_MAX_AGE = 24 * 3600


def _filters(*, held_units: bool = False) -> tuple[SiteFilters, dict[str, str]]:
    """The site filters of the query string (those of /api/sites, without paging), checked; held_units: against
    the units last read (see geo.site_query.unit_codes), and a unit they do not know against the current ones."""
    args = request.args.to_dict()
    params.reject_unknown(args, params.SITE_FILTERS)
    given = {k: v for k, v in args.items() if v and k != "lang"}
    if held_units:
        try:
            return params.site_filters(get_session(), args, held_units=True), given
        except BadParameter:
            pass  # a unit added since they were read: checked again against the current units
    return params.site_filters(get_session(), args), given


@bp.get("/sites/<int:z>/<int:x>/<int:y>.pbf")
def site_tile(z: int, x: int, y: int) -> Response:
    """One vector tile of the published sites: points, or clusters where they crowd; 204 when it holds none.

    A warm request is one SQL statement: the filters are checked against the units held in memory, and the data
    version (the ETag's) is read with the tile; the units are read again only when that version moved on."""
    filters, given = _filters(held_units=True)
    layout = tiles.layout(get_session())
    params.integer("z", str(z), layout.min_zoom, layout.max_zoom)
    params.integer("x", str(x), 0, 2 ** z - 1)
    params.integer("y", str(y), 0, 2 ** z - 1)

    def build(held: tuple[int, ...]) -> tuple[int, Response | None]:
        version, tile = tiles.versioned_site_tile(get_session(), z, x, y, filters, held)
        if "district" in given or "commune" in given:
            _filters()  # the units of this version (read only if it moved on): a unit removed since is refused
        if tile is None:
            return version, None
        return version, Response(tile.body, mimetype=MVT) if tile.body else Response(status=204)

    return caching.public_versioned(build, shared_max_age=current_app.config["TILE_CACHE_SECONDS"])


def _template(filters: dict[str, str], *, external: bool = False) -> str:
    """The tile URL template with the filters' query string (its braces stay as they are, the values quoted)."""
    url = url_for("tiles.site_tile", z=0, x=0, y=0, _external=external).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    return url + ("?" + urlencode(filters) if filters else "")


@bp.get("/sites.json")
def site_tilejson() -> Response:
    """TileJSON 3.0.0 of the site layer; the filters given here go on in the tile URL."""
    args = _filters()[1]
    layout = tiles.layout(get_session())
    template = _template(args, external=True)
    fields = {"id": "Number", "category": "String", "colour": "String"}
    cluster_fields = {"count": "Number", "category": "String", "colour": "String",
                      **{f"n_{code}": "Number" for code in CATEGORY_CODES}}
    body = {
        "tilejson": "3.0.0",
        "name": _(LAYER_NAME),
        "description": _("Điểm đã duyệt; ở mức thu nhỏ, các điểm gần nhau được gộp thành cụm có số đếm"),
        "attribution": _("Sở Tài nguyên và Môi trường tỉnh Kiên Giang"),
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": layout.min_zoom,
        "maxzoom": layout.max_zoom,
        "bounds": list(tiles.BOUNDS),
        "center": [*tiles.CENTRE, 9],
        "vector_layers": [
            {"id": layout.points_layer, "fields": fields, "minzoom": layout.min_zoom, "maxzoom": layout.max_zoom,
             "description": _("Điểm, từ mức %(zoom)s khi ô có không quá %(count)s điểm",
                              zoom=layout.points_from_zoom, count=layout.max_points)},
            {"id": layout.clusters_layer, "fields": cluster_fields, "minzoom": layout.min_zoom,
             "maxzoom": layout.max_zoom - 1,
             "description": _("Cụm điểm: số điểm, loại nhiều nhất và số điểm theo từng loại (n_…)")},
        ],
    }
    # The names are in the page's language, which a cookie may choose: the ETag depends on it too.
    return caching.public(lambda: jsonify(body), max_age=300, vary=str(get_locale()))


@bp.get("/sites/style.json")
def site_style() -> Response:
    """The MapLibre style of the site layer: the TileJSON above as its source (same filters and language), cluster
    counts drawn with the glyphs this app serves."""
    args = _filters()[1]
    language = str(get_locale())
    tilejson = url_for("tiles.site_tilejson", **args, lang=language, _external=True)
    glyphs = url_for("tiles.glyphs", fontstack="F", glyph_range="0-255", _external=True)
    glyphs = glyphs.replace("/F/0-255.pbf", "/{fontstack}/{range}.pbf")
    body = map_style.site_style(_(LAYER_NAME), tilejson, glyphs, tiles.layout(get_session()))
    return caching.public(lambda: jsonify(body), max_age=300, vary=language)


def _glyph_start(glyph_range: str) -> int:
    """The first code point of a glyph range "<start>-<start+255>" (start a multiple of 256); BadParameter if not."""
    start, _dash, end = glyph_range.partition("-")
    if not (start.isdigit() and end.isdigit() and int(start) % 256 == 0 and int(end) == int(start) + 255
            and int(end) <= 0xFFFF):
        raise BadParameter("range", N_("Phải là “đầu-cuối” của 256 mã ký tự, đầu chia hết cho 256 (như 0-255), "
                                       "nhận được “%(value)s”"), value=glyph_range)
    return int(start)


@bp.get("/glyphs/<fontstack>/<glyph_range>.pbf")
def glyphs(fontstack: str, glyph_range: str) -> Response:
    """Glyphs of 256 code points as signed distance fields for MapLibre's labels, from the first font of the stack
    this app serves; 404 for a font or range it does not."""
    start = _glyph_start(glyph_range)
    folder = Path(current_app.static_folder or "", "vendor", "glyphs")
    served = {font.name for font in folder.iterdir() if font.is_dir()} if folder.is_dir() else set()
    fonts = [name.strip() for name in fontstack.split(",") if name.strip() in served]
    if not fonts:
        abort(404)
    # Rendered once by scripts/vendor-assets: a new font file comes with a new deployment, not with the data.
    return send_from_directory(folder / fonts[0], f"{start}-{start + 255}.pbf", mimetype="application/x-protobuf",
                               max_age=GLYPH_MAX_AGE)


def site_sources(filters: dict[str, str]) -> mapbuild.SiteSources:
    """Where a map page's browser reads the sites matching filters: tiles, one SQL count, one site."""
    return mapbuild.SiteSources(tiles=_template(filters), count=url_for("api.list_sites", limit=1, **filters),
                                site=url_for("api.get_site", site_id=0).removesuffix("0"),
                                max_zoom=tiles.layout(get_session()).max_zoom)
