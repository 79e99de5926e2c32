"""The rules that decide which sites count, each written once: published, counted in a year, the units of a
level, and the filters of a site query as SQL. The API, tiles, progress, indicators, report and exports call
these; none writes its own.

Every fragment is fixed text of this module with values in bound parameters; `alias` is the table alias
chosen by the caller's SQL (a fixed name, never input).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import data_version
from geo.catalogue import LEVELS, PROVINCE_CODE
from geo.errors import N_, NotFound

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 1_000


def published(alias: str = "s") -> str:
    """SQL: the site is approved and not deleted — what the public, the figures and the report see."""
    return f"scp_published({alias}.moderation, {alias}.deleted_at)"


def in_year(alias: str = "s", year: str = ":year") -> str:
    """SQL: the site (or a group of site_figure) had started by the end of the year and had not ended before it."""
    return f"scp_in_year({alias}.start_date, {alias}.end_date, {year})"


def listed_in_year(alias: str = "s", year: str = ":year") -> str:
    """SQL: what a year's report lists — published sites of the year, planned ones too once their start falls in or
    before it (scp_listed_in_year, migration 0015: a 2025 report lists no site planned for 2027)."""
    return (f"({published(alias)} AND "
            f"scp_listed_in_year({alias}.status, {alias}.start_date, {alias}.end_date, {year}))")


def counted_in_year(alias: str = "s", year: str = ":year", *, grouped: bool = False) -> str:
    """SQL: the site counts towards the plan's figures of the year: published, active or completed, in the year.
    grouped: the rows are groups of site_figure, which holds published sites only."""
    counted = f"scp_counted_in_year({alias}.status, {alias}.start_date, {alias}.end_date, {year})"
    return counted if grouped else f"({published(alias)} AND {counted})"


def unit_column(level: str, alias: str = "s") -> str:
    """The site's column holding its unit of a level (set by the database from its point)."""
    if level not in LEVELS:
        raise ValueError(f"not a level: {level!r}")
    return f"{alias}.{level}_code"


def unit_of_level(alias: str = "s", level: str = ":level", province: str = ":province") -> str:
    """SQL: the code of the unit of a level (given as SQL, a bound parameter) holding the site or group: its
    district or commune (set by the database from its point), or the province."""
    return (f"CASE WHEN {level} = 'district' THEN {alias}.district_code "
            f"WHEN {level} = 'commune' THEN {alias}.commune_code ELSE {province} END")


@dataclass(frozen=True)
class _Units:
    """Every administrative unit as loaded, read in one statement and kept while the data version stands."""

    version: int
    rows: tuple[dict[str, Any], ...]


# Per database: the units of the data version last read. A change to the units moves the data version (0005).
_UNITS: dict[str, _Units] = {}
_WITHIN: dict[tuple[str, int], dict[str, tuple[str, ...]]] = {}


def _database(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=True)


def _units(session: Session, *, held: bool = False) -> tuple[dict[str, Any], ...]:
    kept = _UNITS.get(_database(session))
    if held and kept is not None:
        return kept.rows
    version = data_version.current(session)
    if kept is None or kept.version != version:
        rows = session.execute(text("""
            SELECT level, code, short_name AS name, name AS full_name, valid_from, valid_to, is_approximate
            FROM admin_unit ORDER BY level, code, valid_from""")).mappings()
        kept = _UNITS[_database(session)] = _Units(version, tuple(dict(row) for row in rows))
    return kept.rows


def units_of(session: Session, level: str) -> list[dict[str, Any]]:
    """The units of a level in code order: code, name (short, with diacritics), full name, validity."""
    return [{k: v for k, v in unit.items() if k != "level"} for unit in _units(session) if unit["level"] == level]


def unit_codes(session: Session, level: str, *, held: bool = False) -> tuple[str, ...]:
    """The codes of the units of a level, for checking a filter or a form. held: those last read, without reading
    the data version (no statement once read): the caller checks its answer again with held=False once its own
    statement has read the version (a tile, which reads it with its body)."""
    return tuple(unit["code"] for unit in _units(session, held=held) if unit["level"] == level)


def level_of(session: Session, unit_code: str) -> str:
    """The level of a unit code: 'province' for the province, else district or commune; NotFound."""
    if unit_code == PROVINCE_CODE:
        return "province"
    levels = [unit["level"] for unit in _units(session) if unit["code"] == unit_code and unit["level"] != "province"]
    if not levels:
        raise NotFound("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=unit_code)
    return levels[-1]  # the latest of a code loaded twice


def province_name(session: Session) -> str:
    """The province's name as loaded (the former Kiên Giang)."""
    return next((unit["name"] for unit in _units(session) if unit["level"] == "province"), None) or "Kiên Giang"


def districts_holding(session: Session) -> dict[str, tuple[str, ...]]:
    """Each commune's code → the districts it lies in (scp_lies_in, migration 0012: more than half its area)."""
    key = (_database(session), data_version.current(session))
    if key not in _WITHIN:
        _WITHIN.clear()
        _WITHIN[key] = dict(session.execute(text("""
            SELECT c.code, array_agg(d.code ORDER BY d.code)
            FROM admin_unit c JOIN admin_unit d ON d.level = 'district' AND scp_lies_in(c.geom, d.geom)
            WHERE c.level = 'commune' GROUP BY c.code""")).all())
    return _WITHIN[key]


def units_within(session: Session, level: str, district_codes: tuple[str, ...]) -> set[str]:
    """The units of a level lying in the given districts (a 2025 commune: more than half of its area in them)."""
    if level == "district":
        return set(district_codes)
    return {code for code, districts in districts_holding(session).items() if set(districts) & set(district_codes)}


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


FILTER_NAMES = ("categories", "statuses", "districts", "communes", "plan_tasks", "lead_agency", "year", "start_year")


def filters_json(filters: SiteFilters) -> str:
    """The public filters given, as the jsonb scp_site_matches and scp_site_tile read (migration 0012)."""
    given = {name: getattr(filters, name) for name in FILTER_NAMES if getattr(filters, name) not in (None, ())}
    return json.dumps({name: list(value) if isinstance(value, tuple) else value for name, value in given.items()})


def where(filters: SiteFilters, alias: str = "s") -> tuple[str, dict[str, Any]]:
    """The WHERE clause and parameters of a public site query: published sites matching the filters."""
    clauses = [published(alias),
               f"scp_site_matches(CAST(:filters AS jsonb), {alias}.category_code, {alias}.status, "
               f"{alias}.district_code, {alias}.commune_code, {alias}.plan_task, {alias}.lead_agency, "
               f"{alias}.start_date, {alias}.end_date)"]
    params: dict[str, Any] = {"filters": filters_json(filters)}
    if filters.bbox:
        clauses.append(f"{alias}.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)")
        params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), filters.bbox))
    return " AND ".join(clauses), params
