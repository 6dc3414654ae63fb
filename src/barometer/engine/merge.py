"""Match the rows of one person part on their keys with numpy: what the per-part execution of a keyed join
does instead of building and probing a hash table.

Within a part, a key of a person (``pnr``) or of a person and a small number (``pnr, year``) has a slot: the
person's position among the part's persons (``Persons.index``), times the span of the second column, plus its
offset. The part's persons x years are few, so an attached table's rows are written into an array at their slots
and each driving row reads its match from its own slot: two linear passes, whatever the order of the rows.
Positions are 32-bit (a part holds at most a million persons, ``ordered.MAX_PART_PERSONS``), so their arrays are
half the size of 64-bit ones; slots and the rows to gather are numpy's own index type, which indexing and ``take``
would otherwise convert every 32-bit array to first (once per column gathered). Each function checks the
property it relies on and raises ``NotApplicable`` when it does not hold, so the caller can fall back to SQL;
numpy releases the GIL, so two parts are matched at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pyarrow as pa


class NotApplicable(Exception):
    """The data do not have the property the ordered execution relies on (the SQL execution applies instead)."""


DENSE = 4
"""A part's persons are looked up in a table indexed by person number when their numbers span at most this many
times as many numbers as there are persons (person numbers given out in blocks); otherwise by binary search."""

MAX_RUNS = 64
"""Persons whose numbers form at most this many runs without gaps (a part holding a few blocks of numbers, such as
the persons of a few municipalities) are found by their distance from the first number of their run."""


def key_column(table: pa.Table, name: str) -> np.ndarray:
    """A key column as numbers, in its own integer type (nulls have no place in a key: not applicable)."""
    column = table.column(name)
    if column.null_count:
        raise NotApplicable(f"column {name} has nulls")
    if not pa.types.is_integer(column.type):
        raise NotApplicable(f"column {name} is {column.type}, not an integer")
    return column.to_numpy()


def strictly_increasing(keys: np.ndarray) -> bool:
    """Sorted with no key twice: each row of the driving table then matches at most one row."""
    return len(keys) < 2 or bool((keys[1:] > keys[:-1]).all())


def match(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``keys``, the position of the equal key in ``sorted_keys`` (strictly increasing) and whether
    there is one."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
    at = np.searchsorted(sorted_keys, keys)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return at, sorted_keys[at] == keys


class Persons:
    """The persons of a part (strictly increasing person numbers) and the position of a row's person among them.

    Persons numbered without gaps (the first number's position is 0, the next one's 1 …) need no lookup at all: a
    number's position is its distance from the first, and a number outside the first..last range is of another
    part. Persons in a few runs of numbers without gaps (``MAX_RUNS``) are found the same way within their run:
    rows sorted by person are cut into each run's rows by one binary search per run, so each row costs a
    subtraction, not a search. Numbers with more gaps are looked up in a table by their distance from the first
    (``DENSE``); sparse ones by binary search, once per run of equal numbers when the rows are sorted by person."""

    def __init__(self, pnr: np.ndarray) -> None:
        self.pnr = pnr
        self.first = int(pnr[0]) if len(pnr) else 0
        self.last = int(pnr[-1]) if len(pnr) else -1
        span = self.last - self.first + 1
        self.contiguous = span == len(pnr)
        self.runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """Each run's first and last number and the position of its first, when there are a few runs (else
        None; None also when ``contiguous``, the one-run case that needs none of it)."""
        self.lookup: np.ndarray | None = None
        if self.contiguous:
            return
        breaks = np.flatnonzero(pnr[1:] - pnr[:-1] != 1) + 1
        if len(breaks) < MAX_RUNS:
            starts = np.concatenate([[0], breaks])
            self.runs = (pnr[starts], pnr[np.concatenate([breaks - 1, [len(pnr) - 1]])], starts)
        elif span <= DENSE * len(pnr):
            self.lookup = np.full(span, -1, np.int32)
            self.lookup[pnr - self.first] = np.arange(len(pnr), dtype=np.int32)

    def __len__(self) -> int:
        return len(self.pnr)

    def index(self, pnr: np.ndarray, where: str) -> np.ndarray:
        """The position (int32) of each person number in the part's persons; a number not among them means the
        row is in another person's part: not applicable."""
        if len(pnr) == 0:
            return np.zeros(0, np.int32)
        if int(pnr.min()) < self.first or int(pnr.max()) > self.last:
            raise NotApplicable(f"{where} has persons of another part")
        if self.runs is not None:
            return self._in_runs(pnr, where)
        if self.contiguous or self.lookup is not None:
            offset = np.subtract(pnr, self.first, out=np.empty(len(pnr), np.int32), casting="unsafe")
            if self.contiguous:
                return offset
            at = self.lookup[offset] if self.lookup is not None else offset
        elif len(pnr) > 1 and bool((pnr[1:] >= pnr[:-1]).all()):
            starts = np.flatnonzero(np.r_[True, pnr[1:] != pnr[:-1]])
            found_at, found = match(self.pnr, pnr[starts])
            at = np.repeat(np.where(found, found_at, -1).astype(np.int32), np.diff(np.r_[starts, len(pnr)]))
        else:
            found_at, found = match(self.pnr, pnr)
            at = np.where(found, found_at, -1).astype(np.int32)
        if bool((at < 0).any()):
            raise NotApplicable(f"{where} has persons of another part")
        return at

    def _in_runs(self, pnr: np.ndarray, where: str) -> np.ndarray:
        """``index`` for persons in a few runs (``runs``), the numbers known to lie within first..last. A number
        after its run's last one is in a gap between runs: another part's person."""
        firsts, lasts, starts = self.runs  # type: ignore[misc]
        shift = firsts - starts  # a number's position is the number minus its run's shift
        out = np.empty(len(pnr), np.int32)
        if len(pnr) > 1 and not bool((pnr[1:] >= pnr[:-1]).all()):
            run = np.searchsorted(firsts, pnr, side="right") - 1  # few runs: a short search (first <= every number)
            if bool((pnr > lasts[run]).any()):
                raise NotApplicable(f"{where} has persons of another part")
            return np.subtract(pnr, shift[run], out=out, casting="unsafe")
        bounds = [*np.searchsorted(pnr, firsts).tolist(), len(pnr)]  # each run's rows, sorted by person
        for k in range(len(firsts)):
            low, high = bounds[k], bounds[k + 1]
            if high > low:
                if pnr[high - 1] > lasts[k]:
                    raise NotApplicable(f"{where} has persons of another part")
                np.subtract(pnr[low:high], shift[k], out=out[low:high], casting="unsafe")
        return out

    def without_gaps(self, low: int, high: int) -> bool:
        """Whether every number from ``low`` to ``high`` is one of the persons (the footer proof of a part)."""
        if self.contiguous:
            return self.first <= low and high <= self.last
        if self.runs is None:
            return False
        firsts, lasts, _ = self.runs
        k = int(np.searchsorted(lasts, low))  # the first run ending at or after low
        return k < len(lasts) and int(firsts[k]) <= low and high <= int(lasts[k])

    def holds(self, pnr: np.ndarray) -> bool:
        """Every person number of ``pnr`` is one of the part's persons."""
        try:
            self.index(pnr, "")
        except NotApplicable:
            return False
        return True


@dataclass(frozen=True)
class Slots:
    """Each row's slot in a part's key space: its person's position among the part's persons, times the span of
    the key's second column (a year), plus that column's offset. Distinct keys of the part have distinct slots,
    and there are few slots (persons x years), so a key is found by indexing an array instead of searching."""

    slots: np.ndarray
    size: int


def slots(persons: int, person: np.ndarray, second: np.ndarray | None, low: int, span: int) -> Slots:
    """``Slots`` of rows given their person positions (``Persons.index``) among ``persons`` persons and their
    second key column (whose values lie in ``low`` .. ``low + span - 1``)."""
    if second is None:
        return Slots(person, persons)
    size = persons * span
    if size >= 2**31:
        raise NotApplicable(f"{persons:,} persons x {span:,} values of a key are too many slots")
    out = np.multiply(person, span, dtype=np.intp)
    out += second
    out -= low
    return Slots(out, size)


def dense_match(attached: Slots, driving: Slots, where: str) -> tuple[np.ndarray, np.ndarray]:
    """For each driving row, the attached row (int32) with the same slot and whether there is one (0 where not).
    Each attached row writes its number into its slot. Rows in increasing slot order (sorted by their key, as the
    recommended layout writes them) have no key twice; otherwise a row that does not read its own number back
    shares its slot with a later row: a key occurring twice, which a join would repeat driving rows for: not
    applicable. Attached rows filling every slot in order (a row per person, in the persons' order) are found
    without a table: each driving row's match is the row numbered like its slot."""
    numbers = np.arange(len(attached.slots), dtype=np.int32)
    if len(attached.slots) == attached.size and np.array_equal(attached.slots, numbers):
        return driving.slots, np.ones(len(driving.slots), bool)
    table = np.full(attached.size, -1, np.int32)
    put = np.asarray(attached.slots, np.intp)
    table[put] = numbers
    if not strictly_increasing(put) and not np.array_equal(np.take(table, put), numbers):
        raise NotApplicable(f"{where} has a key twice")
    at = np.take(table, np.asarray(driving.slots, np.intp))
    found = at >= 0
    np.maximum(at, 0, out=at)
    return at, found


def key_span(driving: np.ndarray, attached: list[np.ndarray], most: int = 2**31) -> tuple[int, int]:
    """The least value and the span of values of a key's second column that the slots cover: the driving rows'
    range, widened to take in the attached rows' when that no more than doubles it and stays within ``most`` values
    (the attached tables' years reach a year or two beyond the driving rows', and rows a slot takes in need no
    filtering out). An attached row outside it cannot match any driving row (``span_match`` leaves it out)."""
    if not len(driving):
        return 0, 1
    low, high = int(driving.min()), int(driving.max())
    wide_low, wide_high = low, high
    for values in attached:
        if len(values):
            wide_low, wide_high = min(wide_low, int(values.min())), max(wide_high, int(values.max()))
    if wide_high - wide_low + 1 <= min(2 * (high - low + 1), most):
        return wide_low, wide_high - wide_low + 1
    return low, high - low + 1


def span_match(persons: int, person: np.ndarray, values: np.ndarray, driving: Slots, low: int, span: int,
               where: str) -> tuple[np.ndarray, np.ndarray]:
    """``dense_match`` of attached rows keyed by person position and a second column whose slots span ``low`` ..
    ``low + span - 1`` (the driving rows' slots ``driving``): rows outside it match nothing and are left out."""
    if not len(values) or (int(values.min()) >= low and int(values.max()) < low + span):
        return dense_match(slots(persons, person, values, low, span), driving, where)
    inside = (values >= low) & (values < low + span)
    rows_inside = np.flatnonzero(inside).astype(np.int32)
    at, found = dense_match(slots(persons, person[inside], values[inside], low, span), driving, where)
    return rows_inside[at], found


def validity(found: np.ndarray) -> pa.Buffer | None:
    """An Arrow validity bitmap: the rows where something was ``found`` (None when all)."""
    if found.all():
        return None
    return pa.py_buffer(np.packbits(found, bitorder="little").data)


def gather(table: pa.Table, at: np.ndarray, found: np.ndarray) -> pa.Table:
    """The rows of ``table`` at ``at``, NULL where nothing was ``found`` (what a left join attaches). A column
    without nulls of fixed-width values (integers, dates, decimals), of booleans or of dictionary-encoded values
    with one dictionary is gathered by numpy; any other by Arrow's ``take`` (which also checks every index's
    bounds, once per column)."""
    bitmap = validity(found)
    where = np.asarray(at, np.intp)  # what numpy's take indexes with: converted once for all columns
    columns: list[pa.Array | pa.ChunkedArray] = []
    indices = None
    for column in table.columns:
        gathered = _gathered_values(column, where, bitmap)
        if gathered is not None:
            columns.append(gathered)
            continue
        if indices is None:
            values = pa.py_buffer(np.ascontiguousarray(at, np.int32).data)
            indices = pa.Array.from_buffers(pa.int32(), len(at), [bitmap, values])
        columns.append(column.take(indices))
    return pa.table(columns, names=table.column_names)


def _fixed(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind) \
        or pa.types.is_date(kind) or pa.types.is_timestamp(kind)


def _gathered_values(column: pa.ChunkedArray | pa.Array, at: np.ndarray,
                     bitmap: pa.Buffer | None) -> pa.Array | None:
    """``column``'s values at ``at`` with the validity ``bitmap``: fixed-width values copied as records (twice as
    quick as Arrow's ``take`` for a DECIMAL), booleans as bytes, a dictionary's indices as records under the same
    dictionary; None when the column is of none of these kinds, has nulls (a NULL's place holds any value) or
    no rows (``at`` is then all 0 and nothing was found), or is a dictionary column whose chunks have different
    dictionaries."""
    kind = column.type
    if not len(column) or column.null_count:
        return None
    if pa.types.is_dictionary(kind):
        chunks = cast(list[pa.DictionaryArray], column.chunks if isinstance(column, pa.ChunkedArray) else [column])
        dictionary = chunks[0].dictionary
        if any(c.dictionary is not dictionary and not c.dictionary.equals(dictionary) for c in chunks[1:]):
            return None
        codes = pa.chunked_array([c.indices for c in chunks], kind.index_type)
        gathered = _gathered_values(codes, at, bitmap)
        return None if gathered is None else pa.DictionaryArray.from_arrays(gathered, dictionary, safe=False)
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_boolean(kind):
        values = np.take(array.to_numpy(zero_copy_only=False), at)
        return pa.Array.from_buffers(kind, len(at), [bitmap, pa.py_buffer(np.packbits(values, bitorder="little").data)])
    if not _fixed(kind):
        return None
    width = kind.bit_width // 8
    buffer = array.buffers()[1]
    if buffer is None:
        return None
    data = np.frombuffer(memoryview(buffer), np.dtype((np.void, width)), count=len(array),
                         offset=array.offset * width)
    return pa.Array.from_buffers(kind, len(at), [bitmap, pa.py_buffer(np.take(data, at).data)])


def masked(column: pa.ChunkedArray, found: np.ndarray) -> pa.Array | None:
    """``column`` (a driving table's integer key column) NULL where nothing was ``found``: an attached table's key
    column gathered without gathering it (where a key matched, the attached row's key equals the driving row's).
    None when the column's buffers cannot simply be given a validity bitmap (nulls of its own, an offset)."""
    array = column.combine_chunks()
    if array.null_count or array.offset or not pa.types.is_integer(array.type):
        return None
    return pa.Array.from_buffers(array.type, len(array), [validity(found), array.buffers()[1]])


def compact(table: pa.Table) -> pa.Table:
    """``table`` with its string columns dictionary-encoded: gathering rows then copies small integers instead
    of strings (DuckDB reads them back as the same VARCHAR values)."""
    columns = [c.dictionary_encode() if pa.types.is_string(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


def disjoint(parts: list[np.ndarray]) -> bool:
    """No person number in two of ``parts`` (each strictly increasing). Parts whose ranges do not overlap are
    disjoint by their ranges; only overlapping ones are compared person by person."""
    ordered = sorted((p for p in parts if len(p)), key=lambda p: int(p[0]))
    cluster: list[np.ndarray] = []
    end = None
    for part in [*ordered, None]:
        if part is not None and end is not None and part[0] <= end:
            cluster.append(part)
            end = max(end, int(part[-1]))
            continue
        if len(cluster) > 1 and not strictly_increasing(np.sort(np.concatenate(cluster))):
            return False
        if part is not None:
            cluster, end = [part], int(part[-1])
    return True
