"""Column containers the outcome models return, and their conversion to Arrow in the contract's schema.

Models work with integer codes and int32 day numbers; strings and nulls appear only here, once per part, via
dictionary arrays (cheap: the label table is tiny) and validity masks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import pyarrow as pa

from barometer.registers.contract import CONTRACT
from barometer.registers.layout import conform, person_order


@dataclass(frozen=True)
class Codes:
    """A string column as indices into ``labels`` (index -1 = null)."""

    idx: np.ndarray
    labels: tuple[str, ...]

    def to_arrow(self) -> pa.Array:
        """A dictionary array (written to Parquet as its dictionary and codes, read back as strings)."""
        idx = self.idx.astype(np.int32)
        mask = idx < 0
        if mask.any():
            indices = pa.array(np.where(mask, 0, idx), mask=mask, type=pa.int32())
        else:
            indices = pa.array(idx, type=pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(self.labels, pa.string()))


@dataclass(frozen=True)
class Dates:
    """A date column as day numbers; ``valid`` False = null."""

    days: np.ndarray
    valid: np.ndarray | None = None

    def to_arrow(self) -> pa.Array:
        mask = None if self.valid is None or self.valid.all() else ~self.valid
        return pa.array(self.days.astype(np.int32), type=pa.date32(), mask=mask)


@dataclass(frozen=True)
class Nullable:
    """A numeric or boolean column with nulls (``valid`` False = null)."""

    values: np.ndarray
    valid: np.ndarray

    def to_arrow(self) -> pa.Array:
        return pa.array(self.values, mask=~self.valid)


Frame = dict[str, "np.ndarray | Codes | Dates | Nullable"]


def concat(frames: list[Frame]) -> Frame:
    """Row-wise concatenation of frames with the same columns (labels must match)."""
    frames = [f for f in frames if f and len(_first(f))]
    if not frames:
        return {}
    out: Frame = {}
    for name, col in frames[0].items():
        parts = [f[name] for f in frames]
        # Every frame has the same kind of column under a name, so the parts are of ``col``'s kind.
        if isinstance(col, Codes):
            codes = cast(list[Codes], parts)
            out[name] = Codes(np.concatenate([c.idx for c in codes]), col.labels)
        elif isinstance(col, Dates):
            days = cast(list[Dates], parts)
            valid = None
            if any(c.valid is not None for c in days):
                valid = np.concatenate([np.ones(len(c.days), np.bool_) if c.valid is None else c.valid for c in days])
            out[name] = Dates(np.concatenate([c.days for c in days]), valid)
        elif isinstance(col, Nullable):
            nullable = cast(list[Nullable], parts)
            out[name] = Nullable(np.concatenate([c.values for c in nullable]),
                                 np.concatenate([c.valid for c in nullable]))
        else:
            out[name] = np.concatenate(cast(list[np.ndarray], parts))
    return out


def _first(frame: Frame) -> np.ndarray:
    col = next(iter(frame.values()))
    if isinstance(col, Codes):
        return col.idx
    if isinstance(col, Dates):
        return col.days
    return col.values if isinstance(col, Nullable) else col


def take(frame: Frame, rows: np.ndarray) -> Frame:
    """The frame's rows at the positions ``rows`` (every kind of column, validity masks included)."""
    out: Frame = {}
    for name, col in frame.items():
        if isinstance(col, Codes):
            out[name] = Codes(col.idx.take(rows), col.labels)
        elif isinstance(col, Dates):
            out[name] = Dates(col.days.take(rows), None if col.valid is None else col.valid.take(rows))
        elif isinstance(col, Nullable):
            out[name] = Nullable(col.values.take(rows), col.valid.take(rows))
        else:
            out[name] = col.take(rows)
    return out


_LAST = np.iinfo(np.int64).max


def _sort_key(col: np.ndarray | Codes | Dates | Nullable) -> np.ndarray:
    """Integers ordered as Arrow orders the column's values: strings by value (not by code), nulls last."""
    if isinstance(col, Codes):
        # Equal labels rank equal (ties keep their order, as in Arrow); code -1 (null) indexes the last slot.
        ranks = np.unique(np.array(col.labels, dtype=object), return_inverse=True)[1].reshape(-1)
        return np.append(ranks, len(col.labels)).astype(np.int64)[col.idx]
    if isinstance(col, Dates):
        return col.days if col.valid is None else np.where(col.valid, col.days.astype(np.int64), _LAST)
    if isinstance(col, Nullable):
        if not np.issubdtype(col.values.dtype, np.integer) and col.values.dtype != np.bool_:
            raise TypeError("only integer or boolean nullable columns can be sort keys")
        return np.where(col.valid, col.values.astype(np.int64), _LAST)
    return col


def _order(columns: list[np.ndarray]) -> np.ndarray:
    """Stable lexicographic order of the key ``columns`` (first most significant).

    When the keys' value ranges multiply to less than 2**63 they are packed into one int64 and argsorted with
    numpy's stable sort (a timsort, fast on a batch's runs of ascending ``pnr``); otherwise ``np.lexsort``."""
    spans = [(int(c.min()), int(c.max()) - int(c.min()) + 1) for c in columns]
    if math.prod(span for _, span in spans) >= 2**63:
        return np.lexsort(columns[::-1])
    packed = np.zeros(len(columns[0]), np.int64)
    for col, (low, span) in zip(columns, spans, strict=True):
        packed *= span
        packed += col
        packed -= low
    return np.argsort(packed, kind="stable")


def sort_frame(table: str, frame: Frame) -> Frame:
    """The frame in the row order the data contract recommends for ``table`` (``layout.person_order``).

    The same permutation as ``layout.sort_part`` (a stable sort on the order's columns, strings by value, nulls
    last), computed on the integer columns before they become Arrow arrays, which costs a fraction of Arrow's
    sort and take; the Parquet bytes are the same (``tests/synth/test_synth_sort.py``)."""
    keys = person_order(CONTRACT.table(table))
    if not keys or n_rows(frame) < 2:
        return frame
    columns = [_sort_key(frame[k]) for k in keys]
    if len(columns) == 1 and bool(np.all(columns[0][1:] >= columns[0][:-1])):
        return frame  # already in order (e.g. the persons of a batch)
    return take(frame, _order(columns))


def n_rows(frame: Frame) -> int:
    return len(_first(frame)) if frame else 0


def to_table(table: str, frame: Frame) -> pa.Table:
    """The frame as an Arrow table in the contract schema of ``table`` (order, types, nullability)."""
    arrays = {
        name: col.to_arrow() if isinstance(col, Codes | Dates | Nullable) else pa.array(col)
        for name, col in frame.items()
    }
    return conform(table, pa.table(arrays))
