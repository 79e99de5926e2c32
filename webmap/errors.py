"""Domain errors of geo/ as HTTP responses, in one place: one status table, one error body, one translator."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import format_decimal, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from geo.errors import (N_, BadParameter, BoundaryImportError, Conflict, DomainError, Forbidden, InvalidRecord,
                        NotFound, OutsideProvince)
from webmap.labels import field_label


class Unauthorized(DomainError):
    """A write with neither a session nor a valid API token, or a sign-in with a wrong password."""


class TooManyAttempts(DomainError):
    """Too many wrong passwords within the sign-in limit's window."""


# The HTTP status of each kind of refusal: the one place a refusal's status is decided. A subclass takes its
# nearest listed parent's; a page that refuses without raising (a form shown again, an abort) asks status_for.
STATUS: dict[type[DomainError], int] = {
    BadParameter: 400,
    BoundaryImportError: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidRecord: 422,
    OutsideProvince: 422,
    TooManyAttempts: 429,
    DomainError: 400,
}


def status_for(kind: type[DomainError]) -> int:
    """The HTTP status that answers a kind of refusal."""
    return next(STATUS[parent] for parent in kind.__mro__ if parent in STATUS)


def status_of(error: DomainError) -> int:
    """The HTTP status that answers a domain error."""
    return status_for(type(error))


def translate(reason: str, params: dict[str, Any] | None = None) -> str:
    """A msgid in the user's language, with its parameters filled in."""
    text = gettext(reason)
    return text % params if params else text


def message_of(error: DomainError) -> str:
    """The error's reason in the user's language, with its parameters filled in."""
    return translate(error.reason, error.params)


def field_messages(error: DomainError) -> dict[str, str]:
    """Every field an error names, with its message: several for an invalid record, else one."""
    if isinstance(error, InvalidRecord):
        return {field: translate(reason, params) for field, (reason, params) in error.errors.items()}
    return {error.field: message_of(error)}


def error_body(field: str | None, reason: str, status: int, **extra: Any) -> dict[str, Any]:
    """The one JSON error body of the app: {"error": {"parameter", "field", "reason", "status", …}}."""
    body: dict[str, Any] = {"reason": reason, "status": status}
    if field:
        body["parameter"] = body["field"] = field
    return {"error": {**body, **extra}}


def domain_error_body(error: DomainError, **extra: Any) -> dict[str, Any]:
    """The error body of a domain error (with every field's message for an invalid record)."""
    if isinstance(error, InvalidRecord):
        extra.setdefault("fields", field_messages(error))
    return error_body(error.field, message_of(error), status_of(error), **extra)


def json_error(error: DomainError, **extra: Any) -> Response:
    """A domain error as a JSON response with its status."""
    response = jsonify(domain_error_body(error, **extra))
    response.status_code = status_of(error)
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _wants_json() -> bool:
    return (request.path.startswith(("/api/", "/ogc")) or request.path.endswith(".json")
            or request.accept_mimetypes.best == "application/json")


def _ogc_exception(body: dict[str, Any], status: int, reason: str) -> dict[str, Any]:
    """Under /ogc the body also carries the OGC API exception's code and description, beside the app's own."""
    if request.path.startswith("/ogc"):
        body.update(code=HTTP_STATUS_CODES.get(status, str(status)), description=reason)
    return body


def _respond(field: str | None, reason: str, status: int):
    if _wants_json():
        return jsonify(_ogc_exception(error_body(field, reason, status), status, reason)), status
    try:
        return render_template("error.html", status=status, field=field, reason=reason), status
    except Exception:  # noqa: BLE001 — the page of a failing app must not fail in turn
        return gettext("Máy chủ gặp lỗi"), status


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.add_template_global(field_label)

    @app.before_request
    def refuse_nul_characters() -> None:
        # PostgreSQL cannot store or compare text holding NUL: name the parameter instead of failing later.
        for source in (request.args, request.form):
            for name, value in source.items(multi=True):
                # A multipart part may come without a name or a value (None): nothing to look at there.
                if "\x00" in (value or "") or "\x00" in (name or ""):
                    raise BadParameter(name, N_("Không được chứa ký tự NUL"))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if request.path.startswith("/ogc"):
            status = status_of(error)
            return jsonify(_ogc_exception(domain_error_body(error), status, message_of(error))), status
        if _wants_json():
            return json_error(error)
        return _respond(error.field, message_of(error), status_of(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond("csrf_token", gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã "
                                              "CSRF); hãy tải lại trang rồi gửi lại"), status_for(BadParameter))

    @app.errorhandler(status_for(TooManyAttempts))
    def too_many(error: HTTPException):
        return _respond("username", gettext("Đăng nhập sai quá nhiều lần; hãy thử lại sau một phút"),
                        status_for(TooManyAttempts))

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        limit = app.config["MAX_CONTENT_LENGTH"] or 0
        return _respond("body", gettext("Nội dung gửi lên quá lớn: tối đa %(mb)s MB",
                                        mb=format_decimal(round(limit / 1024 / 1024, 1))), 413)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Werkzeug's own descriptions are English: the page says it in the user's words instead.
        own = error.description if error.description != type(error).description else None
        status = error.code or 500
        # The page words a status without a reason of its own in its own paragraph; a JSON body needs the words.
        return _respond(None, own or (default_reason(status) if _wants_json() else None), status)

    app.add_template_global(default_reason)
    for unreachable in (OperationalError, InterfaceError):
        app.register_error_handler(unreachable, database_unreachable)


# What an error without words of its own says (every error body has a reason: the JSON and the page alike).
DEFAULT_REASONS = {
    401: N_("Hãy đăng nhập rồi thử lại."),
    403: N_("Tài khoản của bạn không được làm việc này. Nếu cần, hãy liên hệ cán bộ kế hoạch."),
    404: N_("Địa chỉ này không có trên trang, hoặc điểm đã bị xoá. Hãy kiểm tra lại địa chỉ."),
    405: N_("Trang này không nhận yêu cầu theo cách đó."),
    413: N_("Tệp gửi lên vượt quá giới hạn cho phép; hãy chia nhỏ tệp rồi gửi lại."),
    429: N_("Bạn đã thử quá nhiều lần; hãy đợi một phút rồi thử lại."),
    500: N_("Đã có lỗi ngoài ý muốn; hãy thử lại sau ít phút. Nếu vẫn lỗi, hãy báo cho quản trị viên."),
}


def default_reason(status: int) -> str:
    """The reason of an error of that status that gave none, in the user's language."""
    return gettext(DEFAULT_REASONS.get(status, N_("Yêu cầu chưa thực hiện được.")))


# How long a client is asked to wait when PostgreSQL cannot be reached (a restart takes seconds).
RETRY_AFTER_SECONDS = 30


def database_unreachable(error: DBAPIError):
    """503 with Retry-After when PostgreSQL is down, restarting or refusing connections: the request was
    fine and may be sent again, so no 500, and the body says so in the user's language."""
    body, status = _respond(None, gettext("Cơ sở dữ liệu tạm thời không trả lời (đang khởi động lại hoặc bảo trì); "
                                          "hãy thử lại sau %(seconds)s giây", seconds=RETRY_AFTER_SECONDS), 503)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
