"""Benchmark the indicator engine on synthetic registers.

    .venv/bin/python benchmarks/engine.py --registers /work/bench-data/synth-scale1
    .venv/bin/python benchmarks/engine.py --scale 0.05          # generates registers first (not timed)

Prints (a) engine seconds (compute: derived views and every item for every area and period) and peak memory,
(b) the floor: one DuckDB pass reading every column the engine uses, (c) the plain-Python reference
implementation (tests/engine/reference.py) on a 1/k sample of persons, scaled by k and labelled so, and the
ratios a/b and c/a; then the full build (validation, uncertainty, disclosure) per step, the national figures of
the latest year of every item, and the share of municipal cells suppressed per item. Each measurement runs in a
fresh process so peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.engine.reference


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _cpu() -> float:
    """CPU seconds of this process so far: on a shared, loaded machine wall time overstates the work."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _engine(registers: str, threads: int, queue) -> None:
    from barometer.engine import compute

    start, cpu = time.perf_counter(), _cpu()
    table = compute(registers, "2024-11", validate=False, threads=threads)
    queue.put({"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "peak_gib": _peak_gib(),
               "rows": table.num_rows})


def used_columns() -> dict[str, list[str]]:
    """Contract columns named anywhere in the rendered declarations (what the engine reads)."""
    from barometer.engine.definitions import DEFINITIONS
    from barometer.engine.settings import EngineSettings
    from barometer.engine.sql import render
    from barometer.engine.views import VIEWS
    from barometer.registers.contract import CONTRACT

    params = EngineSettings().sql_params()
    text = " ".join(render(x.sql, "duckdb", params) for x in (*VIEWS, *DEFINITIONS))
    words = set(re.findall(r"[a-z_]+", text))
    return {name: [c for c in t.column_names if c in words] for name, t in CONTRACT.tables.items()
            if name in words}


def _floor(registers: str, threads: int, queue) -> None:
    import duckdb

    from barometer.registers.layout import part_files

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    parts = []
    for table, columns in used_columns().items():
        files = ", ".join(f"'{p}'" for p in part_files(registers, table))
        if files and columns:
            aggs = " + ".join(f"SUM(hash(\"{c}\") % 1024)" for c in columns)  # forces every value to be read
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


def _build(registers: str, threads: int, queue) -> None:
    from barometer.engine import build
    from barometer.engine.build import step_names

    marks = [("start", time.perf_counter())]
    result = build(registers, "2024-11", threads=threads, progress=lambda s: marks.append((s, time.perf_counter())))
    steps = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
    table = result.observations.to_pylist()
    national = {}
    for r in table:
        if r["area_code"] == "000" and r["value"] is not None:
            national[(r["item_id"])] = max(national.get(r["item_id"], ("", None)), (r["period"], r["value"]))
    shares = {item: (s.municipal_share, s.municipal_cells) for item, s in result.disclosure_summary.by_item.items()}
    queue.put({"steps": steps, "order": step_names(), "peak_gib": _peak_gib(), "national": national,
               "suppressed": shares})


def run(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _order(item: str) -> tuple:
    return (item.startswith("N"), [int(x) for x in re.findall(r"\d+", item)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registers", type=Path, help="register folder (default: generate at --scale)")
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reference-sample", type=int, default=0,
                        help="run the reference on persons with pnr %% k == 0 and scale its time by k "
                             "(default: 1 below 100k persons, else enough for ~60k persons)")
    args = parser.parse_args()
    registers = args.registers
    if registers is None:
        from barometer.synth.generate import generate

        registers = Path(tempfile.mkdtemp(prefix="engine-bench-")) / "registers"
        print(f"generating synthetic registers at scale {args.scale} into {registers} (not timed) ...", flush=True)
        generate(registers, args.scale, range(2012, 2025), 1, workers=2)
    import pyarrow.parquet as pq

    from barometer.registers.layout import part_files

    persons = sum(pq.read_metadata(p).num_rows for p in part_files(registers, "persons"))
    residence = sum(pq.read_metadata(p).num_rows for p in part_files(registers, "residence"))
    sample = args.reference_sample or max(1, persons // 60_000)
    print(f"data: {registers} — {persons:,} persons, {residence:,} person-years; threads={args.threads}")

    a = run(_engine, str(registers), args.threads)
    b = run(_floor, str(registers), args.threads)
    c = run(_reference, str(registers), sample)
    c_scaled = c["seconds"] * sample
    label = f"sample 1/{sample} of persons, time x{sample}" if sample > 1 else "all persons"
    print(f"load average before: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")
    print(f"(a) engine compute        {a['seconds']:8.2f} s wall  {a['cpu']:8.2f} s CPU   peak {a['peak_gib']:.2f} GiB"
          f"   ({a['rows']:,} rows)")
    print(f"(b) DuckDB floor (1 pass) {b['seconds']:8.2f} s wall  {b['cpu']:8.2f} s CPU   peak {b['peak_gib']:.2f} GiB")
    print(f"(c) Python reference      {c_scaled:8.2f} s wall  {c['cpu'] * sample:8.2f} s CPU   ({label}; measured "
          f"{c['seconds']:.2f} s, peak {c['peak_gib']:.2f} GiB)")
    print(f"a/b = {a['seconds'] / b['seconds']:.2f} wall, {a['cpu'] / b['cpu']:.2f} CPU   (target <= 3)")
    print(f"c/a = {c_scaled / a['seconds']:.1f} wall, {c['cpu'] * sample / a['cpu']:.1f} CPU   (target >= 10)")

    full = run(_build, str(registers), args.threads)
    print(f"\nfull build (no publish), peak {full['peak_gib']:.2f} GiB:")
    for step in full["order"]:
        if step in full["steps"]:
            print(f"  {step:<14} {full['steps'][step]:7.2f} s")
    print(f"  {'total':<14} {sum(full['steps'].values()):7.2f} s")
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
