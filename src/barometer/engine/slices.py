"""A per-person view the main connection already holds, fetched once and cut into each person part's rows.

The per-part execution of a ``PersonChain`` (barometer.engine.ordered) needs, for each part, the rows of the
per-person views its steps attach. A view that the build has already materialised on the main connection (such as
``person``, which other views read too) need not be computed again from each part's registers: it was computed from
all of them, and a per-person view's rows for a set of persons are exactly its rows whose ``pnr`` is one of them
(``PersonChain.per_person``), whichever part the registers it read put them in. So its rows are fetched once,
ordered by person, and each part takes the run of rows of its own persons: one binary search per part instead of
the view's SQL (its joins and the registers it reads) once per part. Nothing about the registers' parts needs to
be proven for it, and the registers only it reads need not be aligned by part at all.
"""

from __future__ import annotations

from itertools import pairwise

import duckdb
import numpy as np
import pyarrow as pa

from barometer.engine.merge import NotApplicable, Persons, compact, key_column, match, strictly_increasing

MAX_RUNS = 10_000
"""Rows in more runs than this are sorted instead (a Python loop over the runs would cost more)."""


def held(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether ``con`` holds a table ``name`` (a materialised view), as opposed to a view computed when read."""
    return bool(con.execute("SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


def columns_of(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The columns of the table ``name`` on ``con``."""
    return [row[0] for row in con.execute(f'DESCRIBE "{name}"').fetchall()]


class Slices:
    """The rows of a table of ``con`` (``columns`` of it, ``pnr`` among them), ordered by person, from which each
    part takes the rows of its persons (``rows``). String columns are dictionary-encoded once, so that a part's
    rows and the rows gathered from them copy small integers (DuckDB reads them as the same VARCHAR values).

    A table the build materialised comes back as a few runs of rows sorted by person (each thread's share of the
    persons' parts, in the order the threads finished). Runs whose persons do not interleave (each run's range
    after the one before it, once the runs are put in order of their first person) are a permutation of whole
    runs: a part's rows are then slices of one or two runs, taken without a sort or a gather. Otherwise the rows
    are put in order by person (a stable sort) and each part gathers its rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str, columns: list[str]) -> None:
        if "pnr" not in columns:
            raise NotApplicable(f"{name} has no pnr column")
        self.name = name
        listed = ", ".join(f'"{c}"' for c in columns)
        self.table = compact(con.sql(f'SELECT {listed} FROM "{name}"').to_arrow_table())
        pnr = key_column(self.table, "pnr")
        self.order: np.ndarray | None = None
        self.runs: list[tuple[int, int]] | None = None
        """(first row in the table, first row among the sorted rows) of each run, in order of person, when the
        sorted rows are whole runs; else None and ``order`` puts the rows in order."""
        breaks = np.flatnonzero(pnr[1:] <= pnr[:-1]) + 1
        bounds = sorted(((int(a), int(b)) for a, b in zip([0, *breaks], [*breaks, len(pnr)], strict=True) if b > a),
                        key=lambda run: int(pnr[run[0]])) if len(breaks) < MAX_RUNS else []
        if len(breaks) < MAX_RUNS and all(pnr[a[1] - 1] < pnr[b[0]] for a, b in pairwise(bounds)):
            offsets = np.cumsum([0, *(end - start for start, end in bounds)])
            self.runs = [(start, int(at)) for (start, _), at in zip(bounds, offsets, strict=False)]
            self.ends = offsets[1:]
            """Where each run ends among the sorted rows."""
            pnr = np.concatenate([pnr[start:end] for start, end in bounds]) if len(bounds) > 1 else pnr
        else:
            self.table = self.table.combine_chunks()  # one chunk: a gather from many would first concatenate them
            self.order = np.argsort(pnr, kind="stable")
            pnr = pnr[self.order]
            if not strictly_increasing(pnr):  # the join would attach a person's rows more than once
                raise NotApplicable(f"{name} has a person twice")
        self.pnr = pnr

    def _sorted(self, runs: list[tuple[int, int]], low: int, high: int) -> pa.Table:
        """Rows ``low`` to ``high`` of the rows sorted by person: slices of the ``runs`` they lie in."""
        pieces = []
        for run in range(int(np.searchsorted(self.ends, low, side="right")), len(runs)):
            start, at = runs[run]
            if at >= high:
                break
            begin, end = max(low, at), min(high, int(self.ends[run]))
            pieces.append(self.table.slice(start + begin - at, end - begin))
        if len(pieces) == 1:
            return pieces[0]
        return pa.concat_tables(pieces) if pieces else self.table.slice(0, 0)

    def rows(self, persons: Persons) -> pa.Table:
        """The rows of ``persons``, in their order (a person without a row has none)."""
        low = int(np.searchsorted(self.pnr, persons.first, side="left"))
        high = int(np.searchsorted(self.pnr, persons.last, side="right"))
        if high - low == len(persons) and np.array_equal(self.pnr[low:high], persons.pnr):
            if self.runs is not None:
                return self._sorted(self.runs, low, high)
            count = high - low
            order = self.order[low:high] if self.order is not None else None
            if order is not None and len(order) and int(order[-1]) - int(order[0]) == len(order) - 1 \
                    and strictly_increasing(order):  # a run of rows in order: no gather either
                low, order = int(order[0]), None
            return self.table.slice(low, count) if order is None else self.table.take(pa.array(order))
        at, found = match(self.pnr[low:high], persons.pnr)  # persons of other parts among them, or some missing
        at = at[found] + low
        if self.runs is not None:  # the sorted rows' positions in the table: each run's rows keep their order
            run = np.searchsorted(self.ends, at, side="right")
            shift = np.array([start - first for start, first in self.runs], np.int64)
            return self.table.take(pa.array(at + shift[run]))
        return self.table.take(pa.array(at if self.order is None else self.order[at]))
