"""Key-figure periods: the catalogue's reference period for an edition, and the same period in earlier years.

A period code (barometer.periods) becomes the rows of ``ref_kf_period``: (item_id, period, p_start, p_end), the
first and last day the figure covers. A date has p_start = p_end; a range that spans several years (N12: "since
July 2016") keeps its start and moves only its end, as it is cumulative.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from barometer.catalogue import KeyFigure


def bounds(code: str) -> tuple[date, date]:
    """First and last day covered by a canonical period code."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", code):
        d = date.fromisoformat(code)
        return d, d
    if m := re.fullmatch(r"(\d{4})-(\d{2})", code):
        y, mo = int(m[1]), int(m[2])
        return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
    if m := re.fullmatch(r"(\d{4})Q([1-4])", code):
        y, q = int(m[1]), int(m[2])
        return bounds(f"{y}-{3 * q - 2:02d}")[0], bounds(f"{y}-{3 * q:02d}")[1]
    if m := re.fullmatch(r"(\d{4}-\d{2})/(\d{4}-\d{2})", code):
        return bounds(m[1])[0], bounds(m[2])[1]
    if re.fullmatch(r"\d{4}", code):
        return date(int(code), 1, 1), date(int(code), 12, 31)
    raise ValueError(f"not a period code: {code!r}")


def _shift_month(code: str, years: int) -> str:
    return f"{int(code[:4]) + years:04d}{code[4:]}"


def shift(code: str, years: int) -> str | None:
    """The same period ``years`` years later (negative: earlier); None if it does not exist (29 February)."""
    if re.fullmatch(r"\d{4}", code):
        return str(int(code) + years)
    if m := re.fullmatch(r"(\d{4}-\d{2})/(\d{4}-\d{2})", code):
        start, end = m[1], _shift_month(m[2], years)
        if start[:4] == m[2][:4]:
            start = _shift_month(start, years)
        return f"{start}/{end}" if start <= end else None
    shifted = _shift_month(code, years)
    try:
        bounds(shifted)
    except ValueError:
        return None
    return shifted


def key_figure_periods(kf: KeyFigure, edition: str, first_year: int, last_year: int,
                       series: bool = True) -> list[tuple[str, date, date]]:
    """(period, p_start, p_end) for one key figure: the edition's reference period if the data cover it, and
    (``series``) the same period in each earlier year the data cover.

    An edition without its own reference period uses the latest edition's period moved to the edition's year.
    """
    anchor = kf.reference_period.get(edition)
    if anchor is None:
        if not kf.reference_period:
            return []
        latest = max(kf.reference_period)
        anchor = shift(kf.reference_period[latest], int(edition[:4]) - int(latest[:4]))
        if anchor is None:
            return []
    codes = [anchor]
    if series:
        for k in range(1, int(anchor.split("/")[-1][:4]) - first_year + 1):
            if (code := shift(anchor, -k)) is not None:
                codes.append(code)
    out = []
    for code in codes:
        start, end = bounds(code)
        # a cumulative range (N12: since July 2016) may start before the residence years; its end must be covered
        if first_year <= end.year <= last_year:
            out.append((code, start, end))
    return sorted(out)
