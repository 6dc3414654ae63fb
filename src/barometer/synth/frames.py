"""Column containers the outcome models return, and their conversion to Arrow in the contract's schema.

Models work with integer codes and int32 day numbers; strings and nulls appear only here, once per part, via
dictionary arrays (cheap: the label table is tiny) and validity masks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pyarrow as pa

from barometer.registers.layout import conform


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


def n_rows(frame: Frame) -> int:
    return len(_first(frame)) if frame else 0


def to_table(table: str, frame: Frame) -> pa.Table:
    """The frame as an Arrow table in the contract schema of ``table`` (order, types, nullability)."""
    arrays = {
        name: col.to_arrow() if isinstance(col, Codes | Dates | Nullable) else pa.array(col)
        for name, col in frame.items()
    }
    return conform(table, pa.table(arrays))
