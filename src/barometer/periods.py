"""Reference periods: canonical codes and their Danish/English text.

Observations store a canonical code so that periods sort and compare; people read the text. Codes:
``2023`` (year), ``2024Q2`` (quarter), ``2024-08`` (month), ``2024-08-31`` (date), ``2024-01/2024-09`` (range of
months). Published figures arrive with Danish text ("31. august 2024", "2. kvartal 2024", "januar-september 2024",
"juli 2016-september 2024"), which :func:`parse_period` turns into a code.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date, get_month_names

from barometer.errors import BarometerError

# ASCII digits only: Python's \d also matches other scripts' digits ("٢٠٢٢"), which int() would accept.
_YEAR = re.compile(r"^([0-9]{4})$")
_QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_RANGE = re.compile(r"^([0-9]{4}-[0-9]{2})/([0-9]{4}-[0-9]{2})$")

# The grammar of a canonical code as one regular expression, for documents that describe it (the API's OpenAPI
# document); calendar validity (no 2024-02-30, a range that does not end before it starts) is checked by
# validate_code.
_MM = "(0[1-9]|1[0-2])"
PERIOD_PATTERN = (f"^[0-9]{{4}}(Q[1-4]|-{_MM}(-(0[1-9]|[12][0-9]|3[01])|/[0-9]{{4}}-{_MM})?)?$")


class PeriodError(BarometerError, ValueError):
    """A period text or code that cannot be understood."""

    code = "invalid_period"
    exit_code = 2
    http_status = 422


def _month_numbers(locale: str) -> dict[str, int]:
    return {name.lower(): num for num, name in get_month_names("wide", locale=locale).items()}


_DA_MONTHS = _month_numbers("da")


def _month_code(text: str, default_year: str | None = None) -> str:
    parts = text.strip().lower().split()
    if len(parts) == 1 and default_year:
        parts.append(default_year)
    if len(parts) != 2 or parts[0] not in _DA_MONTHS or not _YEAR.fullmatch(parts[1]):
        raise PeriodError(f"not a month: {text!r}")
    return f"{parts[1]}-{_DA_MONTHS[parts[0]]:02d}"


def parse_period(text: str) -> str:
    """Canonical code for a period given as a code or as Danish text; raises PeriodError."""
    value = text.strip()
    if any(p.fullmatch(value) for p in (_YEAR, _QUARTER, _MONTH, _DATE, _RANGE)):
        validate_code(value)
        return value
    low = value.lower()
    if m := re.match(r"^([1-4])\.\s*kvartal\s+([0-9]{4})$", low):
        return f"{m[2]}Q{m[1]}"
    if m := re.match(r"^([0-9]{1,2})\.\s*([a-zæøå]+)\s+([0-9]{4})$", low):
        if m[2] not in _DA_MONTHS:
            raise PeriodError(f"unknown month in {text!r}")
        code = f"{m[3]}-{_DA_MONTHS[m[2]]:02d}-{int(m[1]):02d}"
        validate_code(code)
        return code
    if "-" in low:
        start, end = (s.strip() for s in low.split("-", 1))
        end_code = _month_code(end)
        start_code = _month_code(start, default_year=end_code[:4])
        validate_code(f"{start_code}/{end_code}")
        return f"{start_code}/{end_code}"
    return _month_code(low)


def validate_code(code: str) -> None:
    """Raise PeriodError unless code is a well-formed canonical period with real calendar values."""
    try:
        if m := _DATE.fullmatch(code):
            date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _MONTH.fullmatch(code):
            date(int(m[1]), int(m[2]), 1)
        elif m := _RANGE.fullmatch(code):
            validate_code(m[1])
            validate_code(m[2])
            if m[1] > m[2]:
                raise PeriodError(f"range ends before it starts: {code!r}")
        elif not (_YEAR.fullmatch(code) or _QUARTER.fullmatch(code)):
            raise PeriodError(f"not a period: {code!r}")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"not a calendar date: {code!r}") from exc


def period_year(code: str) -> int:
    """The (last) calendar year a period falls in; used to order periods and pick the latest."""
    return int(code.split("/")[-1][:4])


def format_period(code: str, lang: str = "da") -> str:
    """Human text for a canonical period code, in Danish (default) or English."""
    locale = "en" if lang == "en" else "da"
    if m := _DATE.fullmatch(code):
        return format_date(date(int(m[1]), int(m[2]), int(m[3])), "d. MMMM y" if locale == "da" else "d MMMM y",
                           locale=locale)
    if m := _MONTH.fullmatch(code):
        return format_date(date(int(m[1]), int(m[2]), 1), "MMMM y", locale=locale)
    if m := _QUARTER.fullmatch(code):
        return f"{m[2]}. kvartal {m[1]}" if locale == "da" else f"Q{m[2]} {m[1]}"
    if m := _RANGE.fullmatch(code):
        start, end = m[1], m[2]
        start_month = format_date(date(int(start[:4]), int(start[5:]), 1), "MMMM", locale=locale)
        end_text = format_period(end, lang)
        if start[:4] == end[:4]:
            return f"{start_month}-{end_text}"
        return f"{start_month} {start[:4]}-{end_text}"
    return code
