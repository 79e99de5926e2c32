"""Figures that can be mapped by administrative unit for the progress choropleth: the number of sites, and
every indicator of the plan. Each answers the same shape, so the page, the table and the CSV treat them alike.

A new indicator is one IndicatorSpec in geo/plan.py; it is offered here with no other change.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import figures
from geo.catalogue import CATEGORY_CODES, PLAN_YEARS, STATUSES
from geo.errors import N_, BadParameter
from geo.plan import INDICATOR_CODES, INDICATORS, check_choice
from geo.site_query import in_year, unit_column, units_of

SITES = {"code": "sites", "name_vi": "Số điểm", "name_en": "Number of sites", "unit": "điểm", "unit_en": "sites",
         "kind": "count"}


def _site_counts(session: Session, first: int, last: int, level: str, category: str | None,
                 status: str | None) -> dict[tuple[int, str], int]:
    """(year, unit code) -> published sites of that unit in that year, for every year first..last where there are
    any, optionally of one category and one status.

    Read from the 'sites' groups of site_figure (migration 0011), which hold every published site and nothing
    else, folded by category, status, units and years; in_year decides a group's years as a site's."""
    column = unit_column(level, "g")
    clauses = ["g.figure = 'sites'"]
    params: dict[str, Any] = {"first": first, "last": last}
    if category:
        clauses.append("g.category_code = :category")
        params["category"] = category
    if status:
        clauses.append("g.status = :status")
        params["status"] = status
    return {(year, code): n for year, code, n in session.execute(text(
        f"SELECT y.year, {column}, sum(g.sites)::bigint FROM site_figure g "
        f"JOIN generate_series(:first, :last) AS y(year) ON {in_year('g', 'y.year')} "
        f"WHERE {' AND '.join(clauses)} GROUP BY y.year, {column}"), params).all()}  # noqa: S608 - fixed SQL


def count_sites_by_unit(session: Session, year: int, level: str, *, category: str | None = None,
                        status: str | None = None) -> dict[str, Any]:
    """Published sites of the year counted by unit of a level, optionally of one category and one status."""
    counts = _site_counts(session, year, year, level, category, status)
    rows = [{"code": u["code"], "name": u["name"], "value": counts.get((year, u["code"]), 0)}
            for u in units_of(session, level)]
    return {"rows": rows, "total": sum(counts.values())}  # sites outside any unit too


def sites_over_years(session: Session, first: int, last: int, level: str, *, category: str | None = None,
                     status: str | None = None) -> list[int]:
    """The published-site count of every unit of a level in every year first..last (zero where none): what the
    /progress legend of all the plan's years is drawn from."""
    counts = _site_counts(session, first, last, level, category, status)
    codes = [u["code"] for u in units_of(session, level)]
    return [counts.get((year, code), 0) for year in range(first, last + 1) for code in codes]


def values_over_years(session: Session, figure: str, first: int, last: int, level: str, *,
                      category: str | None = None, status: str | None = None) -> list[float | None]:
    """Every unit's value of a figure in every year first..last (None = no data): what a legend that keeps its
    classes while the years play is drawn from."""
    if figure == SITES["code"]:
        return sites_over_years(session, first, last, level, category=category, status=status)
    return figures.values_over_years(session, figure, first, last, level)


def page(session: Session, figure: str, year: int, level: str, *, category: str | None = None,
         status: str | None = None, summary: bool = True) -> dict[str, Any]:
    """Everything /progress shows of a figure, in one call: the year's rows by unit (by_unit); by_progress_status,
    whether the plan sets a target for every unit (the map then shows how far each is from it); over_years, every
    unit's value in every plan year otherwise (the legend's classes, alike in every year); and summary, every
    indicator for the province in the year with its path (when asked)."""
    result = by_unit(session, figure, year, level, category=category, status=status)
    result["by_progress_status"] = any(row.get("target") for row in result["rows"])
    result["over_years"] = None if result["by_progress_status"] else values_over_years(
        session, result["figure"]["code"], PLAN_YEARS[0], PLAN_YEARS[-1], level, category=category, status=status)
    result["summary"] = figures.summary(session, year) if summary else None
    return result


def figure_choices() -> list[dict[str, str]]:
    """Every figure the page offers: the number of sites, then the plan's indicators."""
    return [{"code": SITES["code"], "name_vi": SITES["name_vi"], "name_en": SITES["name_en"]},
            *({"code": spec.code, "name_vi": spec.name_vi, "name_en": spec.name_en} for spec in INDICATORS)]


def by_unit(session: Session, figure: str, year: int, level: str, *, category: str | None = None,
            status: str | None = None) -> dict[str, Any]:
    """A figure by unit for a year: rows of code, name, value (None = no data), and how to read them."""
    if category:
        check_choice("category", category, CATEGORY_CODES)
    if status:
        check_choice("status", status, STATUSES)
    if figure == SITES["code"]:
        result = count_sites_by_unit(session, year, level, category=category, status=status)
        return {"figure": SITES, "year": year, "level": level, "rows": result["rows"],
                "province": {"value": result["total"]}, "target": None, "thresholds": None}
    if figure not in INDICATOR_CODES:
        raise BadParameter("figure", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=figure, allowed=", ".join([SITES["code"], *INDICATOR_CODES]))
    result = figures.progress(session, figure, year, level)
    rows = [{"code": r["code"], "name": r["name"], "value": r["value"], "numerator": r.get("numerator"),
             "denominator": r.get("denominator"), "target": r.get("target"),
             "progress_status": r.get("progress_status")} for r in result["units"]]
    indicator = result["indicator"]
    return {"figure": {"code": figure, "name_vi": indicator["name_vi"], "name_en": indicator["name_en"],
                       "unit": indicator["unit"], "unit_en": indicator["unit_en"], "kind": "indicator",
                       "description_vi": indicator["description_vi"], "description_en": indicator["description_en"]},
            "year": year, "level": level, "rows": rows, "province": result["province"],
            "target": result["target"], "thresholds": result["thresholds"]}
