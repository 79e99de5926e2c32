"""The map pages: the planners' map (/), the progress choropleth (/progress), the public embed (/embed)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import urlencode

import mapclassify
import numpy as np
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, format_decimal, get_locale, gettext as _

from geo import boundaries, indicators, progress, sites
from geo.catalogue import CATEGORIES, CATEGORY_CODES, LEAD_AGENCIES, MEASURES, PLAN_TASKS, STATUSES
from geo.errors import N_, BadParameter
from webmap import mapbuild
from webmap.assets import use_local_assets
from webmap.db import get_session
from webmap.i18n import LANGUAGES

bp = Blueprint("maps", __name__)

STATUS_NAMES = {
    "planned": N_("Kế hoạch"), "active": N_("Đang hoạt động"), "completed": N_("Hoàn thành"),
    "suspended": N_("Tạm dừng"), "phased_out": N_("Đã loại bỏ"),
}
PRECISION_NAMES = {"exact": N_("Chính xác"), "ward": N_("Theo xã, phường"), "district": N_("Theo huyện")}
BASE_MAP_NAMES = {"osm": N_("Bản đồ đường phố (OpenStreetMap)"), "topo": N_("Địa hình (OpenTopoMap)"),
                  "satellite": N_("Ảnh vệ tinh (Esri)"), "blank": N_("Nền trống (không cần Internet)"),
                  "extra": N_("Bản đồ nền của tỉnh")}
CLASS_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_DATA_COLOUR = "#d9d9d9"


def _lang() -> str:
    return str(get_locale() or "vi")


def category_list() -> list[dict[str, Any]]:
    """Categories with their name in the page's language."""
    english = _lang() == "en"
    return [{"code": c.code, "name": c.name_en if english else c.name_vi, "colour": c.colour, "icon": c.icon,
             "plan_tasks": c.plan_tasks} for c in CATEGORIES]


def map_labels() -> dict[str, Any]:
    """Every word the browser script writes into popups and the count, in the page's language."""
    english = _lang() == "en"
    return {
        "lang": _lang(), "category": _("Loại"), "status": _("Trạng thái"), "district": _("Huyện"),
        "commune": _("Xã, phường (từ 01/07/2025)"), "plan_task": _("Nhiệm vụ của kế hoạch"),
        "lead_agency": _("Cơ quan chủ trì"), "address": _("Địa chỉ"), "start_date": _("Ngày bắt đầu"),
        "end_date": _("Ngày kết thúc"), "source": _("Nguồn"), "precision": _("Độ chính xác vị trí"),
        "sample": _("mẫu"), "yes": _("Có"), "no": _("Không"), "loading": _("Đang tải các điểm…"),
        "count": _("Đang hiển thị %(count)s điểm"), "load_failed": _("Không tải được các điểm; hãy thử tải lại trang."),
        "districts": _("Ranh giới huyện (gần đúng)"), "fullscreen": _("Toàn màn hình"),
        "fullscreen_exit": _("Thoát toàn màn hình"),
        "statuses": {k: _(v) for k, v in STATUS_NAMES.items()},
        "precisions": {k: _(v) for k, v in PRECISION_NAMES.items()},
        "measures": {k: {"label": en if english else vi, "unit": unit} for k, (vi, en, unit) in MEASURES.items()},
    }


def _map_options(args: dict[str, str], *, fullscreen: bool = True) -> mapbuild.MapOptions:
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
        if not (8.0 <= centre[0] <= 11.5 and 102.5 <= centre[1] <= 106.5):
            raise BadParameter("lat", N_("Tâm bản đồ phải ở trong vùng Kiên Giang (vĩ độ 8–11,5; kinh độ 102,5–106,5)"))
    zoom = sites._integer("zoom", args.get("zoom"), 6, 18) or mapbuild.DEFAULT_ZOOM
    return mapbuild.MapOptions(
        centre=centre, zoom=zoom, base_map=base_map, fullscreen=fullscreen,
        base_map_names={k: _(v) for k, v in BASE_MAP_NAMES.items()},
        extra_tile_url=current_app.config.get("TILE_URL"), labels=map_labels())


def _site_args(args: dict[str, str]) -> dict[str, str]:
    """The query parameters that go on to /api/sites: the filters, nothing about the view."""
    keep = ("category", "status", "district", "commune", "plan_task", "lead_agency", "year", "start_year")
    return {k: v for k, v in args.items() if k in keep and v}


def _districts(simplify_m: float = 150.0) -> dict[str, Any]:
    return json.loads(boundaries.units_geojson(get_session(), "district", simplify_m=simplify_m))


@bp.get("/")
def index() -> str:
    """The planners' coverage map with its filters; the filter state lives in the URL."""
    use_local_assets()
    args = request.args.to_dict()
    view_args = {k: args.pop(k) for k in ("basemap", "lat", "lon", "zoom") if k in args}
    session = get_session()
    sites.parse_filters({k: v for k, v in args.items() if v},
                        known_districts=sites.known_unit_codes(session, "district"))
    filters = _site_args(args)
    m = mapbuild.site_map(category_list(), _districts(), url_for("api.list_sites", limit=sites.MAX_LIMIT, **filters),
                          _map_options(view_args), script_url=url_for("static", filename="sites.js"))
    if filters.get("category"):
        chosen = set(filters["category"].split(","))
        legend = [c for c in category_list() if c["code"] in chosen]
    else:
        legend = category_list()
    return render_template(
        "map.html", map=mapbuild.page_parts(m), legend=legend, filters=filters, categories=category_list(),
        statuses=[(s, _(STATUS_NAMES[s])) for s in STATUSES], districts=boundaries.list_units(session, "district"),
        plan_tasks=PLAN_TASKS, lead_agencies=LEAD_AGENCIES, years=list(range(2021, 2031)),
        chosen_categories=set(filters.get("category", "").split(",")) - {""})


def _year_and_geography(args: dict[str, str]) -> tuple[int, str]:
    year = sites._integer("year", args.get("year"), 2020, 2030) or 2025
    geography = args.get("geography") or indicators.default_geography(year)
    if geography not in ("district", "commune"):
        raise BadParameter("geography", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=geography, allowed="district, commune")
    return year, geography


def progress_figures(args: dict[str, str]) -> dict[str, Any]:
    """The chosen measure by unit, checked, with its legend classes and colours."""
    known = {"measure", "year", "geography", "category", "status", "unit", "lang", "basemap", "lat", "lon", "zoom"}
    for name in args:
        if name not in known:
            raise BadParameter(name, N_("Tham số không được hỗ trợ; các tham số có: %(names)s"),
                               names=", ".join(sorted(known)))
    year, geography = _year_and_geography(args)
    result = progress.figures(get_session(), args.get("measure") or "sites", year, geography,
                              category=args.get("category") or None, status=args.get("status") or None)
    result["classes"] = classify([row["value"] for row in result["rows"]])
    # Where the plan sets a target for every unit, the map shows how far each is from it.
    result["by_status"] = any(row.get("target") for row in result["rows"])
    for row in result["rows"]:
        row["colour"] = (indicators.STATUS_COLOURS.get(row.get("status") or "no_data", NO_DATA_COLOUR)
                         if result["by_status"] else colour_of(row["value"], result["classes"]))
    return result


def classify(values: list[float | None]) -> list[dict[str, Any]]:
    """Legend classes for the values: zero on its own, then natural breaks (Jenks) of what is above it."""
    present = np.array([float(v) for v in values if v is not None], dtype=float)
    classes: list[dict[str, Any]] = []
    positive = present[present > 0]
    if (present == 0).any():
        classes.append({"low": 0.0, "high": 0.0, "colour": CLASS_COLOURS[0]})
    if positive.size:
        distinct = np.unique(positive)
        k = min(4, distinct.size)
        bins = list(mapclassify.NaturalBreaks(positive, k=k).bins) if k > 1 else [float(distinct[0])]
        low = float(positive.min())
        for index, high in enumerate(bins):
            classes.append({"low": low, "high": float(high), "colour": CLASS_COLOURS[index + 1]})
            low = float(high)
    return classes


def colour_of(value: float | None, classes: list[dict[str, Any]]) -> str:
    """The fill of a value: its class's colour, grey for no data."""
    if value is None:
        return NO_DATA_COLOUR
    for item in classes:
        if value <= item["high"]:
            return item["colour"]
    return classes[-1]["colour"] if classes else NO_DATA_COLOUR


def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


@bp.get("/progress")
def progress_page() -> str:
    """The choropleth of a measure by district (or 2025 commune) for a year, with the table beside it."""
    use_local_assets()
    args = request.args.to_dict()
    result = progress_figures(args)
    english = _lang() == "en"
    status_words = {"on_track": _("Đạt tiến độ"), "behind": _("Chậm"), "far_behind": _("Chậm nhiều"),
                    "no_data": _("Chưa có số liệu"), None: ""}
    units = json.loads(boundaries.units_geojson(get_session(), result["geography"], simplify_m=100))
    by_code = {row["code"]: row for row in result["rows"]}
    view = {k: v for k, v in args.items() if k != "unit"}
    for feature in units["features"]:
        code = feature["properties"]["code"]
        row = by_code.get(code, {})
        feature["properties"]["value_text"] = _number(row.get("value"))
        feature["properties"]["status_text"] = status_words.get(row.get("status"), "")
        feature["properties"]["link"] = url_for("maps.progress_page", **view, unit=code) + "#sites-behind"
        row["link"] = feature["properties"]["link"]
    options = _map_options({k: v for k, v in args.items() if k in ("basemap", "lat", "lon", "zoom")})
    options.labels = {"layer": _("Giá trị theo đơn vị"), "unit": _("Đơn vị"), "value": _("Giá trị"),
                      "status": _("So với chỉ tiêu")}
    m = mapbuild.choropleth_map(units, {row["code"]: row["colour"] for row in result["rows"]}, options)
    measure = result["measure"]
    session = get_session()
    behind, chosen_unit = None, args.get("unit")
    if chosen_unit:
        if chosen_unit not in by_code and chosen_unit != indicators.PROVINCE_CODE:
            raise BadParameter("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=chosen_unit)
        if measure["kind"] == "indicator":
            behind = indicators.sites_behind(session, measure["code"], chosen_unit, result["year"])
        else:
            key = "district" if result["geography"] == "district" else "commune"
            filters = sites.parse_filters({key: chosen_unit, "year": str(result["year"]),
                                           **{k: args[k] for k in ("category", "status") if args.get(k)}})
            behind = [f["properties"] for f in json.loads(sites.sites_geojson(session, filters))["features"]]
    summary = indicators.summary(session, result["year"])
    return render_template(
        "progress.html", map=mapbuild.page_parts(m), result=result, number=_number, status_words=status_words,
        behind=behind, chosen_unit=chosen_unit, unit_name=(by_code.get(chosen_unit) or {}).get("name"),
        summary=summary, sparkline=sparkline, status_colours=indicators.STATUS_COLOURS,
        report_xlsx=url_for("reports.workbook", year=result["year"], geography=result["geography"]),
        report_page=url_for("reports.page", year=result["year"], geography=result["geography"]),
        measure_name=measure["name_en"] if english else measure["name_vi"],
        measure_unit=measure["unit_en"] if english else measure["unit"],
        measures=progress.measure_choices(), english=english, args=args,
        categories=category_list(), statuses=[(s, _(STATUS_NAMES[s])) for s in STATUSES],
        years=list(range(2021, 2031)), csv_url=url_for("maps.progress_csv", **args))


def _plain(value: Any) -> str:
    """A number as a CSV cell: whole numbers without '.0', no data as an empty cell."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(round(number, 4))


def sparkline(path: list[dict[str, Any]], width: int = 90, height: int = 22) -> str:
    """The points of an SVG polyline of a path of values year by year (empty when it has none)."""
    values = [p["value"] for p in path]
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return ""
    top = max(max(present), *[float((p.get("target") or {}).get("low") or 0) for p in path]) or 1.0
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (v / top) * (height - 2) - 1:.1f}"
                    for i, v in enumerate(values) if v is not None)


@bp.get("/progress.csv")
def progress_csv() -> Response:
    """The progress table as CSV (UTF-8 with BOM, so spreadsheet programs keep the diacritics)."""
    result = progress_figures(request.args.to_dict())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Mã đơn vị"), _("Đơn vị"), _("Năm"), _("Giá trị"), _("Tử số"), _("Mẫu số"),
                     _("Chỉ tiêu của năm"), _("So với chỉ tiêu")])
    for row in result["rows"]:
        target = row.get("target") or {}
        writer.writerow([row["code"], row["name"], result["year"], _plain(row["value"]), _plain(row.get("numerator")),
                         _plain(row.get("denominator")), _plain(target.get("low")), row.get("status") or ""])
    name = f"tien-do-{result['measure']['code']}-{result['geography']}-{result['year']}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _embed_args() -> dict[str, str]:
    args = request.args.to_dict()
    known = {"category", "district", "basemap", "lat", "lon", "zoom", "lang"}
    for name in args:
        if name not in known:
            raise BadParameter(name, N_("Tham số không được hỗ trợ; các tham số có: %(names)s"),
                               names=", ".join(sorted(known)))
    return args


@bp.get("/embed")
def embed() -> Response:
    """The public map for the provincial portal: approved sites only, options in the URL, cacheable."""
    use_local_assets()
    args = _embed_args()
    lang = args.get("lang") if args.get("lang") in LANGUAGES else "vi"
    with force_locale(lang):
        session = get_session()
        filters = _site_args({k: args[k] for k in ("category", "district") if k in args})
        sites.parse_filters(filters, known_districts=sites.known_unit_codes(session, "district"))
        chosen = set(filters.get("category", "").split(",")) - {""}
        categories = [c for c in category_list() if not chosen or c["code"] in chosen]
        m = mapbuild.site_map(categories, _districts(), url_for("api.list_sites", limit=sites.MAX_LIMIT, **filters),
                              _map_options(args, fullscreen=False),
                              script_url=url_for("static", filename="sites.js"))
        body = render_template("embed.html", map=mapbuild.page_parts(m), legend=categories, lang=lang,
                               full_url=url_for("maps.index", _external=True, **filters))
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['EMBED_CACHE_SECONDS']}"
    response.headers["Content-Language"] = lang
    return response


@bp.get("/embed/builder")
def embed_builder() -> str:
    """Pick the options of the public map and copy its <iframe> snippet."""
    args = _embed_args()
    chosen = [c for c in request.args.getlist("category") for c in c.split(",") if c in CATEGORY_CODES]
    options = {k: v for k, v in args.items() if v and k != "category"}
    if chosen:
        options["category"] = ",".join(chosen)
    _map_options(options)  # the same checks as /embed: a bad centre or zoom is a 400 here, not in the portal
    src = url_for("maps.embed", _external=True) + ("?" + urlencode(options) if options else "")
    width, height = "100%", "520"
    snippet = (f'<iframe src="{src}" width="{width}" height="{height}" style="border:0" loading="lazy" '
               f'title="{_("Bản đồ sản xuất và tiêu dùng bền vững tỉnh Kiên Giang")}"></iframe>')
    return render_template("embed_builder.html", snippet=snippet, src=src, options=options, chosen=set(chosen),
                           categories=category_list(), districts=boundaries.list_units(get_session(), "district"),
                           base_maps={k: _(v) for k, v in BASE_MAP_NAMES.items() if k != "extra"},
                           allowed=current_app.config.get("EMBED_ALLOWED_ORIGINS", []))


def init_app(app) -> None:
    """Framing rules: /embed only by the configured origins, every other page by none."""

    @app.after_request
    def framing(response: Response) -> Response:
        if request.path == "/embed":
            origins = " ".join(app.config.get("EMBED_ALLOWED_ORIGINS", [])) or "'none'"
            response.headers["Content-Security-Policy"] = f"frame-ancestors {origins}"
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
            response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
