"""Figures by administrative unit for the progress choropleth: simple counts of sites, and the plan's indicators.

Every measure answers the same shape, so the page, the table and the CSV treat them alike, and a new
measure is one entry in MEASURES (plus, for an indicator of the plan, one IndicatorSpec in geo.indicators).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import indicators
from geo.catalogue import CATEGORY_CODES, STATUSES
from geo.errors import N_, BadParameter

PILOT_DISTRICTS = indicators.PILOT_DISTRICTS


@dataclass(frozen=True)
class Measure:
    """A figure that can be mapped by unit: its names, unit, and the function computing it."""

    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    compute: Callable[..., dict[str, Any]]


def _units(session: Session, level: str) -> list[dict[str, str]]:
    return [dict(r._mapping) for r in session.execute(
        text("SELECT code, short_name AS name FROM admin_unit WHERE level = :level ORDER BY code"),
        {"level": level})]


def _active_in_year_sql() -> str:
    # Same rule as the public API's year filter: started by the year's end, not ended before it began.
    return ("s.moderation = 'approved' AND s.deleted_at IS NULL "
            "AND (s.start_date IS NULL OR s.start_date <= make_date(:year, 12, 31)) "
            "AND (s.end_date IS NULL OR s.end_date >= make_date(:year, 1, 1))")


def count_sites(session: Session, year: int, geography: str, *, category: str | None = None,
                status: str | None = None) -> dict[str, Any]:
    """Approved sites counted by unit for a year, optionally of one category and one status."""
    column = "district_code" if geography == "district" else "commune_code"
    clauses = [_active_in_year_sql()]
    params: dict[str, Any] = {"year": year}
    if category:
        clauses.append("s.category_code = :category")
        params["category"] = category
    if status:
        clauses.append("s.status = :status")
        params["status"] = status
    counts = dict(session.execute(text(
        f"SELECT s.{column}, count(*) FROM site s WHERE {' AND '.join(clauses)} GROUP BY s.{column}"),
        params).all())  # noqa: S608 - column is one of two fixed names
    rows = [{**u, "value": counts.get(u["code"], 0)} for u in _units(session, geography)]
    return {"rows": rows, "total": sum(counts.values())}


def pilot_households(session: Session, year: int, geography: str, **_: Any) -> dict[str, Any]:
    """Households taking part in the source-sorting pilots (VI.2), by unit; no data outside the pilot areas."""
    column = "district_code" if geography == "district" else "commune_code"
    sums = dict(session.execute(text(
        f"""SELECT s.{column}, sum((s.measures->>'households')::numeric)
            FROM site s
            WHERE {_active_in_year_sql()} AND s.category_code = 'waste_sorting' AND s.plan_task = 'VI.2'
              AND s.status IN ('active', 'completed') AND s.measures ? 'households'
            GROUP BY s.{column}"""), {"year": year}).all())  # noqa: S608 - fixed column names
    pilot_units = set(PILOT_DISTRICTS)
    if geography == "commune":
        pilot_units = set(session.execute(text(
            """SELECT DISTINCT c.code FROM admin_unit c JOIN admin_unit d
                 ON d.level = 'district' AND d.code = ANY(:pilots)
                AND ST_Intersects(c.geom, d.geom) AND ST_Area(ST_Intersection(c.geom, d.geom)) > 0.5 * ST_Area(c.geom)
               WHERE c.level = 'commune'"""), {"pilots": list(PILOT_DISTRICTS)}).scalars())
    rows = []
    for unit in _units(session, geography):
        value = sums.get(unit["code"])
        if value is None and unit["code"] in pilot_units:
            value = 0
        rows.append({**unit, "value": float(value) if value is not None else None})
    return {"rows": rows, "total": float(sum(v for v in sums.values() if v is not None))}


MEASURES: dict[str, Measure] = {
    "sites": Measure("sites", "Số điểm", "Number of sites", "điểm", "sites", count_sites),
    "pilot_households": Measure("pilot_households", "Số hộ tham gia thí điểm phân loại rác tại nguồn",
                                "Households in the source-sorting pilots", "hộ", "households", pilot_households),
}


def measure_choices() -> list[dict[str, str]]:
    """Every measure the page offers: the simple ones, then the plan's indicators."""
    out = [{"code": m.code, "name_vi": m.name_vi, "name_en": m.name_en} for m in MEASURES.values()]
    out += [{"code": spec.code, "name_vi": spec.name_vi, "name_en": spec.name_en} for spec in indicators.INDICATORS]
    return out


def figures(session: Session, measure: str, year: int, geography: str, *, category: str | None = None,
            status: str | None = None) -> dict[str, Any]:
    """A measure by unit for a year: rows of code, name, value (None = no data), and how to read them."""
    if category and category not in CATEGORY_CODES:
        raise BadParameter("category", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=category, allowed=", ".join(CATEGORY_CODES))
    if status and status not in STATUSES:
        raise BadParameter("status", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=status, allowed=", ".join(STATUSES))
    if measure in MEASURES:
        m = MEASURES[measure]
        result = m.compute(session, year, geography, category=category, status=status)
        return {"measure": {"code": m.code, "name_vi": m.name_vi, "name_en": m.name_en, "unit": m.unit_vi,
                            "unit_en": m.unit_en, "kind": "count"},
                "year": year, "geography": geography, "rows": result["rows"],
                "province": {"value": result["total"]}, "target": None, "thresholds": None}
    codes = [spec.code for spec in indicators.INDICATORS]
    if measure not in codes:
        raise BadParameter("measure", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=measure, allowed=", ".join([*MEASURES, *codes]))
    result = indicators.progress(session, measure, year, geography)
    names = {u["code"]: u["name"] for u in _units(session, geography)}
    rows = [{"code": r["code"], "name": names.get(r["code"], r["name"]), "value": r["value"],
             "numerator": r.get("numerator"), "denominator": r.get("denominator"),
             "target": r.get("target"), "status": r.get("status")} for r in result["units"]]
    description = result["indicator"]
    return {"measure": {"code": measure, "name_vi": description["name_vi"], "name_en": description["name_en"],
                        "unit": description["unit"], "unit_en": description.get("unit_en") or description["unit"],
                        "kind": "indicator", "description_vi": description["description_vi"],
                        "description_en": description["description_en"]},
            "year": year, "geography": geography, "rows": rows, "province": result["province"],
            "target": result["target"], "thresholds": result["thresholds"]}
