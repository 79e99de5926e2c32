"""The rules that decide which sites count, each written once: published, counted in a year, the units of a
level, and the filters of a site query as SQL. The API, tiles, progress, indicators, report and exports call
these; none writes its own.

Every fragment is fixed text of this module with values in bound parameters; `alias` is the table alias
chosen by the caller's SQL (a fixed name, never input).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import COUNTED_STATUSES, LEVELS, PROVINCE_CODE
from geo.errors import N_, NotFound

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 1_000


def published(alias: str = "s") -> str:
    """SQL: the site is approved and not deleted — what the public, the figures and the report see."""
    return f"({alias}.moderation = 'approved' AND {alias}.deleted_at IS NULL)"


def _not_ended_before(alias: str, year: str) -> str:
    return f"({alias}.end_date IS NULL OR {alias}.end_date >= make_date({year}, 1, 1))"


def in_year(alias: str = "s", year: str = ":year") -> str:
    """SQL: the site had started by the end of the year (or has no start) and had not ended before it began."""
    return (f"(({alias}.start_date IS NULL OR {alias}.start_date <= make_date({year}, 12, 31)) "
            f"AND {_not_ended_before(alias, year)})")


def listed_in_year(alias: str = "s", year: str = ":year") -> str:
    """SQL: what a year's report lists — published sites of the year, and planned ones not yet ended."""
    return (f"({published(alias)} AND ({in_year(alias, year)} "
            f"OR ({alias}.status = 'planned' AND {_not_ended_before(alias, year)})))")


def counted_in_year(alias: str = "s", year: str = ":year") -> str:
    """SQL: the site counts towards the plan's figures of the year: published, active or completed, in the year."""
    statuses = ", ".join(f"'{status}'" for status in COUNTED_STATUSES)
    return f"({published(alias)} AND {alias}.status IN ({statuses}) AND {in_year(alias, year)})"


def unit_column(level: str, alias: str = "s") -> str:
    """The site's column holding its unit of a level (set by the database from its point)."""
    if level not in LEVELS:
        raise ValueError(f"not a level: {level!r}")
    return f"{alias}.{level}_code"


def units_of(session: Session, level: str) -> list[dict[str, Any]]:
    """The units of a level in code order: code, name (short, with diacritics), full name, validity."""
    rows = session.execute(text("""
        SELECT code, short_name AS name, name AS full_name, valid_from, valid_to, is_approximate
        FROM admin_unit WHERE level = :level ORDER BY code"""), {"level": level}).mappings()
    return [dict(row) for row in rows]


def unit_codes(session: Session, level: str) -> tuple[str, ...]:
    """The codes of the units of a level, for checking a filter or a form."""
    return tuple(unit["code"] for unit in units_of(session, level))


def level_of(session: Session, unit_code: str) -> str:
    """The level of a unit code: 'province' for the province, else district or commune; NotFound."""
    if unit_code == PROVINCE_CODE:
        return "province"
    level = session.execute(text("SELECT level FROM admin_unit WHERE code = :code AND level <> 'province' "
                                 "ORDER BY valid_from DESC LIMIT 1"), {"code": unit_code}).scalar()
    if level is None:
        raise NotFound("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=unit_code)
    return level


def units_within(session: Session, level: str, district_codes: tuple[str, ...]) -> set[str]:
    """The units of a level lying in the given districts (a 2025 commune: more than half of its area in them)."""
    if level == "district":
        return set(district_codes)
    return set(session.execute(text("""
        SELECT DISTINCT c.code FROM admin_unit c JOIN admin_unit d
          ON d.level = 'district' AND d.code = ANY(:districts) AND ST_Intersects(c.geom, d.geom)
         AND ST_Area(ST_Intersection(c.geom, d.geom)) > 0.5 * ST_Area(c.geom)
        WHERE c.level = :level"""), {"districts": list(district_codes), "level": level}).scalars())


def province_name(session: Session) -> str:
    """The province's name as loaded (the former Kiên Giang)."""
    name = session.execute(text("SELECT short_name FROM admin_unit WHERE level = 'province' "
                                "ORDER BY valid_from LIMIT 1")).scalar()
    return name or "Kiên Giang"


@dataclass
class SiteFilters:
    """The filters of a site query, already checked (webmap/params.py reads them from a request)."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    plan_tasks: tuple[str, ...] = ()
    lead_agency: str | None = None
    year: int | None = None  # sites in that year (in_year)
    start_year: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after_id: int | None = None  # cursor: sites with a larger id


def where(filters: SiteFilters, alias: str = "s") -> tuple[str, dict[str, Any]]:
    """The WHERE clause and parameters of a public site query: published sites matching the filters."""
    clauses = [published(alias)]
    params: dict[str, Any] = {}
    for column, name, values in (("category_code", "categories", filters.categories),
                                 ("status", "statuses", filters.statuses),
                                 ("district_code", "districts", filters.districts),
                                 ("commune_code", "communes", filters.communes),
                                 ("plan_task", "plan_tasks", filters.plan_tasks)):
        if values:
            clauses.append(f"{alias}.{column} = ANY(:{name})")
            params[name] = list(values)
    if filters.lead_agency:
        clauses.append(f"{alias}.lead_agency = :lead_agency")
        params["lead_agency"] = filters.lead_agency
    if filters.year is not None:
        clauses.append(in_year(alias))
        params["year"] = filters.year
    if filters.start_year is not None:
        clauses.append(f"{alias}.start_date >= make_date(:start_year, 1, 1) "
                       f"AND {alias}.start_date < make_date(:start_year + 1, 1, 1)")
        params["start_year"] = filters.start_year
    if filters.bbox:
        clauses.append(f"{alias}.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)")
        params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), filters.bbox))
    return " AND ".join(clauses), params
