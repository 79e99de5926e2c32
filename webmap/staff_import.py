"""The staff's import page: upload a file, see each row as it will be stored with its problems, map a column by
hand or swap coordinates, confirm once; and the template workbook. The same geo.import_store functions as the
import API (webmap/imports_api.py) do the work."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from geo import bulk_import, exports, file_table, import_headings, import_store
from geo.boundaries import CRS_PRESETS
from geo.errors import N_, BadParameter, DomainError, InvalidRecord
from webmap import imports_api, labels, params, site_text
from webmap.db import get_session
from webmap.errors import message_of, status_for, status_of
from webmap.staff import Refused, bp, wards


@bp.get("/import")
@login_required
def bulk():
    """The import page: the headings it reads, the template workbook, the file to preview."""
    return _import_page()


def _import_page(import_id: str | None = None, preview: bulk_import.Preview | None = None, status: int = 200):
    shown = _shown(preview.rows) if preview else None
    return render_template(
        "staff/import.html", import_id=import_id, preview=shown, columns=_preview_columns(),
        ignored=[imports_api.column_body(c) for c in preview.columns if c.field is None] if preview else [],
        file_warnings=[imports_api.said(w)["message"] for w in preview.warnings] if preview else [],
        fields=_mappable_fields(), headings=import_headings.template_headings(),
        extensions=file_table.EXTENSIONS, crs_presets=CRS_PRESETS, heading_row=preview.heading_row if preview else None,
        locale=preview.locale if preview else None), status


@bp.post("/import")
@login_required
def bulk_preview():
    """Preview an uploaded CSV, Excel or GIS file: each row as it will be stored and its problems, kept for the
    confirm."""
    session = get_session()
    try:
        content, filename = imports_api.uploaded_file()
        with imports_api.reading_slot():
            import_id, preview = import_store.start(session, current_user.actor, content, filename,
                                                    imports_api.import_limit("IMPORT_MAX_ROWS"),
                                                    request.form.get("crs") or None)
    except (BadParameter, imports_api.Busy) as error:
        session.rollback()
        if error.field not in ("file", "crs"):
            raise
        flash(message_of(error), "error")
        return _import_page(status=status_of(error) if isinstance(error, imports_api.Busy) else status_for(InvalidRecord))
    session.commit()
    return _import_page(import_id, preview)


@bp.post("/import/<import_id>/again")
@login_required
def bulk_again(import_id: str):
    """The same file previewed again with columns mapped by hand (column-<n> = field) or coordinates swapped."""
    chosen = {}
    for key, value in request.form.items():
        if key.startswith("column-") and value:
            if value not in import_headings.MAPPABLE:
                raise BadParameter("column", N_("Không có trường “%(value)s”"), value=value)
            chosen[params.integer("column", key.removeprefix("column-"), 0, 10_000)] = value
    swap = {params.integer("swap", n, 1, 10**9) for n in request.form.getlist("swap")}
    session = get_session()
    new_id, preview = import_store.preview_again(session, current_user.actor, import_id, chosen=chosen, swap=swap)
    session.commit()
    return _import_page(new_id, preview)


@bp.post("/import/<import_id>/confirm")
@login_required
def bulk_confirm(import_id: str):
    """Store the chosen rows of a preview: all of them or none, and only once."""
    chosen = {params.integer("row", n, 1, 10**9) for n in request.form.getlist("row")}
    session = get_session()
    try:
        created = import_store.confirm(session, current_user.actor, import_id, chosen)
    except DomainError as error:
        session.rollback()
        if not isinstance(error, BadParameter) or error.field != "row":
            raise Refused(error) from error
        flash(message_of(error), "error")
        earlier = import_store.stored(session, current_user.actor, import_id)
        preview = bulk_import.preview_table(session, current_user.actor, earlier["table"])
        return _import_page(import_id, preview, status_of(error))
    session.commit()
    flash(_("Đã nhập %(n)s điểm", n=len(created)))
    return redirect(url_for("staff.my_sites"))


@bp.get("/import/template.xlsx")
@login_required
def bulk_template():
    """The template workbook: the accepted headings, and the lists of names the coded columns take."""
    return Response(import_headings.template_workbook(), mimetype=exports.FORMATS["xlsx"][0],
                    headers={"Content-Disposition": "attachment; filename=mau-nhap-diem.xlsx"})


def _mappable_fields() -> list[tuple[str, str]]:
    """(field, label) of every field a column can be mapped to, for the preview's picker."""
    return [(field, imports_api.field_name(field)) for field in import_headings.MAPPABLE]


# The preview's columns: every field a row stores, in the form's order.
PREVIEW_FIELDS = ("name", "name_en", "category", "status", "lat", "lon", "location_precision", "ward_code", "address",
                  "plan_task", "lead_agency", "start_date", "end_date", "measures", "description", "source")


def _preview_columns() -> list[str]:
    return [labels.field_label(field) or field for field in PREVIEW_FIELDS]


def _said(field: str, reason: str, params_: dict[str, Any]) -> str:
    message = imports_api.said((field, reason, params_))["message"]
    label = labels.field_label(field)
    return f"{label}: {message}" if label else message


def _typed(data: dict[str, Any], formatter: site_text.Formatter) -> list[str]:
    """A row that will not be stored, as the file has it, a code it names shown by its name."""
    typed = data["measures"]
    measures = "; ".join(f"{site_text.measure_label(key)}: {value}" for key, value in typed.items()
                         if value not in (None, "")) if isinstance(typed, dict) else str(typed)
    return [measures if field == "measures" else formatter.value(field, data.get(field)) if field in formatter.names
            else str(data.get(field, "") or "") for field in PREVIEW_FIELDS]


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the values it will store by their names (or, with a problem, as typed), its problems and
    warnings, translated."""
    formatter = site_text.Formatter({}, {ward["code"]: ward["name"] for ward in wards()})
    return [{**row, "cells": [formatter.value(f, row["record"].get(f)) for f in PREVIEW_FIELDS] if row["record"]
             else _typed(row["data"], formatter),
             "problem_texts": [_said(*problem) for problem in row["problems"]],
             "warning_texts": [_said(*warning) for warning in row["warnings"]]} for row in rows]
