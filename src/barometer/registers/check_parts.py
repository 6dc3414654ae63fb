"""One part's proofs from one read of its key columns: order, uniqueness, spells, runs of persons, references.

``prove_part`` takes a part's key, spell and join-rule columns read once (strings as their dictionary codes, without
pyarrow's thread pool: two parts are proven at a time already) and derives everything the table's proofs need
(check_sorted.py). Key columns stay in their own width (``year`` as int16, dates as int32 days, strings as the
rank of their value), and ``pnr`` is compared with its neighbour once: the mask of equal neighbours serves the
order of the rest of the key, the spells and the runs of persons alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from barometer.registers.check_pages import dictionary_page_numbers
from barometer.registers.check_windows import Windows, windows_hold
from barometer.registers.schema import JoinRule, Table

_GAP = 1 << 16
"""A gap between neighbouring persons of a part wider than this starts a new block (``blocks_disjoint``)."""

_MAX_BLOCKS = 1 << 20
"""Beyond this many blocks, a cluster of parts is proven disjoint by sorting its persons instead."""

_DENSE = 8
"""Persons in fewer runs of consecutive pnr than their number / this are found by run (``PnrIndex``)."""

_MAX_PAGED_PEOPLE = 1 << 22
"""A pnr dictionary with more entries than this is decoded instead (``paged_people``; 32 MB of numbers)."""


def read_columns(table: Table, available: list[str], rules: list[JoinRule], keep: list[str]) -> list[str]:
    """What a part's proofs read: the key, the spell's start and end, ``pnr``, the join rules' own columns and
    the columns kept for the tables that reference this one."""
    wanted = list(table.primary_key)
    if table.no_overlap is not None:
        wanted += [table.no_overlap.start, table.no_overlap.end]
    wanted += ["pnr", *(c for r in rules for c in r.columns), *keep]
    return [c for c in dict.fromkeys(wanted) if c in available and table.has_column(c)]


def read_part(table: Table, path: Path, columns: list[str], metadata: pq.FileMetaData | None = None) -> pa.Table:
    """Some columns of one part, strings as dictionary codes (``ParquetFile`` rather than ``read_table``, whose
    dataset set-up costs more than reading a small part; no thread pool, whose hand-offs cost more CPU than they
    save here)."""
    strings = [c for c in columns if table.column(c).type == "string"]
    with pq.ParquetFile(path, read_dictionary=strings, metadata=metadata) as f:
        return f.read(columns=columns, use_threads=False)


def _string_ranks(column: pa.ChunkedArray) -> np.ndarray | None:
    """Each string's rank among the column's distinct values in byte order (orders like the strings)."""
    chunks: list[pa.DictionaryArray] = [
        c if pa.types.is_dictionary(c.type) else c.cast(pa.dictionary(pa.int32(), pa.string()))  # type: ignore[misc]
        for c in column.chunks]
    if not chunks:
        return np.empty(0, np.int32)
    dictionaries = [c.dictionary.cast(pa.string()) for c in chunks]
    if any(d.null_count for d in dictionaries):
        return None
    values = pc.unique(pa.concat_arrays(dictionaries))
    values = values.take(pc.sort_indices(values))
    ranks = []
    for chunk, dictionary in zip(chunks, dictionaries, strict=True):
        rank = pc.index_in(dictionary, value_set=values).to_numpy(zero_copy_only=False).astype(np.int32)
        ranks.append(rank[chunk.indices.to_numpy(zero_copy_only=False)])
    return np.concatenate(ranks)


def numbers(column: pa.ChunkedArray) -> np.ndarray | None:
    """The column as numbers ordered like its values (dates as int32 days, integers in their width, strings by
    rank); None when it has nulls (a null key is reported by the row checks; nothing can be proven around it) or
    is of another type."""
    if column.null_count:
        return None
    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return _string_ranks(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(kind)
    if pa.types.is_date32(kind):
        return _numpy(column.cast(pa.int32()))
    if pa.types.is_integer(kind):
        return _numpy(column)
    return None


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    """A column of numbers without nulls as one numpy array over Arrow's memory: the chunks of several row groups
    joined by Arrow, whose memory pool reuses the last part's pages (numpy's own copy would map fresh ones for
    every part, each page faulted in anew)."""
    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


def _not_greater(columns: list[np.ndarray]) -> np.ndarray:
    """Per pair of neighbours: the later row is not greater than the earlier in the lexicographic order."""
    last = columns[-1]
    result = last[1:] <= last[:-1]
    for c in reversed(columns[:-1]):
        after, before = c[1:], c[:-1]
        result = (after < before) | ((after == before) & result)
    return result


def strictly_increasing(columns: list[np.ndarray]) -> bool:
    """Rows strictly increasing in the lexicographic order of ``columns`` (so no two rows share the key)."""
    if len(columns[0]) < 2:
        return True
    return not bool(_not_greater(columns).any())


@dataclass
class Part:
    """What the proofs keep of one part: its pnr range, the verdicts, and while its table is proven the distinct
    persons in order (``people``); the referenced table's parts keep them, with the columns join rules read."""

    path: Path
    rows: int
    first: int = 0
    last: int = 0
    sorted_key: bool = False  # strictly increasing in the primary key (pnr first)
    pnr_sorted: bool = False  # pnr non-decreasing
    no_overlap: bool = False
    people: np.ndarray | None = None  # the distinct pnr in order (pnr_sorted parts only)
    kept: pa.Table | None = None  # the referenced table's columns join rules read, one row per person
    known: bool = False  # every pnr found among the persons
    aligned: str | None = None  # the persons part (file name) holding every person of this part
    gathered: tuple[pa.Table, pa.Table] | None = None  # join-rule rows and their persons, side by side
    broken: bool = False  # some row breaks a join rule (check_windows.py)


class Persons:
    """The referenced table's parts, proven unique: looked up by part name, or all of them sorted by pnr."""

    def __init__(self, parts: list[Part], windows: Windows | None = None):
        self.parts = {p.path.name: (PnrIndex(p.people), p.kept) for p in parts if p.people is not None}
        self._all: tuple[PnrIndex, pa.Table | None] | None = None
        self._parts = parts
        self.windows = windows  # window rules proven per person (None: every rule on the gathered rows)

    def everyone(self, lock: threading.Lock) -> tuple[PnrIndex, pa.Table | None]:
        """Every person's pnr in order with the kept columns (built once, when a part is not aligned)."""
        with lock:
            if self._all is None:
                parts = sorted(self._parts, key=lambda p: p.first)
                pnr = np.concatenate([p.people for p in parts if p.people is not None] or [np.empty(0, np.int64)])
                kept = [p.kept for p in parts if p.kept is not None]
                data = pa.concat_tables(kept) if len(kept) == len(parts) and kept else None
                if len(pnr) > 1 and not bool((pnr[1:] > pnr[:-1]).all()):  # parts whose ranges interleave
                    order = np.argsort(pnr, kind="stable")  # merges the parts' sorted runs
                    pnr, data = pnr[order], None if data is None else data.take(order)
                self._all = (PnrIndex(pnr), data)
            return self._all


class PnrIndex:
    """Where each pnr of a sorted, distinct array is. Persons numbered in runs of consecutive numbers (the same
    ranges in every table) are found by their offset within their run, the run by a binary search among a few;
    scattered numbers by a binary search among all."""

    def __init__(self, pnr: np.ndarray):
        self.pnr = pnr
        cut = np.flatnonzero(np.diff(pnr) != 1) + 1
        self.runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if len(pnr) and len(cut) < len(pnr) // _DENSE:
            starts = np.concatenate([[0], cut])
            self.runs = (starts, pnr[starts], pnr[np.concatenate([cut - 1, [len(pnr) - 1]])])

    def find(self, people: np.ndarray) -> np.ndarray | None:
        """Where each of ``people`` (sorted, distinct) is; None if one is not there."""
        if len(people) == 0:
            return np.empty(0, np.int64)
        if len(self.pnr) == 0:
            return None
        if self.runs is not None:
            starts, firsts, lasts = self.runs
            if len(starts) == 1:
                if people[0] < firsts[0] or people[-1] > lasts[0]:
                    return None
                return people - firsts[0]
            # The people within each run's range are a slice of ``people``; every one is in a run when the
            # slices (disjoint and in order, as the runs are) add up to all of them, and then tile them in order.
            within = np.searchsorted(people, lasts, side="right") - np.searchsorted(people, firsts, side="left")
            if int(within.sum()) != len(people):
                return None
            return people - np.repeat(firsts - starts, within)
        at = np.searchsorted(self.pnr, people)
        return at if bool((self.pnr[np.minimum(at, len(self.pnr) - 1)] == people).all()) else None


def _plain(table: pa.Table) -> pa.Table:
    """The same columns without the fields' nullability, so that the parts' tables concatenate alike."""
    return pa.table({name: table.column(name) for name in table.column_names})


def _gather(part: Part, data: pa.Table, at: np.ndarray, kept: pa.Table, runs: tuple[np.ndarray, np.ndarray],
            rules: list[JoinRule], extremes: bool, known: dict[str, np.ndarray]) -> tuple[pa.Table, pa.Table]:
    """The rows the join rules read and their persons' rows in the same order: each person's first and last row
    when those decide every rule (``extremes``), else every row. ``known`` holds key columns already in numbers
    (integers and dates), gathered by numpy rather than read again from the table."""
    own_columns = sorted({c for r in rules for c in r.columns})
    ref = _plain(kept.select(sorted({c for r in rules for c in r.ref_columns} - {"pnr"})))
    starts, ends = runs
    if not (extremes and part.sorted_key):
        return _plain(data.select(own_columns)), ref.take(np.repeat(at, np.diff(starts, append=data.num_rows)))
    several = ends > starts  # a person with one row has it once
    last = ends[several]
    own = {}
    for c in own_columns:  # first rows, then last rows: two chunks, not copied into one
        kind = data.schema.field(c).type
        if c in known and known[c].dtype.itemsize == kind.bit_width // 8:
            own[c] = pa.chunked_array([pa.array(known[c][rows]).view(kind) for rows in (starts, last)], kind)
        else:
            own[c] = pa.chunked_array([data.column(c).take(rows).combine_chunks() for rows in (starts, last)], kind)
    return pa.table(own), pa.concat_tables([ref.take(at), ref.take(at[several])])


def prove_part(table: Table, path: Path, data: pa.Table, columns: list[str], keep: list[str],
               persons: Persons | None, rules: list[JoinRule], extremes: bool, lock: threading.Lock) -> Part | None:
    """One part's order, pnr range, spells, runs and references from its ``columns`` read already (``data`` may
    hold more); None when it has a null or no pnr (nothing is proven for its table then)."""
    part = Part(path, data.num_rows)
    if data.num_rows == 0:
        return part
    spell = table.no_overlap
    pnr = numbers(data.column("pnr")) if "pnr" in columns else None
    if pnr is None or pnr.dtype != np.int64:
        return None
    part.first, part.last = int(pnr[0]), int(pnr[-1])
    change = np.flatnonzero(pnr[1:] != pnr[:-1])  # row change + 1 starts another person
    starts = np.concatenate([[0], change + 1])
    people = pnr[starts]  # pnr never decreases when each run's pnr is greater than the run's before
    part.pnr_sorted = bool((people[1:] > people[:-1]).all())
    if not part.pnr_sorted:
        return part
    key = list(table.primary_key)
    rest = [numbers(data.column(c)) if c in columns else None for c in key[1:]]
    if key and key[0] == "pnr" and all(r is not None for r in rest):
        if rest:  # within a person, the rest of the key must grow
            repeat = _not_greater(rest)  # type: ignore[arg-type]
            repeat[change] = False
            part.sorted_key = not bool(repeat.any())
        else:
            part.sorted_key = len(change) == data.num_rows - 1
    if (spell is not None and part.sorted_key and spell.partition == ("pnr",) and key[:2] == ["pnr", spell.start]
            and spell.end in columns):
        open_end = pa.scalar(np.iinfo(np.int32).max, pa.int32())  # null: still running
        ends = _numpy(data.column(spell.end).cast(pa.int32()).fill_null(open_end))
        overlap = ends[:-1] >= rest[0][1:]  # type: ignore[index]
        overlap[change] = False
        part.no_overlap = not bool(overlap.any())
    part.people = people
    if keep:
        kept = data.select(keep).combine_chunks()
        part.kept = kept.take(starts) if len(starts) < data.num_rows else kept
    if persons is not None:
        known = {c: r for c, r in zip(key[1:], rest, strict=True) if r is not None
                 and table.column(c).type != "string"}
        runs = (starts, np.concatenate([change, [data.num_rows - 1]]))
        _reference(part, data, persons, rules, extremes, runs, known, lock)
    return part


def paged_people(path: Path, meta: pq.FileMetaData) -> np.ndarray | None:
    """A part's distinct pnr in order, from the dictionary pages of its ``pnr`` alone (check_pages.py), for a table
    whose proofs need no row in order (no key, spell or join rule); None when the footers do not say that no pnr is
    null or the pages cannot tell (then pnr is decoded). An unused dictionary entry is taken as a person of the
    part: if it is no person, the references are left to SQL, which finds nothing to report."""
    if "pnr" not in meta.schema.names:
        return None
    index = meta.schema.names.index("pnr")
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or stats.null_count != 0:
            return None
    if meta.schema.to_arrow_schema().field("pnr").type != pa.int64():
        return None
    values = dictionary_page_numbers(path, meta, "pnr", max_entries=_MAX_PAGED_PEOPLE)
    if values is None or values.dtype != np.int64:
        return None
    if len(values) > 1 and not bool((values[1:] > values[:-1]).all()):  # a part not sorted by pnr
        values = np.sort(values)
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def prove_people(path: Path, rows: int, people: np.ndarray, persons: Persons | None, lock: threading.Lock) -> Part:
    """The proofs of a part known by its distinct persons only (``paged_people``): its pnr range and references."""
    part = Part(path, rows)
    if rows == 0 or len(people) == 0:
        return part
    part.first, part.last, part.people = int(people[0]), int(people[-1]), people
    if persons is not None and _found(part, persons, lock) is not None:
        part.known = True
    return part


def _found(part: Part, persons: Persons, lock: threading.Lock) -> tuple[np.ndarray, pa.Table | None] | None:
    """Where the part's persons are among the persons (in the persons part of the same name first, then setting
    ``part.aligned``), with the persons' kept columns; None when one of them is no person."""
    assert part.people is not None
    aligned = persons.parts.get(part.path.name)
    at = aligned[0].find(part.people) if aligned is not None else None
    if at is not None and aligned is not None:
        part.aligned = part.path.name
        return at, aligned[1]
    everyone, kept = persons.everyone(lock)
    at = everyone.find(part.people)
    return None if at is None else (at, kept)


def _reference(part: Part, data: pa.Table, persons: Persons, rules: list[JoinRule], extremes: bool,
               runs: tuple[np.ndarray, np.ndarray], known: dict[str, np.ndarray], lock: threading.Lock) -> None:
    """Look the part's persons up (in the persons part of the same name first) and gather the join rules' rows."""
    found = _found(part, persons, lock)
    if found is None:
        return
    at, kept = found
    if rules and kept is None:
        return  # nothing to test the rules against: left to SQL
    part.known = True
    if rules and kept is not None:
        if extremes and part.sorted_key and persons.windows is not None:
            held = windows_hold(persons.windows, rules, data, known, runs, at, kept)
            if held is not None:
                part.broken = not held
                return
        part.gathered = _gather(part, data, at, kept, runs, rules, extremes, known)


def blocks_disjoint(parts: list[Part]) -> bool:
    """No person in two of ``parts`` (each part's own persons are distinct). Each part's persons are cut into
    blocks where the gap to the next person is wide; blocks of different parts that do not overlap prove it
    without a sort (pnr handed out by municipality leave wide gaps between municipalities); else the persons of
    all parts are sorted together and none may occur twice."""
    people = [p.people for p in parts]
    if any(p is None for p in people):
        return False
    lows, highs = [], []
    for p in people:
        assert p is not None
        if len(p) == 0:
            continue
        cut = np.flatnonzero(np.diff(p) > _GAP)
        lows.append(p[np.r_[0, cut + 1]])
        highs.append(p[np.r_[cut, len(p) - 1]])
    if sum(len(lo) for lo in lows) <= _MAX_BLOCKS and lows:
        low, high = np.concatenate(lows), np.concatenate(highs)
        order = np.argsort(low, kind="stable")
        if bool((low[order][1:] > high[order][:-1]).all()):
            return True
    every = np.sort(np.concatenate([p for p in people if p is not None]))
    return bool((every[1:] != every[:-1]).all())
