"""Prove key, reference and spell rules in one linear pass per file when the parts follow the recommended layout.

The recommended layout (docs/registers.md, ``barometer.registers.layout.person_order``): each part of a
person-level table sorted by ``pnr`` and then the rest of its primary key, and the parts of one table holding
disjoint ranges of ``pnr``. Then

- a duplicate key is two neighbouring rows with the same key, and no key can repeat across parts;
- the spells of a person are neighbours, sorted by start, so an overlap is a spell starting on or before the end
  of the one before it;
- the references of a part are its runs of equal ``pnr``, looked up in the persons' sorted ``pnr`` (one binary
  search per person, not a hash probe per row), and the join rules (alive on the reference date …) are evaluated
  on the rows side by side with the referenced rows gathered in the same order (a positional join).

Each is a few vectorised passes over the key columns instead of sorting or hash-joining every table.
A proof never reports anything: whenever it cannot prove a rule (a part not in that order, overlapping ``pnr``
ranges, a null key, an unknown person, a broken rule), ``ValueChecker`` runs its exact SQL check, which finds and
reports the offending rows as before. The layout makes validation faster, never different.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from barometer.registers.check_files import TableFiles
from barometer.registers.schema import ForeignKey, JoinRule, Table

_WORKERS = 2
"""Parts proven at a time."""

_BATCH_ROWS = 4_000_000
"""Rows of join-rule input evaluated per query (bounds the memory of the gathered referenced columns)."""


def _read(path: Path, columns: list[str]) -> pa.Table:
    """Some columns of one part (``ParquetFile`` rather than ``read_table``, whose dataset set-up costs more than
    reading a small part)."""
    with pq.ParquetFile(path) as f:
        return f.read(columns=columns)


def _as_int64(column: pa.ChunkedArray) -> np.ndarray | None:
    """The column as int64 numbers ordered like its values (dates as days, strings by their byte order); None
    when it has nulls (a null key is reported by the row checks; nothing can be proven around it)."""
    if column.null_count:
        return None
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_date32(column.type):
        return column.cast(pa.int32()).to_numpy().astype(np.int64)
    if pa.types.is_integer(column.type):
        return column.to_numpy().astype(np.int64, copy=False)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_string_view(
            column.type):
        encoded: pa.DictionaryArray = pc.dictionary_encode(column.cast(pa.string())).combine_chunks()  # type: ignore[assignment]
        order = pc.array_sort_indices(encoded.dictionary).to_numpy()
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        return rank[encoded.indices.to_numpy()]
    return None


def strictly_increasing(columns: list[np.ndarray]) -> bool:
    """Rows strictly increasing in the lexicographic order of ``columns`` (so no two rows share the key)."""
    if len(columns[0]) < 2:
        return True
    greater = np.zeros(len(columns[0]) - 1, bool)
    equal = np.ones(len(columns[0]) - 1, bool)
    for c in columns:
        before, after = c[:-1], c[1:]
        greater |= equal & (after > before)
        equal &= after == before
    return bool(greater.all())


def _no_overlap(pnr: np.ndarray, start: np.ndarray, end: pa.ChunkedArray) -> bool:
    """Spells sorted by (pnr, start): each starts after the previous spell of the person ended (null = open). By
    induction that is every earlier spell of the person, as the check in SQL states it."""
    if len(pnr) < 2:
        return True
    ends = end.cast(pa.int32()).fill_null(pa.scalar(np.iinfo(np.int32).max, pa.int32())).to_numpy().astype(np.int64)
    same = pnr[1:] == pnr[:-1]
    return not bool((same & (ends[:-1] >= start[1:])).any())


@dataclass
class _Part:
    """What the proofs keep of one part: its pnr range and, when its pnr are in order, its runs of equal pnr (the
    persons in order and the number of rows of each), which the disjointness and reference proofs read."""

    path: Path
    first: int
    last: int
    sorted_key: bool  # strictly increasing in the primary key (pnr first)
    pnr_sorted: bool  # pnr non-decreasing
    no_overlap: bool
    people: np.ndarray | None = None  # the distinct pnr in order (pnr_sorted parts only)
    lengths: np.ndarray | None = None  # rows of each of them


def _extremes_decide(tf: TableFiles, rules: list[JoinRule]) -> bool:
    """Every rule is an interval rule (``JoinRule.interval``) over the second key column, after ``pnr``: in a part
    sorted by the key, a person's first and last rows hold its smallest and largest value, which decide the rule."""
    key = tf.table.primary_key
    return bool(rules) and len(key) >= 2 and key[0] == "pnr" and all(
        r.interval and r.columns == (key[1],) for r in rules)


def _distinct_people(parts: list[_Part]) -> bool:
    """No pnr in two of ``parts`` (each part's own persons are distinct: its pnr are in order)."""
    if any(p.people is None for p in parts):
        return False
    people = np.sort(np.concatenate([p.people for p in parts if p.people is not None]))
    return bool((people[1:] != people[:-1]).all())


@dataclass
class _TableProof:
    parts: list[_Part] = field(default_factory=list)
    readable: bool = True
    is_disjoint: bool = False  # ``disjoint()``, decided once all parts are read

    def disjoint(self) -> bool:
        """No person is in two parts. Parts whose pnr ranges do not overlap prove it from their ranges alone; a
        part written for several municipalities at once can interleave its range with another's (pnr are handed
        out by municipality), and such a cluster of overlapping parts is proven by its persons: together, sorted,
        none occurs twice."""
        parts = sorted(self.parts, key=lambda p: p.first)
        cluster: list[_Part] = []
        end = None
        for part in [*parts, None]:
            if part is not None and end is not None and part.first <= end:
                cluster.append(part)
                end = max(end, part.last)
                continue
            if len(cluster) > 1 and not _distinct_people(cluster):
                return False
            if part is not None:
                cluster, end = [part], part.last
        return True


_EMPTY = _Part(Path(), 0, 0, True, True, True)
"""What ``_part_proof`` returns for a part without rows (nothing to prove)."""


def _part_proof(table: Table, path: Path, columns: list[str]) -> _Part | None:
    """One part's order, pnr range, spells and runs; None when it cannot be read or has a null or no pnr."""
    try:
        data = _read(path, columns)
    except (pa.ArrowException, OSError):
        return None
    if data.num_rows == 0:
        return _EMPTY
    key = list(table.primary_key)
    end = table.no_overlap.end if table.no_overlap else None
    arrays = {c: _as_int64(data.column(c)) for c in columns if c != end}
    pnr = arrays.get("pnr")
    if pnr is None:
        return None  # null or absent pnr: nothing to prove here
    keys = [arrays.get(c) for c in key]
    sorted_key = bool(key) and key[0] == "pnr" and all(k is not None for k in keys) and strictly_increasing(
        keys)  # type: ignore[arg-type]
    pnr_sorted = sorted_key or bool(np.all(pnr[1:] >= pnr[:-1]))
    no_overlap = False
    rule = table.no_overlap
    if rule is not None and sorted_key and rule.partition == ("pnr",) and key[:2] == ["pnr", rule.start]:
        no_overlap = _no_overlap(pnr, arrays[rule.start], data.column(rule.end))  # type: ignore[arg-type]
    part = _Part(path, int(pnr[0]), int(pnr[-1]), sorted_key, pnr_sorted, no_overlap)
    if pnr_sorted:
        starts = np.flatnonzero(np.r_[True, pnr[1:] != pnr[:-1]])
        part.people, part.lengths = pnr[starts], np.diff(np.r_[starts, len(pnr)])
    return part


class SortedProof:
    """Proofs over the parts of each table, computed once per table and asked for by ``ValueChecker``."""

    def __init__(self) -> None:
        self.con = duckdb.connect()  # its own: the checker's connection may hold an unfinished result
        self.con.execute("SET enable_progress_bar = false")
        self._tables: dict[str, _TableProof] = {}
        self._persons: dict[str, tuple[np.ndarray, pa.Table]] = {}

    def _columns(self, tf: TableFiles) -> list[str]:
        table = tf.table
        key = list(table.primary_key)
        if table.no_overlap is not None:
            key += [table.no_overlap.start, table.no_overlap.end]
        if table.has_column("pnr"):
            key.append("pnr")
        return [c for c in dict.fromkeys(key) if c in tf.columns]

    def _proof(self, tf: TableFiles) -> _TableProof:
        name = tf.table.name
        if name in self._tables:
            return self._tables[name]
        proof = _TableProof()
        columns = self._columns(tf)
        # Parts are independent: two at a time (reading and the numpy passes release the GIL).
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for part in pool.map(lambda path: _part_proof(tf.table, path, columns), tf.files):
                if part is None:
                    proof.readable = False
                    break
                if part is not _EMPTY:
                    proof.parts.append(part)
        proof.is_disjoint = proof.readable and proof.disjoint()
        self._tables[name] = proof
        return proof

    def unique(self, tf: TableFiles) -> bool:
        """Proven: no primary key occurs twice (sorted parts, disjoint pnr ranges)."""
        if not tf.table.primary_key or tf.table.primary_key[0] != "pnr" or not tf.table.has_column("pnr"):
            return False
        proof = self._proof(tf)
        return proof.readable and all(p.sorted_key for p in proof.parts) and proof.is_disjoint

    def no_overlaps(self, tf: TableFiles) -> bool:
        """Proven: no spell of a person overlaps another of theirs."""
        if tf.table.no_overlap is None or not self.unique(tf):
            return False
        return all(p.no_overlap for p in self._proof(tf).parts)

    def _referenced(self, ref: TableFiles, ref_columns: list[str]) -> tuple[np.ndarray, pa.Table] | None:
        """The persons' pnr in order, with the columns join rules read from them, when persons is provably
        unique and sorted across parts (else None)."""
        cache = f"{ref.table.name}:{','.join(ref_columns)}"
        if cache in self._persons:
            return self._persons[cache]
        if ref.table.primary_key != ("pnr",) or not self.unique(ref):
            return None
        parts = sorted(self._proof(ref).parts, key=lambda p: p.first)
        tables = [_read(p.path, ["pnr", *ref_columns]) for p in parts]
        data = pa.concat_tables(tables).combine_chunks() if tables else None
        if data is None:
            return None
        pnr = data.column("pnr").to_numpy()
        if len(pnr) > 1 and not bool((pnr[1:] > pnr[:-1]).all()):  # parts whose ranges interleave
            order = np.argsort(pnr, kind="stable")
            data, pnr = data.take(order), pnr[order]
        self._persons[cache] = (pnr, data)
        return self._persons[cache]

    def references(self, tf: TableFiles, ref: TableFiles, fk: ForeignKey, rules: list[JoinRule]) -> bool:
        """Proven: every pnr of the table is a person, and every join rule holds for every row."""
        if fk.columns != ("pnr",) or fk.ref_columns != ("pnr",):
            return False
        ref_columns = sorted({c for r in rules for c in r.ref_columns} - {"pnr"})
        referenced = self._referenced(ref, ref_columns)
        if referenced is None:
            return False
        proof = self._proof(tf)
        if not proof.readable or not all(p.pnr_sorted for p in proof.parts):
            return False
        persons, ref_data = referenced
        own_columns = sorted({c for r in rules for c in r.columns})
        pending: list[tuple[pa.Table, pa.Table]] = []
        rows = 0
        extremes = _extremes_decide(tf, rules)
        for part in proof.parts:
            people, lengths = part.people, part.lengths
            if people is None or lengths is None:
                return False
            if len(persons) == 0 or len(people) == 0:
                return False
            # Searched within the persons of the part's pnr range: a small, cache-friendly slice of them.
            lo, hi = np.searchsorted(persons, people[0]), np.searchsorted(persons, people[-1], side="right")
            at = lo + np.searchsorted(persons[lo:hi], people)
            if not bool(((at < hi) & (persons[np.minimum(at, len(persons) - 1)] == people)).all()):
                return False
            if rules:
                own = _read(part.path, own_columns)
                if extremes and part.sorted_key:  # each person's first and last row: their smallest and largest
                    first = np.cumsum(lengths) - lengths
                    own, at = own.take(np.r_[first, first + lengths - 1]), np.r_[at, at]
                    pending.append((own, ref_data.take(at)))
                else:
                    pending.append((own, ref_data.take(np.repeat(at, lengths))))
                rows += own.num_rows
                if rows >= _BATCH_ROWS:
                    if not self._rules_hold(pending, rules):
                        return False
                    pending, rows = [], 0
        return not pending or self._rules_hold(pending, rules)

    def release(self, tf: TableFiles) -> None:
        """Forget the runs of ``tf``'s parts once its proofs are done (a table's persons, at full scale, are tens of
        megabytes); the proofs' verdicts stay."""
        for part in self._tables.get(tf.table.name, _TableProof()).parts:
            part.people = part.lengths = None

    def _rules_hold(self, pending: list[tuple[pa.Table, pa.Table]], rules: list[JoinRule]) -> bool:
        """Every join rule false (or null) on every row, the row (``t``) and its person (``r``) side by side."""
        own = pa.concat_tables([t for t, _ in pending])
        ref = pa.concat_tables([r for _, r in pending])
        self.con.register("__proof_t", own)
        self.con.register("__proof_r", ref)
        try:
            counts = self.con.execute(
                "SELECT " + ", ".join(f"count(*) FILTER (WHERE {r.violation_sql})" for r in rules)
                + " FROM __proof_t t POSITIONAL JOIN __proof_r r").fetchall()[0]
        finally:
            self.con.unregister("__proof_t")
            self.con.unregister("__proof_r")
        return not any(counts or ())

    def close(self) -> None:
        self.con.close()
