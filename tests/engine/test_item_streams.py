"""Items evaluated several at once on cursors of the backend's connection (DuckDBBackend.evaluate_each).

The cursors must see every table the items read (the registers, the reference tables and the materialised views,
the per-part pass's result included), hand back each item's table in the jobs' order, and leave nothing running
or open when the caller stops early or a query fails.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from barometer.catalogue import load_catalogue
from barometer.engine import backend as backend_module
from barometer.engine.backend import ITEM_STREAMS, DuckDBBackend
from barometer.engine.build import compute, derive_views, prepare
from barometer.engine.definitions import DEFINITIONS
from barometer.engine.engines import locate
from barometer.engine.overlap import Cancel
from barometer.engine.settings import EngineSettings
from tests.engine import hand_fixture

ENDLESS = "SELECT SUM(hash(a.range + b.range)) FROM range(100000000) a, range(100000000) b"
"""A query that would run for hours: only an interrupt ends it."""


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hand_fixture.write(tmp_path_factory.mktemp("streams") / "registers")


@pytest.fixture
def derived(registers: Path):
    """A backend (with a stop switch) whose views are derived, its SQL parameters and the items' jobs."""
    catalogue = load_catalogue()
    cancel = Cancel()
    backend = DuckDBBackend(threads=2, cancel=cancel)
    _, params = prepare(backend, locate(registers, "duckdb"), catalogue, "2024-11", EngineSettings())
    derive_views(backend, params)
    jobs = [(d, not catalogue.item(d.id).local) for d in DEFINITIONS]
    yield backend, params, jobs, cancel
    backend.close()
    assert cancel.connections == 0


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([("area_code", "ascending"), ("period", "ascending")])


def test_each_item_at_once_equals_it_alone_in_order(derived):
    backend, params, jobs, cancel = derived
    assert backend.strategy == {"status_cells": "ordered"}  # the per-part pass's table is read through cursors
    alone = [backend.evaluate(d, params, national) for d, national in jobs]
    together = list(backend.evaluate_each(jobs, params))
    assert len(together) == len(jobs)
    for (d, _), a, t in zip(jobs, alone, together, strict=True):
        assert t.num_rows > 0 or a.num_rows == 0, d.id
        assert _sorted(t).equals(_sorted(a)), d.id
    assert cancel.connections == 1  # the cursors are closed; the backend's connection is left


def test_the_queries_run_at_once_from_the_start(derived, monkeypatch):
    """Each of the first ``ITEM_STREAMS`` queries waits until all of them have started: one at a time, the first
    would wait in vain (the barrier breaks after its timeout and the test fails). They start before any table is
    asked for."""
    backend, params, jobs, _ = derived
    barrier = threading.Barrier(ITEM_STREAMS, timeout=30)
    threads: list[int] = []
    started = threading.Event()
    original = backend_module.item_query

    def waiting(definition, dialect, p, national_only):
        if definition.id in {d.id for d, _ in jobs[:ITEM_STREAMS]}:
            threads.append(threading.get_ident())
            if barrier.wait() == 0:
                started.set()
        return original(definition, dialect, p, national_only)

    monkeypatch.setattr(backend_module, "item_query", waiting)
    evaluations = backend.evaluate_each(jobs[:ITEM_STREAMS + 1], params)
    assert started.wait(30), "the queries did not start until asked for"
    results = list(evaluations)
    assert len(results) == ITEM_STREAMS + 1
    assert len(set(threads)) == ITEM_STREAMS


def test_leaving_early_interrupts_the_running_queries_and_closes_the_cursors(derived, monkeypatch):
    backend, params, jobs, cancel = derived
    original = backend_module.item_query
    endless = {d.id for d, _ in jobs[1:]}
    monkeypatch.setattr(backend_module, "item_query", lambda d, dialect, p, n: ENDLESS if d.id in endless
                        else original(d, dialect, p, n))
    watchdog = threading.Timer(120, cancel.interrupt)  # should the interrupt fail, the test ends (and fails)
    watchdog.start()
    try:
        results = backend.evaluate_each(jobs, params)
        first = next(results)
        results.close()
    finally:
        fired = not watchdog.is_alive()
        watchdog.cancel()
    assert not fired, "the running item queries were not interrupted"
    assert first.num_rows > 0
    assert cancel.connections == 1


def test_a_failing_query_raises_at_its_item_after_the_items_before_it(derived, monkeypatch):
    backend, params, jobs, cancel = derived
    original = backend_module.item_query
    bad = jobs[2][0].id
    monkeypatch.setattr(backend_module, "item_query", lambda d, dialect, p, n: "SELECT * FROM no_such_table"
                        if d.id == bad else original(d, dialect, p, n))
    got = []
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        for table in backend.evaluate_each(jobs, params):
            got.append(table)
    assert len(got) == 2
    assert cancel.connections == 1


def test_a_stopped_compute_starts_no_item_query(derived):
    backend, params, jobs, cancel = derived
    cancel.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        list(backend.evaluate_each(jobs, params))
    assert cancel.connections == 1


def test_the_build_gives_the_same_rows_as_one_item_after_the_other(registers, monkeypatch):
    together = compute(registers, "2024-11", validate=False, threads=2)
    monkeypatch.delattr(DuckDBBackend, "evaluate_each")  # the build then evaluates one item after the other
    alone = compute(registers, "2024-11", validate=False, threads=2)
    assert together.equals(alone)
    assert together.num_rows > 0
