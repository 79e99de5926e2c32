"""The report's files on disk: what the report command writes for a year."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from geo import figures
from geo.report.data import build_report
from geo.report.docx import document_bytes
from geo.report.page import render_html
from geo.report.workbook import write_workbook

FORMATS = ("xlsx", "html", "docx")


def write_files(session: Session, year: int, level: str | None, out_dir: Path, store: bool,
                formats: tuple[str, ...] = ("xlsx", "html")) -> list[Path]:
    """Write a year's report in the formats asked for (workbook, HTML page, Word document) into out_dir (and,
    if store, keep its computed figures on file)."""
    report = build_report(session, year, level)
    if store:
        figures.store_computed_values(session, year, report.level)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"bao-cao-sxtdbv-{year}-{report.level}"
    written = []
    for kind in formats:
        path = stem.with_suffix(f".{kind}")
        if kind == "xlsx":
            write_workbook(report, path)
        elif kind == "html":
            path.write_text(render_html(report), encoding="utf-8")
        else:
            path.write_bytes(document_bytes(report))
        written.append(path)
    return written
