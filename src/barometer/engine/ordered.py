"""Run a ``PersonChain`` one person part at a time, matching keys in numpy instead of hash joining whole tables.

The registers' recommended layout (docs/data-contract.md) splits every person-level table by person, the same way
in every table (part ``X`` of each table holds only persons of ``persons`` part ``X``). Every view of the chain is
computed per person, so the chain can run on one part at a time and the results of the parts be added up. For
each part, on a small DuckDB connection of its own where each register the chain reads names that table's part:

1. the per-person views the steps attach (``person``, ``fulltime_support`` …) are created from their declared SQL,
   which then reads only the part's rows;
2. each ``JoinView`` step reads its driving rows (the register part, or the step before computed) and, for each
   attached table, that table's rows of the part through its declared filter; the row matching each driving row
   is found by its key's slot in the part (barometer.engine.merge: no hash table, no sort) and gathered in the
   driving rows' order;
3. the step's declared select list runs on the driving rows beside the gathered rows (a ``POSITIONAL JOIN``); the
   other steps' declared SQL runs on the step before; the result's declared SQL counts the part's last step.

So every value is computed by the same SQL text as on any engine; only how matching rows are found differs. The
parts' counts and sums are then added up (``joins.combine_sql``) on the main connection. As many parts run at a
time as the main connection has threads (DuckDB and numpy release the GIL), within ``IN_FLIGHT_PERSONS``; the
person-years of the parts in hand are the most ever held in memory.

The pass proves what it relies on as it goes and raises ``NotApplicable`` (the backend then runs every view's
SQL) when any of it fails: every register it reads has the same part names; every row of a part is of a person of
that ``persons`` part; no person is in two ``persons`` parts; and no key of an attached table occurs twice (so a
driving row matches at most one row, as in the join). Then no row can match across parts, and the parts' results
are the whole chain's.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.engine.codes import Codes, carried, is_text
from barometer.engine.joins import Attach, JoinView, PersonChain, attached_columns, columns_read, combine_sql
from barometer.engine.merge import (
    NotApplicable,
    Persons,
    Slots,
    compact,
    dense_match,
    disjoint,
    gather,
    key_column,
    key_span,
    masked,
    slots,
    span_match,
    strictly_increasing,
)
from barometer.engine.model import View
from barometer.engine.overlap import Cancel, close
from barometer.engine.parts import part_pnr, read_part, within
from barometer.engine.slices import Slices, columns_of, held
from barometer.engine.sql import render
from barometer.registers.contract import CONTRACT
from barometer.registers.layout import part_files

IN_FLIGHT_PERSONS = 2 * 1_000_000
"""The most persons of parts computed at a time: what two parts of ``MAX_PART_PERSONS`` hold, which the 6 GiB of a
build allow for (each part's arrays and connection grow with its persons). Within it, as many parts run at a time
as the main connection has threads (``--threads``), so that a machine with more cores uses them."""

MAX_PART_PERSONS = 1_000_000
"""The most persons a part may hold for the per-part pass. Its memory grows with a part's persons (numpy arrays and
Arrow tables outside DuckDB's limit): the synthetic full-scale Denmark in one part per table peaked at 8 GiB this
way, above the build's 6 GiB, while the SQL, under DuckDB's memory limit, spills instead. Larger parts run the SQL."""

_PART_MEMORY = "1GB"
"""DuckDB memory limit of each part's connection (a part is a few hundred thousand persons)."""


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class OrderedPass:
    """One execution of a chain over the parts of a register folder (see the module docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, chain: PersonChain, root: Path, registers: set[str],
                 references: dict[str, pa.Table], params: dict[str, object], cancel: Cancel | None = None) -> None:
        self.con, self.chain, self.root, self.params = con, chain, root, params
        self.cancel = cancel
        """Set while validation runs alongside (barometer.engine.overlap): each part's connection is registered
        with it, so stopping the compute interrupts them, and it is checked before each part and step."""
        self.references = references
        first = chain.steps[0]
        if not isinstance(first, JoinView) or first.driver not in registers:
            raise NotApplicable(f"the first step {first.name} is not a join driven by a register")
        self.sql = {v.name: render(v.sql, "duckdb", params) for v in (*chain.per_person, *chain.steps)}
        self.select: dict[str, str] = {}
        """Each join step's select list without the columns nothing after it reads."""
        for i, step in enumerate(chain.steps):
            if isinstance(step, JoinView):
                after = "\n".join([*(self.sql[s.name] for s in chain.steps[i + 1:]), chain.result.sql])
                self.select[step.name] = step.select_for(after)
        shared = [v.name for v in chain.per_person if v.materialize and v.name not in chain.own and held(con, v.name)]
        """Per-person views the main connection holds already: cut into the parts (barometer.engine.slices)."""
        own = [v for v in chain.per_person if v.name not in shared]
        joins = [s for s in chain.steps if isinstance(s, JoinView)]
        side = "\n".join([*(self.sql[v.name] for v in own),
                          *(self.sql[v.name] for v in chain.steps if not isinstance(v, JoinView)),
                          *(a.where for j in joins for a in j.attach),
                          render(chain.result.sql, "duckdb", params)])
        text = "\n".join([side, *(render(j.pruned(self.select[j.name]).sql, "duckdb", params) for j in joins)])
        """What a part runs (the joins with their pruned select lists), without the shared views' own SQL."""
        read = [t for t in sorted(CONTRACT.tables) if t != chain.persons and re.search(rf"\b{t}\b", text)]
        absent = [t for t in read if t not in registers]
        if absent:
            raise NotApplicable(f"table {', '.join(absent)} is absent")
        self.tables = [chain.persons, *read]
        self.side_tables = [t for t in self.tables[1:] if re.search(rf"\b{t}\b", side)]
        """Registers read other than as a join's driving or attached table: their parts are proven to hold only
        the part's persons when bound (the joins prove it for the rows they match)."""
        self.own = own
        self.kept = self._kept(own, joins)
        others = [*(self.sql[v.name] for v in own), *(a.where for j in joins for a in j.attach)]
        self.coded = {(i, alias): [c for c in columns if carried(c, alias, i, chain.steps, self.select, self.sql,
                                                                others, chain.result)]
                      for i, step in enumerate(chain.steps) if isinstance(step, JoinView)
                      for alias, columns in self._read_by(i, step)}
        """Columns of each join step's driving (``step.alias``) or attached tables that only travel to the result's
        groups: carried as integer codes when they are strings (barometer.engine.codes)."""
        self.codes = Codes()
        self.decode: set[str] = set()
        """The result's columns that hold codes."""
        self.parts = self._aligned_parts()
        self.sizes = self._small_parts()
        self.workers = self._workers(int(con.execute("SELECT current_setting('threads')").fetchall()[0][0]))
        self.shared = {name: Slices(con, name, [c for c in columns_of(con, name)
                                                if c == "pnr" or re.search(rf"\b{c}\b", text)])
                       for name in shared}
        self.persons: dict[str, np.ndarray] = {}
        """Each part's persons (strictly increasing), which ``run`` proves disjoint."""
        self._local = threading.local()
        self._connections: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def _kept(self, own: list[View], joins: list[JoinView]) -> set[str]:
        """The materialised views of ``own`` that a part reads more than once: kept as tables. One read once (a
        view only an attached table's read names, as ``fulltime_support``) is computed once either way, so it is
        created as a view and its rows go straight to that read instead of into a table first."""
        readers = [*(self.sql[v.name] for v in own),
                   *(self.sql[s.name] for s in self.chain.steps if not isinstance(s, JoinView)),
                   *(a.where for j in joins for a in j.attach), *(f'"{a.table}"' for j in joins for a in j.attach),
                   render(self.chain.result.sql, "duckdb", self.params)]
        return {v.name for v in own if v.materialize
                and sum(len(re.findall(rf"\b{re.escape(v.name)}\b", text)) for text in readers) != 1}

    def _read_by(self, index: int, step: JoinView) -> list[tuple[str, list[str]]]:
        """The columns step ``index`` reads from its driving table when that is a register (the first step; later
        steps' rows come from the step before, coded already) and from each attached table, keys left out."""
        select = self.select[step.name]
        keys = {k for a in step.attach for k in a.key}
        read = [(a.alias, columns_read(a.alias, select)) for a in step.attach]
        if index == 0:
            read.append((step.alias, step.driver_columns(select)))
        return [(alias, [c for c in columns if c not in keys]) for alias, columns in read]

    def _encoded(self, rows: pa.Table, index: int, alias: str) -> pa.Table:
        """``rows`` with the string columns of ``coded`` as codes."""
        for column in self.coded.get((index, alias), []):
            if column in rows.column_names and is_text(rows.column(column)):
                rows = rows.set_column(rows.column_names.index(column), column,
                                       self.codes.encode(rows.column(column)))
                with self._lock:
                    self.decode.add(column)
        return rows

    def _small_parts(self) -> list[int]:
        """The persons of each part, from the footers' row counts; refuses parts too large for the pass
        (``MAX_PART_PERSONS``)."""
        sizes = []
        for part in self.parts:
            with pq.ParquetFile(self.root / self.chain.persons / part) as f:
                if f.metadata.num_rows > MAX_PART_PERSONS:
                    raise NotApplicable(f"{self.chain.persons}/{part} holds {f.metadata.num_rows:,} persons, more "
                                        f"than the {MAX_PART_PERSONS:,} a part may hold for the per-part pass")
                sizes.append(f.metadata.num_rows)
        return sizes

    def _workers(self, threads: int) -> int:
        """Parts computed at a time: one per thread of the main connection, but no more than any of them together
        within ``IN_FLIGHT_PERSONS`` (the largest parts counted), and at least one."""
        largest = sorted(self.sizes, reverse=True)
        workers = 1
        while workers < min(threads, len(largest)) and sum(largest[:workers + 1]) <= IN_FLIGHT_PERSONS:
            workers += 1
        return workers

    def _aligned_parts(self) -> list[str]:
        """The part names, the same in every register the chain reads (else the parts cannot be aligned)."""
        names = None
        for table in self.tables:
            these = [f.name for f in part_files(self.root, table)]
            if not these:
                raise NotApplicable(f"table {table} has no parts")
            if names is not None and these != names:
                raise NotApplicable(f"the parts of {table} are not named like those of {self.chain.persons}")
            names = these
        return names or []

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """This thread's own connection, with the reference tables: one thread and insertion order kept, so rows
        come back in the order they were read and the positional joins line up."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = duckdb.connect(":memory:")
            for setting in ("enable_progress_bar = false", "threads = 1", "preserve_insertion_order = true",
                            f"memory_limit = '{_PART_MEMORY}'"):
                con.execute(f"SET {setting}")
            for name, data in self.references.items():
                con.register(f"__{name}", data)
                con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "__{name}"')
                con.unregister(f"__{name}")
            self._local.con = con
            with self._lock:
                self._connections.append(con)
            if self.cancel is not None:
                self.cancel.register(con)
        return con

    def _check(self) -> None:
        if self.cancel is not None:
            self.cancel.check()

    def _bind(self, con: duckdb.DuckDBPyConnection, part: str) -> Persons:
        """Name each register's part ``part`` by the register's name, prove its rows are all of persons of the
        ``persons`` part, and create the per-person views over them; returns those persons."""
        pnr = part_pnr(self.root / self.chain.persons / part)
        if not strictly_increasing(pnr):
            pnr = np.sort(pnr)
            if not strictly_increasing(pnr):
                raise NotApplicable(f"{self.chain.persons}/{part} has a person twice")
        persons = Persons(pnr)
        for table in self.tables:
            path = self.root / table / part
            con.execute(f'CREATE OR REPLACE TEMP VIEW "{table}" AS SELECT * FROM read_parquet({_quote(path)})')
            if table in self.side_tables and not within(path, persons) and not persons.holds(part_pnr(path)):
                raise NotApplicable(f"{table}/{part} has persons of another part")
        slices = {name: shared.rows(persons) for name, shared in self.shared.items()}
        for name, rows in slices.items():
            con.register(name, rows)
        self._local.slices = slices
        for view in self.own:  # a materialised view read more than once is computed once per part
            kind = "TABLE" if view.name in self.kept else "VIEW"
            con.execute(f'CREATE OR REPLACE TEMP {kind} "{view.name}" AS {self.sql[view.name]}')
        return persons

    def _attached(self, con: duckdb.DuckDBPyConnection, step: JoinView, a: Attach, select: str) -> pa.Table:
        """The part's rows of an attached table through its declared filter, in the order they come: the key
        and the columns ``select`` reads."""
        columns = attached_columns(select, a)
        if a.table in self.shared and not a.where.strip():  # the part's rows of a shared view, as they are
            return self._local.slices[a.table].select(columns)
        where = f" WHERE {render(a.where, 'duckdb', self.params)}" if a.where.strip() else ""
        return con.sql(f'SELECT {", ".join(columns)} FROM "{a.table}"{where}').to_arrow_table()

    def _join(self, con: duckdb.DuckDBPyConnection, step: JoinView, index: int, part: str,
              persons: Persons) -> None:
        """Create ``step`` for one part: each attached table's matching rows gathered in the driving rows' order,
        beside them (``POSITIONAL JOIN``), under the declared select list."""
        select = self.select[step.name]
        if index == 0:
            driver = self._encoded(read_part(self.root / step.driver / part, step.driver_columns(select)), index,
                                   step.alias)
        else:
            columns = ", ".join(step.driver_columns(select))
            driver = con.sql(f'SELECT {columns} FROM "{step.driver}"').to_arrow_table()
        con.register(f"__{index}_driver", driver)
        driver_person = persons.index(key_column(driver, "pnr"), f"{step.driver}/{part}")
        joins, keep = [], np.ones(driver.num_rows, bool)
        attached = []
        for a in step.attach:
            if a.key[0] != "pnr" or len(a.key) > 2:
                raise NotApplicable(f"{a.table} is not joined on the person (and at most one more column)")
            rows = self._encoded(self._attached(con, step, a, select), index, a.alias)
            attached.append((a, rows, persons.index(key_column(rows, "pnr"), f"{a.table}/{part}")))
        driving: dict[str, tuple[Slots, int, int]] = {}
        for second in dict.fromkeys(a.key[1] for a in step.attach if len(a.key) == 2):
            values = key_column(driver, second)  # the driving rows' slots, once per step and column
            others = [key_column(rows, second) for a, rows, _ in attached if a.key[1:] == (second,)]
            low, span = key_span(values, others, (2**31 - 1) // max(len(persons), 1))  # slots fit 32 bits
            driving[second] = (slots(len(persons), driver_person, values, low, span), low, span)
        for a, rows, person in attached:
            if len(a.key) == 1:
                at, found = dense_match(slots(len(persons), person, None, 0, 1),
                                        slots(len(persons), driver_person, None, 0, 1), f"{a.table}/{part}")
            else:
                drive, low, span = driving[a.key[1]]
                at, found = span_match(len(persons), person, key_column(rows, a.key[1]), drive, low, span,
                                       f"{a.table}/{part}")
            if a.inner:
                keep &= found
            read = columns_read(a.alias, select)
            if read:  # only the columns the select list reads are gathered
                con.register(f"__{index}_{a.alias}", self._gathered(driver, rows, a, read, at, found))
                joins.append(f"POSITIONAL JOIN __{index}_{a.alias} AS {a.alias}")
        where = ""
        if not keep.all():  # an inner join's driving rows without a match are left out
            con.register(f"__{index}_keep", pa.table({"keep": keep}))
            joins.append(f"POSITIONAL JOIN __{index}_keep AS __keep")
            where = " WHERE __keep.keep"
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{step.name}" AS SELECT {render(select, "duckdb", self.params)} '
                    f"FROM __{index}_driver AS {step.alias} {' '.join(joins)}{where}")

    @staticmethod
    def _gathered(driver: pa.Table, rows: pa.Table, a: Attach, read: list[str], at: np.ndarray,
                  found: np.ndarray) -> pa.Table:
        """The columns ``read`` of the attached ``rows`` at ``at`` (NULL where not ``found``), in the driving rows'
        order. A key column is the driving rows' own column where a row was found: only the others are gathered."""
        columns: dict[str, pa.Array | pa.ChunkedArray] = {}
        others = [c for c in read if c not in a.key or rows.schema.field(c).type != driver.schema.field(c).type]
        if others:
            gathered = gather(compact(rows.select(others)), at, found)
            columns.update(zip(others, gathered.columns, strict=True))
        for c in read:
            if c not in columns:
                key = masked(driver.column(c), found)
                columns[c] = key if key is not None else gather(rows.select([c]), at, found).column(0)
        return pa.table([columns[c] for c in read], names=read)

    def part(self, part: str) -> pa.Table:
        """The result's SQL over the persons of one part (the part's counts and sums)."""
        self._check()
        con = self._connection()
        persons = self._bind(con, part)
        with self._lock:
            self.persons[part] = persons.pnr
        for index, step in enumerate(self.chain.steps):
            self._check()
            if isinstance(step, JoinView):
                self._join(con, step, index, part, persons)
            else:
                con.execute(f'CREATE OR REPLACE TEMP VIEW "{step.name}" AS {self.sql[step.name]}')
        return con.sql(render(self.chain.result.sql, "duckdb", self.params)).to_arrow_table()

    def run(self) -> None:
        """Create ``chain.result`` in the main connection's database (its cursors read it too), or raise
        ``NotApplicable`` having created nothing."""
        result = self.chain.result
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                partials = list(pool.map(self.part, self.parts))
            if not disjoint([self.persons[p] for p in self.parts]):
                raise NotApplicable(f"a person is in two parts of {self.chain.persons}")
            schema = partials[0].schema
            self.con.register("__partials", pa.concat_tables([t.cast(schema) for t in partials]))
            try:
                combined = f"{combine_sql(result, '__partials')}"
                if self.decode:  # the few combined rows get their strings back
                    cells = self.con.sql(combined).to_arrow_table()
                    for column in self.decode:
                        cells = cells.set_column(cells.column_names.index(column), column,
                                                 self.codes.decode(cells.column(column)))
                    self.con.register("__cells", cells)
                    combined = "SELECT * FROM __cells"
                self.con.execute(f'CREATE OR REPLACE TABLE "{result.name}" AS {combined}')
            finally:
                self.con.unregister("__partials")
                if self.decode:
                    self.con.unregister("__cells")
        finally:
            for con in self._connections:
                close(con, self.cancel)


def run_chain(con: duckdb.DuckDBPyConnection, chain: PersonChain, root: Path, registers: set[str],
              references: dict[str, pa.Table], params: dict[str, object], cancel: Cancel | None = None) -> None:
    """Compute ``chain.result`` part by part on ``con`` (raises ``NotApplicable`` when the registers do not allow
    it; nothing is created then; ``Cancelled`` or DuckDB's interrupt when ``cancel`` stops it)."""
    OrderedPass(con, chain, root, registers, references, params, cancel).run()
