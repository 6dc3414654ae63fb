"""The distinct values of dictionary-encoded columns, read from their dictionary pages instead of every row.

A dictionary-encoded Parquet column chunk stores each distinct value once, in its dictionary page, and every row
as an index into it. When every data page of a chunk is dictionary-encoded (the footer's page encoding
statistics say so), every value of the chunk is one of its dictionary's. A check of one column (an allowed code,
a range, a rule such as "the first day of a month") is a function of the value, so when it holds for every
dictionary entry of every row group of every part (and for a null), it holds for every row — proven from a few
hundred bytes per chunk instead of millions of values (``ValueChecker`` evaluates the check's own SQL on them).
A dictionary entry breaking the check (even an unused one), a chunk that fell back to plain pages, missing
encoding statistics, a compression or type this reader does not decode: the value scan runs the check and reports
the offending rows as before. The dictionaries make validation faster, never different.

The page header is Thrift's compact protocol; ``_struct`` reads the few integer fields a dictionary page header
has (type, sizes, number of values, encoding) and skips anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

_DICTIONARY_PAGE = 2
_PLAIN, _PLAIN_DICTIONARY = 0, 2
_DICTIONARY_DATA = {"RLE_DICTIONARY", "PLAIN_DICTIONARY"}
_CODECS: dict[str, Literal["zstd", "snappy", "gzip", "brotli", "lz4_raw"]] = {
    "ZSTD": "zstd", "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli", "LZ4_RAW": "lz4_raw"}
_MAX_VALUES = 1 << 16
"""A dictionary with more entries than this is no code list: left to the scan."""


class _Undecodable(Exception):
    """A page this reader cannot decode (the check is then left to the scan)."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise _Undecodable("varint too long")


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _skip(buf: bytes, pos: int, kind: int, in_container: bool = False) -> int:
    """Past one value of compact type ``kind`` (booleans inside lists and maps take a byte)."""
    if kind in (1, 2):
        return pos + 1 if in_container else pos
    if kind == 3:
        return pos + 1
    if kind in (4, 5, 6):
        return _varint(buf, pos)[1]
    if kind == 7:
        return pos + 8
    if kind == 8:
        size, pos = _varint(buf, pos)
        return pos + size
    if kind in (9, 10):
        head = buf[pos]
        pos += 1
        size, element = head >> 4, head & 0x0F
        if size == 15:
            size, pos = _varint(buf, pos)
        for _ in range(size):
            pos = _skip(buf, pos, element, True)
        return pos
    if kind == 11:
        size, pos = _varint(buf, pos)
        if size:
            types = buf[pos]
            pos += 1
            for _ in range(size):
                pos = _skip(buf, _skip(buf, pos, types >> 4, True), types & 0x0F, True)
        return pos
    if kind == 12:
        return _struct(buf, pos)[1]
    raise _Undecodable(f"compact type {kind}")


def _struct(buf: bytes, pos: int, depth: int = 0) -> tuple[dict[int, object], int]:
    """A struct's integer, boolean and struct fields by field id, and the position after it."""
    if depth > 8:
        raise _Undecodable("nested too deep")
    fields: dict[int, object] = {}
    last = 0
    while True:
        head = buf[pos]
        pos += 1
        if head == 0:
            return fields, pos
        kind, delta = head & 0x0F, head >> 4
        if delta:
            field = last + delta
        else:
            raw, pos = _varint(buf, pos)
            field = _zigzag(raw)
        last = field
        if kind in (1, 2):
            fields[field] = kind == 1
        elif kind in (3, 4, 5, 6):
            if kind == 3:
                fields[field], pos = buf[pos], pos + 1
            else:
                raw, pos = _varint(buf, pos)
                fields[field] = _zigzag(raw)
        elif kind == 12:
            fields[field], pos = _struct(buf, pos, depth + 1)
        else:
            pos = _skip(buf, pos, kind)


def _plain(data: bytes, count: int, physical: str) -> list[object]:
    """The ``count`` values of a PLAIN-encoded dictionary page."""
    if physical == "BYTE_ARRAY":
        values: list[object] = []
        pos = 0
        for _ in range(count):
            size = int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
            if pos + size > len(data):
                raise _Undecodable("byte array past the page")
            values.append(bytes(data[pos:pos + size]))
            pos += size
        if pos != len(data):
            raise _Undecodable("bytes left after the dictionary")
        return values
    dtype = {"INT32": "<i4", "INT64": "<i8", "FLOAT": "<f4", "DOUBLE": "<f8"}.get(physical)
    if dtype is None or len(data) != np.dtype(dtype).itemsize * count:
        raise _Undecodable(f"{physical} dictionary of {len(data)} bytes for {count} values")
    return np.frombuffer(data, dtype=dtype).tolist()


def _dictionary(handle, offset: int, compression: str, physical: str) -> list[object]:
    """The entries of the dictionary page at ``offset``."""
    handle.seek(offset)
    head = handle.read(1024)
    try:
        header, size = _struct(head, 0)
    except IndexError as exc:
        raise _Undecodable("page header") from exc
    dictionary = header.get(7)
    if header.get(1) != _DICTIONARY_PAGE or not isinstance(dictionary, dict):
        raise _Undecodable("not a dictionary page")
    count, encoding = dictionary.get(1), dictionary.get(2)
    stored, plain = header.get(3), header.get(2)
    if not isinstance(count, int) or not 0 <= count <= _MAX_VALUES or encoding not in (_PLAIN, _PLAIN_DICTIONARY):
        raise _Undecodable("dictionary header")
    if not isinstance(stored, int) or not isinstance(plain, int) or stored < 0 or plain < 0:
        raise _Undecodable("page sizes")
    handle.seek(offset + size)
    data = handle.read(stored)
    if len(data) != stored:
        raise _Undecodable("page past the end of the file")
    if compression != "UNCOMPRESSED":
        codec = _CODECS.get(compression)
        if codec is None:
            raise _Undecodable(f"compression {compression}")
        data = pa.Codec(codec).decompress(data, decompressed_size=plain).to_pybytes()
    if len(data) != plain:
        raise _Undecodable("uncompressed size")
    return _plain(data, count, physical)


def _all_dictionary_encoded(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[str]) -> set[tuple]:
    """(file, row group, column) chunks whose every data page the footer says is dictionary-encoded, with one
    dictionary page."""
    try:
        rows = con.execute(
            "SELECT file_name, row_group_id, path_in_schema, encoding_stats FROM parquet_metadata(?) "
            "WHERE list_contains(?, path_in_schema)", [[str(f) for f in files], columns]).fetchall()
    except duckdb.Error:
        return set()  # an older DuckDB without encoding statistics, or an unreadable footer: nothing proven
    chunks = set()
    for file, group, column, stats in rows:
        if not stats:
            continue
        pages = [(s["page_type"], s["encoding"]) for s in stats]
        data = [e for t, e in pages if t in ("DATA_PAGE", "DATA_PAGE_V2")]
        if [t for t, _ in pages].count("DICTIONARY_PAGE") == 1 and all(e in _DICTIONARY_DATA for e in data):
            chunks.add((file, group, column))
    return chunks


def _as_arrow(values: list[object], physical: str, kind: pa.DataType) -> pa.Array:
    """Dictionary entries as an array of the column's contract type (raises when they do not fit it)."""
    if physical == "BYTE_ARRAY":
        return pa.array(values, pa.binary()).cast(kind)  # invalid UTF-8 raises
    if pa.types.is_date32(kind):
        return pa.array(values, pa.int32()).cast(kind)
    return pa.array(values, pa.int64() if physical.startswith("INT") else pa.float64()).cast(kind)  # safe casts


def dictionary_values(con: duckdb.DuckDBPyConnection, files: list[Path], columns: dict[str, pa.DataType],
                      metadata: Callable[[Path], pq.FileMetaData] = pq.read_metadata) -> dict[str, pa.Array]:
    """Every distinct value a column can hold in ``files``, read from the dictionary pages, for each of
    ``columns`` (name: contract type) whose every chunk is dictionary-encoded; the others are left out. An entry
    may be unused (a writer may keep one); none is missing."""
    if not files or not columns:
        return {}
    encoded = _all_dictionary_encoded(con, files, list(columns))
    found: dict[str, set] = {c: set() for c in columns}
    physical: dict[str, str] = {}
    for path in files:
        try:
            meta = metadata(path)
        except (pa.ArrowException, OSError):
            return {}
        index = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
        with path.open("rb") as handle:
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                for name in list(found):
                    if name not in index or (str(path), g, name) not in encoded:
                        del found[name]
                        continue
                    chunk = group.column(index[name])
                    try:
                        offset = chunk.dictionary_page_offset
                        if not chunk.has_dictionary_page or offset is None:
                            raise _Undecodable("no dictionary page")
                        if physical.setdefault(name, chunk.physical_type) != chunk.physical_type:
                            raise _Undecodable("the parts store the column differently")
                        found[name].update(_dictionary(handle, offset, chunk.compression, chunk.physical_type))
                    except (_Undecodable, pa.ArrowException, OSError, ValueError, IndexError):
                        del found[name]
                        continue
                    if len(found[name]) > _MAX_VALUES:
                        del found[name]
        if not found:
            return {}
    values = {}
    for name, entries in found.items():
        try:
            values[name] = _as_arrow(list(entries), physical[name], columns[name])
        except (pa.ArrowException, KeyError):
            continue
    return values
