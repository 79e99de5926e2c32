"""Reference lists of Plan 135/KH-UBND: its tasks, the kinds of site it maps, and site states.

These are facts of the plan (PLAN.md and the appendix of the Vietnamese original); the database
is loaded from them by the seed step and they never change at run time.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from geo.errors import N_


@dataclass(frozen=True)
class PlanTask:
    code: str
    name_vi: str
    name_en: str
    period: str
    lead_agency: str


@dataclass(frozen=True)
class Category:
    code: str
    name_vi: str
    name_en: str
    colour: str
    icon: str  # a Font Awesome 6 (free, solid) icon name, served with the app
    plan_tasks: tuple[str, ...]  # the first is the plan's own task for this kind of site: the default
    measures: tuple[str, ...]  # the measures (keys of site.measures) the form asks for


DONRE = "Sở Tài nguyên và Môi trường"
DOIT = "Sở Công Thương"
DARD = "Sở Nông nghiệp và Phát triển nông thôn"
DOST = "Sở Khoa học và Công nghệ"
DOT = "Sở Giao thông vận tải"
EZA = "Ban Quản lý Khu kinh tế tỉnh"
DISTRICTS = "UBND các huyện, thành phố"
PROMOTION = "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"

LEAD_AGENCIES = (DONRE, DOIT, DARD, DOST, DOT, EZA, DISTRICTS, PROMOTION)

PLAN_TASKS: tuple[PlanTask, ...] = (
    # Section III.1 of the plan (appendix I) also covers renewable fuels and energy: solar sites are filed here.
    PlanTask("I.1", "Khai thác hợp lý, sử dụng bền vững tài nguyên, năng lượng tái tạo; quản lý tổng hợp tại khu "
             "khai thác", "Rational exploitation and sustainable use of natural resources and renewable energy",
             "2021–2030", DONRE),
    PlanTask("II.1", "Sử dụng hiệu quả tài nguyên và sản xuất sạch hơn; kinh tế tuần hoàn; cụm công nghiệp sinh thái",
             "Resource efficiency and cleaner production; circular economy; eco industrial clusters",
             "2021–2030", DOIT),
    PlanTask("II.2", "Khu công nghiệp sinh thái", "Eco-industrial parks", "2021–2030", EZA),
    PlanTask("II.4", "Làng nghề sinh thái, làng nghề bền vững; chuỗi cung ứng gắn với truy xuất nguồn gốc",
             "Eco and sustainable craft villages; traceable supply chains", "2021–2030", DARD),
    PlanTask("II.5", "Nông nghiệp hữu cơ; nuôi trồng thủy sản bền vững",
             "Organic agriculture; sustainable aquaculture", "2021–2030", DISTRICTS),
    PlanTask("II.6", "Sử dụng nước hiệu quả; giảm thiểu, thu gom, tái sử dụng, tái chế chất thải",
             "Efficient water use; waste reduction, collection, reuse and recycling", "2021–2030", DONRE),
    PlanTask("II.7", "Đánh giá nhanh sản xuất sạch hơn tại các ngành trọng điểm",
             "Rapid cleaner-production assessments in key industries", "Hàng năm", DOIT),
    PlanTask("II.8", "Mô hình sản xuất bao bì thân thiện môi trường (túi tự phân hủy, bao bì giấy)",
             "Eco-friendly packaging production models", "2021–2030", DOIT),
    PlanTask("II.9", "Thực hành nông nghiệp tốt VietGAP, GlobalGAP; chuỗi giá trị; nông sản an toàn vào siêu thị",
             "VietGAP / GlobalGAP; value chains; safe local produce in supermarkets", "2021–2030", DARD),
    PlanTask("III.1", "Nhiên liệu sạch và xử lý khí thải trong giao thông vận tải",
             "Cleaner fuels and emission treatment in transport", "2021–2030", DOT),
    PlanTask("III.2", "Mạng lưới liên kết giữa cơ sở bán lẻ và nhà cung ứng sản phẩm thân thiện môi trường",
             "Network of retailers and suppliers of eco-friendly products", "2021–2030", DOIT),
    PlanTask("III.3", "Thí điểm túi nilon tự phân hủy tại siêu thị, trung tâm thương mại, cửa hàng tiện lợi, chợ",
             "Pilot of self-degrading bags in supermarkets, commercial centres, stores and markets",
             "2021–2030", DOIT),
    PlanTask("III.4", "Xuất nhập khẩu bền vững; thông tin về sản phẩm dán nhãn sinh thái",
             "Sustainable export and import; eco-label information", "Hàng năm", DOIT),
    PlanTask("IV.1", "Nhãn sinh thái, nhãn du lịch bền vững, nhãn xanh cho khách sạn, nhà hàng, công trình",
             "Eco-labels, sustainable-tourism and green labels", "Hàng năm", DOST),
    PlanTask("V.1", "Hướng dẫn người tiêu dùng về sản phẩm hữu cơ, dán nhãn sinh thái",
             "Consumer guidance on organic and eco-labelled products", "Hàng năm", DOST),
    PlanTask("V.2", "Nâng cao nhận thức về sản xuất và tiêu dùng bền vững cho cơ quan, tổ chức, doanh nghiệp",
             "SCP awareness for agencies, organisations and enterprises", "Hàng năm", DOIT),
    PlanTask("V.3", "Xúc tiến thương mại sản phẩm thân thiện môi trường tại hội chợ",
             "Trade promotion of eco-friendly products at fairs", "Hàng năm", PROMOTION),
    PlanTask("VI.1", "Thực hành tốt về thu gom, giảm thiểu, tái sử dụng chất thải",
             "Good practice in waste collection, reduction and reuse", "Hàng năm", DONRE),
    PlanTask("VI.2", "Thí điểm phân loại rác thải sinh hoạt tại nguồn ở TP. Rạch Giá, TP. Hà Tiên và Phú Quốc",
             "Pilot sorting of household waste at source in Rạch Giá, Hà Tiên and Phú Quốc",
             "2021–2030", DONRE),
    PlanTask("VI.3", "Giảm thiểu nhựa dùng một lần tại điểm du lịch, trên đảo và ven biển",
             "Cutting single-use plastic at tourist sites, on islands and along the coast",
             "2021–2030", DONRE),
    PlanTask("VI.4", "Thị trường công nghệ môi trường, tái chế và các-bon thấp",
             "Market for environmental, recycling and low-carbon technology", "2021–2030", DOIT),
    PlanTask("VI.5", "Hội thảo điện năng lượng tái tạo; Giờ Trái đất",
             "Renewable-energy workshops; Earth Hour", "Hàng năm", DOIT),
    PlanTask("VII.1", "Chương trình khoa học và công nghệ trọng điểm về SXTDBV và kinh tế tuần hoàn",
             "Key S&T programme for SCP and the circular economy", "2021", DOST),
    PlanTask("VII.2", "Hỗ trợ nghiên cứu, đổi mới sáng tạo về SXTDBV",
             "Support for SCP research and innovation", "Hàng năm", DOST),
)

PLAN_TASK_CODES = tuple(task.code for task in PLAN_TASKS)

CATEGORIES: tuple[Category, ...] = (
    Category("waste_sorting", "Thí điểm phân loại rác tại nguồn", "Household waste sorting at source",
             "#2e7d32", "recycle", ("VI.2", "VI.1"),
             ("households", "tonnes_sorted_per_month")),
    Category("eco_industrial_park", "Khu, cụm công nghiệp sinh thái", "Eco-industrial park or cluster",
             "#455a64", "industry", ("II.2", "II.1", "V.2"),
             ("hectares", "scp_outreach_year")),
    Category("craft_village", "Làng nghề sinh thái", "Eco craft village",
             "#8d6e63", "home", ("II.4", "V.2"),
             ("households", "scp_outreach_year")),
    Category("solar", "Điện mặt trời (mái nhà, trang trại, nổi, ao nuôi)",
             "Solar power (rooftop, farm, floating, pond)",
             "#f9a825", "sun", ("I.1", "VI.5"),
             ("kwp", "solar_kind", "hectares")),
    Category("organic_farm", "Nông nghiệp hữu cơ, VietGAP/GlobalGAP, nuôi trồng bền vững",
             "Organic, VietGAP/GlobalGAP farm or sustainable aquaculture",
             "#7cb342", "leaf", ("II.5", "II.9"),
             ("hectares", "certification")),
    Category("eco_packaging", "Sản xuất bao bì thân thiện môi trường", "Eco-friendly packaging producer",
             "#00897b", "cube", ("II.8",),
             ("tonnes_per_month",)),
    Category("retail", "Siêu thị, trung tâm thương mại, chợ", "Supermarket, commercial centre or market",
             "#1565c0", "shopping-cart", ("III.2", "III.3"),
             ("eco_packaging",)),
    Category("plastic_reduction", "Giảm nhựa dùng một lần tại điểm du lịch, đảo",
             "Single-use plastic reduction at tourist sites and islands",
             "#0097a7", "tint", ("VI.3",),
             ("tonnes_per_month",)),
    Category("recycling_point", "Điểm thu gom, tái chế, ủ phân", "Collection, recycling or composting point",
             "#6a1b9a", "trash", ("VI.1", "VI.4", "II.6"),
             ("tonnes_per_month",)),
    Category("cleaner_production", "Mô hình sản xuất sạch hơn", "Cleaner-production model enterprise",
             "#c62828", "cogs", ("II.1", "II.7"),
             ("material_saving_pct", "scp_outreach_year")),
    Category("phase_out", "Cơ sở loại dần (lò gạch, bột cá, vôi)", "Works to be phased out (brick, fishmeal, lime)",
             "#5d4037", "ban", ("I.1",),
             ("phase_out_year",)),
)

CATEGORY_CODES = tuple(category.code for category in CATEGORIES)

# Measures a site may carry, with their unit; the category decides which the form asks for.
MEASURES: dict[str, tuple[str, str, str]] = {
    # key: (Vietnamese label, English label, unit)
    "households": ("Số hộ tham gia", "Households taking part", "hộ"),
    "tonnes_sorted_per_month": ("Rác được phân loại", "Waste sorted", "tấn/tháng"),
    "tonnes_per_month": ("Khối lượng", "Quantity", "tấn/tháng"),
    "kwp": ("Công suất lắp đặt", "Installed capacity", "kWp"),
    "solar_kind": ("Loại điện mặt trời", "Kind of solar", ""),
    "hectares": ("Diện tích", "Area", "ha"),
    "certification": ("Chứng nhận", "Certification", ""),
    "eco_packaging": ("Dùng bao bì thân thiện môi trường", "Uses eco-friendly packaging", ""),
    "scp_outreach_year": ("Năm được tuyên truyền SXTDBV", "Year reached by SCP awareness work", ""),
    "material_saving_pct": ("Mức giảm tiêu hao nguyên, nhiên liệu", "Cut in material and fuel use", "%"),
    "phase_out_year": ("Năm loại bỏ", "Year phased out", ""),
}

SOLAR_KINDS = ("rooftop", "farm", "floating", "pond")
CERTIFICATIONS = ("organic", "VietGAP", "GlobalGAP", "sustainable_aquaculture")

# A site's state on the ground; labels are Vietnamese msgids, translated where they are shown.
STATUS_LABELS: dict[str, str] = {
    "planned": N_("Kế hoạch"), "active": N_("Đang hoạt động"), "completed": N_("Hoàn thành"),
    "suspended": N_("Tạm dừng"), "phased_out": N_("Đã loại bỏ"),
}
STATUSES = tuple(STATUS_LABELS)
# The state a new site takes when none is given: the site form's, the API's and the import's.
DEFAULT_STATUS = "active"
# The states in which a site counts towards the plan's figures: scp_counted_status (migration 0012).
MODERATION_STATES = ("draft", "submitted", "approved", "rejected")
PRECISION_LABELS: dict[str, str] = {"exact": N_("Chính xác"), "ward": N_("Theo xã, phường"),
                                    "district": N_("Theo huyện")}
LOCATION_PRECISIONS = tuple(PRECISION_LABELS)
ROLES = ("admin", "planner", "district_staff", "agency")

# The province (GSO code of the former Kiên Giang) and the years the plan reports on.
PROVINCE_CODE = "91"
# The province's clock (UTC+7): every time shown to people is on it, whatever the server's zone.
PROVINCE_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# How a date is written for people here, on pages, forms, files and reports: dd/mm/yyyy.
DAY_FORMAT = "%d/%m/%Y"
PLAN_START, PLAN_END = 2021, 2030
PLAN_YEARS = tuple(range(PLAN_START, PLAN_END + 1))
# A year a figure may be asked for: the 2020 baseline up to five years past the plan's end.
FIRST_YEAR, LAST_YEAR = PLAN_START - 1, PLAN_END + 5
# Administrative levels below the province: districts until 30 June 2025, communes from 1 July 2025.
LEVELS = ("district", "commune")


def default_task(category_code: str | None) -> str | None:
    """The plan's own task for a kind of site (waste-sorting pilots: VI.2), which the form preselects and an
    import or API row without a task takes; None for an unknown category."""
    return next((c.plan_tasks[0] for c in CATEGORIES if c.code == category_code), None)


# Names people write for a kind of site besides its full name: short forms, as offices and the English page say.
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "waste_sorting": ("Phân loại rác", "Phân loại rác tại nguồn", "Waste sorting"),
    "eco_industrial_park": ("Khu công nghiệp sinh thái", "Cụm công nghiệp sinh thái", "Eco-industrial park"),
    "craft_village": ("Làng nghề", "Craft village"),
    "solar": ("Điện mặt trời", "Điện mặt trời mái nhà", "Điện mặt trời nổi", "Solar", "Solar power"),
    "organic_farm": ("Nông nghiệp hữu cơ", "VietGAP", "GlobalGAP", "Nuôi trồng bền vững", "Organic farm"),
    "eco_packaging": ("Bao bì thân thiện môi trường", "Eco-friendly packaging"),
    "retail": ("Siêu thị", "Trung tâm thương mại", "Chợ", "Cửa hàng tiện lợi", "Supermarket", "Market"),
    "plastic_reduction": ("Giảm nhựa", "Giảm nhựa dùng một lần", "Plastic reduction"),
    "recycling_point": ("Điểm thu gom", "Điểm tái chế", "Ủ phân", "Recycling point", "Composting point"),
    "cleaner_production": ("Sản xuất sạch hơn", "Cleaner production"),
    "phase_out": ("Lò gạch", "Bột cá", "Lò vôi", "Cơ sở loại dần", "Phase-out"),
}
# Words an administrative unit's name may start with ("TP. Rạch Giá", "Huyện Hòn Đất"), left out to match it.
UNIT_PREFIXES = ("thanh pho", "tp", "thi xa", "tx", "huyen", "h", "thi tran", "tt", "phuong", "p", "xa", "x",
                 "dac khu")


def name_key(text: object) -> str:
    """A name without case, accents, spaces or punctuation, to match what people type ("Rach Gia" = "Rạch Giá")."""
    plain = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def unit_key(text: object) -> str:
    """An administrative unit's name as name_key, without the word for its kind ("TP. Rạch Giá" → "rachgia")."""
    words = unicodedata.normalize("NFC", str(text)).replace(".", ". ").split()
    plain = " ".join(words).lower()
    for prefix in sorted(UNIT_PREFIXES, key=len, reverse=True):
        folded = " ".join(name_key(word) for word in plain.split())
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return name_key(folded[len(prefix) + 1:])
    return name_key(plain)
