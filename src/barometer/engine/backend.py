"""Run the declarations on DuckDB: register tables, create the derived views, evaluate each item.

A backend needs only four operations (register Parquet tables, register small reference tables, create a view or
materialised table from SQL, run a query to Arrow), so a Spark backend implements the same four with
``spark.read.parquet``/``createOrReplaceTempView``/``CACHE TABLE`` and runs the very same rendered SQL.

Every table the items read (registers, reference tables, materialised views) lives in the connection's in-memory
database, not in its temporary schema: a cursor of the connection sees them, so ``evaluate_each`` runs several
items' queries at once, each on a cursor of its own (one query of an item leaves part of the machine idle).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.engine.joins import PersonChain
from barometer.engine.merge import NotApplicable
from barometer.engine.model import ITEM_COLUMNS, Definition, View
from barometer.engine.ordered import run_chain
from barometer.engine.overlap import POLL_SECONDS, Cancel, Cancelled, close
from barometer.engine.sql import render
from barometer.engine.views import PERSON_CHAINS
from barometer.registers.contract import CONTRACT
from barometer.registers.layout import part_files

ITEM_STREAMS = 2
"""Items evaluated at once by ``evaluate_each``, each on a cursor of its own. A single item's query keeps about 1.7
of two cores busy (its joins and aggregates have serial stretches); two at a time fill them, for the same CPU
seconds (measured in docs/engine.md)."""

DEFAULT_MEMORY_LIMIT = "5.5GB"
"""DuckDB's memory limit (5.12 GiB): with the process around it (Python, Arrow, the release being assembled) the
build stays below 6 GiB; beyond it joins, aggregates and materialised views spill to ``temp_directory``."""


class DuckDBBackend:
    dialect = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
                 cancel: Cancel | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        self.cancel = cancel
        """Set when the build computes while validating (barometer.engine.overlap): stopping it interrupts this
        connection and the per-part pass's, and every later query raises instead of starting."""
        if cancel is not None:
            cancel.register(self.con)
        self.con.execute("SET enable_progress_bar = false")  # the CLI shows its own progress; keep stderr clean
        # Joins and sorts beyond the limit spill to a private temporary folder instead of growing without bound.
        self.spill = Path(tempfile.mkdtemp(prefix="barometer-engine-"))
        self.con.execute(f"SET temp_directory = '{self.spill}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
                raise ValueError(f"memory limit {memory_limit!r} is not like '6GB'")
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        # Deterministic output order is imposed by the build's final sort; insertion order is not needed.
        self.con.execute("SET preserve_insertion_order = false")
        self.root: Path | None = None
        self.present: set[str] = set()
        self.chains: tuple[PersonChain, ...] = PERSON_CHAINS
        self.references: dict[str, pa.Table] = {}
        self.strategy: dict[str, str] = {}
        """How each chain's result was computed: ``ordered`` (part by part, barometer.engine.ordered) or ``sql``
        with the reason the ordered pass did not apply."""

    def register_registers(self, root: Path) -> set[str]:
        """A view per contract table over its Parquet parts; returns the tables present."""
        present = set()
        for name, table in CONTRACT.tables.items():
            files = part_files(root, name)
            if files:
                paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
                self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{paths}])')
                present.add(name)
            else:  # an absent optional table: an empty table of the right shape keeps SQL valid
                self.con.register(f"__empty_{name}", table.arrow_schema().empty_table())
                self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "__empty_{name}"')
                self.con.unregister(f"__empty_{name}")  # a registered table is the connection's own
        self.root, self.present = Path(root), present
        return present

    def column_range(self, table: str, column: str) -> tuple[Any, Any] | None:
        """The least and greatest non-null value of a register column, from the statistics in its Parquet parts'
        footers (a few kilobytes each), instead of a scan of every value; None when some row group lacks them
        (the caller then scans) or the table has no rows."""
        if self.root is None or table not in self.present:
            return None
        low: Any = None
        high: Any = None
        for path in part_files(self.root, table):
            meta = pq.read_metadata(path)
            index = meta.schema.to_arrow_schema().get_field_index(column)
            if index < 0:
                return None
            for g in range(meta.num_row_groups):
                chunk = meta.row_group(g).column(index)
                if chunk.num_values == 0:
                    continue
                stats = chunk.statistics
                if stats is None or not stats.has_min_max:
                    return None
                low = stats.min if low is None else min(low, stats.min)
                high = stats.max if high is None else max(high, stats.max)
        return None if low is None else (low, high)

    def register_reference(self, name: str, data: pa.Table) -> None:
        self.references[name] = data  # the ordered pass gives each part's connection the same tables
        self.con.register(f"__{name}", data)
        self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "__{name}"')
        self.con.unregister(f"__{name}")

    def _check(self) -> None:
        if self.cancel is not None:
            self.cancel.check()

    def create_view(self, view: View, params: dict[str, object]) -> None:
        self._check()
        if self._ordered(view, params):
            return
        sql = render(view.sql, self.dialect, params)
        kind = "TABLE" if view.materialize else "VIEW"  # the database's, so cursors see it
        self.con.execute(f'CREATE OR REPLACE {kind} "{view.name}" AS {sql}')

    def _ordered(self, view: View, params: dict[str, object]) -> bool:
        """Whether ``view`` is part of a chain computed part by part (and needs no SQL of its own). The first time
        one of a chain's skipped steps is due, its result is computed by the ordered pass, when it applies;
        otherwise every step runs its SQL as declared."""
        for chain in self.chains:
            if view.name not in (*chain.skipped, chain.result.name):
                continue
            result = chain.result.name
            if result not in self.strategy:
                try:
                    if self.root is None:
                        raise NotApplicable("no register folder")
                    run_chain(self.con, chain, self.root, self.present, self.references, params, self.cancel)
                    self.strategy[result] = "ordered"
                except NotApplicable as exc:
                    self.strategy[result] = f"sql: {exc}"
            return self.strategy[result] == "ordered"
        return False

    def drop_view(self, name: str) -> None:
        """Drop a materialised view no longer read (its memory goes back to DuckDB's buffer pool)."""
        self.con.execute(f'DROP TABLE IF EXISTS "{name}"')

    def query(self, sql: str) -> pa.Table:
        self._check()
        return self.con.sql(sql).to_arrow_table()

    def evaluate(self, definition: Definition, params: dict[str, object], national_only: bool) -> pa.Table:
        """The item for every area: municipal rows summed into regions and the country by one join."""
        return self.query(item_query(definition, self.dialect, params, national_only))

    def evaluate_each(self, jobs: Sequence[tuple[Definition, bool]], params: dict[str, object]) -> Evaluations:
        """``evaluate(definition, params, national_only)`` of each job, in the jobs' order, up to ``ITEM_STREAMS``
        of the queries at once on cursors of their own, started at once: the caller does its own work (the
        registers' coverage, each item's rows) while they run. See ``Evaluations``."""
        return Evaluations(self, jobs, params)

    def close(self) -> None:
        close(self.con, self.cancel)
        shutil.rmtree(self.spill, ignore_errors=True)


class Evaluations(Iterator[pa.Table]):
    """The items' tables in the jobs' order, computed by a pool of ``ITEM_STREAMS`` threads from the start, each
    on a cursor of the backend's connection (the tables the items read are that connection's database's).
    ``close`` (also on leaving early: an error) cancels the queries not started, interrupts the running ones,
    waits for the threads and closes the cursors; the cursors are registered with the backend's ``cancel``, so a
    stopped compute interrupts them too."""

    def __init__(self, backend: DuckDBBackend, jobs: Sequence[tuple[Definition, bool]],
                 params: dict[str, object]) -> None:
        self.backend, self.params = backend, params
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._next = 0
        self._closed = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=ITEM_STREAMS, thread_name_prefix="barometer-item")
        self._futures: list[Future[pa.Table]] = [self._pool.submit(self._run, job) for job in jobs]

    def _run(self, job: tuple[Definition, bool]) -> pa.Table:
        backend = self.backend
        backend._check()
        if self._closed.is_set():
            raise Cancelled("the items' evaluation was closed")
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = backend.con.cursor()
            cursor.execute("SET enable_progress_bar = false")  # a cursor's own setting
            with self._lock:
                self._cursors.append(cursor)
            if backend.cancel is not None:
                backend.cancel.register(cursor)
        return cursor.sql(item_query(job[0], backend.dialect, self.params, job[1])).to_arrow_table()

    def __next__(self) -> pa.Table:
        if self._closed.is_set() or self._next >= len(self._futures):
            self.close()
            raise StopIteration
        future = self._futures[self._next]
        self._next += 1
        try:
            return future.result()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        for future in self._futures:
            future.cancel()
        # An interrupt reaches only a running query: one a thread was about to start when it came would run to its
        # end, so the cursors are interrupted again until every query has ended.
        while wait(self._futures, timeout=POLL_SECONDS).not_done:
            with self._lock:
                for cursor in self._cursors:
                    cursor.interrupt()
        self._pool.shutdown(wait=True)
        for cursor in self._cursors:
            close(cursor, self.backend.cancel)


def item_query(definition: Definition, dialect: str, params: dict[str, object], national_only: bool) -> str:
    """Wrap an item's municipal SQL so every area level is a sum over the same municipal rows."""
    body = render(definition.sql, dialect, params)
    extra = "".join(f", CAST(SUM(i.{c}) AS DOUBLE) AS {c}" for c in definition.extra_columns)
    sums = ", ".join(f"CAST(SUM(i.{c}) AS DOUBLE) AS {c}" for c in ITEM_COLUMNS[2:])
    where = "WHERE a.area_code = '000'" if national_only else ""
    return f"""
WITH item AS ({body})
SELECT a.area_code, i.period, {sums}{extra}
FROM item i JOIN ref_area_map a ON a.municipality = i.municipality
{where}
GROUP BY a.area_code, i.period
"""
