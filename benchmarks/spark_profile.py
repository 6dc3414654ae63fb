"""Where a Spark build's time goes: wall and JVM CPU seconds of every register read, derived view and item.

    .venv/bin/python benchmarks/spark_profile.py data/registers-0.02
    .venv/bin/python benchmarks/spark_profile.py DIR --conf spark.sql.codegen.wholeStage=false --runs 2
    BAROMETER_SPARK_JAVA_OPTIONS= .venv/bin/python benchmarks/spark_profile.py DIR     # the JVM's own defaults

Computes the raw observations (``compute(..., validate=False)``) on ``local[2]`` and prints one line per backend
operation, then the totals. ``--conf KEY=VALUE`` adds a session setting (to measure one before it goes into
``spark_setup.session_conf``); ``--runs 2`` builds twice in one session, so the second run shows what is left
once the JVM's compilers and Spark's code cache are warm (the fixed cost is the difference). ``--reference
FILE.parquet`` compares the result with a DuckDB ``compute`` written there (``--write-reference`` writes one).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path
from typing import Any


def _jvm_pid() -> int:
    out = subprocess.run(["pgrep", "-P", str(os.getpid()), "java"], capture_output=True, text=True, check=False)
    return int(out.stdout.split()[0])


def _jvm_cpu() -> float:
    fields = Path(f"/proc/{_jvm_pid()}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _jvm_peak_gib() -> float:
    status = Path(f"/proc/{_jvm_pid()}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("registers")
    parser.add_argument("--conf", action="append", default=[], help="KEY=VALUE session setting (repeatable)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="totals only")
    parser.add_argument("--reference", type=Path, help="DuckDB's raw observations to compare with")
    parser.add_argument("--write-reference", action="store_true", help="write DuckDB's to --reference first")
    args = parser.parse_args()
    import pyarrow.parquet as pq

    import barometer.engine.spark as spark_backend
    from barometer.engine.build import compute

    if args.write_reference and args.reference:
        pq.write_table(compute(args.registers, "2024-11", "duckdb", validate=False), args.reference)
    extra = dict(item.split("=", 1) for item in args.conf)
    session_conf = spark_backend.session_conf
    spark_backend.session_conf = lambda master, threads=None: {**session_conf(master, threads), **extra}

    log: list[tuple[str, float, float]] = []

    def timed(kind: str, method: Any, label: Any) -> Any:
        def wrapper(self: Any, *a: Any, **kw: Any) -> Any:
            start, cpu = time.perf_counter(), _jvm_cpu()
            result = method(self, *a, **kw)
            log.append((kind, time.perf_counter() - start, _jvm_cpu() - cpu))
            if not args.quiet:
                print(f"{kind:6} {label(*a):22} {log[-1][1]:8.2f} s {log[-1][2]:8.2f} CPU s", flush=True)
            return result
        return wrapper

    backend = spark_backend.SparkBackend
    backend.register_registers = timed("read", backend.register_registers, lambda root: "registers")
    backend.create_view = timed("view", backend.create_view, lambda view, params: view.name)
    backend.evaluate = timed("item", backend.evaluate, lambda d, params, national: d.id)

    start = time.perf_counter()
    spark_backend.spark_session("local[2]")
    print(f"session start-up: {time.perf_counter() - start:.1f} s, {_jvm_cpu():.1f} JVM CPU s")
    for run in range(args.runs):
        log.clear()
        start, cpu = time.perf_counter(), _jvm_cpu()
        raw = compute(args.registers, "2024-11", "spark", validate=False, spark_master="local[2]")
        wall, jvm = time.perf_counter() - start, _jvm_cpu() - cpu
        parts = {k: sum(c for kind, _, c in log if kind == k) for k in ("read", "view", "item")}
        print(f"run {run + 1}: {wall:.1f} s wall, {jvm:.1f} JVM CPU s (register read {parts['read']:.1f}, views "
              f"{parts['view']:.1f}, items {parts['item']:.1f}); JVM peak {_jvm_peak_gib():.2f} GiB; "
              f"load average {os.getloadavg()[0]:.1f}")
        if args.reference:
            print(f"equal to {args.reference}: {pq.read_table(args.reference).equals(raw)}")


if __name__ == "__main__":
    main()
