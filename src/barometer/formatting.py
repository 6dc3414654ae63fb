"""Danish-first number and unit formatting through Babel ("1.729 personer", "2,2 pct.", "-6 pct. point").

Every output (report, website, API text fields) formats through these functions so a figure reads the same
everywhere. How many decimals a figure has is the catalogue's per-item `decimals` (docs/catalogue.md), printed
exactly: barometer statuses and developments and key-figure shares are whole ("61 pct.", "-6 pct. point",
"57 pct."), N14 has one decimal ("2,2 pct.", and "2,0 pct." rather than "2 pct."), as the ministry prints them.
Rounding is half away from zero.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

from barometer.rules import round_half_away

UNIT_TEXT = {
    "da": {"pct": "pct.", "pct_point": "pct. point"},
    "en": {"pct": "per cent", "pct_point": "percentage points"},
}
SUPPRESSED = "–"


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "da_DK"


def format_number(value: float, lang: str = "da", max_decimals: int = 0, min_decimals: int = 0) -> str:
    """A number with the locale's grouping and decimal signs, rounded half away from zero.

    A rounded -0 prints as "0": a development of -0.4 is published as 0, not "-0". ``min_decimals`` keeps
    trailing zeros, so numbers in a table column line up ("8,0" above "8,3").
    """
    rounded = round_half_away(value, max_decimals)
    if rounded == 0:
        rounded = 0.0
    fixed = min(min_decimals, max_decimals)
    decimals = "0" * fixed + "#" * (max_decimals - fixed)
    pattern = "#,##0" + ("." + decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=_locale(lang))


def unit_text(unit: str, count_noun: str | None, lang: str = "da") -> str:
    """The unit printed after a status: "pct.", "pct. point" or the count's noun ("personer")."""
    if unit == "count":
        return count_noun or ""
    return UNIT_TEXT["en" if lang == "en" else "da"][unit]


def development_unit(unit: str, count_noun: str | None, lang: str = "da") -> str:
    """Developments of shares and gaps are in percentage points; counts keep their noun."""
    return unit_text("pct_point" if unit in ("pct", "pct_point") else unit, count_noun, lang)


def format_value(value: float | None, unit: str, count_noun: str | None = None, lang: str = "da",
                 decimals: int = 0) -> str:
    """A value with its unit and exactly ``decimals`` decimals (the item's catalogue `decimals`), e.g.
    "1.729 personer", "57 pct.", "2,2 pct."; None prints as an empty string."""
    if value is None:
        return ""
    text = format_number(value, lang, decimals, decimals)
    suffix = unit_text(unit, count_noun, lang)
    return f"{text} {suffix}".strip()


def format_development(value: float | None, unit: str, count_noun: str | None = None, lang: str = "da",
                       decimals: int = 0) -> str:
    """A development since baseline: shares and gaps in percentage points ("-6 pct. point"), counts in their
    noun ("-1 boligområder"); None prints as an empty string."""
    if value is None:
        return ""
    return f"{format_number(value, lang, decimals, decimals)} {development_unit(unit, count_noun, lang)}".strip()


def format_report_date(day: date, lang: str = "da") -> str:
    """The report's creation date as the ministry prints it: 16/11-2024."""
    if lang == "en":
        return _babel_date(day, "d MMMM y", locale="en")
    return f"{day.day}/{day.month}-{day.year}"


def format_size(size: int, lang: str = "da") -> str:
    """A file size as people read it: "840 kB", "12,3 MB" (decimal units; Danish or English number format)."""
    if size < 1_000_000:
        return f"{format_number(max(size / 1000, 1), lang)} kB"
    return f"{format_number(size / 1_000_000, lang, 1, 1)} MB"
