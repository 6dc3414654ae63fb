"""Prove key, reference and spell rules in one linear pass per file when the parts follow the recommended layout.

The recommended layout (docs/data-contract.md, ``barometer.registers.layout.person_order``): each part of a
person-level table sorted by ``pnr`` and then the rest of its primary key, and the parts of one table holding
disjoint sets of persons (the same sets in every table). Then

- a duplicate key is two neighbouring rows with the same key, and no key can repeat across parts;
- the spells of a person are neighbours, sorted by start, so an overlap is a spell starting on or before the end
  of the one before it;
- the references of a part are its runs of equal ``pnr``, looked up in the persons' sorted ``pnr`` (in the
  persons part of the same name when the parts are aligned, else in all persons), and the join rules (alive on
  the reference date …) are evaluated on the rows side by side with the referenced rows gathered in the same order
  (a positional join); an interval rule only on each person's first and last row (``JoinRule.interval``), and a
  window rule (alive on a date) by comparing those rows' dates with the person's days (check_windows.py).

Each part is read once, only its key, spell and join-rule columns (``read_columns``) and the columns whose
dictionaries may prove a check (check_dictionaries.py), and every proof of the table is made from what was read
(check_parts.py). A table whose proofs read no row in order (no key, spell or join rule) has its persons taken from
the dictionary pages of its ``pnr`` when they can vouch for them (``paged_people``), without decoding it. The parts
of all tables go through one pool of two threads, the persons' first, so both cores stay busy across tables while
the checker works on the tables done. A proof never reports anything: whenever it cannot prove a rule (a part not
in that order, a person in two parts, a null key, an unknown person, a broken rule), ``ValueChecker`` runs its
exact SQL check, which finds and reports the offending rows as before. The layout makes validation faster, never
different.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from barometer.registers.check_dictionaries import merge_values, page_values, part_values, with_dictionaries
from barometer.registers.check_files import TableFiles
from barometer.registers.check_parts import (
    Part,
    Persons,
    blocks_disjoint,
    paged_people,
    prove_part,
    prove_people,
    read_columns,
    read_part,
    strictly_increasing,
)
from barometer.registers.check_windows import Windows
from barometer.registers.contract import CONTRACT
from barometer.registers.schema import ForeignKey, JoinRule, Table

__all__ = ["SortedProof", "join_rules", "strictly_increasing"]

_WORKERS = 2
"""Parts proven at a time."""

_BATCH_ROWS = 4_000_000
"""Rows of join-rule input evaluated per query (bounds the memory of the gathered referenced columns)."""

REFERENCED = "persons"
"""The table that person-level tables reference by ``pnr``; its parts are kept (pnr and the columns join rules
read) for the lookups of the tables after it."""


def join_rules(tf: TableFiles, ref: TableFiles) -> list[JoinRule]:
    """The join rules of ``tf`` over ``ref`` whose columns are usable on both sides (the others' columns are
    reported already as missing or mistyped)."""
    return [r for r in tf.table.join_rules
            if r.ref_table == ref.table.name and all(c in tf.columns for c in r.columns)
            and all(c in ref.columns for c in r.ref_columns)]


def _by_pnr(fk: ForeignKey) -> bool:
    return fk.columns == ("pnr",) and fk.ref_columns == ("pnr",)


def _referenced_columns(table: Table, available: list[str]) -> list[str]:
    """The columns of ``table`` that join rules of the contract read from it (kept with its parts)."""
    wanted = {c for t in CONTRACT.tables.values() for r in t.join_rules if r.ref_table == table.name
              for c in r.ref_columns}
    return [c for c in available if c in wanted and c != "pnr"]


def _extremes_decide(table: Table, rules: list[JoinRule]) -> bool:
    """Every rule is an interval rule (``JoinRule.interval``) over the second key column, after ``pnr``: in a part
    sorted by the key, a person's first and last rows hold its smallest and largest value, which decide the rule."""
    key = table.primary_key
    return bool(rules) and len(key) >= 2 and key[0] == "pnr" and all(
        r.interval and r.columns == (key[1],) for r in rules)


@dataclass
class _TableProof:
    parts: list[Part] = field(default_factory=list)
    readable: bool = True
    is_disjoint: bool = False
    references_hold: bool = False  # every pnr a person and every join rule holding (when ``rules`` were given)
    rules: tuple[str, ...] = ()  # names of the join rules ``references_hold`` covers


@dataclass
class _Plan:
    """What each part of one table is read for: its proofs (``columns``; none for a table without ``pnr``) and the
    distinct values of the ``dictionary`` columns (name: contract type, check_dictionaries.py)."""

    tf: TableFiles
    columns: list[str]
    keep: list[str]
    persons: Persons | None
    rules: list[JoinRule]
    extremes: bool
    dictionary: dict[str, pa.DataType]
    people_only: bool = False  # the proofs need only each part's distinct persons (``paged_people``)


_Scan = tuple[Part | None, dict[str, pa.Array] | None]
"""One part's proof (None: unreadable, or nothing provable) and the distinct values of its dictionary columns
(None: unreadable)."""


def _scan(plan: _Plan, path: Path, lock: threading.Lock) -> _Scan:
    """Read one part's proof and dictionary columns at once; prove the part and take its distinct values."""
    tf = plan.tf
    meta = tf.metadata.get(path)
    names = with_dictionaries(meta, list(plan.dictionary))[0] if meta is not None else []
    paged: dict[str, pa.Array] = {}
    if meta is not None:  # columns the proofs do not read: their dictionary pages may do
        alone = [n for n in names if n not in plan.columns]
        paged, decode = page_values(path, meta, {n: plan.dictionary[n] for n in alone})
        names = [n for n in names if n not in alone or n in decode]
    columns, part = plan.columns, None
    if plan.people_only and meta is not None and (people := paged_people(path, meta)) is not None:
        columns, part = [], prove_people(path, meta.num_rows, people, plan.persons, lock)  # no pnr decoded
    if not columns and not names:
        return part, paged
    data: pa.Table | None
    try:
        data = read_part(tf.table, path, list(dict.fromkeys([*columns, *names])), meta)
        values: dict[str, pa.Array] | None = {**part_values(data, {n: plan.dictionary[n] for n in names}), **paged}
    except (pa.ArrowException, OSError):  # a broken dictionary column must not cost the proofs: read them alone
        values = None
        try:
            data = read_part(tf.table, path, columns, meta) if columns else None
        except (pa.ArrowException, OSError):
            data = None
    if not columns or data is None:
        return part, values
    part = prove_part(tf.table, path, data, columns, plan.keep, plan.persons, plan.rules, plan.extremes, lock)
    return part, values


class SortedProof:
    """Proofs and dictionary values over the parts of each table, computed once per table and asked for by
    ``ValueChecker``. ``start`` hands every part of every table to one pool of ``_WORKERS`` threads (the
    referenced table's first: the others look their persons up in it), in the order the checker asks for the
    tables, so both cores stay busy across tables while the checker works on the tables done."""

    def __init__(self) -> None:
        self.con = duckdb.connect()  # its own: the checker's connection may hold an unfinished result
        self.con.execute("SET enable_progress_bar = false")
        # One thread: the rules are evaluated while the pool's workers read the next parts; DuckDB's own workers
        # would compete with them for the same cores.
        self.con.execute("SET threads = 1")
        self.con.execute("SET preserve_insertion_order = true")  # results in the order of their rows (_dates)
        self._files: dict[str, TableFiles] = {}
        self._dictionary: dict[str, dict[str, pa.DataType]] = {}
        self._plans: dict[str, _Plan] = {}
        self._scans: dict[str, list[Future[_Scan]]] = {}
        self._tables: dict[str, _TableProof] = {}
        self._values: dict[str, dict[str, pa.Array]] = {}
        self._persons: Persons | None = None
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=_WORKERS)
        self._cursors: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        for _ in range(_WORKERS):  # made here: a connection is not to be shared between threads
            self._cursors.put(self.con.cursor())

    def add(self, tf: TableFiles, dictionary: dict[str, pa.DataType] | None = None) -> None:
        """A table the checker will ask about, with the columns whose distinct values it wants (name: type)."""
        self._files[tf.table.name] = tf
        self._dictionary[tf.table.name] = dictionary or {}
        if tf.table.name == REFERENCED:
            self._submit(tf)  # read while the other tables' files are checked

    def start(self) -> None:
        """Read and prove every part of every table added, in the pool (idempotent)."""
        ref = self._files.get(REFERENCED)
        if ref is not None:
            self._submit(ref)
        for tf in self._files.values():
            self._submit(tf)  # the first asks for the referenced table's proof, waiting for its parts

    def _submit(self, tf: TableFiles) -> None:
        name = tf.table.name
        if name in self._plans:
            return
        table = tf.table
        columns: list[str] = []
        lookup, keep = None, []
        if "pnr" in tf.columns:  # every proof is about pnr
            lookup = self._persons_for(tf)
            keep = _referenced_columns(table, tf.columns) if name == REFERENCED else []
        persons, rules = lookup if lookup is not None else (None, [])
        if "pnr" in tf.columns:
            columns = read_columns(table, tf.columns, rules, keep)
        people_only = (columns == ["pnr"] and not table.primary_key and table.no_overlap is None and not rules
                       and not keep)
        plan = _Plan(tf, columns, keep, persons, rules, _extremes_decide(table, rules), self._dictionary[name],
                     people_only)
        self._plans[name] = plan
        self._scans[name] = [self._pool.submit(_scan, plan, path, self._lock) for path in tf.files]

    def _persons_for(self, tf: TableFiles) -> tuple[Persons, list[JoinRule]] | None:
        """The referenced persons and the join rules to test while proving ``tf``'s parts, when ``tf`` references
        them by ``pnr`` and they are provably unique (else None: references are left to SQL)."""
        ref = self._files.get(REFERENCED)
        if ref is None or tf.table.name == REFERENCED or not ref.complete:
            return None
        if not any(_by_pnr(fk) and fk.ref_table == REFERENCED for fk in tf.table.foreign_keys):
            return None
        if "pnr" not in tf.columns or "pnr" not in ref.columns:
            return None
        if self._persons is None:
            if ref.table.primary_key != ("pnr",) or not self.unique(ref):
                return None
            self._persons = Persons(self._tables[REFERENCED].parts, Windows(self._dates))
        return self._persons, join_rules(tf, ref)

    def dictionaries(self, tf: TableFiles) -> dict[str, pa.Array]:
        """Every distinct value of each dictionary column of ``tf`` asked for in ``add`` whose every part stores
        it with a dictionary page (check_dictionaries.py); empty when a part cannot be read."""
        self._collect(tf)
        return self._values.get(tf.table.name, {})

    def _proof(self, tf: TableFiles) -> _TableProof:
        self._collect(tf)
        return self._tables[tf.table.name]

    def _collect(self, tf: TableFiles) -> None:
        """Wait for the parts of ``tf`` and combine them: the table's proofs and dictionary values."""
        name = tf.table.name
        if name in self._tables:
            return
        self._submit(tf)  # a table not added, or asked for before ``start``
        plan = self._plans[name]
        rules = plan.rules
        proof = _TableProof(rules=tuple(r.name for r in rules), readable=bool(plan.columns))
        pending: list[tuple[pa.Table, pa.Table]] = []
        rows, holds = 0, plan.persons is not None
        values: list[dict[str, pa.Array]] | None = []
        for future in self._scans.pop(name):
            part, found = future.result()
            if values is not None and found is not None:
                values.append(found)
            else:
                values = None
            if not proof.readable:
                continue
            if part is None:
                proof.readable = False
                continue
            if part.rows == 0:
                continue
            proof.parts.append(part)
            holds = holds and part.known and not part.broken
            if holds and part.gathered is not None:
                pending.append(part.gathered)
                rows += part.gathered[0].num_rows
                part.gathered = None
                if rows >= _BATCH_ROWS:
                    holds = self._rules_hold(pending, rules)
                    pending, rows = [], 0
            part.gathered = None
        if holds and pending:
            holds = self._rules_hold(pending, rules)
        proof.references_hold = proof.readable and holds
        proof.is_disjoint = proof.readable and self._disjoint(proof.parts)
        if name != REFERENCED:  # the runs served the disjointness proof; only the referenced table keeps them
            for part in proof.parts:
                part.people = None
        self._values[name] = merge_values(values, plan.dictionary) if values else {}
        self._tables[name] = proof

    @staticmethod
    def _disjoint(parts: list[Part]) -> bool:
        """No person is in two parts. Parts whose persons were all found in one persons part each, a different
        one for each part, are disjoint as the persons parts are; otherwise parts whose pnr ranges do not overlap
        are disjoint by their ranges, and a cluster of overlapping ranges (a part written for several
        municipalities at once, as pnr are handed out by municipality) by the blocks of its persons or, failing
        that, by its persons sorted together."""
        aligned = [p.aligned for p in parts]
        if all(a is not None for a in aligned) and len(set(aligned)) == len(aligned):
            return True
        ordered = sorted(parts, key=lambda p: p.first)
        cluster: list[Part] = []
        end = None
        for part in [*ordered, None]:
            if part is not None and end is not None and part.first <= end:
                cluster.append(part)
                end = max(end, part.last)
                continue
            if len(cluster) > 1 and not blocks_disjoint(cluster):
                return False
            if part is not None:
                cluster, end = [part], part.last
        return True

    def unique(self, tf: TableFiles) -> bool:
        """Proven: no primary key occurs twice (sorted parts, no person in two parts)."""
        if not tf.table.primary_key or tf.table.primary_key[0] != "pnr" or "pnr" not in tf.columns:
            return False
        proof = self._proof(tf)
        return proof.readable and all(p.sorted_key for p in proof.parts) and proof.is_disjoint

    def no_overlaps(self, tf: TableFiles) -> bool:
        """Proven: no spell of a person overlaps another of theirs."""
        if tf.table.no_overlap is None or not self.unique(tf):
            return False
        return all(p.no_overlap for p in self._proof(tf).parts)

    def references(self, tf: TableFiles, ref: TableFiles, fk: ForeignKey, rules: list[JoinRule]) -> bool:
        """Proven: every pnr of the table is a person, and every join rule in ``rules`` holds for every row."""
        if not _by_pnr(fk) or ref.table.name != REFERENCED or "pnr" not in tf.columns:
            return False
        proof = self._proof(tf)
        return proof.references_hold and {r.name for r in rules} <= set(proof.rules)

    def release(self, tf: TableFiles) -> None:
        """Nothing to forget per table any more (each proof keeps only verdicts); kept for the checker's calls."""

    def _rules_hold(self, pending: list[tuple[pa.Table, pa.Table]], rules: list[JoinRule]) -> bool:
        """Every join rule false (or null) on every row, the row (``t``) and its person (``r``) side by side. An
        error evaluating a rule proves nothing (the SQL check then runs and reports)."""
        try:
            own = pa.concat_tables([t for t, _ in pending])
            ref = pa.concat_tables([r for _, r in pending])
        except pa.ArrowException:
            return False
        self.con.register("__proof_t", own)
        self.con.register("__proof_r", ref)
        try:
            counts = self.con.execute(
                "SELECT " + ", ".join(f"count(*) FILTER (WHERE {r.violation_sql})" for r in rules)
                + " FROM __proof_t t POSITIONAL JOIN __proof_r r").fetchall()[0]
        except duckdb.Error:
            return False
        finally:
            self.con.unregister("__proof_t")
            self.con.unregister("__proof_r")
        return not any(counts or ())

    def _dates(self, rule: JoinRule, values: pa.Array) -> np.ndarray | None:
        """The window rule's own SQL date for each of ``values`` (of its column) as int32 days, in their order (one
        thread, insertion order preserved), on one of the connection's cursors (check_windows.py); None unless
        every one is a DATE."""
        assert rule.window is not None
        con = self._cursors.get()  # each cursor used by one worker at a time
        con.register("__values", pa.table({rule.columns[0]: values}))
        try:
            dates = con.sql(f"SELECT {rule.window[0]} AS d FROM __values t").to_arrow_table()
        except duckdb.Error:
            return None
        finally:
            con.unregister("__values")
            self._cursors.put(con)
        day = dates.column("d")
        if day.type != pa.date32() or day.null_count:
            return None
        return day.cast(pa.int32()).to_numpy()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        while not self._cursors.empty():
            self._cursors.get().close()
        self.con.close()
        self._persons = None
        self._tables.clear()
