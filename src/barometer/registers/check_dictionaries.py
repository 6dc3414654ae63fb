"""The distinct values of dictionary-encoded columns, read as dictionaries instead of checked row by row.

A dictionary-encoded Parquet column chunk stores each distinct value once, in its dictionary page, and every row
as an index into it. A check of one column (an allowed code, a range, a rule such as "the first day of a month")
is a function of the value, so when it holds for every distinct value of every part (and for a null), it holds
for every row: ``ValueChecker`` evaluates the check's own SQL on a few hundred values instead of millions.

pyarrow reads the values: a string column with ``read_dictionary``, as dictionary arrays whose dictionaries hold
every value of their rows (the chunk's dictionary page, and the values of any page that fell back to plain
encoding, which pyarrow dictionary-encodes as it reads them); any other column decoded, its distinct values taken.
Every row is one of the values returned, by construction, so no page encoding statistics are needed. Only columns
whose every chunk has a dictionary page are read (a column written without one is nearly all distinct, and its
check is left to the value scan, as is one with more than ``_MAX_VALUES`` distinct values or one pyarrow cannot
read). A dictionary entry breaking the check (even an unused one) sends the check to the value scan, which reports
the offending rows as before: the dictionaries make validation faster, never different.

During validation each part's columns are read once for the proofs and the dictionaries together
(check_sorted.py): ``part_values`` takes one part's values from what was read, ``merge_values`` a table's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from barometer.registers.check_pages import dictionary_page_values

_MAX_VALUES = 1 << 16
"""A column with more distinct values than this is no code list: left to the scan."""


def _distinct(column: pa.ChunkedArray) -> pa.Array:
    """The distinct non-null values of one part's column: its dictionaries' entries (unused ones included) when
    pyarrow read it as dictionaries, else its decoded values'."""
    if pa.types.is_dictionary(column.type):
        values = [c.dictionary for c in column.chunks]  # type: ignore[attr-defined]
        kind = column.type.value_type
    else:
        values, kind = [pc.unique(c) for c in column.chunks], column.type
    return pc.drop_null(pc.unique(pa.concat_arrays(values) if values else pa.array([], kind)))


def with_dictionaries(meta: pq.FileMetaData, names: list[str]) -> tuple[list[str], list[str]]:
    """Those of ``names`` that every row group of the part stores with a dictionary page, and which of them are
    byte arrays (strings: the only columns pyarrow reads as dictionaries)."""
    index = {name: i for i, name in enumerate(meta.schema.names)}
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    kept = [n for n in names if n in index and all(g.column(index[n]).has_dictionary_page for g in groups)]
    return kept, [n for n in kept if meta.schema.column(index[n]).physical_type == "BYTE_ARRAY"]


def _fit(values: pa.Array, kind: pa.DataType) -> pa.Array | None:
    """``values`` cast to the contract type; None when they do not fit it or are more than ``_MAX_VALUES``."""
    try:
        values = values.cast(kind)  # safe: raises when they do not fit
    except pa.ArrowException:
        return None
    return values if len(values) <= _MAX_VALUES else None


def part_values(data: pa.Table, columns: dict[str, pa.DataType]) -> dict[str, pa.Array]:
    """The distinct values of each of ``columns`` (name: contract type) in one part's ``data`` (strings read as
    dictionaries), cast to the contract type; a column whose values do not fit it, or with more than
    ``_MAX_VALUES`` of them, is left out."""
    found = {}
    for name, kind in columns.items():
        if (values := _fit(_distinct(data.column(name)), kind)) is not None:
            found[name] = values
    return found


def page_values(path: Path, meta: pq.FileMetaData, columns: dict[str, pa.DataType]
                ) -> tuple[dict[str, pa.Array], list[str]]:
    """The distinct values of those ``columns`` of one part whose every data page is dictionary-encoded,
    read from their dictionary pages alone (check_pages.py) and cast as ``part_values`` does (a column whose
    values do not fit, or are too many, is left out); and the names of the others, which must be decoded."""
    found, decode = {}, []
    for name, kind in columns.items():
        values = dictionary_page_values(path, meta, name)
        if values is None:
            decode.append(name)
        elif (fitting := _fit(values, kind)) is not None:
            found[name] = fitting
    return found, decode


def merge_values(parts: list[dict[str, pa.Array]], columns: dict[str, pa.DataType]) -> dict[str, pa.Array]:
    """Every distinct value of each of ``columns`` over all parts; a column missing from a part's values (no
    dictionary page there, values of another type) or with more than ``_MAX_VALUES`` values is left out."""
    found = {}
    for name, kind in columns.items():
        if all(name in part for part in parts):
            values = pc.unique(pa.concat_arrays([pa.array([], kind), *(part[name] for part in parts)]))
            if len(values) <= _MAX_VALUES:
                found[name] = values
    return found


def dictionary_values(files: list[Path], columns: dict[str, pa.DataType],
                      metadata: Callable[[Path], pq.FileMetaData] = pq.read_metadata) -> dict[str, pa.Array]:
    """Every distinct value a column can hold in ``files``, for each of ``columns`` (name: contract type) whose
    every chunk has a dictionary page; the others are left out. An entry may be unused (a writer may keep one in
    its dictionary page); none is missing. ``metadata`` gives each part's footer (read once per validation)."""
    parts = []
    for path in files:
        try:
            meta = metadata(path)
            names, strings = with_dictionaries(meta, list(columns))
            paged, decode = page_values(path, meta, {name: columns[name] for name in names})
            names = [name for name in names if name in decode]
            with pq.ParquetFile(path, metadata=meta, read_dictionary=strings) as part:
                table = part.read(columns=names, use_threads=False)
        except (pa.ArrowException, OSError):
            return {}
        parts.append({**part_values(table, {name: columns[name] for name in names}), **paged})
    return merge_values(parts, columns)
