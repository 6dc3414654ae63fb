"""The Udviklingsrapport's formats, declared once: PDF (WeasyPrint) and HTML, both from the report templates.

The export registry lists them beside the download formats (barometer.exports.formats.report), for
`barometer report` and `/reports/{code}.{pdf,html}`; the batch writer here takes them from this declaration, so
the reports never reach up into the exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportFormat:
    """A format of the Udviklingsrapport: one area's barometer view (barometer.view.BarometerView) to bytes;
    ``render(view, significance)`` — significance adds the model-based "S" marks (off: reads like the seed)."""

    name: str  # "pdf", "html"
    extension: str
    media_type: str
    render: Callable[[Any, bool], bytes]
    attachment: bool = True


def _pdf(view: Any, significance: bool = False) -> bytes:
    from barometer.reports.render import render_pdf

    return render_pdf(view, significance)


def _html(view: Any, significance: bool = False) -> bytes:
    from barometer.reports.render import render_html

    return render_html(view, significance).encode("utf-8")


PDF = ReportFormat("pdf", "pdf", "application/pdf", _pdf)
HTML = ReportFormat("html", "html", "text/html; charset=utf-8", _html, attachment=False)
REPORT_FORMATS = (PDF, HTML)  # PDF first: the default
