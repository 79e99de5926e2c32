"""Domain errors of the data layer, and the database's refusals read as domain errors.

geo/ knows no HTTP: webmap/errors.py maps each class to a status in one table.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (geo/ knows no locale)."""
    return message


class DomainError(Exception):
    """A request the data layer refuses: names the field and the reason, in Vietnamese (msgid)."""

    def __init__(self, field: str, reason: str, /, **params: object) -> None:
        super().__init__(f"{field}: {reason % params if params else reason}")
        self.field = field
        self.reason = reason
        self.params = params


class BadParameter(DomainError):
    """A query parameter or form field that cannot be read."""


class InvalidRecord(DomainError):
    """A record with one or more fields that cannot be accepted; errors maps field → (reason, params)."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        field, (reason, params) = next(iter(errors.items()))
        super().__init__(field, reason, **params)
        self.errors = errors


class OutsideProvince(DomainError):
    """A location that no administrative unit of the province holds."""


class NotFound(DomainError):
    """A record that does not exist (or that this user may not see)."""


class Forbidden(DomainError):
    """A write this user may not make."""


class Conflict(DomainError):
    """A write based on an out-of-date version of the record."""


class BoundaryImportError(DomainError):
    """A boundary file that cannot replace the current boundaries."""


# The database's own refusals (migrations 0001–0004 raise them with these SQLSTATEs), read once here.
# Each maps to the error, its field, its reason, and the name the reason gives the refusal's DETAIL.
_REFUSALS: dict[str, tuple[type[DomainError], str, str, str | None]] = {
    "SC001": (OutsideProvince, "location", N_("Vị trí %(point)s nằm ngoài tỉnh Kiên Giang (xa hơn 2 km so với "
                                              "ranh giới huyện gần nhất)"), "point"),
    "SC002": (BadParameter, "location", N_("Thiếu vị trí"), None),
    "SC003": (BadParameter, "location", N_("Vị trí phải ở hệ tọa độ EPSG:4326"), None),
    "SC010": (Forbidden, "location", N_("Vị trí nằm ngoài địa bàn được giao cho bạn (%(unit)s)"), "unit"),
    "SC011": (Forbidden, "moderation", N_("Cán bộ huyện không tự duyệt được điểm của mình"), None),
    "SC012": (Forbidden, "moderation", N_("Thay đổi một điểm đã duyệt phải chờ cán bộ kế hoạch duyệt"), None),
    "SC013": (Forbidden, "id", N_("Điểm này đã bị xoá; chỉ cán bộ kế hoạch khôi phục được"), None),
}


def from_database(error: DBAPIError) -> Exception:
    """The domain error behind a trigger's refusal (SQLSTATE SC0xx), or the error itself."""
    refusal = _REFUSALS.get(getattr(error.orig, "pgcode", None) or "")
    if refusal is None:
        return error
    kind, field, reason, detail_name = refusal
    if detail_name is None:
        return kind(field, reason)
    return kind(field, reason, **{detail_name: getattr(error.orig.diag, "message_detail", None) or ""})


def is_outside_province(error: DBAPIError) -> bool:
    """Whether the database refused a point that no unit of the province holds (SC001)."""
    return getattr(error.orig, "pgcode", None) == "SC001"
