"""The annual report: the workbook to download and the printable page, in the reader's language."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext

from geo import report
from webmap import params
from webmap.db import get_session
from webmap.i18n import select_locale

bp = Blueprint("reports", __name__, url_prefix="/report")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _build(year: int) -> report.Report:
    """Check the request and read the report's data."""
    args = params.with_aliases(request.args.to_dict())
    params.reject_unknown(args, ("level",))
    year = params.year(str(year))
    return report.build_report(get_session(), year, params.level(args.get("level"), year))


@bp.get("/<int:year>.xlsx")
def workbook(year: int) -> Response:
    """The report of a year as an Excel workbook: ?level=district|commune&lang=vi|en."""
    data = _build(year)
    lang = select_locale()
    body = report.workbook_bytes(data, lang=lang, translate=gettext)
    response = Response(body, mimetype=XLSX)
    filename = f"bao-cao-sxtdbv-{data.year}-{data.level}{'-en' if lang == 'en' else ''}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:year>")
def page(year: int) -> Response:
    """The report of a year as a printable page with its maps: ?level=district|commune&lang=vi|en."""
    data = _build(year)
    html = report.render_html(data, lang=select_locale(), translate=gettext)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
