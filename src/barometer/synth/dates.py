"""Dates as int32 day numbers (days since 1970-01-01) — the layout of Arrow's date32, so no conversion on write.

Missing dates use sentinels (``NEVER`` for "has not happened", ``NOT_IMMIGRATED``) inside the generator and become
nulls only when a table is written.
"""

from __future__ import annotations

import numpy as np

NEVER = np.int32(2**31 - 1)
"""Sentinel for an exit (death, emigration) that has not happened by the end of the simulation."""
NOT_IMMIGRATED = np.int32(-(2**31))
"""Sentinel for persons without an immigration date."""


def day(year: int, month: int = 1, dom: int = 1) -> int:
    """Day number of a calendar date."""
    return int(np.datetime64(f"{year:04d}-{month:02d}-{dom:02d}", "D").astype(np.int64))


def year_start(years: np.ndarray) -> np.ndarray:
    """Day numbers of 1 January of each year (vectorised)."""
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int32)


def year_length(year: int) -> int:
    return day(year + 1) - day(year)


def split(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(year, month*100 + day-of-month) of day numbers, for exact ages.

    Integer arithmetic on the proleptic Gregorian calendar (H. Hinnant's civil_from_days), several times faster
    than going through numpy's datetime64 units, and exact for every day number, sentinels included.
    """
    z = np.asarray(days, dtype=np.int64) + 719_468  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era, 0-146096
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year starting 1 March
    mp = (5 * doy + 2) // 153  # month starting March = 0
    dom = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year.astype(np.int32), (month * 100 + dom).astype(np.int32)


def age_at(birth_year: np.ndarray, birth_md: np.ndarray, year: int, month: int = 1, dom: int = 1) -> np.ndarray:
    """Exact age in whole years on a reference date (birthday on the date counts as reached)."""
    return (year - birth_year - (birth_md > month * 100 + dom)).astype(np.int16)


def uniform_in(rng: np.random.Generator, start: np.ndarray | int, end: np.ndarray | int, size: int) -> np.ndarray:
    """Uniform day numbers in [start, end] (inclusive), vectorised over array bounds."""
    return uniform_from(rng.random(size), start, end)


def uniform_from(u: np.ndarray, start: np.ndarray | int, end: np.ndarray | int) -> np.ndarray:
    """``uniform_in`` from uniforms already drawn (a model that draws for everybody but needs only some)."""
    start = np.asarray(start, dtype=np.int64)
    span = np.maximum(np.asarray(end, dtype=np.int64) - start + 1, 1)
    return (start + np.floor(u * span).astype(np.int64)).astype(np.int32)


def monday_on_or_after(days: np.ndarray) -> np.ndarray:
    """The Monday on or after each day (1970-01-01 was a Thursday), as DREAM spells start on Mondays."""
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    return (days + (7 - weekday) % 7).astype(np.int32)
