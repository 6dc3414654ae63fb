"""The uncertainty model of a release: per item, whether it has one, its overdispersion, and the funnel plot.

Computed in the build from the full-precision working table, but only over the municipal cells that disclosure
control publishes: a suppressed cell never enters an estimate, a target or a funnel. The record goes into the
release manifest (``uncertainty``); the intervals it widens go into the observations. Readers (view, web) take
from it whether a verdict may be given at all (``item_model``) and the funnel plot's parameters and sizes.
See docs/uncertainty.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from barometer.catalogue import Catalogue, Indicator, load_catalogue
from barometer.overdispersion import (
    MIN_MUNICIPALITIES,
    WINSOR,
    Counts,
    Dispersion,
    change_dispersion,
    level_dispersion,
)
from barometer.periods import period_year
from barometer.store.schema import Status

FUNNEL_LEVELS = (0.95, 0.998)
METHOD = ("overdispersed binomial: Wilson/Newcombe intervals with the binomial variance multiplied by "
          "max(1, phi); phi from winsorised Pearson z-scores of municipal year-to-year changes "
          "(Spiegelhalter 2005, consistency-corrected)")
# Why an item has no model (and so no verdict); the web and docs explain each.
REASONS = ("count", "survey", "national_only", "too_few_municipalities")


def _significant(x: float, digits: int = 2) -> float:
    """x rounded to `digits` significant figures (funnel sizes leave the build no more precise than that)."""
    if x <= 0:
        return 0.0
    return round(x, digits - 1 - math.floor(math.log10(x)))


def _numbers(d: Dispersion) -> dict[str, Any]:
    return {"phi": round(d.phi, 3), "phi_raw": round(d.phi_raw, 3), "factor": round(d.factor, 3),
            "tau": round(100 * math.sqrt(d.tau2), 3)}


def _published_cells(raw: pa.Table, published: pa.Table, municipalities: set[str]) -> list[dict[str, Any]]:
    """Full-precision municipal rows of raw whose cell is published ("ok") after disclosure control."""
    keys = ("area_code", "item_id", "period")
    if any(not raw.column(k).equals(published.column(k)) for k in keys):
        raise ValueError("published table does not hold the same cells in the same order as the raw table")
    keep = pc.and_(pc.equal(published.column("status"), pa.scalar(Status.OK.value)),
                   pc.is_in(raw.column("area_code"), value_set=pa.array(sorted(municipalities))))
    return raw.filter(keep).select([*keys, "numerator", "denominator", "ref_numerator", "ref_denominator"]) \
        .to_pylist()


def _funnel(item: Indicator, counts: dict[str, list[Counts]], gap: bool, sign: int, edition: str,
            catalogue: Catalogue, fraction: float, min_units: int) -> dict[str, Any] | None:
    year = catalogue.goal(item.goal).latest_year.get(edition)
    period = str(year) if year is not None else max(counts, key=lambda p: (period_year(p), p), default=None)
    found = level_dispersion(counts.get(period, []), gap, fraction, min_units) if period else None
    if found is None:
        return None
    group, disp = found
    # Published no more precisely than a chart needs: the centre line to 0.1 point, s₀² from the target-group
    # rate rounded likewise, sizes to 2 significant figures (denominators are taken as known to an attacker
    # anyway, docs/disclosure.md §2, but the exact pooled sum of published numerators need not be handed out).
    rate = round(group.rate, 3)
    return {"period": period, "target": round(100 * sign * group.target, 1),
            "unit_variance": round(rate * (1 - rate), 6), "municipalities": len(group.cells),
            **_numbers(disp), "sizes": {a: _significant(n) for a, n in sorted(group.sizes().items())}}


def assess(raw: pa.Table, published: pa.Table, edition: str, gap_signs: Mapping[str, int] | None = None,
           catalogue: Catalogue | None = None, fraction: float = WINSOR,
           min_units: int = MIN_MUNICIPALITIES) -> dict[str, Any]:
    """The manifest record: for each rate, gap and count item in ``raw``, its model or the reason it has none.

    ``raw`` is the full-precision table (numerators, denominators; optional ``effective_n``), ``published`` the
    same cells after disclosure control; ``gap_signs`` gives the published orientation of gaps (−1: target −
    reference), used for the funnel's centre line.
    """
    cat = catalogue or load_catalogue()
    gap_signs = gap_signs or {}
    municipalities = {m.code for m in cat.municipalities}
    by_item: dict[str, dict[str, list[Counts]]] = defaultdict(lambda: defaultdict(list))
    for r in _published_cells(raw, published, municipalities):
        if r["numerator"] is not None and r["denominator"] is not None:
            by_item[r["item_id"]][r["period"]].append(
                Counts(r["area_code"], r["numerator"], r["denominator"], r["ref_numerator"], r["ref_denominator"]))
    survey = set()
    if "effective_n" in raw.column_names:
        survey = set(raw.filter(pc.is_valid(raw.column("effective_n"))).column("item_id").to_pylist())
    items: dict[str, dict[str, Any]] = {}
    for item_id in sorted({str(i) for i in raw.column("item_id").to_pylist()}):
        item = cat.item(item_id)
        if item.unit == "count":
            items[item_id] = {"model": False, "reason": "count"}
            continue
        if not item.local:
            items[item_id] = {"model": False, "reason": "survey" if item_id in survey else "national_only"}
            continue
        gap = item.unit == "pct_point"
        counts = by_item.get(item_id, {})
        periods = sorted(counts, key=lambda p: (period_year(p), p))
        disp = change_dispersion([counts[p] for p in periods], gap, fraction, min_units)
        if disp is None:
            items[item_id] = {"model": False, "reason": "too_few_municipalities"}
            continue
        record: dict[str, Any] = {"model": True, **_numbers(disp), "pairs": disp.groups, "changes": disp.units}
        if isinstance(item, Indicator):
            record["funnel"] = _funnel(item, counts, gap, gap_signs.get(item_id, 1), edition, cat, fraction,
                                       min_units)
        items[item_id] = record
    return {"method": METHOD, "winsorised": fraction, "min_municipalities": min_units,
            "funnel_levels": list(FUNNEL_LEVELS), "items": items}


def factors(record: Mapping[str, Any]) -> dict[str, float]:
    """Item → variance factor, for the items that have a model (barometer.uncertainty.add_intervals)."""
    return {i: r["factor"] for i, r in record.get("items", {}).items() if r.get("model")}


def item_model(manifest: Mapping[str, Any], item_id: str) -> dict[str, Any] | None:
    """The item's model in a release manifest, or None: no model (counts, survey items, too few municipalities)
    or a release without an uncertainty record (imported published figures) — then no verdict may be given."""
    record = (manifest.get("uncertainty") or {}).get("items", {}).get(item_id)
    return record if record and record.get("model") else None
