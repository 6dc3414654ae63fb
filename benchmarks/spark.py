"""Benchmark the Spark backend against DuckDB on the same registers, in the same run.

    .venv/bin/python benchmarks/spark.py --registers data/registers-0.25
    .venv/bin/python benchmarks/spark.py --scale 0.25 --registers DIR    # generates DIR first (not timed)

Each engine runs the whole build without publishing (validation, derived views, every item for every area and
period, disclosure control, intervals) in a fresh process, so peak memory is its own: DuckDB's is the process's
peak RSS, Spark's is the Python driver's plus the JVM's (``VmHWM`` of the JVM child, which runs the work in
``local[N]``). Printed: wall seconds, CPU seconds (Python and, for Spark, the JVM's), peak memory, the Spark
session's start-up, the ratio Spark / DuckDB and whether the two releases are equal cell for cell. On a shared
machine the CPU seconds and the ratio are the figures to compare; wall time depends on the load.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _jvm() -> int | None:
    """The pid of this process's JVM child (PySpark's gateway, which runs local[N] work)."""
    out = subprocess.run(["pgrep", "-P", str(os.getpid()), "java"], capture_output=True, text=True, check=False)
    pids = out.stdout.split()
    return int(pids[0]) if pids else None


def _jvm_usage(pid: int) -> tuple[float, float]:
    """(CPU seconds, peak RSS in GiB) of a live process from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM"))
    return cpu, int(hwm.split()[1]) / 2**20


def _run(engine: str, registers: str, master: str, out: str, queue) -> None:
    import pyarrow.parquet as pq

    from barometer.engine import build

    result: dict[str, float | str | None] = {"engine": engine}
    if engine == "spark":
        from barometer.engine.spark import spark_session

        start = time.perf_counter()
        spark_session(master)
        result["startup"] = time.perf_counter() - start
    start, cpu = time.perf_counter(), _cpu()
    done = build(registers, "2024-11", engine, spark_master=master if engine == "spark" else None)
    result |= {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "peak_gib": _peak_gib()}
    if engine == "spark" and (pid := _jvm()):
        result["jvm_cpu"], result["jvm_peak_gib"] = _jvm_usage(pid)
    pq.write_table(done.observations, out)
    queue.put(result)


def measure(engine: str, registers: str, master: str, out: Path) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(engine, registers, master, str(out), queue))
    proc.start()
    while proc.is_alive() or not queue.empty():  # a run that fails ends the benchmark instead of hanging it
        try:
            result = queue.get(timeout=5)
        except Empty:
            continue
        proc.join()
        return result
    raise SystemExit(f"{engine}: the build failed (exit code {proc.exitcode}; its traceback is above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registers", required=True, help="register folder (generated first with --scale)")
    parser.add_argument("--scale", type=float, help="generate synthetic registers at this scale (seed 1)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    registers = Path(args.registers)
    if args.scale and not (registers / "manifest.json").exists():
        subprocess.run([str(Path(sys.executable).with_name("barometer")), "synth", "--scale", str(args.scale),
                        "--seed", "1", "--years", "2012-2024", "--out", str(registers), "--force"], check=True)
    import pyarrow.parquet as pq

    load_start = os.getloadavg()[0]
    outs = {e: registers.parent / f".bench-{e}-{os.getpid()}.parquet" for e in ("duckdb", "spark")}
    try:
        duck = measure("duckdb", str(registers), args.master, outs["duckdb"])
        spark = measure("spark", str(registers), args.master, outs["spark"])
        equal = pq.read_table(outs["duckdb"]).equals(pq.read_table(outs["spark"]))
    finally:
        for path in outs.values():
            path.unlink(missing_ok=True)
    print(f"registers: {registers}   load average (1 min) at the start: {load_start:.1f}, "
          f"at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'':22}{'wall s':>10}{'CPU s':>10}{'peak GiB':>10}")
    print(f"{'DuckDB':22}{duck['seconds']:10.1f}{duck['cpu']:10.1f}{duck['peak_gib']:10.2f}")
    jvm_cpu, jvm_peak = spark.get("jvm_cpu") or 0.0, spark.get("jvm_peak_gib") or 0.0
    print(f"{'Spark ' + args.master:22}{spark['seconds']:10.1f}{spark['cpu'] + jvm_cpu:10.1f}"
          f"{spark['peak_gib'] + jvm_peak:10.2f}   (JVM {jvm_cpu:.1f} CPU s incl. start-up, {jvm_peak:.2f} GiB; "
          f"driver {spark['cpu']:.1f} CPU s, {spark['peak_gib']:.2f} GiB)")
    print(f"Spark session start-up (not in the build's figures): {spark['startup']:.1f} s")
    print(f"ratio Spark / DuckDB: wall {spark['seconds'] / duck['seconds']:.1f}x, "
          f"CPU {(spark['cpu'] + jvm_cpu) / duck['cpu']:.1f}x")
    print(f"releases equal cell for cell: {equal}")


if __name__ == "__main__":
    main()
