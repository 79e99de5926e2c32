"""The plan's indicators as facts: what each counts, its 2025 and 2030 targets, the target of each year
between, and how a figure stands against it (its progress status).

Targets for the years between are interpolated linearly from a baseline of 0 at the end of 2020 (the
plan was adopted in September 2020 and runs from 2021) to the 2025 target, then on to the 2030 target;
a unit is on track at 100 % of the year's target or more, behind from 75 % to below 100 %, far behind
below 75 %.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.catalogue import CERTIFICATIONS, LAST_YEAR, PLAN_START, SOLAR_KINDS
from geo.errors import N_, BadParameter
from geo.models import Indicator

PILOT_DISTRICTS = ("899", "900", "911")  # Rạch Giá, Hà Tiên, Phú Quốc: the plan's source-sorting pilot area

# Status against the year's target, as a share of it.
ON_TRACK_AT = 1.0
BEHIND_AT = 0.75
PROGRESS_STATUSES = ("on_track", "behind", "far_behind", "no_data")
PROGRESS_STATUS_LABELS: dict[str | None, str] = {
    "on_track": N_("Đạt tiến độ"),
    "behind": N_("Chậm"),
    "far_behind": N_("Chậm nhiều"),
    "no_data": N_("Chưa có số liệu"),
    None: N_("Không có chỉ tiêu"),
}
PROGRESS_STATUS_COLOURS: dict[str | None, str] = {
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
    # One sentence for the public: what is counted and what the target is, with no field names.
    plain_vi: str = ""
    plain_en: str = ""

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
        numerator_rule="reached_by_year", numerator_measure="scp_outreach_year", main=True,
        plain_vi="Phần trăm khu, cụm công nghiệp sinh thái và làng nghề đã được tuyên truyền về sản xuất và "
                 "tiêu dùng bền vững; chỉ tiêu 70 % năm 2025 và 100 % năm 2030 ở mỗi đơn vị.",
        plain_en="Share of eco-industrial parks, clusters and craft villages already reached by awareness "
                 "work on sustainable production and consumption; target 70 % by 2025 and 100 % by 2030 in "
                 "every unit."),
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
        numerator_rule="is_true", numerator_measure="eco_packaging", main=True,
        plain_vi="Phần trăm siêu thị, trung tâm thương mại và chợ dùng bao bì thân thiện môi trường; chỉ tiêu"
                 " 85 % năm 2025 và 100 % năm 2030 ở mỗi đơn vị.",
        plain_en="Share of supermarkets, commercial centres and markets that use eco-friendly packaging; "
                 "target 85 % by 2025 and 100 % by 2030 in every unit."),
    IndicatorSpec(
        "cleaner_production_models", "Mô hình sản xuất sạch hơn, SXTDBV được xây dựng, áp dụng",
        "SCP and cleaner-production models built and applied", "mô hình", "models", "II.1", "count",
        "Số điểm loại mô hình sản xuất sạch hơn được tính trong năm. Chỉ tiêu 2025 (1–2 mô hình) là của "
        "toàn tỉnh; đến 2030 là nhân rộng, không định lượng.",
        "Number of cleaner-production model sites counted in the year. The 2025 target (1–2 models) is "
        "province-wide; the 2030 one (replicate them) has no number.",
        (1, 2), None, categories=("cleaner_production",), main=True,
        plain_vi="Số mô hình sản xuất sạch hơn đang hoạt động; chỉ tiêu 1 đến 2 mô hình trong toàn tỉnh đến "
                 "năm 2025, sau đó nhân rộng.",
        plain_en="Number of cleaner-production models in operation; target 1 to 2 models in the whole "
                 "province by 2025, then more."),
    IndicatorSpec(
        "eco_packaging_models", "Mô hình sản xuất bao bì thân thiện môi trường",
        "Eco-friendly packaging production models", "mô hình", "models", "II.8", "count",
        "Số điểm loại sản xuất bao bì thân thiện môi trường (túi tự phân hủy, bao bì giấy) được tính trong "
        "năm; chỉ tiêu 1–2 mô hình toàn tỉnh.",
        "Number of eco-friendly packaging producer sites (self-degrading bags, paper packaging) counted in the "
        "year; target 1–2 models province-wide.",
        (1, 2), None, categories=("eco_packaging",), main=True,
        plain_vi="Số cơ sở sản xuất bao bì thân thiện môi trường (túi tự phân hủy, bao bì giấy); chỉ tiêu 1 "
                 "đến 2 mô hình trong toàn tỉnh.",
        plain_en="Number of producers of eco-friendly packaging (self-degrading bags, paper packaging); "
                 "target 1 to 2 models in the whole province."),
    IndicatorSpec(
        "waste_sorting_pilots", "Điểm thí điểm phân loại rác tại nguồn (Rạch Giá, Hà Tiên, Phú Quốc)",
        "Source-sorting pilots (Rạch Giá, Hà Tiên, Phú Quốc)", "điểm", "pilots", "VI.2", "count",
        "Số điểm loại thí điểm phân loại rác tại nguồn được tính trong năm, nằm trong TP. Rạch Giá, TP. Hà "
        "Tiên và Phú Quốc (theo ranh giới huyện 2009–2025 của điểm); kế hoạch không đặt số lượng.",
        "Number of source-sorting pilot sites counted in the year that lie in Rạch Giá, Hà Tiên or Phú Quốc "
        "(by the site's 2009–2025 district); the plan sets no number.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS,
        plain_vi="Số điểm thí điểm phân loại rác tại nguồn ở Rạch Giá, Hà Tiên và Phú Quốc; kế hoạch không "
                 "đặt con số.",
        plain_en="Number of pilots sorting waste at source in Rạch Giá, Hà Tiên and Phú Quốc; the plan sets "
                 "no number."),
    IndicatorSpec(
        "waste_sorting_households", "Số hộ tham gia thí điểm phân loại rác tại nguồn",
        "Households in the source-sorting pilots", "hộ", "households", "VI.2", "sum",
        "Tổng số hộ tham gia (households) của các điểm thí điểm phân loại rác tại nguồn được tính trong năm "
        "ở Rạch Giá, Hà Tiên, Phú Quốc.",
        "Sum of households taking part (households) over the source-sorting pilot sites counted in the year "
        "in Rạch Giá, Hà Tiên and Phú Quốc.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS, amount_measure="households", main=True,
        plain_vi="Số hộ gia đình tham gia các điểm thí điểm phân loại rác tại nguồn ở Rạch Giá, Hà Tiên và "
                 "Phú Quốc; kế hoạch không đặt con số.",
        plain_en="Number of households taking part in the pilots sorting waste at source in Rạch Giá, Hà Tiên"
                 " and Phú Quốc; the plan sets no number."),
    IndicatorSpec(
        "waste_sorting_tonnes", "Khối lượng rác được phân loại tại nguồn",
        "Waste sorted at source in the pilots", "tấn/tháng", "tonnes/month", "VI.2", "sum",
        "Tổng khối lượng rác được phân loại (tonnes_sorted_per_month) của các điểm thí điểm phân loại rác "
        "tại nguồn được tính trong năm ở Rạch Giá, Hà Tiên, Phú Quốc.",
        "Sum of waste sorted (tonnes_sorted_per_month) over the source-sorting pilot sites counted in the "
        "year in Rạch Giá, Hà Tiên and Phú Quốc.",
        categories=("waste_sorting",), only_districts=PILOT_DISTRICTS, amount_measure="tonnes_sorted_per_month",
        plain_vi="Số tấn rác được phân loại tại nguồn mỗi tháng ở các điểm thí điểm tại Rạch Giá, Hà Tiên và "
                 "Phú Quốc; kế hoạch không đặt con số.",
        plain_en="Tonnes of waste sorted at source each month by the pilots in Rạch Giá, Hà Tiên and Phú "
                 "Quốc; the plan sets no number."),
    IndicatorSpec(
        "solar_kwp", "Công suất điện mặt trời đã lắp đặt", "Solar capacity installed", "kWp", "kWp", "VI.5", "sum",
        "Tổng công suất (kwp) của các điểm điện mặt trời được tính trong năm, chia theo loại (solar_kind: "
        "áp mái, trang trại, nổi, trên ao nuôi).",
        "Sum of capacity (kwp) over the solar sites counted in the year, split by kind (solar_kind: rooftop, "
        "farm, floating, pond).",
        categories=("solar",), amount_measure="kwp", breakdown="solar_kind", breakdown_keys=SOLAR_KINDS,
        main=True,
        plain_vi="Tổng công suất điện mặt trời đã lắp đặt, chia theo áp mái, trang trại, nổi và trên ao nuôi;"
                 " kế hoạch không đặt con số.",
        plain_en="Total solar capacity installed, split into rooftop, farm, floating and pond systems; the "
                 "plan sets no number."),
    IndicatorSpec(
        "organic_farms", "Cơ sở nông nghiệp hữu cơ, nuôi trồng thủy sản bền vững",
        "Organic farms and sustainable aquaculture", "cơ sở", "farms", "II.5", "count",
        "Số điểm loại nông nghiệp hữu cơ, VietGAP/GlobalGAP có chứng nhận (certification) hữu cơ hoặc nuôi "
        "trồng thủy sản bền vững, được tính trong năm, chia theo chứng nhận.",
        "Number of organic/VietGAP/GlobalGAP farm sites whose certification is organic or sustainable "
        "aquaculture, counted in the year, split by certification.",
        categories=("organic_farm",), breakdown="certification",
        breakdown_keys=("organic", "sustainable_aquaculture"), only_kinds=("organic", "sustainable_aquaculture"),
        plain_vi="Số cơ sở có chứng nhận hữu cơ hoặc nuôi trồng thủy sản bền vững; kế hoạch không đặt con số.",
        plain_en="Number of farms certified organic or as sustainable aquaculture; the plan sets no number."),
    IndicatorSpec(
        "gap_farms", "Cơ sở sản xuất đạt VietGAP, GlobalGAP", "VietGAP and GlobalGAP farms", "cơ sở", "farms",
        "II.9", "count",
        "Số điểm loại nông nghiệp hữu cơ, VietGAP/GlobalGAP có chứng nhận (certification) VietGAP hoặc "
        "GlobalGAP, được tính trong năm, chia theo chứng nhận.",
        "Number of organic/VietGAP/GlobalGAP farm sites certified VietGAP or GlobalGAP, counted in the year, "
        "split by certification.",
        categories=("organic_farm",), breakdown="certification", breakdown_keys=("VietGAP", "GlobalGAP"),
        only_kinds=("VietGAP", "GlobalGAP"),
        plain_vi="Số cơ sở có chứng nhận VietGAP hoặc GlobalGAP; kế hoạch không đặt con số.",
        plain_en="Number of farms certified VietGAP or GlobalGAP; the plan sets no number."),
    IndicatorSpec(
        "material_fuel_cut", "Mức giảm tiêu hao nguyên, nhiên vật liệu của các ngành (nhập tay)",
        "Cut in material and fuel use by sector (entered by planners)", "%", "%",
        "II.1", "manual",
        "Nhập tay theo ngành (dệt may – da giày, xi măng, rượu – bia – nước giải khát, chế biến thủy hải "
        "sản), kèm người báo cáo và thời điểm; các điểm không cho biết được số này. Khi không chọn ngành, "
        "giá trị là mức giảm thấp nhất trong các ngành đã báo cáo, vì chỉ tiêu đặt cho từng ngành.",
        "Entered by hand per sector (textile–leather, cement, beverages, seafood processing), with who reported "
        "it and when; the sites cannot tell this figure. With no sector chosen, the value is the smallest cut "
        "among the sectors reported, since the target holds for each sector.",
        (5, 8), (7, 10), "unit", breakdown="sector", breakdown_keys=tuple(MATERIAL_SECTORS),
        plain_vi="Mức giảm tiêu hao nguyên, nhiên vật liệu của từng ngành (dệt may – da giày, xi măng, đồ "
                 "uống, chế biến thủy sản) do cán bộ kế hoạch nhập; chỉ tiêu giảm 5–8 % năm 2025 và 7–10 % "
                 "năm 2030.",
        plain_en="Cut in material and fuel use of each sector (textile and leather, cement, beverages, "
                 "seafood processing), entered by planners; target a 5–8 % cut by 2025 and 7–10 % by 2030."),
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
    load_rules(session)


def _rule(spec: IndicatorSpec) -> dict[str, Any]:
    return {"indicator_code": spec.code, "categories": list(spec.categories),
            "only_districts": list(spec.only_districts), "only_kinds": list(spec.only_kinds),
            "numerator_rule": spec.numerator_rule, "numerator_measure": spec.numerator_measure,
            "amount_measure": spec.amount_measure, "breakdown": spec.breakdown}


def load_rules(session: Session) -> bool:
    """Write each computed indicator's rule where the database keeps its figures (site_figure, migration 0011)
    and rebuild them when a rule changed; returns whether it did."""
    rules = [_rule(spec) for spec in INDICATORS if spec.kind != "manual"]
    stored = [dict(row) for row in session.execute(text(
        "SELECT * FROM indicator_rule ORDER BY indicator_code")).mappings()]
    if stored == sorted(rules, key=lambda rule: rule["indicator_code"]):
        return False
    session.execute(text("DELETE FROM indicator_rule"))
    session.execute(text("""
        INSERT INTO indicator_rule (indicator_code, categories, only_districts, only_kinds, numerator_rule,
                                    numerator_measure, amount_measure, breakdown)
        VALUES (:indicator_code, :categories, :only_districts, :only_kinds, :numerator_rule,
                :numerator_measure, :amount_measure, :breakdown)"""), rules)
    session.execute(text("SELECT scp_site_figures_rebuild()"))
    return True


def spec_of(code: str) -> IndicatorSpec:
    """The indicator with this code, or BadParameter naming the known ones."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise BadParameter("indicator", N_("Chỉ tiêu không có: %(value)s; chọn trong: %(allowed)s"),
                           value=code, allowed=", ".join(INDICATOR_CODES)) from None


def number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else value


def _targets_of(row: Mapping[str, Any]) -> dict[str, dict[str, float | None] | None]:
    out: dict[str, dict[str, float | None] | None] = {}
    for year in ("2025", "2030"):
        low, high = number(row[f"target_{year}_low"]), number(row[f"target_{year}_high"])
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


def progress_status(value: float | None, target_low: float | None) -> str | None:
    """on_track / behind / far_behind against the low end of the year's target; no_data; None: no target."""
    if target_low is None:
        return None
    if value is None:
        return "no_data"
    if target_low <= 0 or value >= target_low * ON_TRACK_AT:
        return "on_track"
    return "behind" if value >= target_low * BEHIND_AT else "far_behind"


def default_level(year: int) -> str:
    """Districts up to 2025, communes after.

    2025 stays with districts: the plan's 2021–2025 phase is reported by district and its 2025 targets are
    judged against the district baseline, even though districts ended on 30 June 2025.
    """
    return "district" if year <= 2025 else "commune"



def current_year(today: dt.date | None = None) -> int:
    """The latest year the plan reports on, as of today."""
    return min(max((today or dt.date.today()).year, PLAN_START), LAST_YEAR)


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """BadParameter naming the field when value is not one of allowed."""
    if value not in allowed:
        raise BadParameter(name, N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=value, allowed=", ".join(allowed) or "—")
