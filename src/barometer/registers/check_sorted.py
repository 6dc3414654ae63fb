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
  (a positional join); an interval rule only on each person's first and last row (``JoinRule.interval``).

Each part is read once, only its key, spell and join-rule columns (``read_columns``), and every proof of the
table is made from what was read (check_parts.py), two parts at a time. A proof never reports anything: whenever
it cannot prove a rule (a part not in that order, a person in two parts, a null key, an unknown person, a broken
rule), ``ValueChecker`` runs its exact SQL check, which finds and reports the offending rows as before. The
layout makes validation faster, never different.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from barometer.registers.check_files import TableFiles
from barometer.registers.check_parts import (
    Part,
    Persons,
    blocks_disjoint,
    part_proof,
    read_columns,
    strictly_increasing,
)
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


class SortedProof:
    """Proofs over the parts of each table, computed once per table and asked for by ``ValueChecker``."""

    def __init__(self) -> None:
        self.con = duckdb.connect()  # its own: the checker's connection may hold an unfinished result
        self.con.execute("SET enable_progress_bar = false")
        self._files: dict[str, TableFiles] = {}
        self._tables: dict[str, _TableProof] = {}
        self._persons: Persons | None = None
        self._lock = threading.Lock()

    def add(self, tf: TableFiles) -> None:
        """A table the checker will ask about (the referenced table is proven on demand before the others)."""
        self._files[tf.table.name] = tf

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
            self._persons = Persons(self._tables[REFERENCED].parts)
        return self._persons, join_rules(tf, ref)

    def _proof(self, tf: TableFiles) -> _TableProof:
        name = tf.table.name
        if name in self._tables:
            return self._tables[name]
        table = tf.table
        lookup = self._persons_for(tf)
        persons, rules = lookup if lookup is not None else (None, [])
        keep = _referenced_columns(table, tf.columns) if name == REFERENCED else []
        columns = read_columns(table, tf.columns, rules, keep)
        extremes = _extremes_decide(table, rules)
        proof = _TableProof(rules=tuple(r.name for r in rules))
        pending: list[tuple[pa.Table, pa.Table]] = []
        rows, holds = 0, persons is not None

        def one(path):
            return part_proof(table, path, columns, keep, persons, rules, extremes, self._lock, tf.metadata.get(path))

        # Parts are independent: two at a time (reading and the numpy passes release the GIL).
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for part in pool.map(one, tf.files):
                if part is None:
                    proof.readable = False
                    break
                if part.rows == 0:
                    continue
                proof.parts.append(part)
                holds = holds and part.known
                if holds and part.gathered is not None:
                    pending.append(part.gathered)
                    rows += part.gathered[0].num_rows
                    part.gathered = None
                    if rows >= _BATCH_ROWS:
                        holds = self._rules_hold(pending, rules)
                        pending, rows = [], 0
        if holds and pending:
            holds = self._rules_hold(pending, rules)
        proof.references_hold = proof.readable and holds
        proof.is_disjoint = proof.readable and self._disjoint(proof.parts)
        if name != REFERENCED:  # the runs served the disjointness proof; only the referenced table keeps them
            for part in proof.parts:
                part.people = None
        self._tables[name] = proof
        return proof

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

    def close(self) -> None:
        self.con.close()
        self._persons = None
        self._tables.clear()
