"""Benchmark: render every area's Udviklingsrapport to PDF from a release built from the published fixture.

Prints seconds per report and in total, in one process and in two, plus peak memory (max RSS). The fixture holds
Aalborg's and the nation's figures; the other areas render their tables with empty cells, which is the same
layout work. Run: .venv/bin/python benchmarks/reports.py [--regions] [--jobs 2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.reports import write_reports
from barometer.reports.render import render_pdf
from barometer.sources.published import read_published
from barometer.store import open_release, publish
from barometer.view import ReleaseIndex, build_view

FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "published-2024-11.csv"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its (finished) children, in MiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", action="store_true", help="also render the 5 regions (104 reports)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run")
    args = parser.parse_args()
    catalogue = load_catalogue()
    kinds = {"country", "municipality"} | ({"region"} if args.regions else set())
    codes = [a.code for a in catalogue.areas if a.kind in kinds]

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        publish(store, read_published(FIXTURE, catalogue), "2024-11", {"kind": "benchmark"})

        t0 = time.perf_counter()
        view = build_view(ReleaseIndex.load(open_release(store)), "851")
        render_pdf(view)
        first = time.perf_counter() - t0
        print(f"first report (cold: fonts, stylesheet, template): {first:.2f} s")

        t0 = time.perf_counter()
        one = write_reports(store, codes, ["pdf"], Path(tmp) / "one", jobs=1)
        single = time.perf_counter() - t0
        print(f"1 process : {len(one)} reports in {single:6.2f} s = {single / len(one):.3f} s per report")

        t0 = time.perf_counter()
        par = write_reports(store, codes, ["pdf"], Path(tmp) / "par", jobs=args.jobs)
        parallel = time.perf_counter() - t0
        print(f"{args.jobs} processes: {len(par)} reports in {parallel:6.2f} s = {parallel / len(par):.3f} s per "
              f"report (wall), speed-up {single / parallel:.2f}x over 1 process")

        sizes = [p.stat().st_size for p in one]
        print(f"PDF size: {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f} KiB")
    own, children = peak_rss_mb()
    print(f"peak memory (max RSS): main process {own:.0f} MiB, largest worker {children:.0f} MiB")
    target = 0.5
    status = "meets" if single / len(one) <= target else "MISSES"
    print(f"target <= {target} s per report on one core: {status}")
    sys.exit(0)


if __name__ == "__main__":
    main()
