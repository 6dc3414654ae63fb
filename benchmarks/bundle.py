"""Benchmark the bulk download and the release diff against what they are built from.

    .venv/bin/python benchmarks/bundle.py --store data                   # the current release
    .venv/bin/python benchmarks/bundle.py --store data --old ID --jobs 2 # also diff ID against the current one

Prints, for a release: (a) rendering every area's PDF report (`barometer report --all`, the bulk of a bundle)
and (b) building the whole bundle (reports, Data Package, zip) into a scratch store, with the ratio b/a (the
cost of everything a bundle adds to the reports) and the zip's size; then, given --old, (c) loading both
releases' indexes and (d) the full diff, with the ratio d/c. Wall and CPU seconds are both shown: on a shared,
loaded machine wall time overstates the work. Nothing is written to the given store.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the report workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(label: str, run: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    result = run()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(f"{label:<44} {wall:8.1f} s wall {cpu:8.1f} s CPU", flush=True)
    return result, wall, cpu


def main() -> None:
    from barometer.bundle.build import ensure_bundle
    from barometer.bundle.contents import report_areas
    from barometer.diff import diff_releases
    from barometer.reports.batch import write_reports
    from barometer.store import open_release
    from barometer.view import ReleaseIndex

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path("data"))
    parser.add_argument("--release", help="release id (default: the current release)")
    parser.add_argument("--old", help="a second release id to diff against --release")
    parser.add_argument("--jobs", type=int, default=2, help="processes rendering the PDF reports")
    args = parser.parse_args()

    release = open_release(args.store, args.release)
    print(f"release {release.id}: {release.manifest['observations']['rows']:,} observations, "
          f"{len(report_areas(release))} areas with figures, {args.jobs} report process(es)")
    with tempfile.TemporaryDirectory() as scratch:
        scratch_store = Path(scratch) / "store"
        (scratch_store / "releases").mkdir(parents=True)
        shutil.copytree(release.path, scratch_store / "releases" / release.id)
        (scratch_store / "CURRENT").write_text(release.id + "\n", encoding="utf-8")
        _, a_wall, a_cpu = _timed("(a) every area's PDF report", lambda: write_reports(
            scratch_store, report_areas(release), ["pdf"], Path(scratch) / "reports", "da", args.jobs,
            release=release.id))
        info, b_wall, b_cpu = _timed("(b) the whole bundle", lambda: ensure_bundle(
            scratch_store, release.id, jobs=args.jobs, rebuild=True))
        print(f"    b/a = {b_wall / a_wall:.2f} (wall), {b_cpu / a_cpu:.2f} (CPU); zip {info.size / 1e6:.1f} MB, "
              f"sha256 {info.sha256[:16]}…")
    if args.old:
        old = open_release(args.store, args.old)
        _, c_wall, c_cpu = _timed("(c) load both releases' indexes",
                                  lambda: (ReleaseIndex.load(old), ReleaseIndex.load(release)))
        result, d_wall, d_cpu = _timed("(d) the diff (cells, movements, provenance)",
                                       lambda: diff_releases(old, release))
        print(f"    d/c = {d_wall / c_wall:.2f} (wall), {d_cpu / c_cpu:.2f} (CPU); {len(result.cells):,} changed "
              f"cells, {len(result.movements):,} changed movements, {len(result.provenance):,} provenance entries")


if __name__ == "__main__":
    main()
