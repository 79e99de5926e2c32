"""Progress against the plan: the choropleth of a figure by district (or 2025 commune) with its table and CSV,
and the planners' entry of the figures the sites cannot tell."""
from __future__ import annotations

import csv
import io
from typing import Any

import mapclassify
import numpy as np
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user

from geo import boundaries, figures, manual_values, progress
from geo.catalogue import PLAN_YEARS, PROVINCE_CODE
from geo.cells import spreadsheet_text
from geo.errors import N_, BadParameter, DomainError
from geo.plan import MATERIAL_SECTORS, PROGRESS_STATUS_COLOURS, current_year, spec_of
from geo.site_query import MAX_LIMIT, SiteFilters
from geo.sites import site_rows
from webmap import labels, mapbuild, params
from webmap.assets import use_local_assets
from webmap.auth import planner_required
from webmap.db import get_session
from webmap.errors import field_messages
from webmap.maps import map_options

bp = Blueprint("progress", __name__)

CLASS_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_DATA_COLOUR = "#d9d9d9"
VIEW = ("basemap", "lat", "lon", "zoom")


def _year_and_level(args: dict[str, str]) -> tuple[int, str]:
    year = params.year(args.get("year"), default=2025)
    return year, params.level(args.get("level"), year)


def progress_figures(args: dict[str, str]) -> dict[str, Any]:
    """The chosen figure by unit, checked, with its legend classes and colours."""
    params.reject_unknown(args, ("figure", "year", "level", "category", "status", "unit", *VIEW))
    year, level = _year_and_level(args)
    result = progress.by_unit(get_session(), args.get("figure") or "sites", year, level,
                              category=args.get("category") or None, status=args.get("status") or None)
    result["classes"] = classify([row["value"] for row in result["rows"]])
    # Where the plan sets a target for every unit, the map shows how far each is from it.
    result["by_progress_status"] = any(row.get("target") for row in result["rows"])
    for row in result["rows"]:
        row["colour"] = (PROGRESS_STATUS_COLOURS.get(row.get("progress_status") or "no_data", NO_DATA_COLOUR)
                         if result["by_progress_status"] else colour_of(row["value"], result["classes"]))
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


def _sites_behind(result: dict[str, Any], unit: str, args: dict[str, str]) -> list[dict[str, Any]]:
    """The sites a unit's figure is made of."""
    session = get_session()
    if result["figure"]["kind"] == "indicator":
        return figures.sites_behind(session, result["figure"]["code"], unit, result["year"])
    filters = SiteFilters(year=result["year"], limit=MAX_LIMIT,
                          categories=(args["category"],) if args.get("category") else (),
                          statuses=(args["status"],) if args.get("status") else ())
    if unit != PROVINCE_CODE:
        setattr(filters, f"{result['level']}s", (unit,))
    return site_rows(session, filters)


@bp.get("/progress")
def progress_page() -> str:
    """The choropleth of a figure by district (or 2025 commune) for a year, with the table beside it."""
    use_local_assets()
    args = params.with_aliases(request.args.to_dict())
    result = progress_figures(args)
    english = labels.english()
    status_words = labels.progress_status_names()
    units = boundaries.units_features(get_session(), result["level"], simplify_m=100)
    by_code = {row["code"]: row for row in result["rows"]}
    view = {k: v for k, v in args.items() if k != "unit"}
    for feature in units["features"]:
        code = feature["properties"]["code"]
        row = by_code.get(code, {})
        feature["properties"]["value_text"] = _number(row.get("value"))
        feature["properties"]["status_text"] = status_words.get(row.get("progress_status"), "")
        feature["properties"]["link"] = url_for("progress.progress_page", **view, unit=code) + "#sites-behind"
        row["link"] = feature["properties"]["link"]
    options = map_options({k: v for k, v in args.items() if k in VIEW})
    options.labels = {"layer": _("Giá trị theo đơn vị"), "unit": _("Đơn vị"), "value": _("Giá trị"),
                      "status": _("So với chỉ tiêu")}
    m = mapbuild.choropleth_map(units, {row["code"]: row["colour"] for row in result["rows"]}, options)
    figure = result["figure"]
    behind, chosen_unit = None, args.get("unit")
    if chosen_unit:
        if chosen_unit not in by_code and chosen_unit != PROVINCE_CODE:
            raise BadParameter("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=chosen_unit)
        behind = _sites_behind(result, chosen_unit, args)
    return render_template(
        "progress/progress.html", map=mapbuild.page_parts(m), result=result, number=_number,
        status_words=status_words, behind=behind, chosen_unit=chosen_unit,
        unit_name=(by_code.get(chosen_unit) or {}).get("name"),
        summary=figures.summary(get_session(), result["year"]), sparkline=sparkline,
        status_colours=PROGRESS_STATUS_COLOURS,
        report_xlsx=url_for("reports.workbook", year=result["year"], level=result["level"]),
        report_page=url_for("reports.page", year=result["year"], level=result["level"]),
        figure_name=figure["name_en"] if english else figure["name_vi"],
        figure_unit=figure["unit_en"] if english else figure["unit"],
        figures=progress.figure_choices(), english=english, args=args,
        categories=labels.category_list(), statuses=labels.status_choices(),
        years=list(PLAN_YEARS), csv_url=url_for("progress.progress_csv", **args))


def _plain(value: Any) -> str:
    """A number as a CSV cell: whole numbers without '.0', no data as an empty cell."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(round(number, 4))


@bp.get("/progress.csv")
def progress_csv() -> Response:
    """The progress table as CSV (UTF-8 with BOM, so spreadsheet programs keep the diacritics)."""
    result = progress_figures(params.with_aliases(request.args.to_dict()))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Mã đơn vị"), _("Đơn vị"), _("Năm"), _("Giá trị"), _("Tử số"), _("Mẫu số"),
                     _("Chỉ tiêu của năm"), _("So với chỉ tiêu")])
    for row in result["rows"]:
        target = row.get("target") or {}
        writer.writerow([row["code"], spreadsheet_text(row["name"]), result["year"], _plain(row["value"]),
                         _plain(row.get("numerator")), _plain(row.get("denominator")), _plain(target.get("low")),
                         row.get("progress_status") or ""])
    name = f"tien-do-{result['figure']['code']}-{result['level']}-{result['year']}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/staff/indicators", methods=["GET", "POST"])
@planner_required
def manual_values_page():
    """Planners enter the figures the sites cannot tell (cut in material and fuel use by sector), a year's table
    at a time: every changed row is version-checked and all are saved with their history, or none is."""
    session = get_session()
    spec = spec_of("material_fuel_cut")
    year = params.year(request.values.get("year"), default=current_year())
    fields = ("unit_code", "sector", "value", "note", "version", "was_value", "was_note")
    columns = {field: request.form.getlist(field) for field in fields}
    typed = [{field: columns[field][i] if i < len(columns[field]) else None for field in fields}
             for i in range(len(columns["unit_code"]))]
    # A row the planner did not touch is not written (the table sends every cell); a form of one cell without
    # the values it was shown with (the earlier one-cell form) is always a change.
    changed = [row for row in typed if row["was_value"] is None
               or ((row["value"] or "").strip(), (row["note"] or "").strip())
               != (row["was_value"], row["was_note"] or "")]
    refused: dict[str, str] = {}
    if request.method == "POST":
        try:
            manual_values.record_manual_values(session, spec.code, year, changed, reported_by=current_user.actor.id)
        except DomainError as error:
            session.rollback()
            refused = field_messages(error)
        else:
            session.commit()
            flash(_("Đã lưu %(n)s giá trị", n=len(changed)) if changed else _("Không có gì thay đổi: chưa lưu gì"))
            return redirect(url_for("progress.manual_values_page", year=year))
    result = figures.progress(session, spec.code, year)
    units = [{"code": PROVINCE_CODE, "name": result["province"]["name"],
              "breakdown": result["province"]["breakdown"]}] + result["units"]
    unit_names = {u["code"]: u["name"] for u in units}
    sectors = {key: (en if labels.english() else vi) for key, (vi, en) in MATERIAL_SECTORS.items()}
    # Each refusal names its row (unit and sector) and its field in words, in the page's language.
    errors: dict[tuple[str, str], list[str]] = {}
    messages = []
    for key, message in refused.items():
        index, _dot, field = key.partition(".")
        row = changed[int(index)] if index.isdigit() and int(index) < len(changed) else {}
        where = (str(row.get("unit_code") or ""), str(row.get("sector") or ""))
        said = f"{labels.field_label(field) or field}: {message}"
        errors.setdefault(where, []).append(said)
        messages.append(f"{unit_names.get(where[0], where[0])}, {sectors.get(where[1], where[1])} — {said}")
    history = {(u["code"], key): manual_values.manual_value_history(session, spec.code, u["code"], year, key)
               for u in units for key in spec.breakdown_keys if ((u.get("breakdown") or {}).get(key) or {}).get("id")}
    return render_template(
        "progress/manual_values.html", spec=spec, year=year, units=units, errors=errors, messages=messages,
        sectors=sectors, history=history, english=labels.english(), years=list(PLAN_YEARS),
        typed={(row["unit_code"], row["sector"]): row for row in typed} if refused else {},
        figure=lambda value: "" if value is None else format_decimal(value, format="0.##########"),
    ), 422 if refused else 200
