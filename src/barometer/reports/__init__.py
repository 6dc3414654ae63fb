"""The Udviklingsrapport: one Jinja2 template rendered to HTML and, through WeasyPrint, to PDF."""

from barometer.reports.batch import report_filename, write_reports
from barometer.reports.render import render_html, render_pdf, report_title

__all__ = ["render_html", "render_pdf", "report_filename", "report_title", "write_reports"]
