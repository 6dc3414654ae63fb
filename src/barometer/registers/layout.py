"""Where register tables live on disk: one folder per table holding Parquet parts, plus manifest.json.

    DIR/manifest.json
    DIR/persons/part-00000.parquet
    DIR/residence/part-00000.parquet, part-00001.parquet, ...

Parts let a generator (or an extract at DST) stream a table chunk by chunk (e.g. one part per municipality or
per million rows) without holding it in memory, and let DuckDB scan a table as ``DIR/<table>/*.parquet``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from barometer.registers.contract import CONTRACT, arrow_schema
from barometer.registers.schema import Table

MANIFEST_NAME = "manifest.json"
PART_GLOB = "*.parquet"


def table_dir(root: Path | str, table: str) -> Path:
    return Path(root) / table


def part_files(root: Path | str, table: str) -> list[Path]:
    """The Parquet parts of ``table`` in name order (empty if the folder is missing)."""
    folder = table_dir(root, table)
    return sorted(folder.glob(PART_GLOB)) if folder.is_dir() else []


def part_name(part: int | str) -> str:
    """``part-00007.parquet`` for an int, ``part-<label>.parquet`` for a label such as a municipality code."""
    label = f"{part:05d}" if isinstance(part, int) else str(part)
    return f"part-{label}.parquet"


def _dictionary_string(column: pa.ChunkedArray) -> bool:
    return pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type)


def conform(table: str, data: pa.Table | pa.RecordBatch) -> pa.Table:
    """Select and cast ``data`` to the contract schema of ``table`` (raises naming the column on failure).

    A dictionary-encoded string column stays dictionary-encoded: Parquet stores strings as a dictionary anyway,
    so writing the codes directly saves materialising every string (the column reads back as plain strings).
    """
    schema = arrow_schema(table)
    data = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    missing = [n for n in schema.names if n not in data.column_names]
    if missing:
        raise ValueError(f"table {table}: missing column(s) {', '.join(missing)}")
    columns, fields = [], []
    for fld in schema:
        column = data.column(fld.name)
        if pa.types.is_string(fld.type) and _dictionary_string(column):
            fld = fld.with_type(pa.dictionary(column.type.index_type, pa.string()))
        try:
            columns.append(column.cast(fld.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"table {table}, column {fld.name}: cannot cast to {fld.type}: {exc}") from exc
        fields.append(fld)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def write_options(table: str) -> dict[str, Any]:
    """Parquet options for a part of ``table``: zstd; dictionary pages for string columns only.

    Dictionary-encoding person numbers and dates (nearly all distinct) makes files larger and slower to write;
    the Arrow schema is not stored, so dictionary-encoded strings read back as the contract's plain strings.
    """
    strings = [f.name for f in arrow_schema(table) if pa.types.is_string(f.type)]
    return {"compression": "zstd", "use_dictionary": strings, "store_schema": False}


def person_order(table: Table) -> tuple[str, ...]:
    """The row order recommended for a part of a person-level table: ``pnr``, then the rest of the primary key
    (without a key: the date columns). Parts written so — and holding disjoint ranges of ``pnr`` — let validation
    prove keys, references and spells in one linear pass per file instead of sorting and joining every table
    (barometer.registers.check_sorted). Tables without ``pnr`` keep their primary key order."""
    if not table.has_column("pnr"):
        return table.primary_key
    if table.primary_key:
        rest = [c for c in table.primary_key if c != "pnr"]
    else:
        rest = [c.name for c in table.columns if c.type == "date"]
    return ("pnr", *rest)


def sort_part(table: str, data: pa.Table) -> pa.Table:
    """``data`` in the recommended row order of ``table`` (``person_order``); a stable sort, so rows equal on the
    order's columns keep their relative order and the bytes written stay deterministic."""
    keys = person_order(CONTRACT.table(table))
    if not keys or data.num_rows < 2:
        return data
    # Dictionary-encoded strings sort by their values (Arrow sorts no dictionary column itself).
    values = {k: data.column(k) for k in keys}
    values = {k: c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for k, c in values.items()}
    order = pc.sort_indices(pa.table(values), sort_keys=[(k, "ascending") for k in keys])
    return data.take(order)


def write_part(root: Path | str, table: str, data: pa.Table | pa.RecordBatch, part: int | str = 0) -> Path:
    """Write one part of ``table`` in the contract schema; returns the file written."""
    CONTRACT.table(table)
    path = table_dir(root, table) / part_name(part)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(conform(table, data), path, **write_options(table))
    return path


@contextmanager
def part_writer(root: Path | str, table: str, part: int | str = 0) -> Iterator[pq.ParquetWriter]:
    """A ParquetWriter for one part, for streaming many batches into one file (batches via ``conform``)."""
    CONTRACT.table(table)
    path = table_dir(root, table) / part_name(part)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, arrow_schema(table), compression="zstd") as writer:
        yield writer
