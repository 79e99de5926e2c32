"""The report's words: headings and labels as Vietnamese msgids marked with N_, and figures, targets and dates
as text in the reader's language.

The caller passes a translate function (the web layer's gettext, or none for Vietnamese).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from babel.numbers import format_decimal

from geo import plan
from geo.catalogue import DAY_FORMAT
from geo.errors import N_

Translate = Callable[[str], str]

H = {
    "title": N_("Báo cáo kết quả thực hiện Kế hoạch số 135/KH-UBND về sản xuất và tiêu dùng bền vững"),
    "year": N_("Năm báo cáo"),
    "level": N_("Số liệu theo"),
    "made": N_("Lập ngày"),
    "sample": N_("Có dùng dữ liệu mẫu: các điểm đánh dấu “mẫu” chỉ để minh họa, không phải số liệu thật."),
    "summary": N_("Tổng hợp"),
    "section": N_("Mục"),
    "indicators": N_("Các chỉ tiêu"),
    "code": N_("Mã"),
    "indicator": N_("Chỉ tiêu"),
    "task": N_("Nhiệm vụ"),
    "lead": N_("Cơ quan chủ trì"),
    "period": N_("Thời gian thực hiện"),
    "method": N_("Cách đo"),
    "computed": N_("Tính từ các điểm"),
    "manual": N_("Nhập tay"),
    "unit_of_measure": N_("Đơn vị tính"),
    "value": N_("Giá trị"),
    "value_text": N_("Kết quả"),
    "numerator": N_("Tử số"),
    "denominator": N_("Mẫu số"),
    "sites": N_("Số điểm"),
    "target_year": N_("Chỉ tiêu của năm"),
    "target_2025": N_("Chỉ tiêu 2025"),
    "target_2030": N_("Chỉ tiêu 2030"),
    "status": N_("Tình trạng"),
    "unit_code": N_("Mã đơn vị"),
    "unit": N_("Đơn vị hành chính"),
    "province_total": N_("Toàn tỉnh"),
    "unassigned": N_("Điểm chưa thuộc đơn vị nào"),
    "site_list": N_("Các điểm"),
    "site_ref": N_("Mã điểm"),
    "site_name": N_("Tên điểm"),
    "category": N_("Loại điểm"),
    "site_status": N_("Trạng thái"),
    "district": N_("Huyện (2009–2025)"),
    "commune": N_("Xã (từ 1/7/2025)"),
    "start": N_("Ngày bắt đầu"),
    "end": N_("Ngày kết thúc"),
    "is_sample": N_("Dữ liệu mẫu"),
    "yes_sample": N_("mẫu"),
    "no_sites": N_("Chưa có điểm nào."),
    "no_indicator": N_("Nhiệm vụ này không có chỉ tiêu định lượng."),
    "sector": N_("Ngành, loại"),
    "reported_by": N_("Người báo cáo"),
    "reported_at": N_("Ngày báo cáo"),
    "thresholds": plan.THRESHOLD_TEXT,
    "map": N_("Bản đồ các điểm của kế hoạch"),
    "maps": N_("Bản đồ tiến độ theo chỉ tiêu"),
    "sections": N_("Kết quả theo mục của kế hoạch"),
    "sites_by_status": N_("Số điểm theo trạng thái"),
    "tasks": N_("Số nhiệm vụ"),
    "no_data": N_("không có số liệu"),
    "sample_note": N_("Số liệu tính từ các điểm đã duyệt, chưa xoá, đang hoạt động hoặc hoàn thành, đã bắt đầu "
                      "trước cuối năm và chưa kết thúc trước đầu năm."),
    "approximate": N_("Ranh giới hành chính là gần đúng, chỉ dùng để minh họa."),
    "print": N_("In hoặc lưu PDF"),
    "legend_value": N_("Giá trị"),
    "compiler": N_("Cơ quan tổng hợp: Sở Công Thương (Kế hoạch 135/KH-UBND, mục V.1)"),
    "annex": N_("Phụ lục: các điểm theo huyện và loại điểm"),
    "annex_sheet": N_("Phụ lục điểm"),
    "annex_note": N_("Có %(n)s điểm, quá nhiều để liệt kê từng điểm: phụ lục đếm các điểm theo huyện, loại và "
                     "trạng thái; danh sách đầy đủ tải từ /api/sites (CSV, Excel, GeoPackage)."),
    "in_annex": N_("%(n)s điểm, đếm trong phụ lục."),
    "agency_reports": N_("Kết quả các cơ quan báo cáo"),
    "no_agency_report": N_("Chưa có cơ quan nào nộp báo cáo về nhiệm vụ này."),
    "agency": N_("Cơ quan"),
    "work_status": N_("Tình hình"),
    "done": N_("Kết quả thực hiện"),
    "figures": N_("Số liệu"),
    "difficulties": N_("Khó khăn, vướng mắc"),
    "proposals": N_("Đề xuất, kiến nghị"),
    "budget": N_("Kinh phí theo nguồn (triệu đồng)"),
    "source": N_("Nguồn"),
    "total": N_("Tổng"),
}
LEVEL_LABELS = {"district": N_("huyện, thành phố (2009 – 30/6/2025)"),
                    "commune": N_("xã, phường, đặc khu (từ 1/7/2025)")}
METHOD_LABELS = {"computed": H["computed"], "manual": H["manual"]}


def same(message: str) -> str:
    """No translation: the Vietnamese msgid as it is."""
    return message


def format_number(value: float | int | None, lang: str = "vi", *, empty: str = "—") -> str:
    """A figure as text in the reader's language: 1.234,5 in Vietnamese, 1,234.5 in English."""
    if value is None or value != value:  # None, or NaN from a frame
        return empty
    return format_decimal(value, format="#,##0.#", locale="vi" if lang == "vi" else "en")


def format_target(target: dict[str, float] | None, lang: str = "vi") -> str:
    """A target as text: one figure, or a range low–high."""
    if not target:
        return "—"
    low, high = format_number(target["low"], lang), format_number(target["high"], lang)
    return low if low == high else f"{low}–{high}"


def format_date(value: dt.date | None) -> str:
    """A date as dd/mm/yyyy."""
    return value.strftime(DAY_FORMAT) if value else ""


def local_name(item: dict[str, Any], lang: str, key: str = "name") -> str:
    """An item's name (or other key) in the reader's language, falling back to Vietnamese."""
    return (item.get(f"{key}_en") if lang == "en" else None) or item.get(f"{key}_vi") or item.get(key) or ""


def unit_label(spec_or_row: dict[str, Any], lang: str) -> str:
    """An indicator's unit of measure in the reader's language."""
    return spec_or_row["unit_en"] if lang == "en" else spec_or_row["unit"]


def sample_name(name: str, is_sample: bool, translate: Translate) -> str:
    """A site's name marked "(mẫu)" once when it is sample data, even if its name already says so."""
    mark = f"({translate(H['yes_sample'])})"
    return f"{name} {mark}" if is_sample and not name.rstrip().endswith(mark) else name


def status_label(status: str | None, translate: Translate) -> str:
    """A progress status (on track, behind …) in the reader's language."""
    return translate(plan.PROGRESS_STATUS_LABELS[status])

