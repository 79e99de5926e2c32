"""Domain errors of the data layer; the web layer maps them to HTTP responses in one place."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (geo/ knows no locale)."""
    return message


class DomainError(Exception):
    """A request the data layer refuses: names the field and the reason, in Vietnamese (msgid)."""

    status = 400

    def __init__(self, field: str, reason: str, /, **params: object) -> None:
        super().__init__(f"{field}: {reason % params if params else reason}")
        self.field = field
        self.reason = reason
        self.params = params


class BadParameter(DomainError):
    """A query parameter or form field that cannot be read."""


class OutsideProvince(DomainError):
    """A location that no administrative unit of the province holds."""

    status = 422


class NotFound(DomainError):
    """A record that does not exist (or that this user may not see)."""

    status = 404


class Forbidden(DomainError):
    """A write this user may not make."""

    status = 403


class Conflict(DomainError):
    """A write based on an out-of-date version of the record."""

    status = 409


class BoundaryImportError(DomainError):
    """A boundary file that cannot replace the current boundaries."""
