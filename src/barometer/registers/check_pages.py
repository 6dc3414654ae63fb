"""A column's distinct values from its dictionary pages alone, without decoding a row.

A Parquet column chunk written with a dictionary stores every distinct value once, in its dictionary page, and
each row of a dictionary-encoded data page as an index into it. When every data page of a chunk is
dictionary-encoded, the chunk's values are among its dictionary page's entries, so the dictionary proofs
(check_dictionaries.py) need only those few hundred bytes instead of tens of millions of decoded indices, and the
persons of a part whose rows no proof reads one by one (check_sorted.py) only its pnr's dictionary pages. Strings
(byte arrays) and fixed-width numbers (integers, dates, floats: their plain encoding is their little-endian bytes)
are read so; any other physical type is decoded.

The footer does not say how each data page is encoded (pyarrow does not expose the page encoding statistics, and
a writer may fall back to plain encoding when a dictionary grows), so the chunk's page headers are walked: each is
a small Thrift struct ahead of its page, which is skipped by its stated size. Anything unexpected (another page
type or encoding, a codec not handled here, headers that do not tile the chunk, values not adding up to the
chunk's count) returns None, and the caller decodes the column as before: the pages make validation faster,
never different on files as written. The data pages' own bytes are not read, as those of a column whose checks
the footers settle are not: a file damaged after it was written is found by its checksum in the manifest
(check_files.py), and garbled bytes that reach a page header make the column decoded, and reported unreadable.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["dictionary_page_values"]

_Codec = Literal["zstd", "snappy", "gzip", "brotli", "lz4_raw"]

_CODECS: dict[str, _Codec | None] = {"UNCOMPRESSED": None, "ZSTD": "zstd", "SNAPPY": "snappy", "GZIP": "gzip",
                                     "BROTLI": "brotli", "LZ4_RAW": "lz4_raw"}
"""Parquet codec (as pyarrow names it in the footer) -> pyarrow codec name for ``pyarrow.decompress``."""

_DATA_PAGE, _DICTIONARY_PAGE = 0, 2
"""Parquet ``PageType`` values; any other page (index, data page v2) is left to the decoder."""

_PLAIN, _PLAIN_DICTIONARY, _RLE_DICTIONARY = 0, 2, 8
"""Parquet ``Encoding`` values: a dictionary page is plain (``PLAIN_DICTIONARY`` in format 1.0), a data page
of indices ``RLE_DICTIONARY`` (``PLAIN_DICTIONARY`` in format 1.0)."""

_MAX_ENTRIES = 1 << 16
"""A dictionary page with more entries is no code list (check_dictionaries.py leaves such columns to the scan)."""


class _Malformed(Exception):
    """Bytes that are not what the walk expects; the column is decoded instead."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    byte = buf[pos]
    if byte < 0x80:
        return byte, pos + 1
    result, shift = byte & 0x7F, 7
    while True:
        pos += 1
        byte = buf[pos]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos + 1
        shift += 7
        if shift > 63:
            raise _Malformed


def _skip(buf: bytes, pos: int, kind: int) -> int:
    """Past one value of Thrift compact type ``kind`` at ``pos``."""
    if kind in (1, 2):  # a boolean field: its value is the type
        return pos
    if kind == 3:
        return pos + 1
    if kind in (4, 5, 6):
        return _varint(buf, pos)[1]
    if kind == 7:
        return pos + 8
    if kind == 8:
        size, pos = _varint(buf, pos)
        return pos + size
    if kind in (9, 10):  # list, set
        header = buf[pos]
        size, element = header >> 4, header & 0x0F
        pos += 1
        if size == 15:
            size, pos = _varint(buf, pos)
        for _ in range(size):
            pos = pos + 1 if element in (1, 2) else _skip(buf, pos, element)  # a boolean element is a byte
        return pos
    if kind == 11:  # map
        size, pos = _varint(buf, pos)
        if size:
            types = buf[pos]
            pos += 1
            for _ in range(size):
                for element in (types >> 4, types & 0x0F):
                    pos = pos + 1 if element in (1, 2) else _skip(buf, pos, element)
        return pos
    if kind == 12:
        return _struct(buf, pos, ())[1]
    raise _Malformed


def _struct(buf: bytes, pos: int, nested: tuple[int, ...]) -> tuple[dict[int, object], int]:
    """A Thrift compact struct at ``pos``: its integer fields and its ``nested`` struct fields (field id ->
    value; other fields skipped), and where it ends."""
    fields: dict[int, object] = {}
    last = 0
    while True:
        byte = buf[pos]
        pos += 1
        if byte == 0:
            return fields, pos
        kind = byte & 0x0F
        if byte > 0x0F:
            last += byte >> 4
        else:
            last, pos = _varint(buf, pos)
            last = _zigzag(last)
        if kind == 5 or kind == 6 or kind == 4:
            value, pos = _varint(buf, pos)
            fields[last] = _zigzag(value)
        elif kind == 12 and last in nested:
            fields[last], pos = _struct(buf, pos, ())
        else:
            pos = _skip(buf, pos, kind)


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _int(fields: object, key: int) -> int:
    value = fields.get(key) if isinstance(fields, dict) else None
    if not isinstance(value, int) or value < 0:
        raise _Malformed
    return value


def _decompress(body: bytes, size: int, codec: _Codec | None) -> bytes:
    if codec is None:
        if len(body) != size:
            raise _Malformed
        return body
    out = pa.decompress(body, decompressed_size=size, codec=codec, asbytes=True)
    if len(out) != size:
        raise _Malformed
    return out


def _plain_byte_arrays(data: bytes, count: int) -> list[bytes]:
    """``count`` plain-encoded byte arrays (a 4-byte little-endian length, then the bytes), filling ``data``."""
    values, pos = [], 0
    for _ in range(count):
        (size,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if pos + size > len(data):
            raise _Malformed
        values.append(data[pos:pos + size])
        pos += size
    if pos != len(data):
        raise _Malformed
    return values


def _chunk_dictionary(chunk: bytes, num_values: int, codec: _Codec | None, max_entries: int) -> tuple[bytes, int]:
    """The plain-encoded body of one column chunk's dictionary page and its number of entries (the chunk's bytes
    from the first page header to the end), provided its pages are that page followed by dictionary-encoded data
    pages holding ``num_values``."""
    pos, body, entries, values = 0, None, 0, 0
    while pos < len(chunk):
        header, start = _struct(chunk, pos, (5, 7))
        kind, size, stored = _int(header, 1), _int(header, 2), _int(header, 3)
        pos = start + stored
        if pos > len(chunk):
            raise _Malformed
        if kind == _DICTIONARY_PAGE and body is None and values == 0:
            page = header.get(7)
            entries = _int(page, 1)
            if _int(page, 2) not in (_PLAIN, _PLAIN_DICTIONARY) or entries > max_entries:
                raise _Malformed
            body = _decompress(chunk[start:pos], size, codec)
        elif kind == _DATA_PAGE and body is not None:
            page = header.get(5)
            if _int(page, 2) not in (_PLAIN_DICTIONARY, _RLE_DICTIONARY):
                raise _Malformed
            values += _int(page, 1)
        else:
            raise _Malformed
    if body is None or values != num_values:
        raise _Malformed
    return body, entries


def _chunk_entries(chunk: bytes, num_values: int, codec: _Codec | None) -> list[bytes]:
    """The dictionary entries of one byte-array column chunk (``_chunk_dictionary``)."""
    return _plain_byte_arrays(*_chunk_dictionary(chunk, num_values, codec, _MAX_ENTRIES))


_WIDTHS: dict[str, np.dtype] = {"INT32": np.dtype("<i4"), "INT64": np.dtype("<i8"), "FLOAT": np.dtype("<f4"),
                                 "DOUBLE": np.dtype("<f8")}
"""The fixed-width physical types whose plain encoding is their little-endian values one after the other."""


def _fixed(body: bytes, entries: int, dtype: np.dtype) -> np.ndarray:
    if len(body) != entries * dtype.itemsize:
        raise _Malformed
    return np.frombuffer(body, dtype)


def _arrow_values(physical: np.ndarray, kind: pa.DataType) -> pa.Array | None:
    """Fixed-width values as the Arrow type pyarrow reads the column as (integers of any width, dates, floats);
    None for another type or values that do not fit it."""
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_date32(kind)):
        return None
    return pa.array(physical).cast(kind)  # safe: raises when a value does not fit


def _dictionaries(path: Path, meta: pq.FileMetaData, name: str, max_entries: int
                  ) -> tuple[list[tuple[bytes, int]], str] | None:
    """The plain-encoded dictionary page body and entry count of every row group's chunk of column ``name``, and
    its physical type; None when a chunk is not entirely dictionary-encoded or anything about it is unexpected."""
    names = meta.schema.names
    if name not in names:
        return None
    index = names.index(name)
    column = meta.schema.column(index)
    physical = column.physical_type
    if (physical != "BYTE_ARRAY" and physical not in _WIDTHS) or column.max_repetition_level:
        return None
    pages = []
    try:
        with open(path, "rb") as f:
            for g in range(meta.num_row_groups):
                chunk = meta.row_group(g).column(index)
                start = chunk.dictionary_page_offset
                if (not chunk.has_dictionary_page or start is None or chunk.compression not in _CODECS
                        or chunk.data_page_offset <= start):
                    return None
                f.seek(start)
                data = f.read(chunk.total_compressed_size)
                if len(data) != chunk.total_compressed_size:
                    return None
                pages.append(_chunk_dictionary(data, chunk.num_values, _CODECS[chunk.compression], max_entries))
    except (_Malformed, IndexError, struct.error, pa.ArrowException, OSError):
        return None
    return pages, physical


def dictionary_page_numbers(path: Path, meta: pq.FileMetaData, name: str,
                            max_entries: int = _MAX_ENTRIES) -> np.ndarray | None:
    """The entries of the dictionary pages of the fixed-width column ``name`` of one part as numpy numbers of its
    physical type (int32, int64, float32, float64), every row group's in turn (an entry may repeat across row
    groups); None as for ``dictionary_page_values``, or for a column of another physical type."""
    found = _dictionaries(path, meta, name, max_entries)
    if found is None or found[1] not in _WIDTHS:
        return None
    try:
        return _numbers(*found)
    except _Malformed:
        return None


def _numbers(pages: list[tuple[bytes, int]], physical: str) -> np.ndarray:
    dtype = _WIDTHS[physical]
    return np.concatenate([_fixed(body, entries, dtype) for body, entries in pages] or [np.empty(0, dtype)])


def dictionary_page_values(path: Path, meta: pq.FileMetaData, name: str,
                           max_entries: int = _MAX_ENTRIES) -> pa.Array | None:
    """The distinct values of the column ``name`` of one part, read from its dictionary pages, as the Arrow type
    pyarrow reads the column as (strings; integers, dates and floats; any other type gives None); None when a row
    group's chunk is not entirely dictionary-encoded, has more than ``max_entries`` entries, or anything about it
    is unexpected (then the column must be decoded). Unused entries are included, as when pyarrow reads a string
    column as dictionaries."""
    found = _dictionaries(path, meta, name, max_entries)
    if found is None:
        return None
    pages, physical = found
    try:
        if physical == "BYTE_ARRAY":
            strings = [value for body, entries in pages for value in _plain_byte_arrays(body, entries)]
            return pa.array(strings, pa.binary()).cast(pa.string()).unique()
        values = _arrow_values(_numbers(pages, physical), meta.schema.to_arrow_schema().field(name).type)
        return None if values is None else values.unique()
    except (_Malformed, struct.error, pa.ArrowException):
        return None
