"""Maps domain errors of geo/ to HTTP responses, in one place."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from geo.errors import N_, BadParameter, DomainError


def message_of(error: DomainError) -> str:
    """The error's reason in the user's language, with its parameters filled in."""
    reason = gettext(error.reason)
    return reason % error.params if error.params else reason


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.before_request
    def refuse_nul_characters() -> None:
        # PostgreSQL cannot store or compare text holding NUL: name the parameter instead of failing later.
        for source in (request.args, request.form):
            for name, value in source.items(multi=True):
                if "\x00" in value or "\x00" in name:
                    raise BadParameter(name, N_("Không được chứa ký tự NUL"))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        body = {"error": {"parameter": error.field, "field": error.field, "reason": message_of(error),
                          "status": error.status}}
        if _wants_json():
            return jsonify(body), error.status
        return render_template("error.html", status=error.status, field=error.field,
                               reason=message_of(error)), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        reason = gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã CSRF); hãy tải lại trang "
                         "rồi gửi lại")
        if _wants_json():
            return jsonify({"error": {"field": "csrf_token", "reason": reason, "status": 400}}), 400
        return render_template("error.html", status=400, field="csrf_token", reason=reason), 400

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        reason = gettext("Đăng nhập sai quá nhiều lần; hãy thử lại sau một phút")
        if _wants_json():
            return jsonify({"error": {"field": "username", "reason": reason, "status": 429}}), 429
        return render_template("error.html", status=429, field="username", reason=reason), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return jsonify({"error": {"reason": error.description, "status": error.code}}), error.code
        return render_template("error.html", status=error.code, field=None, reason=error.description), error.code
