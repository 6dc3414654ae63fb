"""Validation alongside the compute (barometer.engine.overlap): the user sees what validating first gave.

Refused registers raise the validation report, whether the compute crashed on them or is still running (then it
is interrupted: the main connection's query and the per-part pass's); valid registers give the sequential
result; Ctrl-C stops both; nothing is published on failure and no thread or connection is left behind.
"""

from __future__ import annotations

import _thread
import importlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from barometer.catalogue import load_catalogue
from barometer.engine import RegisterInputError, build, overlap
from barometer.engine.backend import DuckDBBackend
from barometer.engine.build import EngineError, compute_with_coverage, derive_views, prepare
from barometer.engine.engines import locate
from barometer.engine.ordered import OrderedPass
from barometer.engine.overlap import Cancel, Cancelled, alongside, validate_apart
from barometer.engine.settings import EngineSettings
from barometer.registers.fixtures import write_register_set
from barometer.registers.validate import validate_registers
from barometer.store import current_release_id, list_releases
from tests.engine import hand_fixture

build_module = importlib.import_module("barometer.engine.build")

ENDLESS = "SELECT SUM(hash(a.range + b.range)) FROM range(100000000) a, range(100000000) b"
"""A query that would run for hours: only an interrupt ends it."""

WATCHDOG_SECONDS = 120
"""Should the build fail to interrupt it, the test does, after this long, and fails."""


def endless(con: duckdb.DuckDBPyConnection) -> None:
    """Run ``ENDLESS`` on ``con``; a watchdog interrupts it (and the test fails) if nothing else does."""
    watchdog = threading.Timer(WATCHDOG_SECONDS, con.interrupt)
    watchdog.start()
    try:
        con.execute(ENDLESS)
    finally:
        fired = not watchdog.is_alive()
        watchdog.cancel()
        assert not fired, "the query was not interrupted by the build"


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hand_fixture.write(tmp_path_factory.mktemp("overlap") / "registers")


@pytest.fixture(scope="module")
def published(registers: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one release (tests copy it and check that a failed build leaves it current)."""
    store = tmp_path_factory.mktemp("published") / "store"
    build(registers, "2024-11", store=store, threads=1)
    return store


@pytest.fixture
def store(published: Path, tmp_path: Path) -> Path:
    shutil.copytree(published, tmp_path / "store")
    return tmp_path / "store"


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    """Registers validation refuses (a residence row in a municipality that does not exist)."""
    rows = hand_fixture.rows()
    rows["residence"][0]["municipality"] = "999"
    return write_register_set(tmp_path / "bad", rows)


@pytest.fixture(params=["thread", "process"])
def where(request, monkeypatch) -> str:
    """Validation in the build's process (small registers) or in a process of its own (large ones)."""
    monkeypatch.setattr(overlap, "APART_BYTES", 0 if request.param == "process" else 1 << 60)
    return request.param


@pytest.fixture
def no_leftovers():
    """No thread of the build, no DuckDB connection of a compute and no validation process outlives the test."""
    before = {t.ident for t in threading.enumerate()}
    cancels: list[Cancel] = []
    children: list[subprocess.Popen] = []
    original, popen = Cancel.__init__, subprocess.Popen

    def track(self: Cancel) -> None:
        original(self)
        cancels.append(self)

    def child(*args, **kwargs) -> subprocess.Popen:
        children.append(popen(*args, **kwargs))
        return children[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Cancel, "__init__", track)
        patch.setattr(overlap.subprocess, "Popen", child)
        yield cancels
    deadline = time.monotonic() + 10  # pool threads end just after their last task is handed back
    while time.monotonic() < deadline and {t.ident for t in threading.enumerate()} - before:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.ident not in before] == []
    assert [c.connections for c in cancels] == [0] * len(cancels)
    assert [c.poll() is not None for c in children] == [True] * len(children)


def _unchanged(store: Path, published: Path) -> None:
    assert current_release_id(store) == current_release_id(published)
    assert len(list_releases(store)) == 1


def _endless_views(record: dict[str, object]):
    """``derive_views`` replaced by a query that never ends on the main connection (records how it ended)."""
    def views(backend, params, until=None) -> None:
        try:
            backend._check()
            endless(backend.con)
        except BaseException as exc:
            record["ended"] = exc
            raise
    return views


def test_valid_registers_give_the_sequential_result(registers: Path, no_leftovers):
    assert validate_registers(registers).ok
    sequential = compute_with_coverage(registers, "2024-11", validate=False, threads=2)
    together = compute_with_coverage(registers, "2024-11", threads=2)
    assert together[0].equals(sequential[0]) and together[1] == sequential[1]
    assert len(no_leftovers) == 1 and no_leftovers[0].stopped is False  # it did run alongside, and ran through


def test_a_compute_that_crashes_on_refused_registers_gives_the_report(tmp_path, store, published, where,
                                                                     no_leftovers, monkeypatch):
    folder = hand_fixture.write(tmp_path / "no-municipality")
    for part in (folder / "residence").glob("*.parquet"):  # the compute cannot bind its SQL without it
        pq.write_table(pq.read_table(part).drop_columns(["municipality"]), part)
    crashed: list[BaseException] = []
    compute = build_module._compute

    def spy(*args, **kwargs):
        try:
            return compute(*args, **kwargs)
        except BaseException as exc:
            crashed.append(exc)
            raise

    monkeypatch.setattr(build_module, "_compute", spy)
    with pytest.raises(RegisterInputError) as info:
        build(folder, "2024-11", store=store)
    assert info.value.report.find("missing_column", table="residence")
    assert len(crashed) == 1 and isinstance(crashed[0], duckdb.Error)  # the compute's own error is not shown
    _unchanged(store, published)


def test_a_compute_still_running_when_validation_fails_is_interrupted(bad, store, published, where, no_leftovers,
                                                                     monkeypatch):
    record: dict[str, object] = {}
    views, running = _endless_views(record), threading.Event()

    def running_views(backend, params, until=None) -> None:
        running.set()  # past the compute's first check: from here on only an interrupt can stop it
        views(backend, params, until)

    def after_the_compute_started(validate):
        def wait_then_validate(folder):
            assert running.wait(30), "the compute never started"
            return validate(folder)
        return wait_then_validate

    # validation of these small registers can fail before the compute thread has started its query; it would then
    # stop at its first check without an interrupt, and this test is about the interrupt
    monkeypatch.setattr(build_module, "derive_views", running_views)
    monkeypatch.setattr(build_module, "validate_registers", after_the_compute_started(validate_registers))
    monkeypatch.setattr(build_module, "validate_apart", after_the_compute_started(build_module.validate_apart))
    with pytest.raises(RegisterInputError) as info:
        build(bad, "2024-11", store=store)
    assert info.value.report.find("unknown_municipality", table="residence")
    assert isinstance(record["ended"], duckdb.InterruptException)
    assert no_leftovers[0].stopped
    _unchanged(store, published)


def _ctrl_c_once(*events: threading.Event) -> None:
    """Ctrl-C in the main thread once every one of ``events`` is set."""
    def press() -> None:
        for event in events:
            event.wait()
        time.sleep(0.1)
        _thread.interrupt_main()
    threading.Thread(target=press, daemon=True).start()


@pytest.mark.parametrize("when", ["validating", "waiting"])
def test_ctrl_c_stops_validation_and_the_compute(registers, store, published, where, no_leftovers, monkeypatch,
                                                 when, tmp_path):
    """Ctrl-C while validation runs (in this process or its own) with the compute busy, or while the build waits
    for the busy compute once validation passed: both stop, nothing is published."""
    record: dict[str, object] = {}
    views, busy, validated = _endless_views(record), threading.Event(), threading.Event()

    def busy_views(backend, params, until=None) -> None:
        busy.set()
        views(backend, params, until)

    monkeypatch.setattr(build_module, "derive_views", busy_views)
    marker = tmp_path / "validating"
    if when == "validating":  # a validation that would take a minute
        if where == "process":  # and cleans up after itself when stopped, as validation's finally clauses do
            monkeypatch.setattr(overlap, "_CHILD", "\n".join([
                "import pathlib, time", "from barometer.engine.overlap import stop_on_terminate",
                "stop_on_terminate()", f"marker = pathlib.Path({str(marker)!r})", "marker.mkdir()",
                "try:", "    time.sleep(60)", "finally:", "    marker.rmdir()"]))
        else:
            def slow(folder):
                for _ in range(1200):
                    time.sleep(0.05)
            monkeypatch.setattr(build_module, "validate_registers", slow)
        _ctrl_c_once(busy, *([_exists(marker)] if where == "process" else []))
    else:
        _ctrl_c_once(busy, validated)
    with pytest.raises(KeyboardInterrupt):
        build(registers, "2024-11", store=store, progress=lambda step: step == "validate" and validated.set())
    assert validated.is_set() == (when == "waiting")
    assert isinstance(record["ended"], duckdb.InterruptException)
    assert not marker.exists()  # a validation process stopped had its finally clauses run
    _unchanged(store, published)


def _exists(path: Path) -> threading.Event:
    """An event set once ``path`` exists."""
    event = threading.Event()

    def watch() -> None:
        for _ in range(1200):
            if path.exists():
                event.set()
                return
            time.sleep(0.05)
    threading.Thread(target=watch, daemon=True).start()
    return event


def test_validation_apart_gives_the_same_report(registers, bad):
    for folder in (registers, bad):
        assert validate_apart(folder).model_dump() == validate_registers(folder).model_dump()


def test_validation_apart_that_ends_without_a_report_refuses_the_build(registers, monkeypatch):
    monkeypatch.setattr(overlap, "_CHILD", "import os; os._exit(3)")
    with pytest.raises(EngineError, match=r"stopped without a report \(exit code 3\)"):
        validate_apart(registers)


def test_a_compute_error_on_valid_registers_is_raised_after_validation(registers, no_leftovers, monkeypatch):
    def broken(backend, params, until=None) -> None:
        raise ZeroDivisionError("a bug in a view")

    monkeypatch.setattr(build_module, "derive_views", broken)
    with pytest.raises(ZeroDivisionError, match="a bug in a view"):
        build(registers, "2024-11")


def test_validation_errors_stop_the_compute_and_propagate():
    started, ended = threading.Event(), threading.Event()

    def compute(cancel: Cancel) -> None:
        started.set()
        try:
            while True:
                cancel.check()
                time.sleep(0.01)
        finally:
            ended.set()

    def validate() -> None:
        started.wait()
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        alongside(validate, compute)
    assert ended.is_set()  # waited for: the compute thread has finished
    assert alongside(lambda: None, lambda cancel: 42) == 42


def _split_by_person(registers: Path, out: Path, parts: int) -> Path:
    """The registers with every table cut into ``parts`` parts by person number (the same cut in every table)."""
    shutil.copytree(registers, out)
    for folder in (p for p in out.iterdir() if p.is_dir()):
        (only,) = sorted(folder.glob("*.parquet"))
        table = pq.read_table(only)
        only.unlink()
        for k in range(parts):
            rows = table.filter([int(p) % parts == k for p in table.column("pnr").to_pylist()]) \
                if "pnr" in table.column_names else (table if k == 0 else table.slice(0, 0))
            pq.write_table(rows, folder / f"part-{k:05d}.parquet")
    return out


def test_stopping_the_per_part_pass_interrupts_its_workers_and_starts_no_more_parts(registers, tmp_path,
                                                                                   no_leftovers, monkeypatch):
    split = _split_by_person(registers, tmp_path / "split", 4)
    bound: list[str] = []
    bind = OrderedPass._bind

    def endless_first_part(self, con, part):
        bound.append(part)
        if len(bound) == 1:
            threading.Timer(0.2, cancel.stop).start()
            endless(con)  # a part's connection busy for hours, unless interrupted
        return bind(self, con, part)

    monkeypatch.setattr(OrderedPass, "_bind", endless_first_part)
    cancel = Cancel()
    backend = DuckDBBackend(threads=1, cancel=cancel)  # one part at a time: the others wait in the pool
    try:
        _, params = prepare(backend, locate(split, "duckdb"), load_catalogue(), "2024-11", EngineSettings())
        with pytest.raises((duckdb.InterruptException, Cancelled)):
            derive_views(backend, params)
        assert bound == ["part-00000.parquet"]  # the parts still waiting never started
        assert cancel.connections == 1  # the part's connection is closed; the main one is the backend's
        with pytest.raises(Cancelled):  # nothing more runs on a stopped backend
            backend.query("SELECT 1")
    finally:
        backend.close()
    assert cancel.connections == 0


_MALLINFO = '''
import ctypes, sys
import numpy as np
from barometer.engine.overlap import keep_freed_memory

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
kept = keep_freed_memory() if sys.argv[1] == "kept" else False
block = np.empty(20 << 20, np.uint8)
mapped = libc.mallinfo2().hblkhd  # bytes in blocks mapped apart from the heap
del block
print(kept, mapped >= 20 << 20, libc.mallinfo2().fordblks >= 20 << 20)  # ... and free bytes kept in the heap
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and mallinfo2")
def test_a_validation_process_keeps_freed_memory_for_the_next_parts_arrays():
    """An array of 20 MB is mapped apart and unmapped when freed (then faulted in anew for the next part) by
    default; in a validation process it comes from the heap and stays there, free, when freed."""
    def run(mode: str) -> str:
        return subprocess.run([sys.executable, "-c", _MALLINFO, mode], capture_output=True, text=True,
                              check=True).stdout.split()

    assert run("default") == ["False", "True", "False"]
    assert run("kept") == ["True", "False", "True"]
