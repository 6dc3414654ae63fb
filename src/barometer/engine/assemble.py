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


def _number(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A summed number as the rows carry it: a cell without one (or with 0) is 0.0."""
    return pc.if_else(pc.fill_null(pc.equal(column, pa.scalar(0.0)), pa.scalar(True)), pa.scalar(0.0), column)


def item_rows(d: Definition, result: pa.Table, catalogue: Catalogue, national_only: bool,
              skip_periods: Collection[str] = ()) -> pa.Table:
    """Observation rows (working schema) for one item from its evaluated table (area_code, period, num, den …),
    leaving out ``skip_periods`` (a needed register does not cover them)."""
    unit = catalogue.item(d.id).unit
    periods_found = [str(p) for p in result.column("period").to_pylist()]
    index = {(a, p): i for i, (a, p) in enumerate(zip(result.column("area_code").to_pylist(), periods_found,
                                                      strict=True)) if p not in skip_periods}
    periods = sorted({p for _, p in index})
    areas = item_areas(catalogue, national_only)
    grid = [(a, p) for a in areas for p in periods]
    at = pa.array([index.get(cell) for cell in grid], pa.int64())  # the result's row of each cell, if any

    def column(name: str) -> pa.Array:
        if name not in result.column_names:
            return pa.nulls(len(grid), pa.float64())
        return pc.cast(result.column(name).combine_chunks().take(at), pa.float64())

    zero = pa.scalar(0.0)
    num = _number(column("num"))
    none = pa.nulls(len(grid), pa.float64())
    den = _number(column("den")) if unit != "count" else none
    rnum, rden = (_number(column("ref_num")), _number(column("ref_den"))) if unit == "pct_point" else (none, none)
    if unit == "count":
        value = num
    elif unit == "pct":
        value = pc.if_else(pc.not_equal(den, zero), pc.divide(pc.multiply(pa.scalar(100.0), num), den), none)
    else:
        gap = pc.multiply(pa.scalar(d.gap_sign * 100.0), pc.subtract(pc.divide(rnum, rden), pc.divide(num, den)))
        value = pc.if_else(pc.and_(pc.not_equal(den, zero), pc.not_equal(rden, zero)), gap, none)
    w2 = column("sum_w2")
    effective = pc.if_else(pc.fill_null(pc.and_(pc.not_equal(w2, zero), pc.not_equal(den, zero)), pa.scalar(False)),
                           pc.divide(pc.multiply(den, den), w2), none)
    status = pc.if_else(pc.is_valid(value), pa.scalar(Status.OK.value), pa.scalar(Status.MISSING.value))
    columns = {"area_code": pa.array([a for a, _ in grid], pa.string()), "item_id": pa.repeat(d.id, len(grid)),
               "period": pa.array([p for _, p in grid], pa.string()), "value": value, "numerator": num,
               "denominator": den, "ref_numerator": rnum, "ref_denominator": rden, "status": status,
               "source": pa.repeat(SOURCE, len(grid)), "effective_n": effective}
    return _table(columns, len(grid))


def not_computed_rows(d: Definition, periods: Sequence[str], catalogue: Catalogue, national_only: bool) -> pa.Table:
    """Rows flagged "not computed" (an optional input table is absent)."""
    grid = [(a, p) for a in item_areas(catalogue, national_only) for p in periods]
    return _table({"area_code": pa.array([a for a, _ in grid], pa.string()), "item_id": pa.repeat(d.id, len(grid)),
                   "period": pa.array([p for _, p in grid], pa.string()),
                   "status": pa.repeat(Status.NOT_COMPUTED.value, len(grid)), "source": pa.repeat(SOURCE, len(grid))},
                  len(grid))


def _table(columns: dict[str, pa.Array], rows: int) -> pa.Table:
    """The working schema's columns, those not given null."""
    return pa.table([columns[f.name].cast(f.type) if f.name in columns else pa.nulls(rows, f.type)
                     for f in WORKING_SCHEMA], schema=WORKING_SCHEMA)


def to_table(parts: list[pa.Table]) -> pa.Table:
    """Every item's rows (``item_rows``, ``not_computed_rows``) as one table, sorted by area, item, period."""
    return pa.concat_tables(parts).sort_by(SORT_KEYS) if parts else WORKING_SCHEMA.empty_table()


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
