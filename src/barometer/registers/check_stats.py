"""Prove null and range checks from the Parquet footers, so that the value scan reads only what they cannot settle.

Every Parquet writer records per row group and column the number of nulls and the smallest and largest value.
When every row group of every part has them, a column with no nulls passes its ``null_value`` check, and a
column whose smallest and largest values lie within the contract's bounds passes its range check, without
reading a value. What the footers cannot prove — a missing statistic, a value outside the bounds, floating-point
columns (NaN is left out of their min/max, so a NaN would pass unseen) — stays in the value scan, which finds and
reports the offending rows as before: the statistics make validation faster, never different.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.registers.schema import Column, Table

_ORDERED_TYPES = ("int64", "int16", "int8", "date")
"""Column types whose footer min/max are exact and comparable with the contract's bounds."""


@dataclass
class ColumnStats:
    """A column over all parts: nulls and bounds as the footers record them (None where a footer lacks them)."""

    nulls: int | None = 0
    minimum: int | date | None = None
    maximum: int | date | None = None
    bounded: bool = True  # every row group with values has min/max


def table_stats(files: list[Path], table: Table, columns: list[str],
                metadata: Callable[[Path], pq.FileMetaData] = pq.read_metadata) -> dict[str, ColumnStats]:
    """Statistics of ``columns`` over every row group of every part; a part that cannot be read gives none."""
    stats = {c: ColumnStats() for c in columns}
    for path in files:
        try:
            meta = metadata(path)
        except (pa.ArrowException, OSError):
            return {}
        index = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
        for name, s in stats.items():
            if name not in index:
                s.nulls, s.bounded = None, False
                continue
            for g in range(meta.num_row_groups):
                chunk = meta.row_group(g).column(index[name])
                st = chunk.statistics
                nulls = st.null_count if st is not None else None  # None when the footer does not say
                s.nulls = None if s.nulls is None or nulls is None else s.nulls + nulls
                if nulls is not None and chunk.num_values == nulls:
                    continue  # only nulls: no min/max to take
                if st is None or not st.has_min_max or table.column(name).type not in _ORDERED_TYPES:
                    s.bounded = False
                    continue
                low: Any = st.min
                high: Any = st.max
                s.minimum = low if s.minimum is None or low < s.minimum else s.minimum
                s.maximum = high if s.maximum is None or high > s.maximum else s.maximum
    return stats


def proves_not_null(stats: ColumnStats | None) -> bool:
    return stats is not None and stats.nulls == 0


def proves_range(stats: ColumnStats | None, column: Column) -> bool:
    """Every value of the column within the contract's bounds (a column of nulls only has nothing outside)."""
    if stats is None or not stats.bounded or column.type not in _ORDERED_TYPES:
        return False
    if stats.minimum is None:
        return True
    try:
        return column.minimum <= stats.minimum and stats.maximum <= column.maximum  # type: ignore[operator]
    except TypeError:  # a footer value of another type than the bound (a mistyped column is reported apart)
        return False
