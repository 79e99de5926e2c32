"""The plan's indicators computed from the sites: by unit of a level and year, the province path year by
year, and the sites behind a figure.

Rules that hold for every computed indicator:
- a site counts for a year by geo.site_query.counted_in_year;
- a site belongs to the unit of each level that holds it: its district_code and commune_code, both set by
  the database from its point, so a moved site counts where it now stands;
- a share keeps its numerator and denominator; with no denominator it has no value (no data), never 0 %.

Figures are summed from site_figure (migration 0011): the published sites folded into groups alike in all
these rules read, kept in step with every change to a site by triggers, so a figure costs the same at 100 or
1 000 000 sites and is never stale. The sites behind a figure are read from site itself, by the same rules
(tests/geo/test_site_figures.py checks that the two agree).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import manual_values
from geo.catalogue import LEVELS, PLAN_START, PROVINCE_CODE
from geo.plan import (BEHIND_AT, BREAKDOWN_LABELS, INDICATORS, ON_TRACK_AT, IndicatorSpec, check_choice,
                      default_level, number, progress_status, spec_of, target_for_year)
from geo.site_query import counted_in_year, level_of, province_name, unit_of_level, units_of, units_within


# The sites an indicator counts in a year, one row each with what it adds to the figure: the indicator's rule is
# its row of indicator_rule read by the rule functions of migration 0012, which also fold site_figure.
_COUNTED = """
counted AS (
    SELECT s.id, s.ref, s.name, s.category_code, s.status, s.district_code, s.commune_code,
           s.start_date, s.end_date, s.measures, s.is_sample, s.plan_task,
           """ + unit_of_level("s") + """ AS unit_code,
           scp_in_numerator(scp_numerator_from(i, s.measures), :year) AS in_numerator,
           scp_amount(i, s.measures) AS amount, scp_kind(i, s.measures) AS kind
    FROM site s JOIN indicator_rule i ON i.indicator_code = :figure
    WHERE """ + counted_in_year("s") + """
      AND scp_indicator_takes(i, s.category_code, s.district_code, s.measures)
)"""

# The figures of indicators in years by unit, from the groups of site_figure (migration 0012): the sites of each
# indicator, already folded by its rule. GROUPING() tells the rolled-up rows (province, per unit, per kind) from
# a NULL unit_code, which is a site no unit of the level holds. One statement gives a year's table, the legend's
# every year and the province's path of every indicator.
_FIGURES = """
SELECT figure, year, unit_code, kind, GROUPING(unit_code) AS all_units, GROUPING(kind) AS all_kinds,
       coalesce(sum(sites), 0)::bigint AS sites,
       coalesce(sum(sites) FILTER (WHERE scp_in_numerator(numerator_from, year)), 0)::bigint AS in_numerator,
       sum(amount) AS amount
FROM (SELECT g.figure, y.year,
             """ + unit_of_level("g") + """ AS unit_code,
             g.kind, g.sites, g.numerator_from, g.amount
      FROM generate_series(CAST(:first_year AS int), CAST(:last_year AS int)) AS y(year)
      JOIN site_figure g ON g.figure = ANY(:figures) AND """ + counted_in_year("g", "y.year", grouped=True) + """) c
GROUP BY GROUPING SETS ((figure, year), (figure, year, kind), (figure, year, unit_code),
                        (figure, year, unit_code, kind))
"""

_SITES = "WITH " + _COUNTED + """
SELECT c.id, c.ref, c.name, c.category_code, cat.name_vi AS category_name_vi, cat.name_en AS category_name_en,
       c.status, c.district_code, d.short_name AS district_name, c.commune_code, m.short_name AS commune_name,
       c.start_date, c.end_date, c.measures, c.is_sample, c.plan_task, c.in_numerator, c.amount, c.kind
FROM counted c
JOIN category cat ON cat.code = c.category_code
LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = c.district_code
LEFT JOIN admin_unit m ON m.level = 'commune' AND m.code = c.commune_code
WHERE (:unit_code = :province OR c.unit_code = :unit_code)
  AND (:kind_filter = '' OR c.kind = :kind_filter)
ORDER BY c.unit_code, c.name, c.id
"""


def _params(spec: IndicatorSpec, year: int, level: str) -> dict[str, Any]:
    return {"figure": spec.code, "level": level, "province": PROVINCE_CODE, "year": year}


def _figure(spec: IndicatorSpec, sites: int, in_numerator: int, amount: Any) -> dict[str, Any]:
    """Value, numerator and denominator of one unit from its counted sites."""
    if spec.kind == "share":
        value = round(100.0 * in_numerator / sites, 1) if sites else None
        return {"value": value, "numerator": in_numerator, "denominator": sites, "sites": sites}
    if spec.kind == "count":
        return {"value": sites, "numerator": sites, "denominator": None, "sites": sites}
    total = round(float(amount or 0), 3)
    return {"value": total, "numerator": total, "denominator": None, "sites": sites}


def _computed(session: Session, specs: list[IndicatorSpec], first_year: int, last_year: int, level: str
              ) -> dict[tuple[str, int], dict[str, Any]]:
    """Figures from the sites, by indicator code and year: 'units' by code ('' for sites no unit holds),
    'province', and their breakdowns."""
    out: dict[tuple[str, int], dict[str, Any]] = {
        (spec.code, year): {"units": {}, "province": _figure(spec, 0, 0, None), "unit_breakdowns": {},
                            "province_breakdown": {}}
        for spec in specs for year in range(first_year, last_year + 1)}
    by_code = {spec.code: spec for spec in specs}
    rows = session.execute(text(_FIGURES), {"figures": list(by_code), "level": level, "province": PROVINCE_CODE,
                                            "first_year": first_year, "last_year": last_year}).mappings()
    for row in rows:
        figure = _figure(by_code[row["figure"]], row["sites"], row["in_numerator"], row["amount"])
        one = out[(row["figure"], row["year"])]
        unit = row["unit_code"] or ""
        if row["all_units"] and row["all_kinds"]:
            one["province"] = figure
        elif row["all_units"]:
            one["province_breakdown"][row["kind"]] = figure
        elif row["all_kinds"]:
            one["units"][unit] = figure
        else:
            one["unit_breakdowns"].setdefault(unit, {})[row["kind"]] = figure
    return out


def _with_labels(spec: IndicatorSpec, breakdown: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The breakdown with every expected key present (a zero where no site has it) and its labels."""
    if not spec.breakdown:
        return {}
    keys = list(spec.breakdown_keys) + sorted(k for k in breakdown if k not in spec.breakdown_keys)
    empty = None if spec.kind == "manual" else _figure(spec, 0, 0, None)
    out = {}
    for key in keys:
        figure = dict(breakdown.get(key) or empty or {"value": None, "numerator": None, "denominator": None})
        label_vi, label_en = BREAKDOWN_LABELS.get(key, (key, key))
        out[key] = {**figure, "label_vi": label_vi, "label_en": label_en}
    return out


def _pick(spec: IndicatorSpec, figure: dict[str, Any], breakdown: dict[str, dict[str, Any]],
          sector: str | None) -> dict[str, Any]:
    """The figure of the chosen sector (or kind), else the unit's own."""
    if not sector:
        return figure
    chosen = breakdown.get(sector) or {"value": None, "numerator": None, "denominator": None}
    return {k: v for k, v in chosen.items() if k not in ("label_vi", "label_en")}


_NO_DATA = {"value": None, "numerator": None, "denominator": None, "sites": 0}


def _table(session: Session, spec: IndicatorSpec, level: str, units: list[dict[str, Any]], year_figures: Any
           ) -> tuple[dict[str, tuple[dict, dict]], dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """Each unit's figure and breakdown, the province's figure and breakdown, and the sites no unit holds, from a
    year's hand-entered values (manual) or computed figures."""
    if spec.kind == "manual":
        province_values = year_figures.get(PROVINCE_CODE, {})
        by_unit = {u["code"]: (manual_values.unit_figure(year_figures.get(u["code"], {})),
                               _with_labels(spec, year_figures.get(u["code"], {}))) for u in units}
        return by_unit, manual_values.unit_figure(province_values), _with_labels(spec, province_values), None
    empty = _figure(spec, 0, 0, None)
    # An indicator of the pilot districts only has no data elsewhere, rather than a zero.
    outside = ({u["code"] for u in units} - units_within(session, level, spec.only_districts)
               if spec.only_districts else set())
    by_unit = {u["code"]: (_NO_DATA if u["code"] in outside else year_figures["units"].get(u["code"], empty),
                           _with_labels(spec, year_figures["unit_breakdowns"].get(u["code"], {}))) for u in units}
    return (by_unit, year_figures["province"], _with_labels(spec, year_figures["province_breakdown"]),
            year_figures["units"].get(""))


def _years(session: Session, spec: IndicatorSpec, first_year: int, last_year: int, level: str) -> dict[int, Any]:
    """A figure's hand-entered values or computed figures of every year first..last, read in one statement."""
    if spec.kind == "manual":
        return manual_values.by_years(session, spec, first_year, last_year)
    computed = _computed(session, [spec], first_year, last_year, level)
    return {year: computed[(spec.code, year)] for year in range(first_year, last_year + 1)}


def progress(session: Session, code: str, year: int, level: str | None = None,
             sector: str | None = None) -> dict[str, Any]:
    """An indicator by unit of a level for a year: value, numerator, denominator, target, progress status, and
    the province total; with sector, the figure of that sector (manual) or kind (solar, certification)."""
    spec = spec_of(code)
    level = level or default_level(year)
    check_choice("level", level, LEVELS)
    if sector:
        check_choice("sector", sector, spec.breakdown_keys)
    target = target_for_year(spec, year)
    target_low = target[0] if target else None
    target_out = {"low": target[0], "high": target[1]} if target else None
    units = units_of(session, level)
    by_unit, province_figure, province_breakdown, unassigned = _table(
        session, spec, level, units, _years(session, spec, year, year, level)[year])
    unit_scope = spec.target_scope == "unit"
    rows = []
    for unit in units:
        figure, breakdown = by_unit[unit["code"]]
        shown = _pick(spec, figure, breakdown, sector)
        rows.append({"code": unit["code"], "name": unit["name"], **shown,
                     "target": target_out if unit_scope else None,
                     "progress_status": progress_status(shown["value"], target_low) if unit_scope else None,
                     "breakdown": breakdown})
    province_shown = _pick(spec, province_figure, province_breakdown, sector)
    return {
        "indicator": _describe(spec), "year": year, "level": level, "sector": sector or None,
        "target": target_out, "targets": _spec_targets(spec),
        "units": rows,
        "province": {"code": PROVINCE_CODE, "name": province_name(session), **province_shown,
                     "target": target_out, "progress_status": progress_status(province_shown["value"], target_low),
                     "breakdown": province_breakdown},
        "unassigned": unassigned if unassigned and unassigned["sites"] else None,
        "thresholds": {"on_track": ON_TRACK_AT, "behind": BEHIND_AT},
    }


def values_over_years(session: Session, code: str, first_year: int, last_year: int, level: str
                      ) -> list[float | None]:
    """Every unit's value of an indicator in every year first..last (None = no data), in one statement: what a
    legend that keeps its classes while the years play is drawn from."""
    spec = spec_of(code)
    units = units_of(session, level)
    years = _years(session, spec, first_year, last_year, level)
    out: list[float | None] = []
    for year in range(first_year, last_year + 1):
        by_unit = _table(session, spec, level, units, years[year])[0]
        out += [by_unit[unit["code"]][0]["value"] for unit in units]
    return out


def _describe(spec: IndicatorSpec) -> dict[str, Any]:
    return {"code": spec.code, "name_vi": spec.name_vi, "name_en": spec.name_en, "unit": spec.unit,
            "unit_en": spec.unit_en, "method": spec.method, "kind": spec.kind, "plan_task": spec.plan_task,
            "target_scope": spec.target_scope, "breakdown": spec.breakdown or None,
            "breakdown_keys": list(spec.breakdown_keys), "main": spec.main,
            "description_vi": spec.description_vi, "description_en": spec.description_en}


def _spec_targets(spec: IndicatorSpec) -> dict[str, dict[str, float] | None]:
    return {year: ({"low": float(t[0]), "high": float(t[1])} if t else None)
            for year, t in (("2025", spec.target_2025), ("2030", spec.target_2030))}


def _paths(session: Session, specs: list[IndicatorSpec], first_year: int, last_year: int,
           sector: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The province figure of each indicator year by year, with the year's target and status: the computed
    ones from one statement, the hand-entered ones from one each."""
    computed = _computed(session, [spec for spec in specs if spec.kind != "manual"], first_year, last_year,
                         "province")
    out = {}
    for spec in specs:
        manual = (manual_values.by_years(session, spec, first_year, last_year) if spec.kind == "manual" else {})
        path = []
        for year in range(first_year, last_year + 1):
            if spec.kind == "manual":
                values = manual[year].get(PROVINCE_CODE, {})
                figure = _pick(spec, manual_values.unit_figure(values), _with_labels(spec, values), sector)
            else:
                one = computed[(spec.code, year)]
                figure = _pick(spec, one["province"], _with_labels(spec, one["province_breakdown"]), sector)
            target = target_for_year(spec, year)
            path.append({"year": year, "value": figure["value"], "numerator": figure.get("numerator"),
                         "denominator": figure.get("denominator"),
                         "target": {"low": target[0], "high": target[1]} if target else None,
                         "progress_status": progress_status(figure["value"], target[0] if target else None)})
        out[spec.code] = path
    return out


def province_path(session: Session, code: str, first_year: int, last_year: int,
                  sector: str | None = None) -> list[dict[str, Any]]:
    """The province figure year by year, with the year's target and status: the path to the target."""
    return _paths(session, [spec_of(code)], first_year, last_year, sector)[code]


def summary(session: Session, year: int) -> list[dict[str, Any]]:
    """Every indicator for the province in a year: value, targets (year, 2025, 2030), status, and its path
    year by year from 2021 to the year."""
    paths = _paths(session, list(INDICATORS), min(PLAN_START, year), year)
    out = []
    for spec in INDICATORS:
        path = paths[spec.code]
        now = path[-1]
        out.append({**_describe(spec), "year": year, "value": now["value"], "numerator": now["numerator"],
                    "denominator": now["denominator"], "target": now["target"], "targets": _spec_targets(spec),
                    "progress_status": now["progress_status"], "path": path})
    return out


def sites_behind(session: Session, code: str, unit_code: str, year: int, sector: str | None = None
                 ) -> list[dict[str, Any]]:
    """The sites a unit's figure is counted from (the province's for code 91), each with what it adds:
    for a share, whether it is in the numerator; for a sum, its amount. A hand-entered figure has none."""
    spec = spec_of(code)
    if sector:
        check_choice("sector", sector, spec.breakdown_keys)
    level = level_of(session, unit_code)
    if spec.kind == "manual":
        return []
    params = _params(spec, year, "district" if level == "province" else level)
    params.update(unit_code=unit_code, kind_filter=sector or "")
    out = []
    for row in session.execute(text(_SITES), params).mappings():
        site = dict(row)
        site["start_date"] = row["start_date"].isoformat() if row["start_date"] else None
        site["end_date"] = row["end_date"].isoformat() if row["end_date"] else None
        site["amount"] = number(row["amount"]) if spec.kind == "sum" else None
        site["in_numerator"] = row["in_numerator"] if spec.kind == "share" else None
        out.append(site)
    return out


def store_computed_values(session: Session, year: int, level: str) -> int:
    """Record the computed figures of a year (each unit, its breakdown, the province) in indicator_value,
    so a report's figures stay on file with their numerators and denominators; returns rows written."""
    check_choice("level", level, LEVELS)
    written = 0
    for spec in INDICATORS:
        if spec.kind == "manual":
            continue
        computed = _computed(session, [spec], year, year, level)[(spec.code, year)]
        entries: list[tuple[str, str, dict[str, Any]]] = [(PROVINCE_CODE, "", computed["province"])]
        entries += [(PROVINCE_CODE, kind, f) for kind, f in computed["province_breakdown"].items()]
        entries += [(unit, "", f) for unit, f in computed["units"].items() if unit]
        entries += [(unit, kind, f) for unit, kinds in computed["unit_breakdowns"].items() if unit
                    for kind, f in kinds.items()]
        codes = [u["code"] for u in units_of(session, level)]
        # Units with no site get their zero (or no-data) figure written too, so last year's does not linger.
        entries += [(c, "", _figure(spec, 0, 0, None)) for c in codes if c not in computed["units"]]
        for unit, sector, figure in entries:
            session.execute(text("""
                INSERT INTO indicator_value (indicator_code, unit_code, year, sector, value, numerator,
                                             denominator, note)
                VALUES (:code, :unit, :year, :sector, :value, :numerator, :denominator, :note)
                ON CONFLICT (indicator_code, unit_code, year, sector) DO UPDATE
                SET value = EXCLUDED.value, numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
                    note = EXCLUDED.note, reported_at = now(), version = indicator_value.version + 1"""),
                {"code": spec.code, "unit": unit, "year": year, "sector": sector, "value": figure["value"],
                 "numerator": figure["numerator"], "denominator": figure["denominator"],
                 "note": f"tính từ {figure['sites']} điểm ({level})"})
            written += 1
    return written

