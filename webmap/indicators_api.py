"""The plan's indicators and progress as JSON, for other tools and for checks."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from geo import indicators
from webmap.db import get_session

bp = Blueprint("indicators_api", __name__, url_prefix="/api")


def _json(body: object, max_age: int = 60) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/indicators")
def list_indicators() -> Response:
    """Each indicator: code, names, unit, how it is measured, its 2025 and 2030 targets."""
    return _json({"indicators": indicators.list_indicators(get_session()),
                  "status_rule": {"on_track": indicators.ON_TRACK_AT, "behind": indicators.BEHIND_AT}},
                 max_age=3600)


@bp.get("/progress")
def progress() -> Response:
    """One indicator by unit for a year: ?indicator=…&year=…&geography=district|commune[&sector=…]."""
    query = indicators.parse_progress_args(request.args.to_dict())
    return _json(indicators.progress(get_session(), query.indicator, query.year, query.geography, query.sector))


@bp.get("/progress/sites")
def progress_sites() -> Response:
    """The sites behind one unit's figure: ?indicator=…&year=…&unit=…[&sector=…] (unit 91: the province)."""
    query = indicators.parse_progress_args(request.args.to_dict(), need_unit=True)
    sites = indicators.sites_behind(get_session(), query.indicator, query.unit, query.year, query.sector)
    return _json({"indicator": query.indicator, "year": query.year, "unit": query.unit,
                  "numberReturned": len(sites), "sites": sites})


@bp.get("/progress/summary")
def progress_summary() -> Response:
    """Every indicator for the province in a year, with targets, status and its path year by year."""
    args = request.args.to_dict()
    args.pop("lang", None)
    year = indicators.parse_year(args.pop("year", None), default=indicators.current_year())
    indicators.reject_unknown(args)
    return _json({"year": year, "indicators": indicators.summary(get_session(), year)})
