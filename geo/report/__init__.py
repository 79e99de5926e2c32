"""The annual report on Plan 135/KH-UBND: an Excel workbook, a printable HTML page and a Word document."""
from geo.report.data import Report, build_report, cached_file
from geo.report.docx import document_bytes
from geo.report.files import write_files
from geo.report.page import render_html
from geo.report.workbook import workbook_bytes, write_workbook

__all__ = ["Report", "build_report", "cached_file", "document_bytes", "render_html", "workbook_bytes", "write_files", "write_workbook"]
