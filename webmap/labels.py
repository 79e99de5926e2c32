"""Every label a page shows for a code, in the page's language: statuses, precisions, categories, base maps,
and the words the browser scripts write. The Vietnamese msgids live in geo/catalogue.py and geo/plan.py."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale, gettext as _

from geo.catalogue import (CATEGORIES, DAY_FORMAT, MEASURES, PRECISION_LABELS, PROVINCE_TIME_ZONE, STATUS_LABELS,
                           STATUSES)
from geo.errors import N_
from geo.plan import BREAKDOWN_LABELS, PROGRESS_STATUS_LABELS
from geo.site_record import CHOICE_MEASURES, YEAR_MEASURES

BASE_MAP_NAMES = {"osm": N_("Bản đồ đường phố (OpenStreetMap)"), "topo": N_("Địa hình (OpenTopoMap)"),
                  "satellite": N_("Ảnh vệ tinh (Esri)"), "blank": N_("Nền trống (không cần Internet)"),
                  "extra": N_("Bản đồ nền của tỉnh")}


def lang() -> str:
    """The page's language code (vi or en)."""
    return str(get_locale() or "vi")


def english() -> bool:
    """Whether the page is in English."""
    return lang() == "en"


def status_names() -> dict[str, str]:
    """A site's status → its label."""
    return {code: _(label) for code, label in STATUS_LABELS.items()}


def status_choices() -> list[tuple[str, str]]:
    """(code, label) of every site status, in the plan's order, for a select."""
    names = status_names()
    return [(code, names[code]) for code in STATUSES]


def precision_names() -> dict[str, str]:
    """A location precision → its label."""
    return {code: _(label) for code, label in PRECISION_LABELS.items()}


def progress_status_names() -> dict[str | None, str]:
    """A figure's standing against its target → its label (empty where there is no target)."""
    return {**{code: _(label) for code, label in PROGRESS_STATUS_LABELS.items() if code}, None: ""}


def base_map_names() -> dict[str, str]:
    """A base map's key → its label."""
    return {code: _(label) for code, label in BASE_MAP_NAMES.items()}


def category_list() -> list[dict[str, Any]]:
    """Categories with their name in the page's language."""
    en = english()
    return [{"code": c.code, "name": c.name_en if en else c.name_vi, "colour": c.colour, "icon": c.icon,
             "plan_tasks": c.plan_tasks} for c in CATEGORIES]


def measure_labels() -> dict[str, tuple[str, str]]:
    """A site's measure key → (label, unit) in the page's language."""
    en = english()
    return {key: (label_en if en else label_vi, unit) for key, (label_vi, label_en, unit) in MEASURES.items()}


def measure_choices() -> dict[str, list[tuple[str, str]]]:
    """(code, label) of each measure that takes a code of a closed list (solar kind, certification), for a select."""
    index = 1 if english() else 0
    return {key: [(code, BREAKDOWN_LABELS[code][index]) for code in codes] for key, codes in CHOICE_MEASURES.items()}


def map_labels() -> dict[str, Any]:
    """Every word the browser script writes into popups and the count, in the page's language."""
    return {
        "lang": lang(), "category": _("Loại"), "status": _("Trạng thái"), "district": _("Huyện, thành phố"),
        "commune": _("Xã, phường, đặc khu (từ 01/07/2025)"), "plan_task": _("Nhiệm vụ của kế hoạch"),
        "lead_agency": _("Cơ quan chủ trì"), "address": _("Địa chỉ"), "start_date": _("Ngày bắt đầu"),
        "end_date": _("Ngày kết thúc"), "source": _("Nguồn"), "precision": _("Độ chính xác vị trí"),
        "sample": _("mẫu"), "yes": _("Có"), "no": _("Không"), "loading": _("Đang tải các điểm…"),
        "count": _("Đang hiển thị %(count)s điểm"), "load_failed": _("Không tải được các điểm; hãy thử tải lại trang."),
        "districts": _("Ranh giới huyện (gần đúng)"), "fullscreen": _("Toàn màn hình"),
        "fullscreen_exit": _("Thoát toàn màn hình"),
        "copy_link": _("Sao chép liên kết"), "link_copied": _("Đã sao chép liên kết"),
        "site_missing": _("Không có điểm này trên bản đồ công khai (chưa duyệt hoặc đã xoá)"),
        "photo": _("Ảnh %(n)s của điểm, chụp %(date)s"), "photo_undated": _("Ảnh %(n)s của điểm"),
        "statuses": status_names(), "precisions": precision_names(),
        "measures": {k: {"label": label, "unit": unit, "year": k in YEAR_MEASURES}
                     for k, (label, unit) in measure_labels().items()},
    }


# What a parameter or form field is called on a page, so an error page never shows a raw name.
FIELD_NAMES = {
    "category": N_("Loại"), "status": N_("Trạng thái"), "district": N_("Huyện, thành phố"), "commune": N_("Xã, phường, đặc khu"),
    "plan_task": N_("Nhiệm vụ của kế hoạch"), "lead_agency": N_("Cơ quan chủ trì"), "year": N_("Năm"),
    "start_year": N_("Năm bắt đầu"), "basemap": N_("Bản đồ nền"), "lat": N_("Vĩ độ"), "lon": N_("Kinh độ"),
    "zoom": N_("Mức thu phóng"), "q": N_("Tìm kiếm"), "lang": N_("Ngôn ngữ"), "figure": N_("Chỉ số"),
    "indicator": N_("Chỉ số"), "level": N_("Đơn vị hành chính"), "unit": N_("Đơn vị"), "id": N_("Mã điểm"),
    "file": N_("Tệp"), "row": N_("Dòng"), "bbox": N_("Khung bản đồ"), "version": N_("Phiên bản"),
    "bounds": N_("Vùng hiển thị"),
    "username": N_("Tên đăng nhập"), "password": N_("Mật khẩu"), "current_password": N_("Mật khẩu hiện tại"),
    "role": N_("Vai trò"), "area_code": N_("Địa bàn"), "csrf_token": N_("Phiên làm việc"), "reason": N_("Lý do"),
    "name": N_("Tên điểm"), "location": N_("Vị trí"), "value": N_("Giá trị"), "simplify": N_("Mức đơn giản hoá"),
    # A site's other fields, as the review queue and the history name them.
    "name_en": N_("Tên tiếng Anh"), "location_precision": N_("Độ chính xác vị trí"),
    "ward_code": N_("Xã, phường (2020)"),
    "address": N_("Địa chỉ"), "start_date": N_("Ngày bắt đầu"), "end_date": N_("Ngày kết thúc"),
    "measures": N_("Số liệu"), "description": N_("Mô tả"), "source": N_("Nguồn"), "moderation": N_("Duyệt"),
    "review_note": N_("Lý do từ chối"), "deleted": N_("Xoá"), "district_code": N_("Huyện, thành phố"),
    "commune_code": N_("Xã, phường, đặc khu (từ 01/07/2025)"),
    # The import's and the review batch's own fields.
    "rows": N_("Dòng"), "column": N_("Cột"), "swap": N_("Dòng cần đảo tọa độ"), "item": N_("Điểm đã chọn"),
    "body": N_("Nội dung"),
}


MODERATION_NAMES = {"draft": N_("Nháp"), "submitted": N_("Chờ duyệt"), "approved": N_("Đã duyệt"),
                    "rejected": N_("Bị từ chối")}
ROLE_NAMES = {"district_staff": N_("Cán bộ huyện"), "planner": N_("Cán bộ kế hoạch"), "admin": N_("Quản trị"),
              "agency": N_("Cơ quan báo cáo nhiệm vụ")}


def moderation_names() -> dict[str, str]:
    """A site's review state → its label."""
    return {code: _(label) for code, label in MODERATION_NAMES.items()}


def role_names() -> dict[str, str]:
    """An account's role → its label, in the order the accounts page offers them."""
    return {code: _(label) for code, label in ROLE_NAMES.items()}


def field_label(field: str | None) -> str | None:
    """A parameter's or field's name in the page's language (a measure by its label), None when there is none."""
    if not field:
        return None
    if field.startswith("measures."):
        measure = measure_labels().get(field.split(".", 1)[1])
        if measure:
            return measure[0]
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else None


def moment(value: dt.datetime | None) -> str:
    """A stored time as people in the province read it: dd/mm/yyyy HH:MM on their clock (UTC+7), "" for none."""
    if value is None:
        return ""
    return (value.astimezone(PROVINCE_TIME_ZONE) if value.tzinfo else value).strftime(f"{DAY_FORMAT} %H:%M")
