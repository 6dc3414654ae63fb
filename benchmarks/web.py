"""Benchmark of the website's API under load, measured with wrk, against Datasette serving the same observations.

Serves a release (the store's current one with --store, e.g. a full-scale build; otherwise a seeded synthetic
multi-year release, tests/web/sample_release.py) with `barometer serve` on 127.0.0.1, and the same observations
exported to SQLite (indexed by area, item and period) with Datasette, each with the same number of uvicorn worker
processes (--workers; Datasette through benchmarks/datasette_asgi.py, as `datasette serve` has one process). wrk
(benchmarks/web_mix.lua) asks each server for a random (area, item, period) of the release per request:

    /api/v1/observations?area=851&item=1.2&period=2020                     (ours)
    /obs/observations.json?area_code=851&item_id=1.2&period=2020&_shape=array&_nocount=1   (Datasette)

Scenarios: our server with its response cache off (every answer computed: the honest "every query" figure), with
the cache on, one repeated URL (a cache hit), and Datasette. Printed per scenario: requests/s, p50/p90/p99
latency, errors (connect, read, write, timeout, non-2xx), the servers' CPU milliseconds per request (less
sensitive to a loaded machine than requests/s) and peak memory (VmHWM summed over the server's processes); then
the ratio of our uncached throughput to Datasette's, measured in the same run.

    .venv/bin/python benchmarks/web.py --store /path/to/store     # 32 connections, 2 workers, 20 s each
    .venv/bin/python benchmarks/web.py --seconds 5                # quick look on the sample release

Targets (2 cores, 32 connections): the uncached mix ≥ 3,000 requests/s with p99 ≤ 30 ms and no errors, and
≥ 5× Datasette. wrk runs on the same machine and takes part of its cores (2 threads), as noted in the output.
Needs wrk (scripts/system-deps.sh installs it) and datasette (a dev dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from sample_release import publish_sample  # noqa: E402

from barometer.exports.release import OBSERVATION_FIELDS  # noqa: E402
from barometer.store import Release, open_release  # noqa: E402

LUA = Path(__file__).with_name("web_mix.lua")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with suppress(OSError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return out


def _cpu_seconds(pid: int) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, IndexError):
            pass
    return total


def _peak_mib(pid: int) -> float:
    kib = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    kib += int(line.split()[1])
        except OSError:
            pass
    return kib / 1024


@contextmanager
def _server(cmd: list[str], env: dict[str, str], probe: str) -> Iterator[int]:
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(probe, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: {' '.join(cmd)}")
            time.sleep(0.3)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wrk(base: str, paths_file: Path, args: argparse.Namespace, pid: int) -> dict:
    cpu0 = _cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds:g}s",
                          "--timeout", "5s", "-s", str(LUA), base], env={**os.environ, "WRK_PATHS": str(paths_file)},
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line.removeprefix("WRKJSON "))
    result["cpu_s"] = _cpu_seconds(pid) - cpu0
    result["peak_mib"] = _peak_mib(pid)
    return result


def _export_sqlite(release: Release, path: Path) -> None:
    """The release's observations in SQLite, indexed by (area, item, period) as Datasette would be set up."""
    rows = release.observations().select(list(OBSERVATION_FIELDS)).to_pylist()
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE observations ({', '.join(OBSERVATION_FIELDS)})")
        db.executemany(f"INSERT INTO observations VALUES ({', '.join('?' * len(OBSERVATION_FIELDS))})",
                       [tuple(r[f] for f in OBSERVATION_FIELDS) for r in rows])
        db.execute("CREATE INDEX observations_cell ON observations (area_code, item_id, period)")


def _paths(release: Release, tmp: Path) -> tuple[Path, Path, int]:
    keys = sorted({(r["area_code"], r["item_id"], r["period"]) for r in
                   release.observations().select(["area_code", "item_id", "period"]).to_pylist()})
    ours, theirs = tmp / "ours.txt", tmp / "datasette.txt"
    ours.write_text("".join(f"/api/v1/observations?area={a}&item={quote(i)}&period={p}\n" for a, i, p in keys))
    theirs.write_text("".join(f"/obs/observations.json?area_code={a}&item_id={quote(i)}&period={p}"
                              "&_shape=array&_nocount=1\n" for a, i, p in keys))
    return ours, theirs, len(keys)


def _row(name: str, r: dict) -> str:
    seconds = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"]
    return (f"{name:44} {r['requests'] / seconds:8.0f} {r['p50'] / 1000:7.1f} {r['p90'] / 1000:7.1f} "
            f"{r['p99'] / 1000:7.1f} {errors:7d} {r['requests']:9d} {1000 * r['cpu_s'] / max(r['requests'], 1):8.3f} "
            f"{r['peak_mib']:8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="serve this store's current release (default: a sample)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `bash scripts/system-deps.sh` (as root)")
    barometer = Path(sys.executable).with_name("barometer")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        store = args.store or tmp / "store"
        release = open_release(store) if args.store else publish_sample(store)
        ours_paths, ds_paths, cells = _paths(release, tmp)
        db = tmp / "obs.db"
        _export_sqlite(release, db)
        print(f"release {release.id}: {release.manifest['observations']['rows']} observations, {cells} cells in "
              f"the random mix; wrk {args.threads} threads, {args.connections} connections, {args.seconds:g} s "
              f"per scenario; {args.workers} worker processes per server; {os.cpu_count()} CPUs shared with wrk")
        results: dict[str, dict] = {}
        one = tmp / "one.txt"
        one.write_text("/api/v1/observations?area=851&item=1.2&period=2020\n")
        for cache_mb, scenarios in (("0", (("ours: random mix, response cache off", ours_paths),)),
                                    ("128", (("ours: random mix, response cache on", ours_paths),
                                             ("ours: one repeated URL (cache hit)", one)))):
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            cmd = [str(barometer), "--store", str(store), "serve", "--port", str(port), "--workers",
                   str(args.workers), "--release", release.id]
            with _server(cmd, {"BAROMETER_PAGE_CACHE_MB": cache_mb}, base + "/api/v1/areas/851") as pid:
                for name, paths in scenarios:
                    results[name] = _wrk(base, paths, args, pid)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "uvicorn", "datasette_asgi:app", "--app-dir", str(ROOT / "benchmarks"),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--log-level", "warning",
               "--no-access-log", "--http", "datasette_asgi:NoDelayHttpToolsProtocol"]
        with _server(cmd, {"BENCH_SQLITE": str(db)}, base + "/obs/observations.json?_size=1") as pid:
            results["Datasette: random mix (SQLite, indexed)"] = _wrk(base, ds_paths, args, pid)
    print("load average after the run (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"{'scenario':44} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'errors':>7} {'requests':>9} "
          f"{'CPU ms/req':>8} {'peak MiB':>8}")
    for name, r in results.items():
        print(_row(name, r))
    ours = results["ours: random mix, response cache off"]
    theirs = results["Datasette: random mix (SQLite, indexed)"]
    ratio = (ours["requests"] / ours["duration_us"]) / (theirs["requests"] / theirs["duration_us"])
    cpu_ratio = (theirs["cpu_s"] / theirs["requests"]) / (ours["cpu_s"] / ours["requests"])
    print(f"ratio ours (uncached) / Datasette: throughput ×{ratio:.1f}, CPU per request ×{cpu_ratio:.1f} less")
    rps = ours["requests"] / (ours["duration_us"] / 1e6)
    errors = sum(ours[k] for k in ("connect", "read", "write", "timeout", "status"))
    met = rps >= 3000 and ours["p99"] <= 30_000 and not errors and ratio >= 5
    print("targets (uncached mix ≥ 3,000 req/s, p99 ≤ 30 ms, 0 errors, ≥ 5× Datasette):",
          "met" if met else "missed")


if __name__ == "__main__":
    main()
