"""The import API for offices that script their uploads: POST /api/imports (a file) answers its preview, kept
server-side; POST /api/imports/<id>/confirm stores its rows, once. By personal API token or session, like the
write API; the staff import page calls the same geo.import_store functions."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

from flask import Blueprint, Response, current_app, jsonify, request

from geo import import_store
from geo.accounts import Actor
from geo.bulk_import import Column, Preview, plain
from geo.errors import N_, BadParameter, DomainError
from webmap import labels, params
from webmap.auth import current_actor
from webmap.db import get_session
from webmap.errors import STATUS, Unauthorized, translate

bp = Blueprint("imports_api", __name__, url_prefix="/api/imports")
# Reading a file is the CPU's work: at most this many at once in a process, so that uploads never take every
# thread from the map's readers; an upload past them waits a moment, then is told to come back.
MAX_READINGS = 2
WAIT_SECONDS = 2.0
_readings = threading.BoundedSemaphore(MAX_READINGS)


class Busy(DomainError):
    """Every reading slot of this process is taken."""


STATUS[Busy] = 503


@contextmanager
def reading_slot() -> Iterator[None]:
    """Hold one of the process's reading slots while a file is read, or refuse with Busy."""
    if not _readings.acquire(timeout=WAIT_SECONDS):
        raise Busy("file", N_("Đang đọc nhiều tệp cùng lúc; hãy gửi lại sau ít giây"))
    try:
        yield
    finally:
        _readings.release()


def import_limit(name: str) -> int:
    """An import limit of the settings (IMPORT_MAX_ROWS, IMPORT_MAX_BYTES)."""
    return current_app.config[name]


def uploaded_file() -> tuple[bytes, str]:
    """The request's file (field file) within IMPORT_MAX_BYTES, read no further than one byte past it."""
    max_bytes = import_limit("IMPORT_MAX_BYTES")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadParameter("file", N_("Chưa chọn tệp để nhập"))
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise BadParameter("file", N_("Tệp lớn quá %(mb)s MB; hãy chia thành nhiều tệp"),
                           mb=f"{max_bytes / 1048576:g}")
    return content, upload.filename


def said(problem: Any) -> dict[str, str]:
    """A row's problem or warning (field, msgid, params) as {field, message} in the request's language."""
    field, reason, params_ = problem
    return {"field": field, "message": translate(reason, plain(params_) or None)}


def row_body(row: dict[str, Any]) -> dict[str, Any]:
    """A preview row as the API answers it: the values it will store (or, with a problem, as read), its errors."""
    values = plain(row["record"] or {k: v for k, v in row["data"].items()})
    body = {"row": row["row"], "values": values, "errors": [said(p) for p in row["problems"]],
            "warnings": [said(w) for w in row["warnings"]]}
    if row.get("suggestion"):
        body["suggestion"] = row["suggestion"]
    return body


def field_name(field: str) -> str:
    """A field a column fills (a measure as measure:<key>) by its label in the request's language."""
    key = field.replace("measure:", "measures.", 1)
    return labels.field_label(key) or field


def column_body(column: Column) -> dict[str, Any]:
    """A column that is not imported: its place, heading and why (a field by its label, not its code)."""
    params_ = {k: field_name(v) if k == "field" else v for k, v in plain(column.params).items()}
    return {"column": column.index + 1, "heading": column.heading,
            "reason": translate(column.reason or "", params_ or None)}


def preview_body(import_id: str, preview: Preview) -> dict[str, Any]:
    """The preview as JSON: id, rows, ignored_columns, the file's warnings, its heading row and way of numbers."""
    return {"id": import_id, "heading_row": preview.heading_row, "locale": preview.locale,
            "rows": [row_body(row) for row in preview.rows],
            "ignored_columns": [column_body(c) for c in preview.columns if c.field is None],
            "warnings": [said(w) for w in preview.warnings]}


def _actor() -> Actor:
    actor = current_actor()
    if actor is None:
        raise Unauthorized("Authorization", N_("Cần đăng nhập hoặc mã truy cập API"))
    return actor


@bp.post("")
def create() -> Response:
    """Preview a file (multipart, field file; crs for a GIS file without one) and keep the preview."""
    actor = _actor()
    content, filename = uploaded_file()
    session = get_session()
    with reading_slot():
        import_id, preview = import_store.start(session, actor, content, filename, import_limit("IMPORT_MAX_ROWS"),
                                               request.form.get("crs") or None)
    session.commit()
    response = jsonify(preview_body(import_id, preview))
    response.status_code = 201
    return response


def chosen_rows(raw: Any) -> set[int] | None:
    """The rows a confirm names (a list of row numbers), None for every row without a problem or warning."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise BadParameter("rows", N_("Phải là danh sách số dòng, ví dụ [3, 4]"))
    return {params.integer("rows", str(n), 1, 10**9) for n in raw}


@bp.post("/<import_id>/confirm")
def confirm(import_id: str) -> Response:
    """Store the import's chosen rows (body {"rows": [...]}, optional), once; answers the new sites' ids."""
    actor = _actor()
    body = params.json_body(request.get_data(cache=True), current_app.config["MAX_JSON_DEPTH"]) \
        if request.get_data(cache=True).strip() else {}
    if not isinstance(body, dict):
        raise BadParameter("body", N_("Nội dung phải là một đối tượng JSON"))
    session = get_session()
    created = import_store.confirm(session, actor, import_id, chosen_rows(body.get("rows")))
    session.commit()
    response = jsonify({"id": import_id, "created": created})
    response.status_code = 201
    return response
