"""Benchmark every export format of a whole release against the plain CSV of the same rows.

    .venv/bin/python benchmarks/exports.py --store data            # the current release of a store
    .venv/bin/python benchmarks/exports.py --sample                # a seeded sample release (no store needed)

Prints, for each registered format (`barometer export --format NAME`), the wall and CPU seconds of writing the
release into a scratch folder, the size of what it wrote, and both as ratios to the CSV export (the baseline,
run in the same process first). Reading the release's Parquet file is timed separately and is not part of any
format's time. Nothing is written to the given store.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*")) for p in paths)


def main() -> None:
    from barometer.exports import writer, writers
    from barometer.store import open_release

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path("data"))
    parser.add_argument("--release", help="release id (default: the current release)")
    parser.add_argument("--sample", action="store_true", help="benchmark a seeded sample release instead")
    parser.add_argument("--repeat", type=int, default=1, help="runs per format; the fastest is shown")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        if args.sample:
            from tests.web.sample_release import publish_sample

            release = publish_sample(Path(scratch) / "store")
        else:
            release = open_release(args.store, args.release)
        start = time.perf_counter()
        rows = release.observations().num_rows
        print(f"release {release.id}: {rows:,} observations (read in {time.perf_counter() - start:.2f} s)")
        names = ["csv"] + [w.name for w in writers() if w.name != "csv"]
        results: dict[str, tuple[float, float, int]] = {}
        for name in names:
            best: tuple[float, float, int] | None = None
            for n in range(args.repeat):
                out = Path(scratch) / f"{name}-{n}"
                out.mkdir()
                wall, cpu = time.perf_counter(), _cpu()
                written = writer(name).write(release, out)
                wall, cpu = time.perf_counter() - wall, _cpu() - cpu
                if best is None or wall < best[0]:
                    best = (wall, cpu, _size(written))
            assert best is not None
            results[name] = best
        base_wall, base_cpu, base_size = results["csv"]
        print(f"{'format':<12} {'wall s':>8} {'CPU s':>8} {'size kB':>10} {'wall/csv':>9} {'CPU/csv':>8} "
              f"{'size/csv':>9}")
        for name, (wall, cpu, size) in results.items():
            print(f"{name:<12} {wall:8.2f} {cpu:8.2f} {size / 1024:10.0f} {wall / base_wall:9.1f} "
                  f"{cpu / base_cpu:8.1f} {size / base_size:9.2f}")


if __name__ == "__main__":
    main()
