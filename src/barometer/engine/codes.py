"""String columns that the per-part pass carries to the counts as integer codes instead of strings.

The per-part execution of a ``PersonChain`` (barometer.engine.ordered) hands each step's rows to DuckDB as Arrow
tables and finally groups the last step's rows by the result's columns. A string column that the steps only carry
along unchanged to one of the result's group columns (a municipality code, an education level) need not be a
string on the way: any one-to-one code groups the rows into the same cells, so the pass can carry a small integer
and put the strings back in the few rows of the result. Grouping hundreds of thousands of rows per part by an
integer instead of a string, and handing integers rather than strings from one step to the next, is what this
saves; the SQL that runs is the declared SQL, untouched.

Whether a column is only carried along is proven from the SQL text (``carried``): every mention of it in the steps
after it enters is a select item naming it alone (``alias.column``, which keeps its name), nothing else the pass
runs reads a step, and the result groups by it without summing it. When that cannot be shown, the column stays a
string. The codes are the same in every part (``Codes`` numbers each distinct string once, for all parts).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import numpy as np
import pyarrow as pa

from barometer.engine.joins import CountView, JoinView
from barometer.engine.model import View
from barometer.engine.sql import split_top_level

_UNSAFE = re.compile(r"\*|\bORDER\s+BY\b|\bLIMIT\b|\bCOLUMNS\s*\(|\bQUALIFY\b|\bWITH\b", re.IGNORECASE)
"""What in a step's SQL could read a column without naming it (a star, a positional ORDER BY, ``COLUMNS``) or
order or cut rows by it (``LIMIT``): a step with any of it carries no codes."""


def _plain(text: str) -> str:
    """SQL text without comments, and string literals emptied (a literal can neither mention a column nor hide a
    comma between select items)."""
    return re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"--[^\n]*", "", text))


def _carriers(items: list[str], column: str, alias: str | None) -> list[str]:
    """The select ``items`` that are the column alone under its own name (``alias.column``, or with any alias
    when ``alias`` is None, optionally ``AS column``)."""
    prefix = rf"{re.escape(alias)}\." if alias else r"(?:\w+\.)?"
    alone = re.compile(rf"{prefix}{re.escape(column)}(?:\s+AS\s+{re.escape(column)})?", re.IGNORECASE)
    return [item for item in items if alone.fullmatch(item.strip())]


def _mentions(text: str, column: str) -> int:
    return len(re.findall(rf"\b{re.escape(column)}\b", text))


def _select_items(sql: str) -> list[str] | None:
    """The top-level select list of a ``SELECT ... FROM ...`` statement (None for any other shape)."""
    found = re.match(r"\s*SELECT\s+(.*?)\bFROM\b", sql, re.IGNORECASE | re.DOTALL)
    return split_top_level(found[1]) if found else None


def carried(column: str, alias: str, index: int, steps: Sequence[View], select: Mapping[str, str],
            sql: Mapping[str, str], others: Iterable[str], result: CountView) -> bool:
    """Whether ``alias.column``, read by the join step ``steps[index]`` (from its driving or an attached table),
    reaches ``result`` only as itself: the column is one of ``result``'s group columns and no sum reads it; in the
    step's select list (``select``, as the pass runs it) and in every later step (a join's select list, another
    step's ``sql``) each mention of it is an item naming the column alone, under its own name; and none of the
    ``others`` (attached tables' filters, the chain's own views) that mention it reads a step. Then the column's
    values only travel from row to row, and any one-to-one code of them gives the same groups."""
    if column not in result.by or any(_mentions(m, column) for _, m in result.measures):
        return False
    step_names = [s.name for s in steps]
    for text in others:
        plain = _plain(text)
        if _mentions(plain, column) and any(re.search(rf"\b{re.escape(n)}\b", plain) for n in step_names):
            return False
    for at, step in enumerate(steps[index:], start=index):
        if isinstance(step, JoinView):
            if any(column in a.key for a in step.attach):
                return False
            text = _plain(select[step.name])
            items = split_top_level(text)
            need = alias if at == index else step.alias
        else:
            text = _plain(sql[step.name])
            if _UNSAFE.search(text):
                return False
            items = _select_items(text) or []
            need = None
        carriers = _carriers(items, column, need)
        if len(carriers) != 1 or _mentions(text, column) != _mentions(carriers[0], column):
            return False
    return True


class Codes:
    """A code for each distinct string, the same in every part (the parts run on several threads at once)."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._values: list[str] = []
        self._lock = threading.Lock()

    def _mapping(self, dictionary: pa.Array) -> pa.Array:
        """The code of each string of a dictionary (numbering the new ones)."""
        values = dictionary.to_pylist()
        with self._lock:
            for value in values:
                if value is not None and value not in self._codes:
                    self._codes[value] = len(self._values)
                    self._values.append(value)
            return pa.array([None if v is None else self._codes[v] for v in values], pa.int32())

    def encode(self, column: pa.ChunkedArray) -> pa.ChunkedArray:
        """A string (or dictionary-encoded string) column as codes, NULL where it is NULL."""
        chunks = []
        for chunk in column.chunks:
            plain = not pa.types.is_dictionary(chunk.type)
            encoded = cast(pa.DictionaryArray, chunk.dictionary_encode() if plain else chunk)
            mapping = self._mapping(encoded.dictionary)
            if encoded.indices.null_count or mapping.null_count:
                chunks.append(mapping.take(encoded.indices))
            else:  # numpy's take: no bounds check of every index first (the indices are the dictionary's own)
                chunks.append(pa.array(np.take(mapping.to_numpy(), encoded.indices.to_numpy()), pa.int32()))
        return pa.chunked_array(chunks, pa.int32())

    def decode(self, codes: pa.ChunkedArray) -> pa.ChunkedArray:
        """The strings of ``codes``."""
        with self._lock:
            values = pa.array(self._values, pa.string())
        return pa.chunked_array([values.take(chunk) for chunk in codes.chunks], pa.string())


def is_text(column: pa.ChunkedArray) -> bool:
    """A string column, plain or dictionary-encoded (what ``Codes.encode`` takes)."""
    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)

