"""How far each register reaches, and which periods of an item it fully covers.

Residence decides the years the data allow, but other registers may end earlier (convictions extracted in mid
2024, benefits to June): a figure computed for a period such a register does not cover comes out too low and
would look ok. Each definition therefore declares the tables it ``needs`` (barometer.engine.model.Needs), and a
period is published only when every one of them reaches the period's last day (plus ``years_after``: 3.3/N15
need the test register to reach the end of the cohort's test window).

A table's coverage is the last day it is known to cover: the registers manifest's ``extra.coverage`` entry for the
table when the extract records one (``{"convictions": "2024-06-30"}``), else derived from the data — the last day
of the month of the latest date in the declared column, or 31 December of the latest year of a year column. A
sparse table whose last event falls early in a month still covers that month; one whose last event is in June
does not cover December.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from barometer.engine.model import Definition, Needs
from barometer.engine.periods import bounds


def declared_coverage(registers: Path) -> dict[str, date]:
    """``extra.coverage`` of the registers manifest: table → last day covered (empty when not recorded)."""
    from barometer.registers.manifest import ManifestError, read_manifest

    try:
        extra = read_manifest(registers).extra
    except ManifestError:
        return {}
    raw = extra.get("coverage") or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{registers}/manifest.json: extra.coverage must map table names to dates")
    out = {}
    for table, value in raw.items():
        try:
            out[str(table)] = (date(int(value), 12, 31) if isinstance(value, int)
                               else date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"{registers}/manifest.json: extra.coverage.{table} = {value!r} is not a date "
                             "(YYYY-MM-DD) or a year") from None
    return out


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def table_coverage(definitions: Iterable[Definition], present: set[str], declared: dict[str, date],
                   latest: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, column) → {"covered_to": date | None, "source": "manifest" | "data"} for every declared need of a
    present table. ``latest(table, column)`` returns the column's maximum (a date or a year) or None."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for need in (n for d in definitions for n in d.needs):
        key = (need.table, need.column)
        if key in out or need.table not in present:
            continue
        if need.table in declared:
            out[key] = {"covered_to": declared[need.table], "source": "manifest"}
            continue
        top = latest(need.table, need.column)
        if isinstance(top, date):
            covered = _month_end(top)
        elif top is not None:
            covered = date(int(top), 12, 31)
        else:
            covered = None  # an empty table covers nothing
        out[key] = {"covered_to": covered, "source": "data"}
    return out


def required_day(period: str, need: Needs, params: dict[str, object]) -> date:
    """The last day ``need.table`` must cover for ``period``."""
    end = bounds(str(period))[1]
    years = int(params[need.years_after]) if need.years_after else 0  # type: ignore[call-overload]
    try:
        return end.replace(year=end.year + years)
    except ValueError:  # 29 February
        return end.replace(year=end.year + years, day=28)


def uncovered(definition: Definition, periods: Iterable[str], coverage: dict[tuple[str, str], dict[str, Any]],
              params: dict[str, object]) -> set[str]:
    """The periods some needed table does not reach (their observations are withheld)."""
    out = set()
    for period in periods:
        for need in definition.needs:
            cov = coverage.get((need.table, need.column))
            if cov is None:  # table absent: handled as optional/not computed elsewhere
                continue
            if cov["covered_to"] is None or cov["covered_to"] < required_day(period, need, params):
                out.add(str(period))
                break
    return out


def provenance_record(coverage: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, str | None]]:
    """Coverage per table for the release provenance: {table: {column, covered_to, source}}."""
    return {f"{t}.{c}": {"covered_to": v["covered_to"].isoformat() if v["covered_to"] else None,
                         "source": v["source"]}
            for (t, c), v in sorted(coverage.items())}
