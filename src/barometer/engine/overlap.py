"""Validate the registers and compute from them at the same time, publishing only what validation let through.

Validating first and computing after leaves part of the machine idle: validation waits on reads and on its own
single-threaded proofs, and the compute has serial stretches. Run side by side, each fills the other's gaps. The
compute is speculative: it runs in a worker thread on registers that may yet be refused, and its result is used
only once validation has passed. The user sees what a sequential build gives:

- registers that fail validation raise the validation report (``RegisterInputError``), never the compute's own
  error, whether the compute crashed on the bad data, finished, or is still running; a running compute is stopped
  at once (``Cancel``: every DuckDB connection it opened is interrupted, and it checks between steps and parts),
  so a bad input that would blow up a join cannot keep the machine busy;
- valid registers on which the compute failed raise the compute's error, as before;
- Ctrl-C (or any other error while validating) stops the compute too, and waits for it, so no thread and no
  connection is left behind.

Validation stays in the caller's thread, where Ctrl-C arrives and where it ran before; the compute is the worker
because it can be stopped (its connections interrupted), which validation's own pools cannot. Large registers are
validated in a Python process of their own (``validate_apart``), whose report comes back through a pipe: in the
build's process validation's Python work and the per-part pass's contend for the GIL, which made a full-scale build
0.2-0.7 s slower; small registers are validated in the build's process, where a process's start (about half a
second of CPU) would cost more than it saves (``APART_BYTES``; measured in docs/engine.md).
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

if TYPE_CHECKING:
    from barometer.registers.report import ValidationReport

T = TypeVar("T")

POLL_SECONDS = 0.05
"""How often a waiting build looks for a pending Ctrl-C, and a stopping compute's connections are interrupted
again until it has ended (an interrupt reaches only a query that is running, so one that starts just after it
would otherwise run to its end)."""


class Cancelled(RuntimeError):
    """The compute was stopped because validation failed or the build was interrupted; the caller raises that
    reason instead, so this never reaches the user."""


class Cancel:
    """A compute's stop switch, shared by everything that runs it: the backend and the per-part pass register
    their DuckDB connections with it and ``check`` it between steps; ``stop`` makes every later ``check`` raise
    ``Cancelled`` and interrupts every registered connection's running query."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()  # a connection is never interrupted while it is being closed
        self._connections: list[duckdb.DuckDBPyConnection] = []

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` once the compute is to stop (called before each query or part)."""
        if self._stopped.is_set():
            raise Cancelled("the compute was stopped")

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._connections.append(con)

    def close(self, con: duckdb.DuckDBPyConnection) -> None:
        """Forget ``con`` and close it (under the lock, so that no interrupt meets a closing connection)."""
        with self._lock:
            self._connections = [c for c in self._connections if c is not con]
            con.close()

    def stop(self) -> None:
        self._stopped.set()
        self.interrupt()

    def interrupt(self) -> None:
        with self._lock:
            for con in self._connections:
                con.interrupt()

    @property
    def connections(self) -> int:
        """Connections registered and not yet closed (tests: none once a compute has ended)."""
        with self._lock:
            return len(self._connections)


def close(con: duckdb.DuckDBPyConnection, cancel: Cancel | None) -> None:
    """Close ``con``, through ``cancel`` when it has one."""
    if cancel is None:
        con.close()
    else:
        cancel.close(con)


APART_BYTES = 150 * 2**20
"""Registers of at least this many bytes (about half of a full-scale Denmark) are validated in a process of their
own; smaller ones in the build's process (``apart``)."""


def apart(folder: Path) -> bool:
    """Whether to validate ``folder`` in a process of its own: the process costs about half a second of CPU to
    start (an interpreter and its imports), while validating in the build's process costs GIL contention between
    validation's Python work and the per-part pass's, which grows with the data (0.2-0.7 s of wall time at full
    scale, measured in docs/engine.md). A folder whose size cannot be read is validated in the build's process."""
    from barometer.registers.contract import CONTRACT
    from barometer.registers.layout import part_files

    try:
        size = sum(p.stat().st_size for table in CONTRACT.tables for p in part_files(folder, table))
    except OSError:
        return False
    return size >= APART_BYTES


def validate_apart(folder: Path) -> ValidationReport:
    """``validate_registers(folder)`` in a Python process of its own, its report handed back.

    A fresh interpreter (``python -c``), not ``multiprocessing``: its spawn re-runs the caller's main script, which
    a script calling ``build`` at its top level would not survive, and its fork would copy the build's running
    threads. The child is in a session of its own, so the terminal's Ctrl-C reaches the build only, which stops
    the child while it waits. A child that ends without a report (killed, out of memory) raises ``EngineError``:
    nothing is built from registers nobody validated."""
    from barometer.engine.build import EngineError

    package = Path(__file__).resolve().parents[2]  # validated by this very code, wherever it was imported from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package), *filter(None, [os.environ.get("PYTHONPATH")])])}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(folder)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, env=env, start_new_session=True)
    try:
        while True:
            try:
                data, _ = child.communicate(timeout=POLL_SECONDS)  # a pending Ctrl-C is raised between waits
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        if child.poll() is None:
            _stop(child)
    if child.returncode != 0 or not data:
        raise EngineError(f"{folder}: validating the registers stopped without a report (exit code "
                          f"{child.returncode}); nothing was built")
    kind, payload = pickle.loads(data)  # written by the child above, by this package's code
    if kind == "error":
        raise payload
    return payload


_STOP_SECONDS = 5.0
"""How long a validation process asked to stop may take to clean up (its temporary folder) before it is killed."""


def _stop(child: subprocess.Popen) -> None:
    """End a validation process the build no longer waits for: asked first (it then leaves nothing behind), killed
    when it does not end in ``_STOP_SECONDS`` or the wait is interrupted."""
    child.terminate()
    try:
        child.wait(_STOP_SECONDS)
    except BaseException:
        child.kill()
        child.wait()
        if not isinstance(sys.exc_info()[1], subprocess.TimeoutExpired):
            raise


_CHILD = "from barometer.engine.overlap import _validate_child; _validate_child()"


def stop_on_terminate() -> None:
    """In a validation process: SIGTERM ends it as an exception does, so that validation's ``finally`` clauses
    close its connections and remove its temporary folder."""
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


_MMAP_THRESHOLD, _TRIM_THRESHOLD = -3, -1
"""glibc's ``mallopt`` parameters ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` (malloc.h)."""


def keep_freed_memory() -> bool:
    """In a validation process: memory numpy frees is kept for the next part's arrays instead of being handed back
    to the operating system at once.

    By default glibc maps every block above 128 KiB afresh and unmaps it when freed (and trims the heap above
    twice that), so the proofs' per-part arrays of a few MB are faulted in page by page again for every part:
    about 100 000 page faults and a quarter of a CPU second at scale 1 (docs/engine.md). Blocks up to 32 MiB
    (glibc's largest threshold) now come from the heap, and up to 64 MiB of it stays mapped when free; Arrow's and
    DuckDB's own allocators are not concerned. False where the C library has no ``mallopt`` (it is glibc's)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_MMAP_THRESHOLD, 32 << 20)) and bool(mallopt(_TRIM_THRESHOLD, 64 << 20))


def _validate_child() -> None:
    """The validation process: the report (or the error validation raised) pickled to stdout."""
    stop_on_terminate()
    keep_freed_memory()
    from barometer.registers.validate import validate_registers

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the report's stream
    try:
        message: tuple[str, object] = ("report", validate_registers(sys.argv[1]))
    except Exception as exc:  # a bug in validation: raised in the build as it would be without a process
        message = ("error", exc)
    try:
        data = pickle.dumps(message)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = pickle.dumps(("error", RuntimeError(f"validation failed: {message[1]!r}")))
    out.write(data)
    out.flush()


def alongside(validate: Callable[[], None], compute: Callable[[Cancel], T]) -> T:
    """``compute(cancel)`` in a worker thread while ``validate()`` runs in this one; the compute's result once both
    have ended.

    ``validate`` raises when the registers are refused: the compute is then stopped and that error raised,
    whatever the compute did. A compute error is raised only after validation passed. Any exception while
    validating or waiting (Ctrl-C included) stops the compute and waits for its thread before it propagates."""
    cancel = Cancel()
    outcome: dict[str, Any] = {}
    ended = threading.Event()  # not Thread.join: a join that Ctrl-C interrupts marks a running thread ended

    def work() -> None:
        try:
            outcome["value"] = compute(cancel)
        except BaseException as exc:  # handed to the caller's thread: raised there, or superseded
            outcome["error"] = exc
        finally:
            ended.set()

    worker = threading.Thread(target=work, name="barometer-compute", daemon=True)
    worker.start()
    try:
        validate()
        while not ended.wait(POLL_SECONDS):  # short waits, so that a pending Ctrl-C is raised here at once
            pass
    except BaseException:
        cancel.stop()
        while not ended.wait(POLL_SECONDS):
            cancel.interrupt()
        raise
    finally:
        if ended.is_set():
            worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
