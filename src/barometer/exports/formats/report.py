"""The Udviklingsrapport's formats: PDF (WeasyPrint) and HTML, both from the report templates."""

from __future__ import annotations

from typing import Any

from barometer.exports.registry import ReportFormat, register_report_format


def _pdf(view: Any, significance: bool = False) -> bytes:
    from barometer.reports.render import render_pdf

    return render_pdf(view, significance)


def _html(view: Any, significance: bool = False) -> bytes:
    from barometer.reports.render import render_html

    return render_html(view, significance).encode("utf-8")


PDF = register_report_format(ReportFormat("pdf", "pdf", "application/pdf", _pdf))
HTML = register_report_format(ReportFormat("html", "html", "text/html; charset=utf-8", _html, attachment=False))
