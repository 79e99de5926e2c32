"""The report's files on disk: what the report command writes for a year."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from geo import figures
from geo.report.data import build_report
from geo.report.page import render_html
from geo.report.workbook import write_workbook


def write_files(session: Session, year: int, level: str | None, out_dir: Path, store: bool) -> list[Path]:
    """Write a year's workbook and HTML page into out_dir (and, if store, keep its computed figures on file)."""
    report = build_report(session, year, level)
    if store:
        figures.store_computed_values(session, year, report.level)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"bao-cao-sxtdbv-{year}-{report.level}"
    workbook, page = stem.with_suffix(".xlsx"), stem.with_suffix(".html")
    write_workbook(report, workbook)
    page.write_text(render_html(report), encoding="utf-8")
    return [workbook, page]
