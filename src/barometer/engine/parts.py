"""Reading one register part for the per-part pass (barometer.engine.ordered): its person numbers, the columns a
step reads, and whether its footer alone proves that all its rows are of the part's persons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.engine.merge import Persons, key_column


def part_pnr(path: Path) -> np.ndarray:
    """A part's person numbers (``ParquetFile``: cheaper than a dataset for one file)."""
    with pq.ParquetFile(path) as f:
        return key_column(f.read(columns=["pnr"], use_threads=False), "pnr")


def within(path: Path, persons: Persons) -> bool:
    """Whether the footer of a register part proves all its rows of ``persons``: every row group's least and
    greatest person number, with no NULL, span numbers that are all the part's persons (``Persons.without_gaps``:
    persons numbered without gaps, or a run of them). Else the part's numbers are read and looked up
    (``Persons.holds``)."""
    if not persons.contiguous and persons.runs is None:
        return False
    meta = pq.read_metadata(path)
    schema = meta.schema.to_arrow_schema()
    index = schema.get_field_index("pnr")
    if index < 0 or not pa.types.is_integer(schema.field(index).type):
        return False
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if meta.row_group(group).num_rows == 0:
            continue
        if stats is None or not stats.has_min_max or stats.null_count != 0:  # None: not counted
            return False
        low, high = stats.min, stats.max
        if not isinstance(low, int) or not isinstance(high, int) or not persons.without_gaps(low, high):
            return False
    return True


def read_part(path: Path, columns: list[str]) -> pa.Table:
    """``columns`` of a register part, string columns as dictionaries (as Parquet stores them): nothing is decoded
    into strings, gathering copies small integers, and DuckDB reads them as the same VARCHAR values. Read on the
    calling thread: the parts already run in parallel, and handing a part's columns to Arrow's thread pool costs
    several times the CPU of decoding them (65 against 17 ms for a part of ``residence`` at full scale)."""
    with pq.ParquetFile(path) as f:
        schema = f.schema_arrow
        strings = [c for c in columns if pa.types.is_string(schema.field(c).type)]
        with pq.ParquetFile(path, metadata=f.metadata, read_dictionary=strings) as g:
            return g.read(columns=columns, use_threads=False)
