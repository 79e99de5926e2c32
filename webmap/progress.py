"""Progress against the plan: the choropleth of a figure by district (or 2025 commune) with its table and CSV,
and the planners' entry of the figures the sites cannot tell."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user

from geo import boundaries, figures, manual_values, progress
from geo.catalogue import PLAN_YEARS, PROVINCE_CODE
from geo.cells import spreadsheet_text
from geo.errors import N_, BadParameter, DomainError, InvalidRecord
from geo.plan import BY_CODE, MATERIAL_SECTORS, PROGRESS_STATUS_COLOURS, current_year, spec_of
from geo.site_query import MAX_LIMIT, SiteFilters
from geo.sites import site_rows
from webmap import caching, labels, mapbuild, params, progress_view
from webmap.auth import planner_required
from webmap.db import get_session
from webmap.errors import field_messages, status_for
from webmap.maps import map_options

bp = Blueprint("progress", __name__)

VIEW = ("basemap", "lat", "lon", "zoom")


def _year_and_level(args: dict[str, str]) -> tuple[int, str]:
    year = params.year(args.get("year"), default=2025)
    return year, params.level(args.get("level"), year)


def progress_figures(args: dict[str, str], *, summary: bool = False) -> dict[str, Any]:
    """The chosen figure by unit, checked, with its legend classes and colours (and the province's summary)."""
    params.reject_unknown(args, ("figure", "year", "level", "category", "status", "unit", *VIEW))
    year, level = _year_and_level(args)
    result = progress.page(get_session(), args.get("figure") or "sites", year, level,
                           category=args.get("category") or None, status=args.get("status") or None,
                           summary=summary)
    result["classes"] = [] if result["by_progress_status"] else classify(result["over_years"])
    for row in result["rows"]:
        row["colour"] = progress_view.row_colour(row, result)
    return result


def classify(values: list[float | None]) -> list[dict[str, Any]]:
    """Legend classes for the values (progress_view.classes), each with its label in the page's language."""
    found = progress_view.classes(values)
    for item in found:
        item["label"] = progress_view.class_label(
            item, _number, lambda low, high: _("trên %(low)s đến %(high)s", low=low, high=high))
    return found


def legend(result: dict[str, Any]) -> list[dict[str, str]]:
    """The legend of the map, in the page's language."""
    return progress_view.legend(result, labels.progress_status_names(), _("Chưa có số liệu"))


def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


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


SITES_DESCRIPTION = (N_("Số điểm đã công bố có trong năm, theo loại và trạng thái đã chọn; kế hoạch không đặt chỉ "
                        "tiêu cho con số này."))


def _target_text(target: dict[str, Any] | None, unit: str = "") -> str:
    if not target:
        return "—"
    text = _number(target["low"]) + (f"–{_number(target['high'])}" if target["high"] != target["low"] else "")
    return f"{text} {unit}".strip()


def _description(figure: dict[str, Any], english: bool) -> str:
    """What the figure counts and its target, in one plain sentence (no field names)."""
    spec = BY_CODE.get(figure["code"])
    if spec is None:
        return _(SITES_DESCRIPTION)
    return spec.plain_en if english else spec.plain_vi


def sector_chart(result: dict[str, Any], english: bool, unit: str) -> dict[str, Any]:
    """The province figure of a hand-entered indicator by sector, as bars scaled to the largest value or target."""
    breakdown = (result["province"] or {}).get("breakdown") or {}
    target = result.get("target")
    values = [item["value"] for item in breakdown.values() if item.get("value") is not None]
    top = max([*values, *([target["high"]] if target else [])], default=0) or 1.0
    bars = [{"label": item["label_en"] if english else item["label_vi"], "value_text": _number(item.get("value")),
             "width": 0.0 if item.get("value") is None else round(100 * max(item["value"], 0) / top, 1)}
            for item in breakdown.values()]
    return {"bars": bars, "target_left": round(100 * target["low"] / top, 1) if target else None,
            "target_text": _("Chỉ tiêu của năm: %(target)s", target=_target_text(target, unit)) if target else ""}


def summary_rows(summary: list[dict[str, Any]], year: int, english: bool) -> list[dict[str, Any]]:
    """Every indicator for the province in the year against its targets, ready to show."""
    words = labels.progress_status_names()
    rows = []
    for item in summary:
        unit = item["unit_en"] if english else item["unit"]
        status = item.get("progress_status")
        rows.append({"code": item["code"], "name": item["name_en"] if english else item["name_vi"],
                     "link": url_for("progress.progress_page", figure=item["code"], year=year, lang=labels.lang()),
                     "value_text": _number(item["value"]) + (f" {unit}" if item["value"] is not None else ""),
                     "status": status, "status_text": words.get(status, ""),
                     "status_colour": PROGRESS_STATUS_COLOURS.get(status) if status else None,
                     "target_2025": _target_text(item["targets"]["2025"]),
                     "target_2030": _target_text(item["targets"]["2030"]),
                     "sparkline": progress_view.sparkline(item["path"])})
    return rows


def page_state(args: dict[str, str]) -> dict[str, Any]:
    """Everything of the page that changes with the year, worded and coloured: the page and its JSON share it."""
    result = progress_figures(args, summary=True)
    english = labels.english()
    figure, year = result["figure"], result["year"]
    status_words = labels.progress_status_names()
    view = {k: v for k, v in args.items() if k != "unit"}
    for row in result["rows"]:
        row["link"] = url_for("progress.progress_page", **view, unit=row["code"]) + "#sites-behind"
        row["value_text"] = _number(row["value"])
        row["status_text"] = status_words.get(row.get("progress_status"), "")
    name = figure["name_en"] if english else figure["name_vi"]
    unit = figure["unit_en"] if english else figure["unit"]
    for row in result["rows"]:
        row["target_text"] = _target_text(row["target"], unit) if row.get("target") else ""
    if result["by_progress_status"]:
        heading = _("Chú giải: so với chỉ tiêu của năm") + (f" ({_target_text(result['target'], unit)})"
                                                             if result["target"] else "")
    else:
        heading = _("Chú giải (%(unit)s), chung cho các năm %(first)s–%(last)s", unit=unit, first=PLAN_YEARS[0],
                    last=PLAN_YEARS[-1])
    manual = BY_CODE.get(figure["code"]) is not None and BY_CODE[figure["code"]].kind == "manual"
    return {
        "result": result, "year": year, "level": result["level"], "figure_name": name, "figure_unit": unit,
        "title": f"{name} — {year}", "description": _description(figure, english),
        "legend_heading": heading, "legend": legend(result),
        "chart": sector_chart(result, english, unit) if manual else None,
        "province": {"value_text": _number(result["province"].get("value")),
                     "status_text": status_words.get(result["province"].get("progress_status"), "")},
        "summary_heading": _("Toàn tỉnh năm %(year)s so với chỉ tiêu", year=year),
        "summary": summary_rows(result.pop("summary"), year, english),
        "links": {"report_xlsx": url_for("reports.workbook", year=year, level=result["level"]),
                  "report_xlsx_text": _("Báo cáo năm %(year)s (Excel)", year=year),
                  "report_page": url_for("reports.page", year=year, level=result["level"]),
                  "csv": url_for("progress.progress_csv", **view)},
    }


def unit_items(result: dict[str, Any]) -> list[dict[str, str]]:
    """Each unit as the page's script shows it on the map (its colour, and its box when tapped): raw text, which
    the script writes as text nodes."""
    return [{k: row[k] for k in ("code", "name", "colour", "value_text", "status_text", "target_text", "link")}
            for row in result["rows"]]


@bp.get("/progress.json")
def progress_json() -> Response:
    """The page's figures for another year, worded and coloured, so its script redraws without reloading; kept
    by browsers and nginx until the data changes (the ETag carries the data version)."""
    args = params.with_aliases(request.args.to_dict())

    def build() -> Response:
        state = page_state(args)
        result = state.pop("result")
        result.pop("over_years", None)
        state["units"] = unit_items(result)
        return jsonify(state)

    return caching.public_for_visitors(build)


@bp.get("/progress")
def progress_page() -> Response:
    """The choropleth of a figure by district (or 2025 commune) for a year, with the table beside it; kept by
    browsers and nginx for visitors until the data changes."""
    args = params.with_aliases(request.args.to_dict())
    return caching.public_for_visitors(lambda: Response(_progress_html(args), mimetype="text/html"))


def _progress_html(args: dict[str, str]) -> str:
    state = page_state(args)
    result = state["result"]
    by_code = {row["code"]: row for row in result["rows"]}
    behind, chosen_unit = None, args.get("unit")
    if chosen_unit:
        if chosen_unit not in by_code and chosen_unit != PROVINCE_CODE:
            raise BadParameter("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=chosen_unit)
        behind = _sites_behind(result, chosen_unit, args)
    map_parts, config = None, None
    if state["chart"] is None:
        m, layer = _choropleth(result, args)
        map_parts = mapbuild.page_parts(m, shared=(layer,))
        config = {"map": m.get_name(), "layer": layer.get_name(), "fit": not (args.get("lat") or args.get("lon")),
                  "units": unit_items(result),
                  "key": {k: state[k] for k in ("figure_name", "figure_unit", "legend_heading", "legend")}}
    config = {**(config or {}), "json": url_for("progress.progress_json"), "year": result["year"],
              "level": result["level"], "lang": labels.lang(),
              "words": {"play": _("Phát"), "pause": _("Dừng"), "failed": _("Không tải được số liệu của năm này."),
                        "value": _("Giá trị"), "status": _("So với chỉ tiêu"), "target": _("Chỉ tiêu của năm"),
                        "sites": _("Xem các điểm tạo nên số liệu")}}
    return render_template(
        "progress/progress.html", map=map_parts, config=config, state=state, result=result, behind=behind,
        chosen_unit=chosen_unit, unit_name=(by_code.get(chosen_unit) or {}).get("name"), number=_number,
        figures=progress.figure_choices(), english=labels.english(), args=args,
        categories=labels.category_list(), statuses=labels.status_choices(), years=list(PLAN_YEARS))


def _choropleth(result: dict[str, Any], args: dict[str, str]):
    """The Folium map of the units coloured by their figure, with a full-screen button; and its unit layer."""
    units = boundaries.units_features(get_session(), result["level"], simplify_m=100)
    by_code = {row["code"]: row for row in result["rows"]}
    for feature in units["features"]:
        row = by_code.get(feature["properties"]["code"], {})
        for key in ("value_text", "status_text", "link"):
            feature["properties"][key] = row.get(key, "")
    options = map_options({k: v for k, v in args.items() if k in VIEW})
    options.labels = {**options.labels, "layer": _("Giá trị theo đơn vị"), "unit": _("Đơn vị"),
                      "value": _("Giá trị"), "status": _("So với chỉ tiêu")}
    m, layer = mapbuild.choropleth_map(units, {row["code"]: row["colour"] for row in result["rows"]}, options)
    mapbuild.add_fullscreen(m, options.labels)
    return m, layer


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
    ), status_for(InvalidRecord) if refused else 200
