"""The observation: one published figure for one area, item and period, with its provenance and status.

Every output reads observations; nothing reads registers. A value is only present when status is "ok";
suppressed, not-computed and missing figures carry no number anywhere (the numerator and denominator of a
suppressed figure are dropped too, so it cannot be recovered from the release file).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from barometer.errors import BarometerError


class Status(StrEnum):
    OK = "ok"
    SUPPRESSED = "suppressed"
    NOT_COMPUTED = "not_computed"
    MISSING = "missing"


OBSERVATION_SCHEMA = pa.schema(
    [
        pa.field("area_code", pa.string(), nullable=False),
        pa.field("item_id", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("numerator", pa.float64()),
        pa.field("denominator", pa.float64()),
        # Gap indicators (value = reference-group rate − target-group rate): numerator/denominator describe the
        # target group, ref_numerator/ref_denominator the reference group (persons of Danish origin).
        pa.field("ref_numerator", pa.float64()),
        pa.field("ref_denominator", pa.float64()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("ci_low", pa.float64()),
        pa.field("ci_high", pa.float64()),
        # The development as published (figures imported from the ministry carry it; engine figures do not).
        pa.field("published_development", pa.float64()),
        pa.field("source", pa.string(), nullable=False),
    ]
)

SORT_KEYS: list[tuple[str, Literal["ascending", "descending"]]] = [
    ("area_code", "ascending"), ("item_id", "ascending"), ("period", "ascending")]


def observation_table(rows: list[dict]) -> pa.Table:
    """Rows (dicts with the schema's keys; missing optional keys are null) as a sorted, schema-typed table."""
    columns = {f.name: [row.get(f.name) for row in rows] for f in OBSERVATION_SCHEMA}
    return pa.Table.from_pydict(columns, schema=OBSERVATION_SCHEMA).sort_by(SORT_KEYS)


class ReleaseCheckError(BarometerError, ValueError):
    """Observations that break an invariant every release holds; nothing is published (a fault of the program
    that made them, not of the user's input — the code says which check failed)."""

    code = "schema_mismatch"


def check_observations(table: pa.Table) -> None:
    """Invariants every release must hold; raises ReleaseCheckError naming the first violation."""
    if not table.schema.equals(OBSERVATION_SCHEMA):
        expected = {f.name: f for f in OBSERVATION_SCHEMA}
        differ = [f"{f.name} {f.type}{'' if f.nullable else ' not null'}" for f in table.schema
                  if expected.get(f.name) != f] + [f"{n} missing" for n in expected if n not in table.schema.names]
        raise ReleaseCheckError("observations do not follow OBSERVATION_SCHEMA ("
                                + (", ".join(differ) or "columns in another order") + ")")
    statuses = set(table.column("status").to_pylist())
    if unknown := statuses - {s.value for s in Status}:
        raise ReleaseCheckError(f"unknown status flags: {sorted(map(str, unknown))}", code="unknown_status")
    # The keys joined into one string each: equal keys join equal, so as many distinct joined keys as rows proves
    # no key twice (a null key, or a separator inside one, can only make too few and send the check below).
    joined = pc.binary_join_element_wise(  # type: ignore[call-overload]  # (the stubs want the separator an array)
        table.column("area_code"), table.column("item_id"), table.column("period"), "\x1f")
    status_ok = pc.fill_null(pc.equal(table.column("status"), pa.scalar(Status.OK.value)), pa.scalar(False))
    if (pc.count_distinct(joined).as_py() == table.num_rows
            and pc.all(pc.equal(status_ok, pc.is_valid(table.column("value")))).as_py() is not False):
        return  # no duplicate key, a value exactly where the status is ok: else the rows below name the first fault
    rows = table.select(["area_code", "item_id", "period", "value", "status"]).to_pylist()
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        key = (row["area_code"], row["item_id"], row["period"])
        if key in seen:
            raise ReleaseCheckError(f"duplicate observation {key}", code="duplicate_key")
        seen.add(key)
        if (row["status"] == Status.OK) != (row["value"] is not None):
            raise ReleaseCheckError(f"observation {key}: a value is present exactly when status is ok",
                                    code="value_status_mismatch")
