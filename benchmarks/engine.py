"""Benchmark the whole build against the floor, one read of every register value, measured in the same run.

    .venv/bin/python benchmarks/engine.py --registers data/registers-scale1
    .venv/bin/python benchmarks/engine.py --scale 0.05                       # generates registers first (not timed)
    .venv/bin/python benchmarks/engine.py --scales 0.1,0.25,0.5,1,2 --data DIR   # the scaling table; DIR/scale-<s>
                                                                             # is generated when missing (not timed)
    .venv/bin/python benchmarks/engine.py --registers DIR --reference        # also the plain-Python reference

For each register folder: (b) the floor — one DuckDB pass that reads every value of every column of every
register file (``hash`` of each value, summed), and the whole build — validate, derived views, every item,
disclosure, intervals, publish into a temporary store — per step, with wall and CPU seconds and the peak resident
memory of its own fresh process (``ru_maxrss``), and the ratio build / floor. With ``--reference``, (c) the
plain-Python reference (tests/engine/reference.py) on a 1/k sample of persons, scaled by k and labelled so.
With one folder it also prints the national figures of the latest period of every item and the share of
municipal cells suppressed per item. The machine is shared: read the ratios, measured in the same run, and the
load average printed with them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.engine.reference


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _tree_rss() -> int:
    """Resident bytes of this process and its child processes now (the build's validation process)."""
    total, pids = 0, [os.getpid()]
    while pids:
        pid = pids.pop()
        try:
            total += int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                              if line.startswith("VmRSS:")).split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


class _TreePeak:
    """The largest resident size of this process and its children together, sampled every 20 ms: a child's own
    ``ru_maxrss`` starts from its parent's size at the fork, so it cannot be added to the parent's."""

    def __init__(self) -> None:
        import threading

        self.peak, self._done = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, _tree_rss())

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak / 2**30


def _cpu() -> float:
    """CPU seconds of this process and of its ended children so far: on a shared, loaded machine wall time
    overstates the work."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _floor(registers: str, threads: int, queue) -> None:
    """One pass over every value of every column of every register file (what any build must at least read)."""
    import duckdb

    from barometer.registers.contract import CONTRACT
    from barometer.registers.layout import part_files

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    parts = []
    for name, table in CONTRACT.tables.items():
        files = ", ".join(f"'{p}'" for p in part_files(registers, name))
        if files:
            aggs = " + ".join(f'SUM(hash("{c}") % 1024)' for c in table.column_names)  # forces every value read
            parts.append(f"SELECT {aggs} AS n FROM read_parquet([{files}])")
    start, cpu = time.perf_counter(), _cpu()
    con.execute(" UNION ALL ".join(parts)).fetchall()
    queue.put({"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "peak_gib": _peak_gib()})


def _reference(registers: str, sample: int, queue) -> None:
    from tests.engine import reference

    from barometer.catalogue import load_catalogue
    from barometer.engine.periods import key_figure_periods

    catalogue = load_catalogue()
    start, cpu = time.perf_counter(), _cpu()
    reg = reference.Registers(Path(registers), sample=sample)
    first, last = reg.years[0], reg.years[-1]
    periods = {kf.id: [p for p, _, _ in key_figure_periods(kf, "2024-11", first, last)] for kf in catalogue.key_figures}
    reference.to_areas(reference.compute(reg, periods))
    queue.put({"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "peak_gib": _peak_gib()})


def _build(registers: str, threads: int, keep: str, queue) -> None:
    """The whole build, publish included, into a temporary store (into ``keep`` when given, and kept there)."""
    from barometer.engine import build
    from barometer.engine.build import step_names

    store = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="engine-bench-store-"))
    tree = _TreePeak()
    marks = [("start", time.perf_counter(), _cpu())]
    try:
        result = build(registers, "2024-11", store=store, threads=threads,
                       progress=lambda s: marks.append((s, time.perf_counter(), _cpu())))
    finally:
        if not keep:
            shutil.rmtree(store, ignore_errors=True)
    steps = _steps(marks)
    national = {}
    for r in result.observations.to_pylist():
        if r["area_code"] == "000" and r["value"] is not None:
            national[(r["item_id"])] = max(national.get(r["item_id"], ("", None)), (r["period"], r["value"]))
    shares = {item: (s.municipal_share, s.municipal_cells) for item, s in result.disclosure_summary.by_item.items()}
    queue.put({"steps": steps, "order": step_names(), "seconds": marks[-1][1] - marks[0][1],
               "cpu": marks[-1][2] - marks[0][2], "peak_gib": _peak_gib(), "tree_peak_gib": tree.stop(),
               "national": national,
               "suppressed": shares})


def _steps(marks: list[tuple[str, float, float]]) -> dict[str, tuple[float, float | None]]:
    """Each step's wall seconds from its start, and its CPU seconds where only it ran.

    Validation runs alongside the compute's steps in a local DuckDB build (docs/engine.md, "How a build runs"): it
    starts with the build, each compute step after the one before it. A step that ran (partly) at the same time as
    validation has no CPU seconds of its own (the process's CPU is theirs together): ``together`` is the stretch
    from the start to the end of the last step validation overlapped, with the CPU spent in it."""
    start = marks[0]
    done = {name: (t, c) for name, t, c in marks[1:]}
    validated = done.get("validate", start[1:])
    steps: dict[str, tuple[float, float | None]] = {}
    before = start
    for name, t, c in marks[1:]:
        if name == "validate":
            continue
        overlapped = before[1] < validated[0] and "validate" in done
        steps[name] = (t - before[1], None if overlapped else c - before[2])
        before = (name, t, c)
    if "validate" in done:
        last = max([validated, *(tc for n, tc in done.items() if n != "validate" and steps[n][1] is None)])
        steps["validate"] = (validated[0] - start[1], None)
        steps["together"] = (last[0] - start[1], last[1] - start[2])
    return steps


def run(target, *args) -> dict:
    """``target`` in a fresh process, so that its peak memory is its own."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _order(item: str) -> tuple:
    return (item.startswith("N"), [int(x) for x in re.findall(r"\d+", item)])


def _sizes(registers: Path) -> tuple[int, int]:
    """Persons and register rows (every table), from the Parquet footers."""
    import pyarrow.parquet as pq

    from barometer.registers.contract import CONTRACT
    from barometer.registers.layout import part_files

    rows = {t: sum(pq.read_metadata(p).num_rows for p in part_files(registers, t)) for t in CONTRACT.tables}
    return rows["persons"], sum(rows.values())


def measure(registers: Path, threads: int, keep: Path | None = None) -> dict:
    """Floor and whole build of one folder, each in its own process, one after the other."""
    persons, rows = _sizes(registers)
    load = os.getloadavg()[0]
    floor = run(_floor, str(registers), threads)
    full = run(_build, str(registers), threads, str(keep) if keep else "")
    return {"persons": persons, "rows": rows, "load": load, "floor": floor, "build": full,
            "ratio": full["seconds"] / floor["seconds"]}


def _print_build(m: dict) -> None:
    floor, full = m["floor"], m["build"]
    print(f"(b) floor: one pass over every register value  {floor['seconds']:8.2f} s wall  {floor['cpu']:8.2f} s CPU"
          f"   peak {floor['peak_gib']:.2f} GiB")
    print(f"    whole build (validate ... publish)          {full['seconds']:8.2f} s wall  {full['cpu']:8.2f} s CPU"
          f"   peak {full['peak_gib']:.2f} GiB; {full['tree_peak_gib']:.2f} GiB with its validation process "
          "(sampled)")
    print(f"    build / floor = {m['ratio']:.2f} wall, {full['cpu'] / floor['cpu']:.2f} CPU   (target <= 5)")
    steps = full["steps"]
    alongside = [s for s in full["order"] if s in steps and steps[s][1] is None]
    for step in full["order"]:
        if step in steps:
            wall, cpu = steps[step]
            shown = f"{cpu:7.2f} s CPU" if cpu is not None else f"{'':>13}"
            note = ""
            if cpu is None:
                start = "from the start, " if step in alongside[:2] else ""
                note = f"  ({start}alongside {', '.join(s for s in alongside if s != step)})" \
                    if step == "validate" else f"  ({start}alongside validate)"
            print(f"      {step:<14} {wall:7.2f} s wall {shown}{note}")
        if alongside and step == alongside[-1]:
            wall, cpu = steps["together"]
            print(f"      {'= together':<14} {wall:7.2f} s wall {cpu:7.2f} s CPU  ({' + '.join(alongside)})")


def _scale_dir(data: Path, scale: float) -> Path:
    folder = data / f"scale-{scale:g}"
    if not (folder / "manifest.json").exists():
        from barometer.synth.generate import generate

        print(f"generating synthetic registers at scale {scale:g} into {folder} (not timed) ...", flush=True)
        generate(folder, scale, range(2012, 2025), 1, workers=2, force=True)
    return folder


def scaling(scales: list[float], data: Path, threads: int, keep: Path | None = None) -> None:
    """The scaling table: one row per scale, floor and build measured in the same run."""
    results = []
    for s in scales:
        results.append((s, measure(_scale_dir(data, s), threads, keep / f"scale-{s:g}" if keep else None)))
        b = results[-1][1]
        print(f"scale {s:g}: floor {b['floor']['seconds']:.2f} s, build {b['build']['seconds']:.1f} s "
              f"({b['build']['cpu']:.1f} s CPU, peak {b['build']['peak_gib']:.2f} GiB)", flush=True)
    print("\n| scale | persons | register rows | floor s | build s | build / floor | build CPU s | peak GiB | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, m in results:
        b = m["build"]
        print(f"| {s:g} | {m['persons']:,} | {m['rows']:,} | {m['floor']['seconds']:.2f} | {b['seconds']:.1f} | "
              f"{m['ratio']:.1f} | {b['cpu']:.1f} | {b['peak_gib']:.2f} | {m['load']:.1f} |")
    for s, m in results:
        print(f"\nscale {s:g}:")
        _print_build(m)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registers", type=Path, help="register folder (default: generate at --scale)")
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--scales", help="comma-separated scales for the scaling table (with --data)")
    parser.add_argument("--data", type=Path, help="folder holding scale-<s> register folders (made when missing)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reference", action="store_true", help="also time the plain-Python reference")
    parser.add_argument("--keep", type=Path, help="publish the builds into this store (per scale: DIR/scale-<s>) "
                                                  "and keep them, e.g. to compare release bytes")
    parser.add_argument("--reference-sample", type=int, default=0,
                        help="run the reference on persons with pnr %% k == 0 and scale its time by k "
                             "(default: 1 below 100k persons, else enough for ~60k persons)")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores); threads={args.threads}")
    if args.scales:
        if args.data is None:
            parser.error("--scales needs --data")
        scaling([float(s) for s in args.scales.split(",")], args.data, args.threads, args.keep)
        return
    registers = args.registers
    if registers is None:
        from barometer.synth.generate import generate

        registers = Path(tempfile.mkdtemp(prefix="engine-bench-")) / "registers"
        print(f"generating synthetic registers at scale {args.scale} into {registers} (not timed) ...", flush=True)
        generate(registers, args.scale, range(2012, 2025), 1, workers=2)
    m = measure(registers, args.threads, args.keep)
    print(f"data: {registers} — {m['persons']:,} persons, {m['rows']:,} register rows; load average {m['load']:.1f}")
    _print_build(m)
    if args.reference:
        sample = args.reference_sample or max(1, m["persons"] // 60_000)
        c = run(_reference, str(registers), sample)
        label = f"sample 1/{sample} of persons, time x{sample}" if sample > 1 else "all persons"
        print(f"(c) Python reference {c['seconds'] * sample:8.2f} s wall  {c['cpu'] * sample:8.2f} s CPU   ({label}; "
              f"measured {c['seconds']:.2f} s, peak {c['peak_gib']:.2f} GiB); reference / build = "
              f"{c['seconds'] * sample / m['build']['seconds']:.1f}")
    full = m["build"]
    print("\nnational figures (latest period with a value) and share of municipal cells suppressed:")
    print(f"  {'item':<5} {'period':<16} {'value':>10}   suppressed")
    for item in sorted(set(full["national"]) | set(full["suppressed"]), key=_order):
        period, value = full["national"].get(item, ("", None))
        share, cells = full["suppressed"].get(item, (None, 0))
        shown = f"{value:10.2f}" if value is not None else f"{'—':>10}"
        supp = f"{100 * share:5.1f} % of {cells}" if share is not None else "national only"
        print(f"  {item:<5} {period:<16} {shown}   {supp}")


if __name__ == "__main__":
    main()
