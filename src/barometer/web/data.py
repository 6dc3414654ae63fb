"""Figures for the pages beyond one area's barometer: time series, rankings, and similar municipalities.

They read observations from the release index (never registers) and the catalogue; statuses, developments and
movements stay in barometer.view.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from barometer.catalogue import Catalogue, Indicator
from barometer.periods import period_year
from barometer.store import Status
from barometer.web.holder import Snapshot

DATA = Path(__file__).parent / "data"


def latest_year(snap: Snapshot, ind: Indicator) -> int | None:
    """The indicator's status year in this edition, else the last year it has observations for."""
    year = snap.catalogue.goal(ind.goal).latest_year.get(snap.release.edition)
    if year is not None:
        return year
    years = [period_year(p) for p in snap.index.periods.get(ind.id, ())]
    return max(years) if years else None


def observation(snap: Snapshot, area: str, item: str, period: str | None) -> dict[str, Any]:
    """One observation as a flat record; a missing one is reported with status "missing" and no value."""
    row = snap.index.get(area, item, period) if period else None
    status = row["status"] if row else Status.MISSING.value
    ok = row is not None and status == Status.OK
    row = row or {}
    return {"area_code": area, "item_id": item, "period": period, "status": status,
            "value": row["value"] if ok else None,
            "ci_low": row.get("ci_low") if ok else None, "ci_high": row.get("ci_high") if ok else None,
            "numerator": row.get("numerator") if ok else None,
            "denominator": row.get("denominator") if ok else None}


def series(snap: Snapshot, ind: Indicator, areas: list[str], lang: str) -> list[dict[str, Any]]:
    """Yearly observations since the goal's baseline for each area, in area order then year."""
    baseline = snap.catalogue.goal(ind.goal).baseline_year
    last = latest_year(snap, ind) or baseline
    years = sorted({period_year(p) for p in snap.index.periods.get(ind.id, ())
                    if p.isdigit() and baseline <= int(p) <= last})
    rows = []
    for code in areas:
        name = snap.catalogue.area(code).display_name(lang)
        for year in years:
            rows.append({"area_name": name, **observation(snap, code, ind.id, str(year))})
    return rows


def ranking(snap: Snapshot, ind: Indicator, lang: str) -> list[dict[str, Any]]:
    """All municipalities at the latest year, best first; suppressed or missing ones last, unranked."""
    year = latest_year(snap, ind)
    period = str(year) if year else None
    rows = [{"area_name": a.display_name(lang), **observation(snap, a.code, ind.id, period)}
            for a in snap.catalogue.municipalities]
    known = [r for r in rows if r["value"] is not None]
    unknown = sorted((r for r in rows if r["value"] is None), key=lambda r: r["area_name"])
    known.sort(key=lambda r: (-r["value"] if ind.direction == "higher" else r["value"], r["area_name"]))
    rank, previous = 0, None
    for n, row in enumerate(known, start=1):
        if row["value"] != previous:
            rank, previous = n, row["value"]
        row["rank"] = rank
    for row in unknown:
        row["rank"] = None
    return known + unknown


@dataclass(frozen=True)
class Variable:
    id: str
    measure: str
    weight: float
    item: str | None = None
    log: bool = False


def similarity_config() -> tuple[list[Variable], int]:
    doc = tomllib.loads((DATA / "similarity.toml").read_text(encoding="utf-8"))
    return [Variable(**v) for v in doc["variable"]], int(doc["neighbours"])


def _raw_values(snap: Snapshot, var: Variable) -> dict[str, float]:
    cat: Catalogue = snap.catalogue
    if var.item is None or not cat.has_item(var.item):
        return {}
    item = cat.item(var.item)
    year = latest_year(snap, item) if isinstance(item, Indicator) else None
    values: dict[str, float] = {}
    for area in cat.municipalities:
        row = snap.index.get(area.code, var.item, str(year) if year else None)
        if not row or row["status"] != Status.OK or not row.get("denominator"):
            continue
        den = row["denominator"]
        if var.measure == "denominator":
            values[area.code] = math.log(den) if var.log else den
        elif var.measure == "target_share" and row.get("ref_denominator"):
            values[area.code] = den / (den + row["ref_denominator"])
    return values


def similar(snap: Snapshot, code: str, lang: str) -> dict[str, Any]:
    """The nearest municipalities to `code`: weighted distance over standardised variables and group."""
    variables, wanted = similarity_config()
    munis = snap.catalogue.municipalities
    me = snap.catalogue.area(code)
    used, unavailable, zscores, raw = [], [], {}, {}
    for var in variables:
        if var.measure == "group":
            used.append(var)
            continue
        values = _raw_values(snap, var)
        if code not in values or len(values) < 3:
            unavailable.append(var)
            continue
        mean = sum(values.values()) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values.values()) / len(values)) or 1.0
        zscores[var.id] = {k: (v - mean) / sd for k, v in values.items()}
        raw[var.id] = values
        used.append(var)
    rows = []
    for other in munis:
        if other.code == code:
            continue
        total, complete = 0.0, True
        for var in used:
            if var.measure == "group":
                total += var.weight * (0.0 if other.group == me.group else 1.0)
            elif other.code in zscores[var.id]:
                total += var.weight * (zscores[var.id][other.code] - zscores[var.id][code]) ** 2
            else:
                complete = False
        if complete:
            rows.append({"area_code": other.code, "area_name": other.display_name(lang), "group": other.group,
                         "distance": round(math.sqrt(total), 3),
                         **{v.id: _shown(raw[v.id][other.code], v) for v in used if v.id in raw}})
    rows.sort(key=lambda r: (r["distance"], r["area_name"]))
    mine = {v.id: _shown(raw[v.id][code], v) for v in used if v.id in raw}
    return {"area_code": code, "variables": used, "unavailable": unavailable, "own": mine,
            "neighbours": rows[:wanted]}


def _shown(value: float, var: Variable) -> float:
    """A variable's value as people read it (undo the log; shares in per cent)."""
    if var.measure == "denominator":
        return round(math.exp(value)) if var.log else value
    return round(value * 100, 1)
