"""The plan's indicators and progress as JSON, for other tools and for checks.

Renamed keys stay readable under their old names for existing clients: `geography` (now `level`) and, in
progress rows, `status` (now `progress_status`); README, "Renamed parameters".
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from geo import figures
from geo.plan import BEHIND_AT, ON_TRACK_AT, current_year, list_indicators
from webmap import params
from webmap.db import get_session

bp = Blueprint("indicators_api", __name__, url_prefix="/api")


def _json(body: object, max_age: int = 60) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _with_old_names(item: dict[str, Any]) -> dict[str, Any]:
    """The item with the renamed keys also under their old names."""
    if "progress_status" in item:
        item["status"] = item["progress_status"]
    if "level" in item:
        item["geography"] = item["level"]
    return item


@bp.get("/indicators")
def indicators() -> Response:
    """Each indicator: code, names, unit, how it is measured, its 2025 and 2030 targets."""
    return _json({"indicators": list_indicators(get_session()),
                  "progress_status_rule": {"on_track": ON_TRACK_AT, "behind": BEHIND_AT},
                  "status_rule": {"on_track": ON_TRACK_AT, "behind": BEHIND_AT}}, max_age=3600)


@bp.get("/progress")
def progress() -> Response:
    """One indicator by unit for a year: ?indicator=…&year=…&level=district|commune[&sector=…]."""
    query = params.progress_query(request.args.to_dict())
    result = figures.progress(get_session(), query.indicator, query.year, query.level, query.sector)
    for row in (*result["units"], result["province"]):
        _with_old_names(row)
    return _json(_with_old_names(result))


@bp.get("/progress/sites")
def progress_sites() -> Response:
    """The sites behind one unit's figure: ?indicator=…&year=…&unit=…[&sector=…] (unit 91: the province)."""
    query = params.progress_query(request.args.to_dict(), need_unit=True)
    sites = figures.sites_behind(get_session(), query.indicator, query.unit, query.year, query.sector)
    return _json({"indicator": query.indicator, "year": query.year, "unit": query.unit,
                  "numberReturned": len(sites), "sites": sites})


@bp.get("/progress/summary")
def progress_summary() -> Response:
    """Every indicator for the province in a year, with targets, progress status and its path year by year."""
    args = request.args.to_dict()
    year = params.year(args.pop("year", None), default=current_year())
    params.reject_unknown(args)
    summary = figures.summary(get_session(), year)
    for item in summary:
        _with_old_names(item)
        for step in item["path"]:
            _with_old_names(step)
    return _json({"year": year, "indicators": summary})
