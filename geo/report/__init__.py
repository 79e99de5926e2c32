"""The annual report on Plan 135/KH-UBND: an Excel workbook and a printable HTML page."""
from geo.report.data import Report, build_report, cached_file
from geo.report.files import write_files
from geo.report.page import render_html
from geo.report.workbook import workbook_bytes, write_workbook

__all__ = ["Report", "build_report", "cached_file", "render_html", "workbook_bytes", "write_files", "write_workbook"]
