"""The plan's agencies: the departments, boards and district People's Committees of the appendix of
Plan 135/KH-UBND, and the tasks each leads or cooperates on.

Facts of the plan, like geo/catalogue.py: the lead of each task is catalogue.PlanTask.lead_agency (one home);
this module names each agency with a code and adds the cooperating agencies the appendix names. "Các ngành
liên quan" (the related departments) names nobody, so it gives no agency a task.
"""
from __future__ import annotations

from dataclasses import dataclass

from unidecode import unidecode

from geo import catalogue
from geo.catalogue import PLAN_TASKS
from geo.errors import N_, BadParameter, NotFound


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str
    name_en: str
    district_code: str | None = None  # set for a district's People's Committee


DEPARTMENTS: tuple[Agency, ...] = (
    Agency("SCT", catalogue.DOIT, "Department of Industry and Trade"),
    Agency("STNMT", catalogue.DONRE, "Department of Natural Resources and Environment"),
    Agency("SNNPTNT", catalogue.DARD, "Department of Agriculture and Rural Development"),
    Agency("SKHCN", catalogue.DOST, "Department of Science and Technology"),
    Agency("SGTVT", catalogue.DOT, "Department of Transport"),
    Agency("SDL", "Sở Du lịch", "Department of Tourism"),
    Agency("BQLKKT", catalogue.EZA, "Economic Zone Authority"),
    Agency("TTXT", catalogue.PROMOTION, "Investment, Trade and Tourism Promotion Centre"),
)

# The districts and cities of 2009–June 2025, whose People's Committees the plan calls "UBND cấp huyện".
_DISTRICTS = (
    ("899", "Thành phố Rạch Giá", "Rạch Giá City"), ("900", "Thành phố Hà Tiên", "Hà Tiên City"),
    ("902", "Huyện Kiên Lương", "Kiên Lương District"), ("903", "Huyện Hòn Đất", "Hòn Đất District"),
    ("904", "Huyện Tân Hiệp", "Tân Hiệp District"), ("905", "Huyện Châu Thành", "Châu Thành District"),
    ("906", "Huyện Giồng Riềng", "Giồng Riềng District"), ("907", "Huyện Gò Quao", "Gò Quao District"),
    ("908", "Huyện An Biên", "An Biên District"), ("909", "Huyện An Minh", "An Minh District"),
    ("910", "Huyện Vĩnh Thuận", "Vĩnh Thuận District"), ("911", "Thành phố Phú Quốc", "Phú Quốc City"),
    ("912", "Huyện Kiên Hải", "Kiên Hải District"), ("913", "Huyện U Minh Thượng", "U Minh Thượng District"),
    ("914", "Huyện Giang Thành", "Giang Thành District"),
)
DISTRICT_COMMITTEES: tuple[Agency, ...] = tuple(
    Agency(f"UBND-{code}", f"UBND {name_vi[0].lower()}{name_vi[1:]}", f"People's Committee of {name_en}", code)
    for code, name_vi, name_en in _DISTRICTS)

AGENCIES: tuple[Agency, ...] = DEPARTMENTS + DISTRICT_COMMITTEES
AGENCY_CODES = tuple(agency.code for agency in AGENCIES)
_BY_CODE = {agency.code: agency for agency in AGENCIES}

# "UBND cấp huyện" in the appendix: every district's People's Committee.
_ALL_DISTRICTS = "districts"
# The cooperating agencies the appendix names for each task (column "Cơ quan phối hợp").
COOPERATING: dict[str, tuple[str, ...]] = {
    "I.1": ("SCT", _ALL_DISTRICTS),
    "II.1": (_ALL_DISTRICTS,),
    "II.2": ("SCT",),
    "II.4": ("SCT", _ALL_DISTRICTS),
    "II.6": (_ALL_DISTRICTS,),
    "III.2": (_ALL_DISTRICTS,),
    "III.3": (_ALL_DISTRICTS,),
    "IV.1": ("STNMT", "SDL"),
    "V.1": ("SNNPTNT", "STNMT"),
    "VI.2": (_ALL_DISTRICTS,),
    "VI.3": (_ALL_DISTRICTS,),
    "VII.1": ("SCT",),
}
# The agency the plan makes the compiler of the yearly report (section V.1 of the plan).
COMPILER = "SCT"


def _codes(names: tuple[str, ...]) -> tuple[str, ...]:
    codes: list[str] = []
    for name in names:
        codes += [a.code for a in DISTRICT_COMMITTEES] if name == _ALL_DISTRICTS else [name]
    return tuple(codes)


def _lead_codes(task: catalogue.PlanTask) -> tuple[str, ...]:
    if task.lead_agency == catalogue.DISTRICTS:
        return _codes((_ALL_DISTRICTS,))
    return tuple(a.code for a in DEPARTMENTS if a.name_vi == task.lead_agency)


# Every (task, agency) pair of the plan with the agency's part: "lead" or "cooperating", in the plan's order.
ASSIGNMENTS: tuple[tuple[str, str, str], ...] = tuple(
    (task.code, code, part)
    for task in PLAN_TASKS
    for part, codes in (("lead", _lead_codes(task)), ("cooperating", _codes(COOPERATING.get(task.code, ()))))
    for code in codes)

PART_LABELS = {"lead": N_("Chủ trì"), "cooperating": N_("Phối hợp")}


def agency(code: str) -> Agency:
    """The agency of a code; NotFound names the field when there is none."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise NotFound("agency", N_("Không có cơ quan mã %(code)s"), code=code) from None


def _folded(words: str) -> str:
    return " ".join(unidecode(words).lower().split())


def find_agency(name_or_code: str) -> Agency:
    """The agency named by its code ("SCT") or its Vietnamese name, accents and case ignored."""
    wanted = (name_or_code or "").strip()
    if wanted.upper() in _BY_CODE:
        return _BY_CODE[wanted.upper()]
    folded = _folded(wanted)
    for candidate in AGENCIES:
        if _folded(candidate.name_vi) == folded:
            return candidate
    raise BadParameter("agency", N_("Không có cơ quan “%(value)s”; dùng mã (SCT, STNMT, UBND-899…) hoặc tên đầy đủ"),
                       value=wanted)


def tasks_of(agency_code: str) -> list[tuple[str, str]]:
    """The tasks an agency takes part in, each with its part ("lead" or "cooperating"), in the plan's order."""
    return [(task, part) for task, code, part in ASSIGNMENTS if code == agency_code]


def agencies_of(task_code: str) -> list[tuple[str, str]]:
    """The agencies of a task with their parts, the lead first."""
    return [(code, part) for task, code, part in ASSIGNMENTS if task == task_code]


def part_in(agency_code: str, task_code: str) -> str | None:
    """The agency's part in a task ("lead" or "cooperating"), or None when the plan gives it no part."""
    return next((part for task, code, part in ASSIGNMENTS if task == task_code and code == agency_code), None)
