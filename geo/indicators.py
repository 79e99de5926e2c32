"""The plan's indicators: their targets, their values by unit and year computed from the sites (or
entered by hand), and their status against the target for the year.

Rules that hold for every computed indicator:
- a site counts for a year when it is approved, not deleted, its status is active or completed, it
  had started by the end of the year (or has no start date) and had not ended before the year began;
- a site belongs to the unit of each geography that holds it: its district_code and commune_code,
  both set by the database from its point, so a moved site counts where it now stands;
- a share keeps its numerator and denominator; with no denominator it has no value (no data), never 0 %.

Targets for the years between are interpolated linearly from a baseline of 0 at the end of 2020 (the
plan was adopted in September 2020 and runs from 2021) to the 2025 target, then on to the 2030 target;
a unit is on track at 100 % of the year's target or more, behind from 75 % to below 100 %, far behind
below 75 %.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.catalogue import CERTIFICATIONS, SOLAR_KINDS
from geo.errors import N_, BadParameter, Conflict, NotFound
from geo.models import Indicator

PROVINCE_CODE = "91"
GEOGRAPHIES = ("district", "commune")
FIRST_YEAR = 2020  # the plan's baseline year; targets start in 2021
LAST_YEAR = 2035
PLAN_START = 2021
COUNTED_STATUSES = ("active", "completed")
PILOT_DISTRICTS = ("899", "900", "911")  # Rạch Giá, Hà Tiên, Phú Quốc: the plan's source-sorting pilot area

# Status against the year's target, as a share of it.
ON_TRACK_AT = 1.0
BEHIND_AT = 0.75
STATUSES = ("on_track", "behind", "far_behind", "no_data")
STATUS_LABELS: dict[str | None, str] = {
    "on_track": N_("Đạt tiến độ"),
    "behind": N_("Chậm"),
    "far_behind": N_("Chậm nhiều"),
    "no_data": N_("Chưa có số liệu"),
    None: N_("Không có chỉ tiêu"),
}
STATUS_COLOURS: dict[str | None, str] = {
    "on_track": "#2e7d32", "behind": "#f9a825", "far_behind": "#c62828", "no_data": "#bdbdbd", None: "#90a4ae",
}
# Worded so that no "% " is followed by a letter Python would read as a format (the .po checker does).
THRESHOLD_TEXT = N_("So với chỉ tiêu của năm — đạt tiến độ: từ 100 % trở lên; chậm: từ 75 % đến dưới 100 %; "
                    "chậm nhiều: dưới 75 %. Chỉ tiêu của năm nội suy tuyến tính từ 0 (cuối năm 2020) đến chỉ "
                    "tiêu 2025, rồi đến chỉ tiêu 2030.")

MATERIAL_SECTORS: dict[str, tuple[str, str]] = {
    "textile_leather": ("Dệt may – da giày", "Textile and leather"),
    "cement": ("Xi măng", "Cement"),
    "beverages": ("Rượu – bia – nước giải khát", "Beverages"),
    "seafood_processing": ("Chế biến thủy hải sản", "Seafood processing"),
}
BREAKDOWN_LABELS: dict[str, tuple[str, str]] = {
    "rooftop": ("Áp mái", "Rooftop"),
    "farm": ("Trang trại trên đất nông nghiệp", "On farmland"),
    "floating": ("Nổi trên mặt nước", "Floating"),
    "pond": ("Trên ao nuôi thủy sản", "On aquaculture ponds"),
    "organic": ("Hữu cơ", "Organic"),
    "VietGAP": ("VietGAP", "VietGAP"),
    "GlobalGAP": ("GlobalGAP", "GlobalGAP"),
    "sustainable_aquaculture": ("Nuôi trồng thủy sản bền vững", "Sustainable aquaculture"),
    "": ("Chưa ghi loại", "Not stated"),
    **MATERIAL_SECTORS,
}


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator of the plan and, for a computed one, the rule that counts it from the sites."""

    code: str
    name_vi: str
    name_en: str
    unit: str
    unit_en: str
    plan_task: str
    kind: str  # share | count | sum | manual
    description_vi: str
    description_en: str
    target_2025: tuple[float, float] | None = None
    target_2030: tuple[float, float] | None = None
    # Targets of counts are province-wide; those of shares hold in every unit as well.
    target_scope: str = "province"
    categories: tuple[str, ...] = ()
    only_districts: tuple[str, ...] = ()
    numerator_rule: str = ""  # reached_by_year | is_true
    numerator_measure: str = ""
    amount_measure: str = ""
    breakdown: str = ""  # measure key (or "sector" for manual values) that splits the figure
    breakdown_keys: tuple[str, ...] = ()
    only_kinds: tuple[str, ...] = ()
    main: bool = False  # drawn as a choropleth in the report

    @property
    def method(self) -> str:
        """computed (from the sites) or manual (entered by hand)."""
        return "manual" if self.kind == "manual" else "computed"

    @property
    def additive(self) -> bool:
        """Whether unit figures add up to the province figure."""
        return self.kind in ("count", "sum")


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "scp_awareness_share", "Khu, cụm công nghiệp và làng nghề được tuyên truyền về SXTDBV",
        "Industrial zones, clusters and craft villages reached by SCP awareness work", "%", "%", "V.2", "share",
        "Tử số: các điểm loại khu, cụm công nghiệp sinh thái và làng nghề có năm được tuyên truyền "
        "(scp_outreach_year) không muộn hơn năm xét; mẫu số: mọi điểm hai loại đó được tính trong năm. "
        "Không có điểm nào thì không có số liệu.",
        "Numerator: sites of the eco-industrial park/cluster and craft village categories whose SCP outreach "
        "year (scp_outreach_year) is no later than the year; denominator: every such site counted in the year. "
        "No such site means no data.",
        (70, 70), (100, 100), "unit", categories=("eco_industrial_park", "craft_village"),
        numerator_rule="reached_by_year", numerator_measure="scp_outreach_year", main=True),
    IndicatorSpec(
        "eco_packaging_retail_share", "Siêu thị, trung tâm thương mại dùng bao bì thân thiện môi trường",
        "Supermarkets and commercial centres using eco-friendly packaging", "%", "%", "III.3", "share",
        "Tử số: các điểm loại siêu thị, trung tâm thương mại, chợ có eco_packaging = có; mẫu số: mọi điểm "
        "loại đó được tính trong năm (loại điểm này không tách chợ khỏi siêu thị). Trường eco_packaging "
        "không ghi năm áp dụng nên được coi là đúng từ ngày bắt đầu của điểm.",
        "Numerator: retail sites (supermarkets, commercial centres, markets) with eco_packaging = true; "
        "denominator: every retail site counted in the year (the category does not tell markets from "
        "supermarkets). eco_packaging carries no year, so it is taken as true from the site's start date.",
        (85, 85), (100, 100), "unit", categories=("retail",),
        numerator_rule="is_true", numerator_measure="eco_packaging", main=True),
    IndicatorSpec(
        "cleaner_production_models", "Mô hình sản xuất sạch hơn, SXTDBV được xây dựng, áp dụng",
        "SCP and cleaner-production models built and applied", "mô hình", "models", "II.1", "count",
        "Số điểm loại mô hình sản xuất sạch hơn được tính trong năm. Chỉ tiêu 2025 (1–2 mô hình) là của "
        "toàn tỉnh; đến 2030 là nhân rộng, không định lượng.",
        "Number of cleaner-production model sites counted in the year. The 2025 target (1–2 models) is "
        "province-wide; the 2030 one (replicate them) has no number.",
        (1, 2), None, categories=("cleaner_production",), main=True),
    IndicatorSpec(
        "eco_packaging_models", "Mô hình sản xuất bao bì thân thiện môi trường",
        "Eco-friendly packaging production models", "mô hình", "models", "II.8", "count",
        "Số điểm loại sản xuất bao bì thân thiện môi trường (túi tự phân hủy, bao bì giấy) được tính trong "
        "năm; chỉ tiêu 1–2 mô hình toàn tỉnh.",
        "Number of eco-friendly packaging producer sites (self-degrading bags, paper packaging) counted in the "
        "year; target 1–2 models province-wide.",
        (1, 2), None, categories=("eco_packaging",), main=True),
    IndicatorSpec(
        "waste_sorting_pilots", "Điểm thí điểm phân loại rác tại nguồn (Rạch Giá, Hà Tiên, Phú Quốc)",
        "Source-sorting pilots (Rạch Giá, Hà Tiên, Phú Quốc)", "điểm", "pilots", "VI.2", "count",
        "Số điểm loại thí điểm phân loại rác tại nguồn được tính trong năm, nằm trong TP. Rạch Giá, TP. Hà "
        "Tiên và Phú Quốc (theo ranh giới huyện 2009–2025 của điểm); kế hoạch không đặt số lượng.",
        "Number of source-sorting pilot sites counted in the year that lie in Rạch Giá, Hà Tiên or Phú Quốc "
        "(by the site's 2009–2025 district); the plan sets no number.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS),
    IndicatorSpec(
        "waste_sorting_households", "Số hộ tham gia thí điểm phân loại rác tại nguồn",
        "Households in the source-sorting pilots", "hộ", "households", "VI.2", "sum",
        "Tổng số hộ tham gia (households) của các điểm thí điểm phân loại rác tại nguồn được tính trong năm "
        "ở Rạch Giá, Hà Tiên, Phú Quốc.",
        "Sum of households taking part (households) over the source-sorting pilot sites counted in the year "
        "in Rạch Giá, Hà Tiên and Phú Quốc.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS, amount_measure="households", main=True),
    IndicatorSpec(
        "waste_sorting_tonnes", "Khối lượng rác được phân loại tại nguồn",
        "Waste sorted at source in the pilots", "tấn/tháng", "tonnes/month", "VI.2", "sum",
        "Tổng khối lượng rác được phân loại (tonnes_sorted_per_month) của các điểm thí điểm phân loại rác "
        "tại nguồn được tính trong năm ở Rạch Giá, Hà Tiên, Phú Quốc.",
        "Sum of waste sorted (tonnes_sorted_per_month) over the source-sorting pilot sites counted in the "
        "year in Rạch Giá, Hà Tiên and Phú Quốc.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS, amount_measure="tonnes_sorted_per_month"),
    IndicatorSpec(
        "solar_kwp", "Công suất điện mặt trời đã lắp đặt", "Solar capacity installed", "kWp", "kWp", "VI.5", "sum",
        "Tổng công suất (kwp) của các điểm điện mặt trời được tính trong năm, chia theo loại (solar_kind: "
        "áp mái, trang trại, nổi, trên ao nuôi).",
        "Sum of capacity (kwp) over the solar sites counted in the year, split by kind (solar_kind: rooftop, "
        "farm, floating, pond).",
        categories=("solar",), amount_measure="kwp", breakdown="solar_kind", breakdown_keys=SOLAR_KINDS,
        main=True),
    IndicatorSpec(
        "organic_farms", "Cơ sở nông nghiệp hữu cơ, nuôi trồng thủy sản bền vững",
        "Organic farms and sustainable aquaculture", "cơ sở", "farms", "II.5", "count",
        "Số điểm loại nông nghiệp hữu cơ, VietGAP/GlobalGAP có chứng nhận (certification) hữu cơ hoặc nuôi "
        "trồng thủy sản bền vững, được tính trong năm, chia theo chứng nhận.",
        "Number of organic/VietGAP/GlobalGAP farm sites whose certification is organic or sustainable "
        "aquaculture, counted in the year, split by certification.",
        categories=("organic_farm",), breakdown="certification",
        breakdown_keys=("organic", "sustainable_aquaculture"), only_kinds=("organic", "sustainable_aquaculture")),
    IndicatorSpec(
        "gap_farms", "Cơ sở sản xuất đạt VietGAP, GlobalGAP", "VietGAP and GlobalGAP farms", "cơ sở", "farms",
        "II.9", "count",
        "Số điểm loại nông nghiệp hữu cơ, VietGAP/GlobalGAP có chứng nhận (certification) VietGAP hoặc "
        "GlobalGAP, được tính trong năm, chia theo chứng nhận.",
        "Number of organic/VietGAP/GlobalGAP farm sites certified VietGAP or GlobalGAP, counted in the year, "
        "split by certification.",
        categories=("organic_farm",), breakdown="certification", breakdown_keys=("VietGAP", "GlobalGAP"),
        only_kinds=("VietGAP", "GlobalGAP")),
    IndicatorSpec(
        "material_fuel_cut", "Mức giảm tiêu hao nguyên, nhiên vật liệu", "Cut in material and fuel use", "%", "%",
        "II.1", "manual",
        "Nhập tay theo ngành (dệt may – da giày, xi măng, rượu – bia – nước giải khát, chế biến thủy hải "
        "sản), kèm người báo cáo và thời điểm; các điểm không cho biết được số này. Khi không chọn ngành, "
        "giá trị là mức giảm thấp nhất trong các ngành đã báo cáo, vì chỉ tiêu đặt cho từng ngành.",
        "Entered by hand per sector (textile–leather, cement, beverages, seafood processing), with who reported "
        "it and when; the sites cannot tell this figure. With no sector chosen, the value is the smallest cut "
        "among the sectors reported, since the target holds for each sector.",
        (5, 8), (7, 10), "unit", breakdown="sector", breakdown_keys=tuple(MATERIAL_SECTORS)),
)

BY_CODE: dict[str, IndicatorSpec] = {spec.code: spec for spec in INDICATORS}
INDICATOR_CODES = tuple(BY_CODE)
assert set(CERTIFICATIONS) >= {"organic", "VietGAP", "GlobalGAP", "sustainable_aquaculture"}


def load_indicators(session: Session) -> None:
    """Insert or refresh every indicator of the catalogue with its targets (run at set-up)."""
    for order, spec in enumerate(INDICATORS):
        low25, high25 = spec.target_2025 or (None, None)
        low30, high30 = spec.target_2030 or (None, None)
        values = dict(code=spec.code, name_vi=spec.name_vi, name_en=spec.name_en, unit=spec.unit,
                      method=spec.method, plan_task=spec.plan_task, description_vi=spec.description_vi,
                      description_en=spec.description_en, target_2025_low=low25, target_2025_high=high25,
                      target_2030_low=low30, target_2030_high=high30, sort_order=order)
        session.execute(insert(Indicator).values(values)
                        .on_conflict_do_update(index_elements=["code"], set_=values))


def spec_of(code: str) -> IndicatorSpec:
    """The indicator with this code, or BadParameter naming the known ones."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise BadParameter("indicator", N_("Chỉ tiêu không có: %(value)s; chọn trong: %(allowed)s"),
                           value=code, allowed=", ".join(INDICATOR_CODES)) from None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else value


def _targets_of(row: Mapping[str, Any]) -> dict[str, dict[str, float | None] | None]:
    out: dict[str, dict[str, float | None] | None] = {}
    for year in ("2025", "2030"):
        low, high = _number(row[f"target_{year}_low"]), _number(row[f"target_{year}_high"])
        out[year] = None if low is None and high is None else {"low": low, "high": high}
    return out


def list_indicators(session: Session) -> list[dict[str, Any]]:
    """Every indicator as loaded in the database: code, names, unit, method, how measured, targets."""
    rows = session.execute(text("""
        SELECT i.code, i.name_vi, i.name_en, i.unit, i.method, i.plan_task, t.lead_agency,
               i.description_vi, i.description_en, i.target_2025_low, i.target_2025_high,
               i.target_2030_low, i.target_2030_high
        FROM indicator i LEFT JOIN plan_task t ON t.code = i.plan_task
        ORDER BY i.sort_order, i.code""")).mappings()
    out = []
    for row in rows:
        spec = BY_CODE.get(row["code"])
        if spec is None:  # a row left from an older catalogue: not ours to show
            continue
        out.append({
            "code": row["code"], "name_vi": row["name_vi"], "name_en": row["name_en"],
            "unit": row["unit"], "unit_en": spec.unit_en, "method": row["method"], "kind": spec.kind,
            "plan_task": row["plan_task"], "lead_agency": row["lead_agency"],
            "description_vi": row["description_vi"], "description_en": row["description_en"],
            "targets": _targets_of(row), "target_scope": spec.target_scope,
            "breakdown": spec.breakdown or None, "breakdown_keys": list(spec.breakdown_keys),
            "main": spec.main,
        })
    return out


# --- targets and status ---------------------------------------------------------------------------

def target_for_year(spec: IndicatorSpec, year: int) -> tuple[float, float] | None:
    """The (low, high) target for a year: linear from 0 at the end of 2020 to 2025, then to 2030."""
    if spec.target_2025 is None or year < PLAN_START:
        return None
    low25, high25 = spec.target_2025
    if year <= 2025:
        share = (year - (PLAN_START - 1)) / (2025 - (PLAN_START - 1))
        return round(low25 * share, 4), round(high25 * share, 4)
    # With no number for 2030 ("replicate the models") the 2025 target must at least hold.
    low30, high30 = spec.target_2030 or spec.target_2025
    share = min(year - 2025, 5) / 5
    return round(low25 + (low30 - low25) * share, 4), round(high25 + (high30 - high25) * share, 4)


def status_of(value: float | None, target_low: float | None) -> str | None:
    """on_track / behind / far_behind against the low end of the year's target; no_data; None: no target."""
    if target_low is None:
        return None
    if value is None:
        return "no_data"
    if target_low <= 0 or value >= target_low * ON_TRACK_AT:
        return "on_track"
    return "behind" if value >= target_low * BEHIND_AT else "far_behind"


def default_geography(year: int) -> str:
    """Districts up to 2025, communes after.

    2025 stays with districts: the plan's 2021–2025 phase is reported by district and its 2025 targets are
    judged against the district baseline, even though districts ended on 30 June 2025.
    """
    return "district" if year <= 2025 else "commune"


# --- computing from the sites ---------------------------------------------------------------------

def _json_number(expression: str) -> str:
    """SQL turning a jsonb value into a number, or NULL when it is not one (typed text is tolerated)."""
    return (f"CASE WHEN jsonb_typeof({expression}) = 'number' THEN ({expression} #>> '{{}}')::numeric "
            f"WHEN jsonb_typeof({expression}) = 'string' AND ({expression} #>> '{{}}') ~ '^\\s*[0-9]+(\\.[0-9]+)?\\s*$' "
            f"THEN trim({expression} #>> '{{}}')::numeric END")


# The sites an indicator counts in a year, one row each with what it adds to the figure. Every value
# comes from a bound parameter; the fragments joined here are fixed text of this module.
_COUNTED = """
counted AS (
    SELECT s.id, s.ref, s.name, s.category_code, s.status, s.district_code, s.commune_code,
           s.start_date, s.end_date, s.measures, s.is_sample, s.plan_task,
           CASE WHEN :level = 'district' THEN s.district_code
                WHEN :level = 'commune' THEN s.commune_code
                ELSE :province END AS unit_code,
           CASE :numerator_rule
                WHEN 'reached_by_year' THEN coalesce(""" + _json_number("s.measures -> :numerator_measure") + """
                                                     <= :year, false)
                WHEN 'is_true' THEN coalesce(s.measures -> :numerator_measure IN ('true'::jsonb, '"true"'::jsonb),
                                             false)
                ELSE false END AS in_numerator,
           """ + _json_number("s.measures -> :amount_measure") + """ AS amount,
           coalesce(s.measures ->> :breakdown, '') AS kind
    FROM site s
    WHERE s.moderation = 'approved' AND s.deleted_at IS NULL
      AND s.category_code = ANY(:categories)
      AND s.status = ANY(:statuses)
      AND (s.start_date IS NULL OR s.start_date <= make_date(:year, 12, 31))
      AND (s.end_date IS NULL OR s.end_date >= make_date(:year, 1, 1))
      AND (cardinality(CAST(:only_districts AS text[])) = 0 OR s.district_code = ANY(:only_districts))
      AND (cardinality(CAST(:only_kinds AS text[])) = 0 OR s.measures ->> :breakdown = ANY(:only_kinds))
)"""

# GROUPING() tells the rolled-up rows (province, per unit, per kind) from a NULL unit_code, which is a
# site no unit of the geography holds.
_BY_UNIT = "WITH " + _COUNTED + """
SELECT unit_code, kind, GROUPING(unit_code) AS all_units, GROUPING(kind) AS all_kinds,
       count(*) AS sites, count(*) FILTER (WHERE in_numerator) AS in_numerator, sum(amount) AS amount
FROM counted GROUP BY GROUPING SETS ((), (kind), (unit_code), (unit_code, kind))
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
    return {
        "level": level, "province": PROVINCE_CODE, "year": year,
        "categories": list(spec.categories), "statuses": list(COUNTED_STATUSES),
        "only_districts": list(spec.only_districts), "only_kinds": list(spec.only_kinds),
        "numerator_rule": spec.numerator_rule, "numerator_measure": spec.numerator_measure,
        "amount_measure": spec.amount_measure, "breakdown": spec.breakdown,
    }


def _figure(spec: IndicatorSpec, sites: int, in_numerator: int, amount: Any) -> dict[str, Any]:
    """Value, numerator and denominator of one unit from its counted sites."""
    if spec.kind == "share":
        value = round(100.0 * in_numerator / sites, 1) if sites else None
        return {"value": value, "numerator": in_numerator, "denominator": sites, "sites": sites}
    if spec.kind == "count":
        return {"value": sites, "numerator": sites, "denominator": None, "sites": sites}
    total = round(float(amount or 0), 3)
    return {"value": total, "numerator": total, "denominator": None, "sites": sites}


def units_of(session: Session, level: str) -> list[dict[str, str]]:
    """Code and name of the units of a geography, in code order."""
    rows = session.execute(text("SELECT code, short_name AS name FROM admin_unit WHERE level = :level "
                                "ORDER BY code"), {"level": level}).mappings()
    return [dict(row) for row in rows]


def province_name(session: Session) -> str:
    """The province's name as loaded (the former Kiên Giang)."""
    name = session.execute(text("SELECT short_name FROM admin_unit WHERE level = 'province' ORDER BY valid_from "
                                "LIMIT 1")).scalar()
    return name or "Kiên Giang"


def _computed(session: Session, spec: IndicatorSpec, year: int, level: str) -> dict[str, Any]:
    """Figures from the sites: 'units' by code ('' for sites no unit holds), 'province', and their breakdowns."""
    out: dict[str, Any] = {"units": {}, "province": _figure(spec, 0, 0, None),
                           "unit_breakdowns": {}, "province_breakdown": {}}
    for row in session.execute(text(_BY_UNIT), _params(spec, year, level)).mappings():
        figure = _figure(spec, row["sites"], row["in_numerator"], row["amount"])
        unit = row["unit_code"] or ""
        if row["all_units"] and row["all_kinds"]:
            out["province"] = figure
        elif row["all_units"]:
            out["province_breakdown"][row["kind"]] = figure
        elif row["all_kinds"]:
            out["units"][unit] = figure
        else:
            out["unit_breakdowns"].setdefault(unit, {})[row["kind"]] = figure
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


def _manual(session: Session, spec: IndicatorSpec, year: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Hand-entered values of a year by unit code and sector, with who reported them and when."""
    rows = session.execute(text("""
        SELECT v.id, v.unit_code, v.sector, v.value, v.note, v.version, v.reported_at,
               u.username AS reported_by
        FROM indicator_value v LEFT JOIN app_user u ON u.id = v.reported_by
        WHERE v.indicator_code = :code AND v.year = :year
        ORDER BY v.unit_code, v.sector"""), {"code": spec.code, "year": year}).mappings()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["unit_code"], {})[row["sector"]] = {
            "id": row["id"], "value": _number(row["value"]), "numerator": None, "denominator": None,
            "note": row["note"], "version": row["version"], "reported_by": row["reported_by"],
            "reported_at": row["reported_at"].isoformat() if row["reported_at"] else None,
        }
    return out


def _manual_figure(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A unit's figure from its sectors: the smallest cut reported, since the target holds in each sector."""
    reported = [v["value"] for v in values.values() if v["value"] is not None]
    return {"value": min(reported) if reported else None, "numerator": None, "denominator": None,
            "sites": None, "sectors_reported": len(reported)}


def _pick(spec: IndicatorSpec, figure: dict[str, Any], breakdown: dict[str, dict[str, Any]],
          sector: str | None) -> dict[str, Any]:
    """The figure of the chosen sector (or kind), else the unit's own."""
    if not sector:
        return figure
    chosen = breakdown.get(sector) or {"value": None, "numerator": None, "denominator": None}
    return {k: v for k, v in chosen.items() if k not in ("label_vi", "label_en")}


def progress(session: Session, code: str, year: int, geography: str | None = None,
             sector: str | None = None) -> dict[str, Any]:
    """An indicator by unit of a geography for a year: value, numerator, denominator, target, status, and
    the province total; with sector, the figure of that sector (manual) or kind (solar, certification)."""
    spec = spec_of(code)
    geography = geography or default_geography(year)
    _check_choice("geography", geography, GEOGRAPHIES)
    if sector:
        _check_choice("sector", sector, spec.breakdown_keys)
    target = target_for_year(spec, year)
    target_low = target[0] if target else None
    target_out = {"low": target[0], "high": target[1]} if target else None
    units = units_of(session, geography)
    rows = []
    if spec.kind == "manual":
        manual = _manual(session, spec, year)
        province_values = manual.get(PROVINCE_CODE, {})
        province_figure = _manual_figure(province_values)
        province_breakdown = _with_labels(spec, province_values)
        unassigned = None
        by_unit = {u["code"]: (_manual_figure(manual.get(u["code"], {})), _with_labels(spec, manual.get(u["code"], {})))
                   for u in units}
    else:
        computed = _computed(session, spec, year, geography)
        province_figure = computed["province"]
        province_breakdown = _with_labels(spec, computed["province_breakdown"])
        unassigned = computed["units"].get("")
        empty = _figure(spec, 0, 0, None)
        by_unit = {u["code"]: (computed["units"].get(u["code"], empty),
                               _with_labels(spec, computed["unit_breakdowns"].get(u["code"], {})))
                   for u in units}
    unit_scope = spec.target_scope == "unit"
    for unit in units:
        figure, breakdown = by_unit[unit["code"]]
        shown = _pick(spec, figure, breakdown, sector)
        rows.append({"code": unit["code"], "name": unit["name"], **shown,
                     "target": target_out if unit_scope else None,
                     "status": status_of(shown["value"], target_low) if unit_scope else None,
                     "breakdown": breakdown})
    province_shown = _pick(spec, province_figure, province_breakdown, sector)
    return {
        "indicator": _describe(spec), "year": year, "geography": geography, "sector": sector or None,
        "target": target_out, "targets": _spec_targets(spec),
        "units": rows,
        "province": {"code": PROVINCE_CODE, "name": province_name(session), **province_shown,
                     "target": target_out, "status": status_of(province_shown["value"], target_low),
                     "breakdown": province_breakdown},
        "unassigned": unassigned if unassigned and unassigned["sites"] else None,
        "thresholds": {"on_track": ON_TRACK_AT, "behind": BEHIND_AT},
    }


def _describe(spec: IndicatorSpec) -> dict[str, Any]:
    return {"code": spec.code, "name_vi": spec.name_vi, "name_en": spec.name_en, "unit": spec.unit,
            "unit_en": spec.unit_en, "method": spec.method, "kind": spec.kind, "plan_task": spec.plan_task,
            "target_scope": spec.target_scope, "breakdown": spec.breakdown or None,
            "breakdown_keys": list(spec.breakdown_keys), "main": spec.main,
            "description_vi": spec.description_vi, "description_en": spec.description_en}


def _spec_targets(spec: IndicatorSpec) -> dict[str, dict[str, float] | None]:
    return {year: ({"low": float(t[0]), "high": float(t[1])} if t else None)
            for year, t in (("2025", spec.target_2025), ("2030", spec.target_2030))}


def province_path(session: Session, code: str, first_year: int, last_year: int,
                  sector: str | None = None) -> list[dict[str, Any]]:
    """The province figure year by year, with the year's target and status: the path to the target."""
    spec = spec_of(code)
    path = []
    for year in range(first_year, last_year + 1):
        if spec.kind == "manual":
            values = _manual(session, spec, year).get(PROVINCE_CODE, {})
            figure = _pick(spec, _manual_figure(values), _with_labels(spec, values), sector)
        else:
            computed = _computed(session, spec, year, "district")
            figure = _pick(spec, computed["province"], _with_labels(spec, computed["province_breakdown"]), sector)
        target = target_for_year(spec, year)
        path.append({"year": year, "value": figure["value"], "numerator": figure.get("numerator"),
                     "denominator": figure.get("denominator"),
                     "target": {"low": target[0], "high": target[1]} if target else None,
                     "status": status_of(figure["value"], target[0] if target else None)})
    return path


def summary(session: Session, year: int) -> list[dict[str, Any]]:
    """Every indicator for the province in a year: value, targets (year, 2025, 2030), status, and its path
    year by year from 2021 to the year."""
    out = []
    for spec in INDICATORS:
        path = province_path(session, spec.code, min(PLAN_START, year), year)
        now = path[-1]
        out.append({**_describe(spec), "year": year, "value": now["value"], "numerator": now["numerator"],
                    "denominator": now["denominator"], "target": now["target"], "targets": _spec_targets(spec),
                    "status": now["status"], "path": path})
    return out


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise BadParameter(name, N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=value, allowed=", ".join(allowed) or "—")


def unit_level(session: Session, unit_code: str) -> str:
    """The geography of a unit code: 'province' for the province, else district or commune; NotFound."""
    if unit_code == PROVINCE_CODE:
        return "province"
    level = session.execute(text("SELECT level FROM admin_unit WHERE code = :code AND level <> 'province' "
                                 "ORDER BY valid_from DESC LIMIT 1"), {"code": unit_code}).scalar()
    if level is None:
        raise NotFound("unit", N_("Không có đơn vị hành chính mã %(code)s"), code=unit_code)
    return level


def sites_behind(session: Session, code: str, unit_code: str, year: int, sector: str | None = None
                 ) -> list[dict[str, Any]]:
    """The sites a unit's figure is counted from (the province's for code 91), each with what it adds:
    for a share, whether it is in the numerator; for a sum, its amount. A hand-entered figure has none."""
    spec = spec_of(code)
    if sector:
        _check_choice("sector", sector, spec.breakdown_keys)
    level = unit_level(session, unit_code)
    if spec.kind == "manual":
        return []
    params = _params(spec, year, "district" if level == "province" else level)
    params.update(unit_code=unit_code, kind_filter=sector or "")
    out = []
    for row in session.execute(text(_SITES), params).mappings():
        site = dict(row)
        site["start_date"] = row["start_date"].isoformat() if row["start_date"] else None
        site["end_date"] = row["end_date"].isoformat() if row["end_date"] else None
        site["amount"] = _number(row["amount"]) if spec.kind == "sum" else None
        site["in_numerator"] = row["in_numerator"] if spec.kind == "share" else None
        out.append(site)
    return out


# --- hand-entered values --------------------------------------------------------------------------

def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the history keeps of a value."""
    return {"value": None if row["value"] is None else float(row["value"]), "note": row["note"],
            "reported_by": row["reported_by"], "reported_at": row["reported_at"].isoformat(),
            "version": row["version"]}


def record_manual_value(session: Session, code: str, unit_code: str, year: int, value: float | None, *,
                        sector: str = "", reported_by: int | None, note: str | None = None,
                        expected_version: int | None = None) -> dict[str, Any]:
    """Enter or change a hand-entered value; a change must name the version it read (else Conflict) and is
    kept in the history in the same transaction (the caller's)."""
    spec = spec_of(code)
    if spec.kind != "manual":
        raise BadParameter("indicator", N_("Chỉ tiêu %(code)s được tính từ các điểm, không nhập tay"), code=code)
    if spec.breakdown_keys:
        _check_choice("sector", sector, spec.breakdown_keys)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadParameter("year", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=FIRST_YEAR, high=LAST_YEAR)
    if value is not None and not -100 <= value <= 100:
        raise BadParameter("value", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=-100, high=100)
    unit_level(session, unit_code)
    key = {"code": code, "unit_code": unit_code, "year": year, "sector": sector}
    current = session.execute(text("""
        SELECT id, value, note, reported_by, reported_at, version FROM indicator_value
        WHERE indicator_code = :code AND unit_code = :unit_code AND year = :year AND sector = :sector
        FOR UPDATE"""), key).mappings().first()
    if current is None:
        if expected_version not in (None, 0):
            raise Conflict("version", N_("Giá trị này chưa có hoặc đã bị xoá; hãy tải lại"))
        row = session.execute(text("""
            INSERT INTO indicator_value (indicator_code, unit_code, year, sector, value, reported_by, note)
            VALUES (:code, :unit_code, :year, :sector, :value, :reported_by, :note)
            ON CONFLICT (indicator_code, unit_code, year, sector) DO NOTHING
            RETURNING id, value, note, reported_by, reported_at, version"""),
            {**key, "value": value, "reported_by": reported_by, "note": note}).mappings().first()
        if row is None:  # someone else entered it between our read and our write
            raise Conflict("version", N_("Người khác vừa nhập giá trị này; hãy tải lại"))
        before = None
    else:
        if expected_version != current["version"]:
            raise Conflict("version", N_("Giá trị đã được sửa (phiên bản %(current)s, bạn gửi %(sent)s); hãy "
                                         "tải lại"), current=current["version"], sent=expected_version)
        row = session.execute(text("""
            UPDATE indicator_value SET value = :value, note = :note, reported_by = :reported_by,
                   reported_at = now(), version = version + 1
            WHERE id = :id AND version = :version
            RETURNING id, value, note, reported_by, reported_at, version"""),
            {"id": current["id"], "version": current["version"], "value": value, "note": note,
             "reported_by": reported_by}).mappings().first()
        before = _snapshot(current)
    after = _snapshot(row)
    session.execute(text("""
        INSERT INTO indicator_value_history (indicator_value_id, changed_by, before, after)
        VALUES (:id, :changed_by, CAST(:before AS jsonb), CAST(:after AS jsonb))"""),
        {"id": row["id"], "changed_by": reported_by, "before": _json(before), "after": _json(after)})
    return {"id": row["id"], "indicator": code, "unit_code": unit_code, "year": year, "sector": sector, **after}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def manual_value_history(session: Session, code: str, unit_code: str, year: int, sector: str = ""
                         ) -> list[dict[str, Any]]:
    """Every change to a hand-entered value, oldest first: who, when, before, after."""
    rows = session.execute(text("""
        SELECT h.changed_at, u.username AS changed_by, h.before, h.after
        FROM indicator_value_history h
        JOIN indicator_value v ON v.id = h.indicator_value_id
        LEFT JOIN app_user u ON u.id = h.changed_by
        WHERE v.indicator_code = :code AND v.unit_code = :unit_code AND v.year = :year AND v.sector = :sector
        ORDER BY h.changed_at, h.id"""), {"code": code, "unit_code": unit_code, "year": year, "sector": sector})
    return [dict(row._mapping) for row in rows]


# --- keeping the computed figures -----------------------------------------------------------------

def store_computed_values(session: Session, year: int, geography: str) -> int:
    """Record the computed figures of a year (each unit, its breakdown, the province) in indicator_value,
    so a report's figures stay on file with their numerators and denominators; returns rows written."""
    _check_choice("geography", geography, GEOGRAPHIES)
    written = 0
    for spec in INDICATORS:
        if spec.kind == "manual":
            continue
        computed = _computed(session, spec, year, geography)
        entries: list[tuple[str, str, dict[str, Any]]] = [(PROVINCE_CODE, "", computed["province"])]
        entries += [(PROVINCE_CODE, kind, f) for kind, f in computed["province_breakdown"].items()]
        entries += [(unit, "", f) for unit, f in computed["units"].items() if unit]
        entries += [(unit, kind, f) for unit, kinds in computed["unit_breakdowns"].items() if unit
                    for kind, f in kinds.items()]
        codes = [u["code"] for u in units_of(session, geography)]
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
                 "note": f"tính từ {figure['sites']} điểm ({geography})"})
            written += 1
    return written


# --- query parameters -----------------------------------------------------------------------------

@dataclass
class ProgressQuery:
    """The checked parameters of a progress request."""

    indicator: str
    year: int
    geography: str
    sector: str | None = None
    unit: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def parse_year(value: str | None, *, name: str = "year", default: int | None = None) -> int:
    """A year of the plan's reach (2020–2035), or BadParameter naming the parameter."""
    if value is None or value == "":
        if default is None:
            raise BadParameter(name, N_("Thiếu tham số"))
        return default
    try:
        year = int(value)
    except ValueError:
        raise BadParameter(name, N_("Phải là số nguyên, nhận được “%(value)s”"), value=value) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadParameter(name, N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=FIRST_YEAR, high=LAST_YEAR)
    return year


def parse_geography(value: str | None, year: int) -> str:
    """district or commune; the year's default when absent."""
    if not value:
        return default_geography(year)
    _check_choice("geography", value, GEOGRAPHIES)
    return value


def current_year(today: dt.date | None = None) -> int:
    """The latest year the plan reports on, as of today."""
    return min(max((today or dt.date.today()).year, PLAN_START), LAST_YEAR)


def reject_unknown(args: Mapping[str, str], known: tuple[str, ...] = ()) -> None:
    """BadParameter for the first parameter not in known (lang is always allowed)."""
    allowed = set(known) | {"lang"}
    for name in args:
        if name not in allowed:
            raise BadParameter(name, N_("Tham số không được hỗ trợ; các tham số có: %(names)s"),
                               names=", ".join(sorted(allowed)))


def parse_progress_args(args: Mapping[str, str], *, need_unit: bool = False) -> ProgressQuery:
    """Check indicator, year, geography, sector (and unit) of a progress request; BadParameter names the one."""
    reject_unknown(args, ("indicator", "year", "geography", "sector", "unit"))
    code = (args.get("indicator") or "").strip()
    if not code:
        raise BadParameter("indicator", N_("Thiếu tham số; chọn trong: %(allowed)s"),
                           allowed=", ".join(INDICATOR_CODES))
    spec = spec_of(code)
    year = parse_year(args.get("year"), default=current_year())
    geography = parse_geography(args.get("geography"), year)
    sector = (args.get("sector") or "").strip() or None
    if sector:
        _check_choice("sector", sector, spec.breakdown_keys)
    unit = (args.get("unit") or "").strip() or None
    if need_unit and not unit:
        raise BadParameter("unit", N_("Thiếu tham số"))
    return ProgressQuery(indicator=code, year=year, geography=geography, sector=sector, unit=unit)
