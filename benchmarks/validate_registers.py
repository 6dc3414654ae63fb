"""Benchmark validate_registers on a large valid register set (persons, residence for 13 years, addresses, benefits).

Prints rows per table, bytes on disk, seconds for validation and for a baseline (one DuckDB scan hashing every
value of every column of every table once), their ratio, and peak memory
(ru_maxrss of this process, which includes DuckDB).
Usage: python benchmarks/validate_registers.py PERSONS [DIR]

    python benchmarks/validate_registers.py --registers DIR [--against SRC ...] [--repeat N]

validates an existing register folder (e.g. ``barometer synth`` output) instead: the floor of
benchmarks/engine.py (one DuckDB pass reading every value of every column of every register file) and
``validate_registers`` each in its own fresh process, with wall and CPU seconds, peak resident memory and CPU /
floor CPU. ``--against SRC`` also validates with the code of another source tree (e.g. a checkout of the
previous version's ``src``) in the same run, alternating with this one ``--repeat`` times, so that before and
after are measured on the same registers under the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from barometer.registers.contract import CONTRACT, municipality_codes
from barometer.registers.fixtures import to_arrow, valid_rows
from barometer.registers.layout import part_files, write_part
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers

CHUNK = 1_000_000


def build(root: Path, n: int) -> None:
    rng = np.random.default_rng(1)
    muni = np.array(municipality_codes())

    rows = valid_rows()
    for name in CONTRACT.tables:  # the small tables stay the hand-written ones (pnr 1..7 exist below)
        if name not in ("persons", "residence", "addresses", "benefits"):
            write_part(root, name, to_arrow(name, rows[name]))
    for part, start in enumerate(range(0, n, CHUNK)):
        pnr = np.arange(start + 1, min(n, start + CHUNK) + 1, dtype=np.int64)
        k = len(pnr)
        birth = (np.datetime64("1930-01-01") + rng.integers(0, 81 * 365, k)).astype("datetime64[D]")
        origin = rng.choice(["dansk", "indvandrer", "efterkommer"], k, p=[0.86, 0.1, 0.04])
        country = np.where(origin == "dansk", "DK", rng.choice(["SY", "TR", "IQ", "PL", "DE"], k))
        imm = np.where(origin == "indvandrer", birth + rng.integers(1, 5000, k), np.datetime64("NaT"))
        write_part(root, "persons", pa.table({
            "pnr": pnr, "birth_date": pa.array(birth), "sex": rng.choice(["M", "K"], k), "origin_type": origin,
            "origin_country": country, "immigration_date": pa.array(imm.astype("datetime64[D]")),
            "death_date": pa.nulls(k, pa.date32()),
        }), part=part)
        home = rng.choice(muni, k)
        years = np.arange(2012, 2025, dtype=np.int16)
        write_part(root, "residence", pa.table({
            "pnr": np.repeat(pnr, len(years)), "year": np.tile(years, k), "municipality": np.repeat(home, len(years)),
        }), part=part)
        write_part(root, "addresses", pa.table({  # one spell from birth, where they live every 1 January
            "pnr": pnr, "start_date": pa.array(birth), "end_date": pa.nulls(k, pa.date32()), "municipality": home,
        }), part=part)
        spell_start = np.datetime64("2012-01-02") + 7 * rng.integers(0, 600, k)
        write_part(root, "benefits", pa.table({
            "pnr": pnr, "benefit": rng.choice(["cash_benefit", "sickness_benefit", "student_grant"], k),
            "start_date": pa.array(spell_start.astype("datetime64[D]")),
            "end_date": pa.array((spell_start + 7 * rng.integers(1, 52, k)).astype("datetime64[D]")),
            "hours_per_week": rng.choice([18.5, 37.0], k),
        }), part=part)
    write_manifest(root)


def baseline(root: Path) -> float:
    con = duckdb.connect()
    t = time.perf_counter()
    for name in CONTRACT.tables:
        files = [str(p) for p in part_files(root, name)]
        cols = ", ".join(f'sum(hash("{c}"))' for c in CONTRACT.table(name).column_names)
        con.execute(f"SELECT {cols} FROM read_parquet({files})").fetchall()
    return time.perf_counter() - t


def _validate(registers: str, src: str, queue) -> None:
    """validate_registers of one folder in a fresh process, with the code under ``src`` when given."""
    if src:
        sys.path.insert(0, src)
        for name in [m for m in sys.modules if m == "barometer" or m.startswith("barometer.")]:
            del sys.modules[name]  # imported with this module; the other tree's are wanted
    from barometer.registers.validate import validate_registers as validate

    start, cpu = time.perf_counter(), os.times()
    report = validate(registers)
    end = os.times()
    queue.put({"seconds": time.perf_counter() - start, "cpu": end.user + end.system - cpu.user - cpu.system,
               "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, "ok": report.ok,
               "problems": len(report.problems), "code": sys.modules["barometer"].__file__})


def folder(registers: Path, against: list[str], repeat: int) -> None:
    """Floor and validation of an existing folder, each in a fresh process, alternating the code trees."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from engine import _floor, run  # the same floor as the build's benchmark

    print(f"{registers}: load {os.getloadavg()[0]:.1f}")
    for r in range(repeat):
        floor = run(_floor, str(registers), 2)
        print(f"  [{r}] floor          {floor['seconds']:7.2f} s wall {floor['cpu']:7.2f} s CPU "
              f"{floor['peak_gib']:5.2f} GiB")
        for src in ["", *against]:
            m = run(_validate, str(registers), src)
            print(f"  [{r}] validate       {m['seconds']:7.2f} s wall {m['cpu']:7.2f} s CPU {m['peak_gib']:5.2f} GiB"
                  f"  CPU / floor {m['cpu'] / floor['cpu']:5.2f}  ok={m['ok']} problems={m['problems']}"
                  f"  ({Path(m['code']).parents[1]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", type=int, nargs="?", help="persons to generate (e.g. 6000000 for full scale)")
    parser.add_argument("dir", nargs="?", type=Path, help="folder to build in (default: a temporary folder)")
    parser.add_argument("--registers", type=Path, help="validate this existing register folder instead")
    parser.add_argument("--against", action="append", default=[], help="also validate with this source tree")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of floor and validations (--registers)")
    args = parser.parse_args()
    if args.registers:
        folder(args.registers, args.against, args.repeat)
        return
    if args.persons is None:
        parser.error("give PERSONS or --registers DIR")
    n = args.persons
    root = args.dir or Path(tempfile.mkdtemp())
    t = time.perf_counter()
    build(root, n)
    print(f"built in {time.perf_counter() - t:.1f} s at {root}")
    for name in ("persons", "residence", "addresses", "benefits"):
        files = part_files(root, name)
        print(f"{name:10s} {sum(pa.parquet.read_metadata(f).num_rows for f in files):>12,d} rows "
              f"{sum(f.stat().st_size for f in files) / 2**20:8.1f} MiB")
    base = baseline(root)
    t = time.perf_counter()
    report = validate_registers(root)
    took = time.perf_counter() - t
    assert report.ok, report.problems[:5]
    print(f"baseline scan {base:.2f} s; validate_registers {took:.2f} s; ratio {took / base:.1f}x")
    print(f"peak memory (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
