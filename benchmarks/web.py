"""Benchmark of the website: a municipality page and an API observations call under concurrent clients.

Starts uvicorn in a subprocess on 127.0.0.1 and a free port, serving a seeded synthetic multi-year release (all
104 areas, 2012-2024; tests/web/sample_release.py), then runs N concurrent httpx clients against one URL for a
fixed time per scenario and prints requests/s, p50/p95/p99 latency and errors. A baseline scenario (the smallest
API response, /api/v1/areas/851) runs in the same process so figures can be read as ratios. Peak memory: the
server's VmHWM and this process's max RSS.

    .venv/bin/python benchmarks/web.py                 # 32 clients, 20 s per scenario
    .venv/bin/python benchmarks/web.py --seconds 3     # quick look

Targets (2 cores): p95 ≤ 50 ms, ≥ 300 requests/s, zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from sample_release import publish_sample  # noqa: E402
from server import running_server  # noqa: E402

# name: (path, send "Accept-Encoding: gzip" as browsers do)
SCENARIOS = {
    "baseline /api/v1/areas/851": ("/api/v1/areas/851", False),
    "municipality page /kommune/851 (gzip)": ("/kommune/851", True),
    "municipality page /kommune/851 (plain)": ("/kommune/851", False),
    "API /api/v1/observations?area=851&item=1.2": ("/api/v1/observations?area=851&item=1.2", False),
}


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive HTTP/1.1 GET; returns the status code (the body is read and dropped)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _load(host: str, port: int, path: str, gzip: bool, clients: int,
                seconds: float) -> tuple[list[float], int, float]:
    """N clients, each on its own keep-alive connection, request `path` back to back until time is up.

    A minimal HTTP/1.1 client on asyncio streams: httpx costs more CPU per request than the server does, and on a
    2-core machine the load generator must not starve the server it measures.
    """
    encoding = "gzip" if gzip else "identity"
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
               f"Accept-Encoding: {encoding}\r\n\r\n").encode()
    latencies: list[float] = []
    errors = 0
    warm = httpx.get(f"http://{host}:{port}{path}", timeout=30)  # first render fills the release's cache
    if warm.status_code != 200:
        raise SystemExit(f"{path}: status {warm.status_code}")
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(_fetch(reader, writer, request), 10) == 200
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                latencies.append(time.perf_counter() - start)
                errors += not ok
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began


def _pct(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] * 1000


def _cold_renders(base: str) -> dict[str, list[float]]:
    """First (uncached) render of every area page and every indicator page, one client, in ms."""
    from barometer.catalogue import load_catalogue

    cat = load_catalogue()
    groups = {"area page, first render": [f"/kommune/{a.code}" for a in cat.areas],
              "indicator page, first render (charts)": [f"/indikator/{i.id}" for i in cat.indicators]}
    out: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, paths in groups.items():
            times = []
            for path in paths:
                start = time.perf_counter()
                if client.get(path).status_code != 200:
                    raise SystemExit(f"{path}: not 200")
                times.append((time.perf_counter() - start) * 1000)
            out[name] = sorted(times)
    return out


def _server_peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp)
        release = publish_sample(store)
        print(f"release {release.id}: {release.manifest['observations']['rows']} observations; "
              f"{args.clients} clients, {args.seconds:g} s per scenario, loopback 127.0.0.1")
        with running_server(store) as (base, pid):
            results = {}
            for name, (path, gzip) in SCENARIOS.items():
                host, port = base.removeprefix("http://").split(":")
                lat, errors, elapsed = asyncio.run(_load(host, int(port), path, gzip, args.clients, args.seconds))
                lat.sort()
                results[name] = (len(lat) / elapsed, _pct(lat, 0.50), _pct(lat, 0.95), _pct(lat, 0.99), errors,
                                 len(lat))
            cold = _cold_renders(base)
            peak = _server_peak_kib(pid)
    print("load average during the run (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")
    print(f"{'scenario':48} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>9}")
    for name, (rps, p50, p95, p99, errors, n) in results.items():
        print(f"{name:48} {rps:8.0f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:7d} {n:9d}")
    base_rps, *_ = results["baseline /api/v1/areas/851"]
    base_p95 = results["baseline /api/v1/areas/851"][2]
    for name, (rps, _p50, p95, *_rest) in results.items():
        print(f"ratio to baseline  {name:48} throughput ×{rps / base_rps:.2f}  p95 ×{p95 / base_p95:.2f}")
    for name, times in cold.items():
        print(f"{name:48} n={len(times):3d}  median {times[len(times) // 2]:7.1f} ms  max {times[-1]:7.1f} ms")
    print(f"peak memory: server VmHWM {peak / 1024 if peak else float('nan'):.0f} MiB, "
          f"benchmark process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    targets = [name for name, (rps, _p50, p95, _p99, errors, _n) in results.items()
               if not name.startswith("baseline") and (p95 > 50 or rps < 300 or errors)]
    print("targets (p95 ≤ 50 ms, ≥ 300 req/s, 0 errors):", "met" if not targets else f"missed by {targets}")


if __name__ == "__main__":
    main()
