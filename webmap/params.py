"""Query-string parsing: every parameter of a page or API checked once, here, into the plain values geo/ takes.

A bad value raises BadParameter naming the parameter and the reason; webmap/errors.py answers it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import orjson
from sqlalchemy.orm import Session

from geo.catalogue import CATEGORY_CODES, FIRST_YEAR, LAST_YEAR, LEVELS, PLAN_TASK_CODES, STATUSES
from geo.errors import N_, BadParameter
from geo.plan import INDICATOR_CODES, check_choice, current_year, default_level, spec_of
from geo.site_query import DEFAULT_LIMIT, MAX_LIMIT, SiteFilters, unit_codes

SITE_FILTERS = ("category", "status", "district", "commune", "plan_task", "lead_agency", "year", "start_year")
PAGING = ("bbox", "limit", "offset", "cursor")
# Public names kept working after a rename: the old name → the new one (README, "Renamed parameters").
ALIASES = {"geography": "level", "measure": "figure"}


def with_aliases(args: Mapping[str, str]) -> dict[str, str]:
    """The arguments with renamed parameters under their new names (a new name given wins)."""
    out = dict(args)
    for old, new in ALIASES.items():
        if old in out:
            value = out.pop(old)
            out.setdefault(new, value)
    return out


def reject_unknown(args: Mapping[str, str], known: tuple[str, ...] = ()) -> None:
    """BadParameter for the first parameter not in known (lang is always allowed)."""
    allowed = set(known) | {"lang"}
    for name in args:
        if name not in allowed:
            raise BadParameter(name, N_("Tham số không được hỗ trợ; các tham số có: %(names)s"),
                               names=", ".join(sorted(allowed)))


def integer(name: str, value: str | None, low: int, high: int) -> int | None:
    """A whole number within low–high, None when absent; BadParameter naming the parameter."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, N_("Phải là số nguyên, nhận được “%(value)s”"), value=value) from None
    if not low <= number <= high:
        raise BadParameter(name, N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=low, high=high)
    return number


def year(value: str | None, *, name: str = "year", default: int | None = None) -> int:
    """A year the plan's figures can be asked for (FIRST_YEAR–LAST_YEAR); the default when absent."""
    parsed = integer(name, value, FIRST_YEAR, LAST_YEAR)
    if parsed is not None:
        return parsed
    if default is None:
        raise BadParameter(name, N_("Thiếu tham số"))
    return default


def level(value: str | None, year_: int) -> str:
    """district or commune; the year's default when absent."""
    if not value:
        return default_level(year_)
    check_choice("level", value, LEVELS)
    return value


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def choices(name: str, value: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated values, each one of allowed."""
    chosen = _split(value)
    wrong = [v for v in chosen if v not in allowed]
    if wrong:
        raise BadParameter(name, N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=", ".join(wrong), allowed=", ".join(allowed))
    return chosen


_BBOX_FORM = N_("Phải là bốn số: kinh độ tối thiểu, vĩ độ tối thiểu, kinh độ tối đa, vĩ độ tối đa")


def bbox(value: str | None, name: str = "bbox") -> tuple[float, float, float, float] | None:
    """A bbox 'minLon,minLat,maxLon,maxLat' in degrees, checked (BadParameter naming the parameter name)."""
    if not value:
        return None
    try:
        numbers = tuple(float(p) for p in value.split(","))
    except ValueError:
        raise BadParameter(name, _BBOX_FORM) from None
    if len(numbers) != 4 or any(n != n for n in numbers):
        raise BadParameter(name, _BBOX_FORM)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BadParameter(name, N_("Tọa độ ngoài phạm vi kinh độ ±180, vĩ độ ±90"))
    if min_lon > max_lon or min_lat > max_lat:
        raise BadParameter(name, N_("Giá trị tối thiểu phải nhỏ hơn giá trị tối đa"))
    return min_lon, min_lat, max_lon, max_lat


def site_filters(session: Session, args: Mapping[str, str], *, extra: tuple[str, ...] = (),
                 held_units: bool = False) -> SiteFilters:
    """The filters and paging of a site query, checked against the catalogue and the loaded units (held_units:
    those last read, see geo.site_query.unit_codes)."""
    reject_unknown(args, (*SITE_FILTERS, *PAGING, *extra))
    cursor = args.get("cursor")
    return SiteFilters(
        categories=choices("category", args.get("category"), CATEGORY_CODES),
        statuses=choices("status", args.get("status"), STATUSES),
        districts=choices("district", args.get("district"), unit_codes(session, "district", held=held_units)),
        communes=choices("commune", args.get("commune"), unit_codes(session, "commune", held=held_units)),
        plan_tasks=choices("plan_task", args.get("plan_task"), PLAN_TASK_CODES),
        lead_agency=(args.get("lead_agency") or "").strip() or None,
        year=integer("year", args.get("year"), FIRST_YEAR, LAST_YEAR),
        # A site may have started long before the plan (a craft village, a market).
        start_year=integer("start_year", args.get("start_year"), 1900, LAST_YEAR),
        bbox=bbox(args.get("bbox")),
        limit=integer("limit", args.get("limit"), 1, MAX_LIMIT) or DEFAULT_LIMIT,
        offset=integer("offset", args.get("offset"), 0, 10**9) or 0,
        after_id=integer("cursor", cursor, 0, 2**31 - 1) if cursor else None,
    )


@dataclass
class ProgressQuery:
    """The checked parameters of a progress request."""

    indicator: str
    year: int
    level: str
    sector: str | None = None
    unit: str | None = None


def progress_query(args: Mapping[str, str], *, need_unit: bool = False) -> ProgressQuery:
    """Check indicator, year, level, sector (and unit) of a progress request."""
    args = with_aliases(args)
    reject_unknown(args, ("indicator", "year", "level", "sector", "unit"))
    code = (args.get("indicator") or "").strip()
    if not code:
        raise BadParameter("indicator", N_("Thiếu tham số; chọn trong: %(allowed)s"),
                           allowed=", ".join(INDICATOR_CODES))
    spec = spec_of(code)
    year_ = year(args.get("year"), default=current_year())
    level_ = level(args.get("level"), year_)
    sector = (args.get("sector") or "").strip() or None
    if sector:
        check_choice("sector", sector, spec.breakdown_keys)
    unit = (args.get("unit") or "").strip() or None
    if need_unit and not unit:
        raise BadParameter("unit", N_("Thiếu tham số"))
    return ProgressQuery(indicator=code, year=year_, level=level_, sector=sector, unit=unit)


def json_body(data: bytes, max_depth: int) -> Any:
    """A request body as JSON: strict (no NaN or Infinity, no lone surrogate) and at most max_depth deep."""
    # orjson refuses what Python's json lets through (NaN, 1e999, "\ud800") and stops at 1024 levels by itself,
    # so a 50 000-deep body is a parse error, never a RecursionError.
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise BadParameter("body", N_("Nội dung không phải JSON hợp lệ: %(reason)s"), reason=str(error)) from None
    level = [value]
    for depth in range(max_depth + 1):
        level = [child for node in level if isinstance(node, (dict, list))
                 for child in (node.values() if isinstance(node, dict) else node)]
        if not level:
            return value
    raise BadParameter("body", N_("Nội dung JSON lồng nhau quá %(n)s tầng"), n=max_depth)
