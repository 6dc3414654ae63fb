"""What protecting cumulative counts across the hierarchy and time costs: time of `protect()` and hidden cells.

    .venv/bin/python benchmarks/disclosure.py --registers DIR [--edition 2024-11] [--raw FILE] [--repeat 3]

Computes the engine's observations for the registers once (or reads them from ``--raw``, a Parquet file this
script wrote before: computing takes minutes at full scale), adds intervals, and runs `disclosure.protect()` on the
same table with and without the rule for sums of hidden cumulative cells (barometer.disclosure_series), best of
``--repeat`` CPU times each, in this process. Prints the ratio and, per cumulative item, the cells hidden by each
(primary, secondary, and the cells the rule adds).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyarrow.parquet as pq

from barometer import disclosure
from barometer.catalogue import load_catalogue
from barometer.uncertainty import add_intervals


def _raw(registers: Path, edition: str, cache: Path | None):  # type: ignore[no-untyped-def]
    if cache is not None and cache.is_file():
        return pq.read_table(cache)
    from barometer.engine.build import compute_with_coverage
    from barometer.engine.settings import EngineSettings

    raw, _ = compute_with_coverage(registers, edition, "duckdb", EngineSettings())
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(raw, cache)
    return raw


def _best(repeat: int, run):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        best = min(best, time.process_time() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registers", type=Path, required=True)
    parser.add_argument("--edition", default="2024-11")
    parser.add_argument("--raw", type=Path, help="Parquet file caching the engine's observations")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = add_intervals(_raw(args.registers, args.edition, args.raw))
    config = disclosure.load_config()

    def protect():  # type: ignore[no-untyped-def]
        return disclosure.protect(table, config, edition=args.edition)

    rule = disclosure.protect_sums
    disclosure.protect_sums = lambda *args: {}  # type: ignore[assignment]
    try:
        before_s, (before, before_summary) = _best(args.repeat, protect)
    finally:
        disclosure.protect_sums = rule  # type: ignore[assignment]
    after_s, (after, after_summary) = _best(args.repeat, protect)
    print(f"rows: {table.num_rows}; protect() CPU best of {args.repeat}: without the sum rule {before_s:.2f} s, "
          f"with it {after_s:.2f} s (ratio {after_s / before_s:.2f})")
    print("| item | cells | primary | secondary before | secondary after | latest period: hidden before | after |")
    print("|---|---|---|---|---|---|---|")
    latest_before = before_summary.latest(load_catalogue(), args.edition)
    latest_after = after_summary.latest(load_catalogue(), args.edition)
    for item in config.cumulative.items:
        b, a = before_summary.by_item[item], after_summary.by_item[item]
        lb, la = latest_before.get(item, {}), latest_after.get(item, {})
        print(f"| {item} | {a.cells} | {a.primary} | {b.secondary} | {a.secondary} | "
              f"{lb.get('primary', 0) + lb.get('secondary', 0)} | {la.get('primary', 0) + la.get('secondary', 0)} |")
    others = sum(s.secondary for i, s in after_summary.by_item.items() if i not in config.cumulative.items) - sum(
        s.secondary for i, s in before_summary.by_item.items() if i not in config.cumulative.items)
    print(f"secondary cells of other items changed by {others}; all items: {before_summary.secondary} -> "
          f"{after_summary.secondary}")
    if args.raw is not None:
        out = args.raw.with_name(args.raw.stem + "-protected.parquet")
        pq.write_table(after, out)
        pq.write_table(before, out.with_name(args.raw.stem + "-protected-before.parquet"))


if __name__ == "__main__":
    main()
