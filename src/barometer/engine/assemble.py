"""Turn the items' summed numbers into observation rows: complete grid, value, status.

Every area an item is published for gets a row for every period the item has anywhere, so that "nothing here"
is explicit: a count of 0 (no housing area on the list) is a real 0, a rate over nobody is ``missing``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from barometer.catalogue import Catalogue
from barometer.engine.model import Definition
from barometer.store.schema import OBSERVATION_SCHEMA, SORT_KEYS, Status

SOURCE = "engine"
WORKING_SCHEMA = OBSERVATION_SCHEMA.append(pa.field("effective_n", pa.float64()))
"""Observation columns plus Kish's effective n of survey shares (used by uncertainty, dropped before publish)."""


def item_areas(catalogue: Catalogue, national_only: bool) -> list[str]:
    if national_only:
        return [catalogue.country.code]
    return [a.code for a in catalogue.areas]


def _value(unit: str, d: Definition, num: float, den: float | None, rnum: float | None,
           rden: float | None) -> float | None:
    if unit == "count":
        return num
    if unit == "pct":
        return 100.0 * num / den if den else None
    if den and rden and rnum is not None:
        return d.gap_sign * 100.0 * (rnum / rden - num / den)
    return None


def item_rows(d: Definition, result: pa.Table, catalogue: Catalogue, national_only: bool,
              skip_periods: Collection[str] = ()) -> list[dict]:
    """Observation rows (as dicts) for one item from its evaluated table (area_code, period, num, den …), leaving
    out ``skip_periods`` (a needed register does not cover them)."""
    unit = catalogue.item(d.id).unit
    found = {(r["area_code"], str(r["period"])): r for r in result.to_pylist()
             if str(r["period"]) not in skip_periods}
    periods = sorted({p for _, p in found})
    rows = []
    for area in item_areas(catalogue, national_only):
        for period in periods:
            r = found.get((area, period), {})
            num = r.get("num") or 0.0
            den = r.get("den") if unit != "count" else None
            den = (den or 0.0) if unit != "count" else None
            rnum = r.get("ref_num") if unit == "pct_point" else None
            rden = r.get("ref_den") if unit == "pct_point" else None
            if unit == "pct_point":
                rnum, rden = rnum or 0.0, rden or 0.0
            value = _value(unit, d, num, den, rnum, rden)
            w2 = r.get("sum_w2")
            rows.append({
                "area_code": area, "item_id": d.id, "period": period, "value": value,
                "numerator": num, "denominator": den, "ref_numerator": rnum, "ref_denominator": rden,
                "status": (Status.OK if value is not None else Status.MISSING).value, "source": SOURCE,
                "effective_n": (den * den / w2) if (w2 and den) else None,
            })
    return rows


def not_computed_rows(d: Definition, periods: Sequence[str], catalogue: Catalogue,
                      national_only: bool) -> list[dict]:
    """Rows flagged "not computed" (an optional input table is absent)."""
    return [{"area_code": a, "item_id": d.id, "period": p, "status": Status.NOT_COMPUTED.value, "source": SOURCE}
            for a in item_areas(catalogue, national_only) for p in periods]


def to_table(rows: list[dict]) -> pa.Table:
    columns = {f.name: [row.get(f.name) for row in rows] for f in WORKING_SCHEMA}
    return pa.Table.from_pydict(columns, schema=WORKING_SCHEMA).sort_by(SORT_KEYS)


def flip_gap_intervals(table: pa.Table, items: set[str]) -> pa.Table:
    """Intervals of gaps published as target − reference (``gap_sign`` −1) are the negated reference − target
    intervals that barometer.uncertainty computes."""
    if not items:
        return table
    low, high = table.column("ci_low"), table.column("ci_high")
    flip = pc.and_(pc.is_in(table.column("item_id"), pa.array(sorted(items), pa.string())), pc.is_valid(low))
    table = table.set_column(table.schema.get_field_index("ci_low"), "ci_low",
                             pc.if_else(flip, pc.negate(high), low))
    return table.set_column(table.schema.get_field_index("ci_high"), "ci_high",
                            pc.if_else(flip, pc.negate(low), high))


def finalize(table: pa.Table) -> pa.Table:
    """The publishable table: observation schema only, sorted by area, item, period."""
    return table.select(OBSERVATION_SCHEMA.names).cast(OBSERVATION_SCHEMA).sort_by(SORT_KEYS)
