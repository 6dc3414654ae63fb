"""Value checks pushed into DuckDB: nulls, codes, ranges, row rules, duplicate keys and references.

Each table's row-level checks run as ONE aggregate scan (a count per check); only checks that found something
run a second, LIMITed query for the first offending rows. Duplicate keys and references are one grouped or
anti-join query each. That keeps validation to a few scans per table at millions of rows.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.registers.check_files import TableFiles
from barometer.registers.check_sorted import SortedProof, join_rules
from barometer.registers.check_stats import ColumnStats, proves_not_null, proves_range, table_stats
from barometer.registers.contract import domain_codes
from barometer.registers.report import Problem, ProblemKind
from barometer.registers.schema import Column, ForeignKey, Table

DOMAIN_KINDS: dict[str, ProblemKind] = {"municipality": "unknown_municipality", "country": "unknown_country"}


@dataclass(frozen=True)
class RowCheck:
    column: str | None
    kind: ProblemKind
    condition: str
    message: str
    footer: str | None = None  # "not_null" or "range": a check the Parquet footers may prove (check_stats.py)
    columns: tuple[str, ...] = ()  # the columns ``condition`` reads (one: the dictionaries may prove it)


def q(name: str) -> str:
    """Quote an identifier (some contract columns, e.g. ``group``, are SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


CodeTest = Callable[[str, list[str | int]], str]


def in_list(column_sql: str, allowed: list[str | int]) -> str:
    """SQL that is TRUE when the value is not in ``allowed`` (plain IN list; fine for a few codes)."""
    return f"{column_sql} NOT IN ({', '.join(map(literal, allowed))})"


def column_codes(column: Column) -> list[str | int]:
    """The codes a column's values must be one of (its own list or its domain's; empty: any value)."""
    return list(column.codes) if column.codes else list(domain_codes(column.domain)) if column.domain else []


def _column_checks(column: Column, not_allowed: CodeTest) -> list[RowCheck]:
    c = q(column.name)
    checks = []
    if not column.nullable:
        checks.append(RowCheck(column.name, "null_value", f"{c} IS NULL", f"{column.name} is null", "not_null",
                               (column.name,)))
    allowed = column_codes(column)
    if allowed:
        kind = DOMAIN_KINDS.get(column.domain or "", "unknown_code")
        shown = ", ".join(str(a) for a in allowed) if len(allowed) <= 12 else f"{len(allowed)} {column.domain} codes"
        checks.append(
            RowCheck(
                column.name,
                kind,
                f"{c} IS NOT NULL AND {not_allowed(c, allowed)}",
                f"{column.name} is not an allowed code ({shown})",
                columns=(column.name,),
            )
        )
    if column.minimum is not None and column.maximum is not None:
        kind = "date_out_of_range" if column.type == "date" else "out_of_range"
        lo, hi = literal(column.minimum), literal(column.maximum)
        checks.append(
            RowCheck(
                column.name,
                kind,
                f"NOT ({c} BETWEEN {lo} AND {hi})",
                f"{column.name} is outside {column.minimum} … {column.maximum}",
                "range",
                (column.name,),
            )
        )
    return checks


def row_checks(table: Table, columns: list[str], not_allowed: CodeTest = in_list) -> list[RowCheck]:
    """Every row-level check whose columns all have the contract type (others were reported as wrong_type)."""
    checks = [check for name in columns for check in _column_checks(table.column(name), not_allowed)]
    for rule in table.rules:
        if all(c in columns for c in rule.columns):
            checks.append(RowCheck(rule.columns[-1], rule.kind, f"({rule.violation_sql})", rule.message,
                                   columns=rule.columns))
    return checks


def register_view(con: duckdb.DuckDBPyConnection, tf: TableFiles) -> None:
    files = ", ".join(literal(str(p)) for p in tf.files)
    cols = ", ".join(q(c) for c in tf.columns)
    con.execute(
        f"CREATE OR REPLACE VIEW {q(tf.table.name)} AS SELECT {cols}, filename, file_row_number "
        f"FROM read_parquet([{files}], filename = true, file_row_number = true, union_by_name = true)"
    )


class ValueChecker:
    """Runs the SQL checks of every table registered with it, collecting Problems."""

    def __init__(self, root: Path, max_examples: int, problems: list[Problem]):
        self.root = root
        self.max_examples = max_examples
        self.problems = problems
        self.con = duckdb.connect()
        # Never trust Parquet min/max statistics while validating: pyarrow leaves NaN out of them, and with
        # these optimizers on DuckDB prunes or folds away exactly the rows a check is looking for
        # (tests/registers: test_hours_outside_0_to_168[nan] fails with them on).
        self.con.execute("SET disabled_optimizers = 'filter_pushdown,statistics_propagation'")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET temp_directory = {literal(tempfile.mkdtemp(prefix='barometer-validate-'))}")
        self._enums: dict[tuple[str | int, ...], str] = {}
        self.usable: dict[str, TableFiles] = {}
        self.proof = SortedProof()
        self._stats: dict[str, dict[str, ColumnStats]] = {}
        self._views: set[str] = set()
        self._unproven_checks: dict[str, list[RowCheck]] = {}

    def _view(self, *tables: TableFiles) -> None:
        """The SQL views of ``tables``, created when a check first needs one (most are proven without)."""
        for tf in tables:
            if tf.table.name not in self._views:
                register_view(self.con, tf)
                self._views.add(tf.table.name)

    def close(self) -> None:
        temp = self.con.execute("SELECT current_setting('temp_directory')").fetchone()
        self.con.close()
        self.proof.close()
        if temp:
            shutil.rmtree(temp[0], ignore_errors=True)

    def _not_allowed(self, column_sql: str, allowed: list[str | int]) -> str:
        """String codes are tested by casting to an ENUM (a hash lookup; an IN list of 98+ codes is 20x slower)."""
        if not all(isinstance(a, str) for a in allowed):
            return in_list(column_sql, allowed)
        key = tuple(allowed)
        if key not in self._enums:
            self._enums[key] = f"codes_{len(self._enums)}"
            self.con.execute(f"CREATE TYPE {self._enums[key]} AS ENUM ({', '.join(map(literal, allowed))})")
        return f"TRY_CAST({column_sql} AS {self._enums[key]}) IS NULL"

    def add(self, tf: TableFiles) -> None:
        """A table to check; its parts are read when ``run`` starts (with the columns whose dictionaries may prove
        a check)."""
        if tf.files and tf.columns:
            self.usable[tf.table.name] = tf
            single = {c.columns[0] for c in self._footers_unproven(tf) if len(c.columns) == 1}
            self.proof.add(tf, {name: tf.table.column(name).arrow_type for name in single})

    def run(self) -> None:
        """Each table's checks in contract order; its references right after it when the tables it references
        are done (persons come first), so that the proofs can forget a table's runs before reading the next."""
        self.proof.start()
        done: set[str] = set()
        deferred: list[TableFiles] = []
        for name in list(self.usable):
            self._check_table(name)
            done.add(name)
            if (tf := self.usable.get(name)) is None:
                continue
            if all(fk.ref_table in done for fk in tf.table.foreign_keys):
                self._check_references(tf)
            else:
                deferred.append(tf)
        for tf in deferred:
            self._check_references(tf)

    def _check_table(self, name: str) -> None:
        try:
            tf = self.usable[name]
            self._check_rows(tf)
            if not self.proof.unique(tf):
                self._check_duplicates(tf)
            if not self.proof.no_overlaps(tf):
                self._check_overlaps(tf)
        except duckdb.Error as exc:
            self.problems.append(
                Problem(
                    table=name,
                    file=self._file_in(str(exc)) or self._unreadable_part(self.usable[name]) or name,
                    kind="unreadable_file",
                    message=f"reading the table failed: {exc}",
                )
            )
            del self.usable[name]

    def _check_references(self, tf: TableFiles) -> None:
        for fk in tf.table.foreign_keys:
            try:
                self._check_foreign_key(tf, fk)
            except duckdb.Error as exc:  # a corrupt page only the join reads
                self.problems.append(
                    Problem(
                        table=tf.table.name,
                        file=self._file_in(str(exc)),
                        kind="unreadable_file",
                        message=f"reading failed: {exc}",
                    )
                )
        self.proof.release(tf)

    def _file_in(self, message: str) -> str | None:
        """The register file a DuckDB error names, relative to the folder (None if it names none)."""
        match = re.search(r'file "([^"]+)"', message)
        if not match:
            return None
        path = Path(match.group(1))
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def _unreadable_part(self, tf: TableFiles) -> str | None:
        """The first part that fails a scan of every value, for errors that name no file (a garbled page header
        of a plainly encoded column says only what it could not decode); None if each part reads on its own."""
        cols = ", ".join(f"min({q(c)})" for c in tf.columns)
        for path in tf.files:
            try:
                self.con.execute(f"SELECT {cols} FROM read_parquet({literal(str(path))})").fetchall()
            except duckdb.Error:
                return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        return None

    def _key_columns(self, tf: TableFiles) -> list[str]:
        key = tf.table.primary_key or (("pnr",) if tf.table.has_column("pnr") else ())
        return [c for c in key if c in tf.columns]

    def _emit(
        self,
        tf: TableFiles,
        rows: list[tuple],
        keys: list[str],
        column: str | None,
        kind: ProblemKind,
        message: str,
        total: int,
        value_index: int | None,
    ) -> None:
        for row in rows:
            filename, row_number, *rest = row
            key = {k: str(v) for k, v in zip(keys, rest, strict=False)}
            value = rest[value_index] if value_index is not None else None
            self.problems.append(
                Problem(
                    table=tf.table.name,
                    column=column,
                    file=Path(filename).relative_to(self.root).as_posix(),
                    row=row_number,
                    key=key or None,
                    value=None if value is None else str(value),
                    kind=kind,
                    message=message,
                    count=total,
                )
            )

    def _check_rows(self, tf: TableFiles) -> None:
        """All row checks of a table in one counting scan; examples only for the checks that found something.

        (Collecting examples inside the same scan costs 7x more: the example structs are built for every row.)
        """
        checks = self._unproven(tf)
        if not checks:
            return
        self._view(tf)
        view = q(tf.table.name)
        counts = self.con.execute(
            "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.condition})" for c in checks) + f" FROM {view}"
        ).fetchall()[0]  # the whole result: DuckDB refuses to register a table while one is unfinished
        keys = self._key_columns(tf)
        for check, total in zip(checks, counts or (), strict=True):
            if not total:
                continue
            value_col = [q(check.column)] if check.column else []
            rows = self.con.execute(
                f"SELECT filename, file_row_number, {', '.join([*map(q, keys), *value_col]) or 'NULL'} "
                f"FROM {view} WHERE {check.condition} ORDER BY filename, file_row_number LIMIT {self.max_examples}"
            ).fetchall()
            self._emit(
                tf, rows, keys, check.column, check.kind, check.message, total, len(keys) if check.column else None
            )

    def _unproven(self, tf: TableFiles) -> list[RowCheck]:
        """The row checks neither the footers nor the dictionaries prove: the ones the value scan runs."""
        return self._dictionaries_prove(tf, self._footers_unproven(tf))

    def _footers_unproven(self, tf: TableFiles) -> list[RowCheck]:
        """The row checks the footers do not prove (worked out once per table)."""
        if tf.table.name not in self._unproven_checks:
            self._unproven_checks[tf.table.name] = [
                c for c in row_checks(tf.table, tf.columns, self._not_allowed) if not self._footers_prove(tf, c)]
        return self._unproven_checks[tf.table.name]

    @staticmethod
    def _footer(tf: TableFiles) -> Callable[[Path], pq.FileMetaData]:
        """The footers check_table_files read, else read again."""
        return lambda path: tf.metadata[path] if path in tf.metadata else pq.read_metadata(path)

    def _footers_prove(self, tf: TableFiles, check: RowCheck) -> bool:
        """A null or range check that every part's footer statistics settle (check_stats.py)."""
        if check.footer is None or check.column is None:
            return False
        if tf.table.name not in self._stats:
            self._stats[tf.table.name] = table_stats(tf.files, tf.table, tf.columns, self._footer(tf))
        stats = self._stats[tf.table.name].get(check.column)
        if check.footer == "not_null":
            return proves_not_null(stats)
        return proves_range(stats, tf.table.column(check.column))

    def _dictionaries_prove(self, tf: TableFiles, checks: list[RowCheck]) -> list[RowCheck]:
        """``checks`` without those of one column that no dictionary entry of it (nor a null) breaks: each
        check's own condition evaluated on the column's distinct values (check_dictionaries.py)."""
        by_column: dict[str, list[RowCheck]] = {}
        for check in checks:
            if len(check.columns) == 1:
                by_column.setdefault(check.columns[0], []).append(check)
        proven: set[int] = set()
        for name, values in self.proof.dictionaries(tf).items():
            if name not in by_column:
                continue
            self.con.register("__dictionary", pa.table({name: pa.concat_arrays([values, pa.nulls(1, values.type)])}))
            try:
                counts = self.con.execute(
                    "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.condition})" for c in by_column[name])
                    + " FROM __dictionary").fetchall()[0]
            except duckdb.Error:
                continue
            finally:
                self.con.unregister("__dictionary")
            proven |= {id(c) for c, n in zip(by_column[name], counts or (), strict=True) if n == 0}
        return [c for c in checks if id(c) not in proven]

    def _check_duplicates(self, tf: TableFiles) -> None:
        """Keys occurring more than once, found by sorting (a window over the first key column) rather than a
        GROUP BY: with ~80 million distinct keys the hash aggregate is 3x slower and needs more memory.
        File/row lookup only for the first few duplicated keys. ``count`` is the number of duplicated keys."""
        pk = list(tf.table.primary_key)
        if not pk or not all(c in tf.columns for c in pk):
            return
        self._view(tf)
        view, cols = q(tf.table.name), ", ".join(map(q, pk))
        first, rest = q(pk[0]), [q(c) for c in pk[1:]]
        if rest:
            current = "{" + ", ".join(f"'k{n}': {c}" for n, c in enumerate(rest)) + "}"
            repeat = f"{current} = lag({current}) OVER (PARTITION BY {first} ORDER BY {', '.join(rest)})"
        else:
            repeat = f"row_number() OVER (PARTITION BY {first}) > 1"
        dup_keys = f"SELECT DISTINCT {cols} FROM (SELECT {cols}, {repeat} AS dup FROM {view}) WHERE dup"
        [(total,)] = self.con.execute(f"SELECT count(*) FROM ({dup_keys})").fetchall()
        if not total:
            return
        rows = self.con.execute(
            f"WITH d AS ({dup_keys} ORDER BY {cols} LIMIT {self.max_examples}) "
            f"SELECT min({{'f': t.filename, 'r': t.file_row_number}}) AS first, "
            f"{', '.join(f'd.{q(c)}' for c in pk)}, count(*) "
            f"FROM {view} t JOIN d USING ({cols}) GROUP BY {', '.join(f'd.{q(c)}' for c in pk)} "
            f"ORDER BY first"
        ).fetchall()
        for first_row, *key, n in rows:
            self._emit(
                tf,
                [(first_row["f"], first_row["r"], *key)],
                pk,
                ",".join(pk),
                "duplicate_key",
                f"key ({', '.join(pk)}) occurs {n} times",
                total,
                None,
            )

    def _check_overlaps(self, tf: TableFiles) -> None:
        """Spells of one person that overlap (``Table.no_overlap``): one sorted window pass per table. A row is
        flagged when it starts on or before the latest end (null = open) of the person's earlier rows, so each
        overlapping spell after the first is reported; the value shown is the flagged row's start."""
        rule = tf.table.no_overlap
        if rule is None or not all(c in tf.columns for c in (*rule.partition, rule.start, rule.end)):
            return
        self._view(tf)
        view, start, end = q(tf.table.name), q(rule.start), q(rule.end)
        part = ", ".join(map(q, rule.partition))
        keys = self._key_columns(tf)
        known = " AND ".join(f"{q(c)} IS NOT NULL" for c in (*rule.partition, rule.start))
        flagged = (
            f"SELECT *, max(coalesce({end}, DATE '9999-12-31')) OVER (PARTITION BY {part} "
            f"ORDER BY {start}, filename, file_row_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) "
            f"AS _earlier_end FROM {view} WHERE {known}"
        )
        [(total,)] = self.con.execute(f"SELECT count(*) FROM ({flagged}) WHERE _earlier_end >= {start}").fetchall()
        if not total:
            return
        rows = self.con.execute(
            f"SELECT filename, file_row_number, {', '.join([*map(q, keys), start])} FROM ({flagged}) "
            f"WHERE _earlier_end >= {start} ORDER BY filename, file_row_number LIMIT {self.max_examples}"
        ).fetchall()
        self._emit(tf, rows, keys, rule.start, "overlapping_spells", rule.message, total, len(keys))

    def _check_foreign_key(self, tf: TableFiles, fk: ForeignKey) -> None:
        """References and join rules over one foreign key in a single LEFT JOIN (a second one only for examples)."""
        ref = self.usable.get(fk.ref_table)
        if ref is None or not ref.complete:
            return  # the broken referenced table is reported already
        if not all(c in tf.columns for c in fk.columns) or not all(c in ref.columns for c in fk.ref_columns):
            return  # the missing or mistyped key column is reported already
        rules = join_rules(tf, ref)
        if self.proof.references(tf, ref, fk, rules):
            return
        self._view(tf, ref)
        ref_cols = ", ".join(q(c) for c in dict.fromkeys((*fk.ref_columns, *(c for r in rules for c in r.ref_columns))))
        match = " AND ".join(f"r.{q(rc)} = t.{q(c)}" for c, rc in zip(fk.columns, fk.ref_columns, strict=True))
        joined = (
            f"FROM {q(tf.table.name)} t LEFT JOIN (SELECT {ref_cols}, TRUE AS _found FROM {q(fk.ref_table)}) r "
            f"ON {match}"
        )
        not_null = " AND ".join(f"t.{q(c)} IS NOT NULL" for c in fk.columns)
        kind: ProblemKind = "unknown_person" if fk.ref_table == "persons" else "unknown_reference"
        checks = [
            RowCheck(
                ",".join(fk.columns),
                kind,
                f"{not_null} AND r._found IS NULL",
                f"({', '.join(fk.columns)}) not found in {fk.ref_table}",
            )
        ]
        checks += [RowCheck(r.columns[-1], r.kind, f"r._found AND ({r.violation_sql})", r.message) for r in rules]
        counts = self.con.execute(
            "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.condition})" for c in checks) + f" {joined}"
        ).fetchall()[0]
        keys = self._key_columns(tf)
        for index, (check, total) in enumerate(zip(checks, counts or (), strict=True)):
            if not total:
                continue
            value = [] if index == 0 else [f"t.{q(check.column or '')}"]
            select = ", ".join([*(f"t.{q(c)}" for c in keys), *value]) or "NULL"
            rows = self.con.execute(
                f"SELECT t.filename, t.file_row_number, {select} {joined} WHERE {check.condition} "
                f"ORDER BY t.filename, t.file_row_number LIMIT {self.max_examples}"
            ).fetchall()
            self._emit(tf, rows, keys, check.column, check.kind, check.message, total, len(keys) if value else None)
