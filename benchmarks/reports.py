"""Benchmark: render every area's Udviklingsrapport to PDF from a release built from the published fixture.

Prints seconds per report and in total, in one process and in two (wall clock and CPU), the gain of reusing the
parsed stylesheet and font configuration over a naive render (same process, interleaved, so machine load hits
both alike), and peak memory (max RSS). The fixture holds Aalborg's and the nation's figures; the other areas
render their tables with empty cells, which is the same layout work.

Run: .venv/bin/python benchmarks/reports.py [--regions] [--jobs 2] [--baseline-reports 6] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.reports import write_reports
from barometer.reports.render import render_html, render_pdf
from barometer.sources.published import read_published
from barometer.store import open_release, publish
from barometer.view import BarometerView, ReleaseIndex, build_view

FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "published-2024-11.csv"


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forkserver_pid() -> int | None:
    """The pool's workers are children of multiprocessing's fork server, not of this process."""
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def _proc_stat(pid: int | str) -> list[str]:
    """Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, ..., [13] cutime, [14] cstime."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def pool_cpu_seconds() -> float:
    """CPU of the finished pool workers, which the fork server reaped (Linux /proc); 0 before any pool ran."""
    pid = _forkserver_pid()
    if pid is None:
        return 0.0
    fields = _proc_stat(pid)
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


class WorkerPeak:
    """Largest peak RSS (VmHWM) seen among the fork server's live children, sampled as reports complete."""

    def __init__(self) -> None:
        self.mib = 0.0

    def sample(self, *_: object) -> None:
        server = _forkserver_pid()
        if server is None:
            return
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and _proc_stat(proc.name)[1] == str(server):
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.mib = max(self.mib, int(line.split()[1]) / 1024)
            except OSError:
                continue  # the process ended meanwhile


def naive_pdf(view: BarometerView) -> bytes:
    """The baseline: what a first implementation does — HTML with its <style> inline, fonts set up per report."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML(string=render_html(view)).write_pdf(font_config=fonts)


def compare_with_naive(index: ReleaseIndex, codes: list[str], rounds: int = 2) -> None:
    """CPU time of the naive render against the one used, interleaved and in alternating order after a warm-up
    of both, so neither gains from caches the other filled or loses to load from other processes."""
    views = [build_view(index, code) for code in codes]
    naive_pdf(views[0])
    render_pdf(views[0])
    spent = {"naive": 0.0, "reused": 0.0}
    for turn in range(rounds):
        for view in views:
            order = [("naive", naive_pdf), ("reused", render_pdf)]
            for name, render in order if turn % 2 == 0 else reversed(order):
                t0 = time.process_time()
                render(view)
                spent[name] += time.process_time() - t0
    n = rounds * len(views)
    print(f"naive render (inline CSS, new font config): {spent['naive'] / n:.3f} CPU s per report")
    print(f"reused stylesheet and font config         : {spent['reused'] / n:.3f} CPU s per report "
          f"(naive / reused = {spent['naive'] / spent['reused']:.2f})")


def _cpu_seconds() -> float:
    """CPU time of this process plus the pool workers it had (children of the fork server)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + pool_cpu_seconds()


def timed(label: str, run) -> tuple[list[Path], float, float]:
    """Wall clock and CPU (all processes) of one run. CPU per report is what "on one core" means on a machine
    whose other processes compete for the cores; wall clock is what a user waits."""
    w0, c0 = time.perf_counter(), _cpu_seconds()
    paths = run()
    wall, cpu = time.perf_counter() - w0, _cpu_seconds() - c0
    n = len(paths)
    print(f"{label}: {n} reports in {wall:6.2f} s wall = {wall / n:.3f} s per report; "
          f"CPU {cpu / n:.3f} s per report; total {wall:.1f} s")
    return paths, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", action="store_true", help="also render the 5 regions (104 reports)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run")
    parser.add_argument("--baseline-reports", type=int, default=6, help="reports in the naive-vs-reused comparison")
    parser.add_argument("--limit", type=int, default=None, help="only the first N areas (a quick check)")
    args = parser.parse_args()
    catalogue = load_catalogue()
    kinds = {"country", "municipality"} | ({"region"} if args.regions else set())
    codes = [a.code for a in catalogue.areas if a.kind in kinds][: args.limit]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        publish(store, read_published(FIXTURE, catalogue), "2024-11", {"kind": "benchmark"})

        t0 = time.perf_counter()
        index = ReleaseIndex.load(open_release(store))
        render_pdf(build_view(index, "851"))
        print(f"first report (cold: release index, fonts, stylesheet, template): {time.perf_counter() - t0:.2f} s")
        compare_with_naive(index, codes[: args.baseline_reports])

        workers = WorkerPeak()
        one, single, single_cpu = timed("1 process  ",
                                        lambda: write_reports(store, codes, ["pdf"], Path(tmp) / "one", jobs=1))
        _, parallel, parallel_cpu = timed(f"{args.jobs} processes",
                            lambda: write_reports(store, codes, ["pdf"], Path(tmp) / "par", jobs=args.jobs,
                                                  on_area_done=workers.sample))
        print(f"speed-up with {args.jobs} processes: {single / parallel:.2f}x (wall clock); CPU per report "
              f"{parallel_cpu / single_cpu:.2f}x of one process's (the cost of running in a pool)")
        sizes = [p.stat().st_size for p in one]
        print(f"PDF size: {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f} KiB")
    print(f"peak memory (max RSS): main process {peak_rss_mb():.0f} MiB, largest pool worker {workers.mib:.0f} MiB")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    target, per_report = 0.5, single_cpu / len(one)
    status = "meets" if per_report <= target else "MISSES"
    print(f"target <= {target} s per report on one core: {status} ({per_report:.3f} CPU s per report; "
          f"{single / len(one):.3f} s wall at this machine load)")


if __name__ == "__main__":
    main()
