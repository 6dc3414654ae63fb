"""Benchmark: the synthetic register generator at a given scale (default 1 = the whole population, 2012-2024).

Prints rows per table, bytes on disk, seconds (wall, and CPU of all processes: on a shared machine the CPU
seconds are the steadier figure), peak memory of the process tree (sampled from /proc, so the
workers' concurrent use is summed) and, as a baseline in the same process, the seconds a plain pyarrow Parquet
write of the same number of rows of random data takes (ratio = generator / baseline). Then it computes the
national figures with the tests' reference calculation (tests/synth/synth_reference.py) and prints them beside
their calibration targets.

Run: .venv/bin/python benchmarks/synth.py [--scale 1] [--workers 2] [--out DIR] [--keep] [--no-figures]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.synth.generate import generate

ROOT = Path(__file__).resolve().parents[1]


class TreeMemory:
    """Samples the summed RSS of this process and all its descendants every ``every`` seconds; keeps the peak."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _children(pid: int) -> list[int]:
        kids: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids += [int(k) for k in (task / "children").read_text().split()]
        return kids

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            pids, stack = [], [os.getpid()]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack += self._children(pid)
            self.peak = max(self.peak, sum(self._rss(p) for p in pids))
            time.sleep(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline_seconds(rows: int, out: Path) -> float:
    """Seconds to write ``rows`` rows (pnr int64, year int16, a 3-letter code) of random data with pyarrow."""
    rng = np.random.default_rng(0)
    batch_rows = 1_000_000
    batch = pa.table(
        {
            "pnr": pa.array(rng.integers(0, 10**11, batch_rows)),
            "year": pa.array(rng.integers(2012, 2025, batch_rows).astype(np.int16)),
            "code": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, 98, batch_rows).astype(np.int32)), pa.array([f"{i:03d}" for i in range(98)])
            ).cast(pa.string()),
        }
    )
    start = time.perf_counter()
    with pq.ParquetWriter(out, batch.schema, compression="zstd") as writer:
        left = rows
        while left > 0:
            writer.write_table(batch.slice(0, min(left, batch_rows)))
            left -= batch_rows
    return time.perf_counter() - start


def print_figures(out: Path, scale: float) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "synth"))
    from synth_reference import checks, national_figures

    start = time.perf_counter()
    results = sorted(checks(national_figures(out, scale), scale), key=lambda c: (c.figure.target_id, c.figure.year))
    print(f"\nnational figures (reference calculation, {time.perf_counter() - start:.0f} s): generated / target")
    current = None
    for c in results:
        if c.figure.target_id != current:
            current = c.figure.target_id
            print(f"\n  {current}:", end="")
        flag = "" if c.ok else " (!)"
        print(f"  {c.figure.year}: {c.figure.value:,.1f} / {c.target:,.1f}{flag}", end="")
    failed = [c for c in results if not c.ok]
    print(f"\n\n{len(results) - len(failed)} of {len(results)} figures within tolerance")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--no-figures", action="store_true", help="skip the national figures")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="synth-bench-")) / "registers"
    print(f"scale {args.scale}, years 2012-2024, seed {args.seed}, {args.workers} workers -> {out}")
    load_before = os.getloadavg()[0]
    with TreeMemory() as memory:
        start, cpu_start = time.perf_counter(), cpu_seconds()
        rows = generate(out, args.scale, range(2012, 2025), args.seed, workers=args.workers, force=True)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    total_rows = sum(rows.values())
    print(f"\n{'table':<22}{'rows':>14}{'MiB':>10}")
    for table, n in rows.items():
        size = sum(f.stat().st_size for f in (out / table).glob("*.parquet")) if (out / table).is_dir() else 0
        print(f"{table:<22}{n:>14,}{size / 2**20:>10.1f}")
    disk = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{'total':<22}{total_rows:>14,}{disk / 2**20:>10.1f}")
    load_after = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        base_cpu = cpu_seconds()
        base = baseline_seconds(total_rows, Path(tmp) / "baseline.parquet")
        base_cpu = cpu_seconds() - base_cpu
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\ngenerator: {seconds:.1f} s wall, {cpu:.1f} s CPU (all processes; load average {load_before:.1f} at the "
        f"start, {load_after:.1f} at the end)\nplain pyarrow write of {total_rows:,} random rows: {base:.1f} s wall, "
        f"{base_cpu:.1f} s CPU; ratio {seconds / base:.2f} wall, {cpu / base_cpu:.2f} CPU"
    )
    print(
        f"peak memory: process tree {memory.peak / 2**30:.2f} GiB (sampled); max RSS parent {own:,.0f} MiB, "
        f"largest worker {child:,.0f} MiB"
    )
    if not args.no_figures:
        print_figures(out, args.scale)
    if not args.keep and args.out is None:
        shutil.rmtree(out.parent)


if __name__ == "__main__":
    main()
