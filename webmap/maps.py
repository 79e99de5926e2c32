"""The map pages: the planners' map (/) and the public embed (/embed) with its builder."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale, gettext as _, npgettext

from geo import boundaries, search
from geo.catalogue import CATEGORY_CODES, DAY_FORMAT, LEAD_AGENCIES, PLAN_TASKS, PLAN_YEARS, PROVINCE_TIME_ZONE
from geo.errors import N_, BadParameter
from geo.site_query import units_of
from webmap import caching, labels, mapbuild, params, tiles
from webmap.db import get_session
from webmap.i18n import LANGUAGES

bp = Blueprint("maps", __name__)

# The centre a link may ask for: Kiên Giang and its sea (a pan further out is written back clamped to it).
VIEW_BOUNDS = ((8.0, 102.5), (11.5, 106.5))
ZOOMS = (6, 18)
VIEW_ARGS = ("basemap", "lat", "lon", "zoom")
# ?bounds=west,south,east,north: the area an embed fits at any width (its builder saves it), before lat, lon, zoom.
BOUNDS_ARG = "bounds"
# ?site=<id>: the site whose popup the page opens (static/sites.js centres on it); the link a popup copies.
SITE_ARG = "site"
# The units of the site measures (geo/catalogue.py) that a page in English shows in English.
UNIT_NAMES = {"hộ": N_("hộ"), "tấn/tháng": N_("tấn/tháng")}


def unit_name(unit: str) -> str:
    """A measure's unit in the page's language (the units without a word, such as kWp or %, as they are)."""
    marked = UNIT_NAMES.get(unit)
    return _(marked) if marked else unit


def page_labels() -> dict[str, Any]:
    """The words and view limits the map script needs, in the page's language."""
    words = labels.map_labels()
    measures = {key: {**m, "unit": unit_name(m["unit"])} for key, m in words["measures"].items()}
    def count(n: int) -> str:
        return npgettext("site count", "Đang hiển thị %(count)s điểm", "Đang hiển thị %(count)s điểm", n,
                         count="%(count)s")

    # Intl.PluralRules picks the form in the browser: English "one" is "1 site", every other count "sites".
    return {**words, "measures": measures, "count_forms": {"one": count(1), "other": count(2)},
            "base_maps": labels.base_map_names(),
            "view": {"bounds": VIEW_BOUNDS, "minZoom": ZOOMS[0], "maxZoom": ZOOMS[1]}}


def map_options(args: dict[str, str], *, fullscreen: bool = True) -> mapbuild.MapOptions:
    """The view options of a map page (base map, centre, zoom), checked, with the page's labels."""
    base_map = args.get("basemap") or "osm"
    if base_map not in mapbuild.BASE_MAPS:
        raise BadParameter("basemap", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=base_map, allowed=", ".join(mapbuild.BASE_MAPS))
    centre = mapbuild.DEFAULT_CENTRE
    if args.get("lat") or args.get("lon"):
        try:
            centre = (float(args.get("lat", "")), float(args.get("lon", "")))
        except ValueError:
            raise BadParameter("lat", N_("Tâm bản đồ phải là hai số lat và lon")) from None
        (south, west), (north, east) = VIEW_BOUNDS
        if not (south <= centre[0] <= north and west <= centre[1] <= east):
            raise BadParameter("lat", N_("Tâm bản đồ phải ở trong vùng Kiên Giang (vĩ độ 8–11,5; kinh độ 102,5–106,5)"))
    zoom = params.integer("zoom", args.get("zoom"), *ZOOMS) or mapbuild.DEFAULT_ZOOM
    return mapbuild.MapOptions(
        centre=centre, zoom=zoom, base_map=base_map, fullscreen=fullscreen,
        base_map_names=labels.base_map_names(), extra_tile_url=current_app.config.get("TILE_URL"),
        labels=page_labels())


def _site_args(args: dict[str, str]) -> dict[str, str]:
    """The query parameters that go on to /api/sites: the filters, nothing about the view."""
    return {k: v for k, v in args.items() if k in params.SITE_FILTERS and v}


def _districts(simplify_m: float = 150.0) -> dict[str, Any]:
    return boundaries.units_features(get_session(), "district", simplify_m=simplify_m)


def _site_page(args: dict[str, str], *, zoom_snap: float = 1.0) -> dict[str, Any]:
    """The map of / and /print for a query string: its filters, view, legend and the area it fits, checked."""
    view_args = {k: args.pop(k) for k in VIEW_ARGS if k in args}
    _opened_site(args.pop(SITE_ARG, None))
    session = get_session()
    params.site_filters(session, {k: v for k, v in args.items() if v})
    filters = _site_args(args)
    options = _fitted_options(session, view_args, filters)
    options.zoom_snap = zoom_snap
    m = mapbuild.site_map(labels.category_list(), _districts(), tiles.site_sources(filters), options)
    chosen = set(filters.get("category", "").split(",")) - {""}
    legend = [c for c in labels.category_list() if not chosen or c["code"] in chosen]
    return {"map": mapbuild.page_parts(m), "legend": legend, "filters": filters,
            "view": view_args, "chosen_categories": chosen, "bounds": options.bounds}


# The printed sheet: A4 within 8 mm margins, its map sized in millimetres, so that the map has one size on the screen
# and on paper (Leaflet fits it once, and its tiles are loaded when the page is printed, from any window); turned
# to the shape of the area it shows.
SHEETS = {"landscape": {"width": 281, "height": 194, "map_height": 128},
          "portrait": {"width": 194, "height": 281, "map_height": 190}}


def print_sheet(bounds: list[list[float]] | None) -> dict[str, Any]:
    """The A4 sheet for a map fitting bounds ([[south, west], [north, east]]): landscape when the area is wider than
    tall as the map draws it (Web Mercator), portrait otherwise; landscape for a typed centre and zoom."""
    orientation = "landscape"
    if bounds:
        (south, west), (north, east) = bounds
        tall = math.degrees(_mercator_y(north) - _mercator_y(south))
        orientation = "landscape" if east - west >= tall else "portrait"
    return {"orientation": orientation, **SHEETS[orientation]}


def _mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


@bp.get("/")
def index() -> str:
    """The planners' coverage map with its filters; the filters and the view live in the URL."""
    page = _site_page(request.args.to_dict())
    return render_template(
        "maps/map.html", **page, categories=labels.category_list(), statuses=labels.status_choices(),
        districts=units_of(get_session(), "district"), plan_tasks=PLAN_TASKS, lead_agencies=LEAD_AGENCIES,
        years=list(PLAN_YEARS), print_url=url_for("maps.print_view", **request.args.to_dict()))


@bp.get("/print")
def print_view() -> str:
    """The current map (same centre, zoom, filters) on a page to print: title, legend, date, source, sample note."""
    args = request.args.to_dict()
    lang = args.pop("lang", None)
    page = _site_page(args, zoom_snap=0.25)  # the area fills the sheet's map, not only the zoom below it
    today = datetime.now(PROVINCE_TIME_ZONE).strftime(DAY_FORMAT)
    back = url_for("maps.index", **page["filters"], **page["view"], **({"lang": lang} if lang else {}))
    return render_template("maps/print.html", **page, today=today, back_url=back, sheet=print_sheet(page["bounds"]))


def _opened_site(value: str | None) -> None:
    """A ?site= is a site's id (the page opens its popup, or says it is not public): checked by name."""
    if value:
        params.integer(SITE_ARG, value, 1, 2**31 - 1)


def _embed_args() -> dict[str, str]:
    args = request.args.to_dict()
    params.reject_unknown(args, ("category", "district", "commune", "basemap", "lat", "lon", "zoom", BOUNDS_ARG,
                                 SITE_ARG))
    _opened_site(args.pop(SITE_ARG, None))
    return args


def typed_bounds(value: str | None) -> list[list[float]] | None:
    """?bounds=west,south,east,north (the area an embed shows, as the builder saves it) as [[south, west], [north,
    east]], within Kiên Giang and its sea; None when absent; BadParameter naming it."""
    box = params.bbox(value, name=BOUNDS_ARG)
    if box is None:
        return None
    west, south, east, north = box
    (low_lat, low_lon), (high_lat, high_lon) = VIEW_BOUNDS
    if not (low_lon <= west < east <= high_lon and low_lat <= south < north <= high_lat):
        raise BadParameter(BOUNDS_ARG, N_("Vùng hiển thị phải nằm trong vùng Kiên Giang (vĩ độ 8–11,5; kinh độ "
                                          "102,5–106,5), tây nhỏ hơn đông, nam nhỏ hơn bắc"))
    return [[south, west], [north, east]]


def _fitted_options(session, args: dict[str, str], filters: dict[str, str], *,
                    fullscreen: bool = True) -> mapbuild.MapOptions:
    """A map page's options; the map fits the typed area (bounds) or, without a typed centre, the chosen commune or
    district, or the whole province (Phú Quốc too) on any screen."""
    options = map_options(args, fullscreen=fullscreen)
    typed = typed_bounds(args.get(BOUNDS_ARG))
    if typed:
        options.bounds = typed
    elif not (args.get("lat") or args.get("lon") or args.get("zoom")):
        options.bounds = search.unit_bounds(session, filters.get("commune") or filters.get("district"))
    return options


@bp.get("/embed")
def embed() -> Response:
    """The public map for the provincial portal: approved sites only, options in the URL, cacheable."""
    args = _embed_args()
    lang = args.get("lang") if args.get("lang") in LANGUAGES else "vi"
    with force_locale(lang):
        session = get_session()
        filters = _site_args({k: args[k] for k in ("category", "district", "commune") if k in args})
        params.site_filters(session, filters)

    def build() -> Response:
        # Built only when the client (a browser, nginx revalidating) does not hold the current page.
        with force_locale(lang):
            chosen = set(filters.get("category", "").split(",")) - {""}
            categories = [c for c in labels.category_list() if not chosen or c["code"] in chosen]
            options = _fitted_options(session, args, filters, fullscreen=False)
            m = mapbuild.site_map(categories, _districts(), tiles.site_sources(filters), options)
            if options.bounds:
                mapbuild.fit_on_resize(m, options.bounds)
            mapbuild.add_fullscreen(m, page_labels())
            view = {k: args[k] for k in VIEW_ARGS if args.get(k)}
            body = render_template(
                "maps/embed.html", map=mapbuild.page_parts(m), legend=categories, lang=lang,
                full_url=url_for("maps.index", _external=True, **filters, **view, lang=lang),
                print_url=url_for("maps.print_view", _external=True, **filters, **view, lang=lang))
        return Response(body, mimetype="text/html")

    response = caching.public(build, current_app.config["EMBED_CACHE_SECONDS"])
    response.headers["Content-Language"] = lang
    return response


@bp.get("/embed/builder")
def embed_builder() -> str:
    """Pick the options of the public map on a small map and copy its <iframe> snippet."""
    args = _embed_args()
    chosen = [c for c in request.args.getlist("category") for c in c.split(",") if c in CATEGORY_CODES]
    options = {k: v for k, v in args.items() if v and k != "category"}
    if chosen:
        options["category"] = ",".join(chosen)
    session = get_session()
    # The same checks as /embed: a bad centre, zoom, district or commune is a 400 here, not in the portal.
    params.site_filters(session, {k: options[k] for k in ("category", "district", "commune") if k in options})
    picker = mapbuild.base_map(_fitted_options(session, options, options, fullscreen=False))
    src = url_for("maps.embed", _external=True) + ("?" + urlencode(options) if options else "")
    width, height = "100%", "520"
    snippet = (f'<iframe src="{src}" width="{width}" height="{height}" style="border:0" loading="lazy" '
               f'title="{_("Bản đồ sản xuất và tiêu dùng bền vững tỉnh Kiên Giang")}"></iframe>')
    return render_template("maps/embed_builder.html", snippet=snippet, src=src, options=options, chosen=set(chosen),
                           categories=labels.category_list(), districts=units_of(session, "district"),
                           communes=units_of(session, "commune"), map=mapbuild.page_parts(picker),
                           unit_bounds={level: search.units_bounds(session, level) for level in ("district", "commune")},
                           view_bounds=VIEW_BOUNDS,
                           embed_url=url_for("maps.embed", _external=True),
                           base_maps={k: v for k, v in labels.base_map_names().items() if k != "extra"},
                           allowed=current_app.config.get("EMBED_ALLOWED_ORIGINS", []))


@bp.get("/api/search")
def search_places():
    """Published sites and units whose name or address holds q, accents ignored: [{kind, name, lat, lon, …}]."""
    params.reject_unknown(request.args, ("q",))
    return jsonify({"results": search.search(get_session(), request.args.get("q"), lang=labels.lang())})
