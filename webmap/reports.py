"""The annual report: the workbook to download and the printable page, in the reader's language.

Building a report takes seconds; each file is built once per year, level, language and data version and kept
in the database (geo.report.cached_file), so every later request is a lookup.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, request
from flask_babel import gettext

from geo import report, task_reports
from webmap import params
from webmap.db import get_session
from webmap.i18n import select_locale

bp = Blueprint("reports", __name__, url_prefix="/report")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _checked(year: int) -> tuple[int, str]:
    """Check the request: the year (one of the plan's, 2021–2030, else 404) and the level."""
    args = params.with_aliases(request.args.to_dict())
    params.reject_unknown(args, ("level",))
    year = task_reports.check_year(year)
    return year, params.level(args.get("level"), year)


def _file(year: int, kind: str, make: Callable[[report.Report, str], bytes]) -> tuple[bytes, int, str, str]:
    """The report file of the request (from the cache, or built by make(data, lang) and kept), year, level, lang."""
    year, level = _checked(year)
    lang = select_locale()
    session = get_session()
    body = report.cached_file(session, year, level, lang, kind,
                              lambda: make(report.build_report(session, year, level), lang))
    session.commit()
    return body, year, level, lang


def _download(year: int, kind: str, mimetype: str, make: Callable[[report.Report, str], bytes]) -> Response:
    body, year, level, lang = _file(year, kind, make)
    response = Response(body, mimetype=mimetype)
    filename = f"bao-cao-sxtdbv-{year}-{level}{'-en' if lang == 'en' else ''}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:year>.xlsx")
def workbook(year: int) -> Response:
    """The report of a year as an Excel workbook: ?level=district|commune&lang=vi|en."""
    return _download(year, "xlsx", XLSX, lambda data, lang: report.workbook_bytes(data, lang=lang, translate=gettext))


@bp.get("/<int:year>.docx")
def document(year: int) -> Response:
    """The province's report of a year as a Word document in the administrative form: ?level=…&lang=vi|en."""
    return _download(year, "docx", DOCX,
                      lambda data, lang: report.document_bytes(data, lang=lang, translate=gettext))


@bp.get("/<int:year>")
def page(year: int) -> Response:
    """The report of a year as a printable page with its maps: ?level=district|commune&lang=vi|en."""
    body, *_ = _file(year, "html", lambda data, lang: report.render_html(data, lang=lang, translate=gettext).encode())
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
