"""The Udviklingsrapport's formats (declared in barometer.reports.formats) in the export registry."""

from __future__ import annotations

from barometer.exports.registry import register_report_format
from barometer.reports import formats

PDF = register_report_format(formats.PDF)
HTML = register_report_format(formats.HTML)
