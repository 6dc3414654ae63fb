"""Benchmark: `make demo` from a fresh clone, stage by stage, until the site answers.

Clones the committed state of this repository into a temporary folder, runs `make setup` there (not timed: the
starting point is a set-up venv), then times `make demo` until http://127.0.0.1:PORT/ answers, and on until the
two reports rendered in the background are written. Stages are told apart by the commands make echoes (synth,
build, serve); for each it prints wall seconds, CPU seconds of the whole process tree (make and everything it
started, including finished processes, whose time their parents collect) and the peak summed resident memory.
The budget line is the time to the first page against the target of 90 s. `--floor` adds, in the same run, one
DuckDB pass reading every value of every register file the demo generated (the machine's yardstick: a build can
hardly be faster than reading its input once).

On a shared machine run it when nothing else heavy runs (wall times follow the load):
    .venv/bin/python benchmarks/demo.py [--scale 1] [--port 8000] [--floor] [--keep]
        [--source REPO]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 90.0
# The lines make echoes when a stage starts (recipe lines without @), and the line the reports end with.
STAGES = (("synth", "bin/barometer synth "), ("build", " build --registers "),
          ("after publish (build exits, reports start)", "Published release "), ("server start", " serve --host "))
REPORTS_DONE = ("Reports of Aalborg and Hele landet written", "Rendering the reports failed",
                "Reports of this release already", "Reports in out/")  # the last: before they moved behind serve
TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and all its living descendants."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                stack += [int(k) for k in (task / "children").read_text().split()]
    return out


def cpu_and_rss(pids: list[int]) -> tuple[float, int]:
    """CPU seconds (own + waited-for children) and resident bytes summed over ``pids``."""
    cpu, rss = 0.0, 0
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += sum(int(f) for f in fields[11:15]) / TICKS  # utime, stime, cutime, cstime
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


@dataclass
class Run:
    """What the sampler and the output reader saw, as seconds since `make demo` started."""

    start: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)  # stage -> start second
    cpu_at: dict[str, float] = field(default_factory=dict)  # stage -> tree CPU seconds at its start
    peak: dict[str, int] = field(default_factory=dict)  # stage -> peak summed RSS during it
    cpu: float = 0.0
    stage: str = "make (setup check, system packages)"
    lines: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self.start

    def enter(self, stage: str) -> None:
        if stage not in self.marks:
            self.marks[stage], self.cpu_at[stage], self.stage = self.now(), self.cpu, stage


def read_output(proc: subprocess.Popen[bytes], run: Run, log: Path) -> None:
    assert proc.stdout is not None
    with log.open("wb") as fh:
        buffer = b""
        while chunk := proc.stdout.read1(4096):
            fh.write(chunk)
            buffer += chunk
            *lines, buffer = buffer.replace(b"\r", b"\n").split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace")
                run.lines.append(line)
                for stage, marker in STAGES:
                    if marker in line:
                        run.enter(stage)
                if any(line.startswith(done) for done in REPORTS_DONE):
                    run.enter("reports done")


def sample(proc: subprocess.Popen[bytes], run: Run, stop: threading.Event) -> None:
    while not stop.is_set():
        cpu, rss = cpu_and_rss(tree(proc.pid))
        run.cpu = max(run.cpu, cpu)
        run.peak[run.stage] = max(run.peak.get(run.stage, 0), rss)
        time.sleep(0.2)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def floor_seconds(registers: Path) -> float:
    """One DuckDB pass reading every value of every column of every register table (as benchmarks/engine.py)."""
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    for folder in sorted(p for p in registers.iterdir() if p.is_dir()):
        glob = f"{folder}/*.parquet"
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()]
        counts = ", ".join(f'COUNT("{c}")' for c in columns)
        con.execute(f"SELECT {counts} FROM read_parquet('{glob}')").fetchall()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1", help="DEMO_SCALE (default: 1, the whole population)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--floor", action="store_true", help="also time one read of every register value")
    parser.add_argument("--keep", action="store_true", help="keep the clone (registers, release, reports)")
    parser.add_argument("--source", type=Path, default=ROOT, help="repository to clone (default: this one)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    args = parser.parse_args()
    if answers(args.port):
        raise SystemExit(f"something already answers on 127.0.0.1:{args.port}; choose --port")
    work = Path(tempfile.mkdtemp(prefix="demo-bench-"))
    clone = work / "project"
    commit = subprocess.run(["git", "-C", str(args.source), "rev-parse", "--short", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", str(args.source), str(clone)], check=True)
    print(f"fresh clone of {commit} in {clone}; make setup (not timed) ...", flush=True)
    setup_start = time.perf_counter()
    subprocess.run(["make", "setup"], cwd=clone, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"make setup done in {time.perf_counter() - setup_start:.0f} s", flush=True)
    load_before = os.getloadavg()
    run = Run()
    proc = subprocess.Popen(["make", "demo", f"DEMO_SCALE={args.scale}", f"PORT={args.port}"], cwd=clone,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    stop = threading.Event()
    threads = [threading.Thread(target=read_output, args=(proc, run, work / "demo.log"), daemon=True),
               threading.Thread(target=sample, args=(proc, run, stop), daemon=True)]
    for t in threads:
        t.start()
    try:
        while "site up" not in run.marks and proc.poll() is None and run.now() < args.timeout:
            if "server start" in run.marks and answers(args.port):
                run.enter("site up")
            time.sleep(0.1)
        load_up = os.getloadavg()
        while "reports done" not in run.marks and proc.poll() is None and run.now() < args.timeout:
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=5)
    if "site up" not in run.marks:
        print("\n".join(run.lines[-30:]))
        raise SystemExit(f"no site on 127.0.0.1:{args.port}; log in {work / 'demo.log'}")
    print(f"\nmake demo DEMO_SCALE={args.scale} (commit {commit}); load average {load_before[0]:.2f} at the start, "
          f"{load_up[0]:.2f} when the site answered")
    print(f"{'stage':<46}{'starts s':>10}{'wall s':>9}{'CPU s':>9}{'peak GiB':>10}")
    order = ["make (setup check, system packages)", *[s for s, _ in STAGES], "site up", "reports done"]
    starts = {"make (setup check, system packages)": 0.0, **run.marks}
    cpu_at = {"make (setup check, system packages)": 0.0, **run.cpu_at}
    seen = sorted((s for s in order if s in starts), key=lambda s: (starts[s], order.index(s)))
    for stage, following in itertools.pairwise(seen):
        wall = starts[following] - starts[stage]
        cpu = cpu_at[following] - cpu_at[stage]
        peak = run.peak.get(stage, 0) / 2**30
        # Reports rendered behind the server run in a detached background job, outside make's tree: their CPU
        # is not counted, so the stretch after the site is up shows none.
        cpu_text = f"{cpu:>9.1f}" if stage != "site up" else f"{'-':>9}"
        print(f"{stage:<46}{starts[stage]:>10.1f}{wall:>9.1f}{cpu_text}{peak:>10.2f}")
    up = run.marks["site up"]
    print(f"{'site answers':<46}{up:>10.1f}")
    if "reports done" in run.marks:
        print(f"{'reports written':<46}{run.marks['reports done']:>10.1f}")
    print(f"\nfirst page after {up:.1f} s: {up / TARGET_SECONDS:.2f} x the {TARGET_SECONDS:.0f} s target")
    registers = clone / f"data/registers-demo-{args.scale}"
    if args.floor and registers.is_dir():
        floor = floor_seconds(registers)
        published = run.marks.get(STAGES[2][0], run.marks.get("server start", up))
        build = published - run.marks.get("build", 0.0)
        print(f"floor (one DuckDB read of every register value): {floor:.1f} s; build / floor {build / floor:.2f}")
    if args.keep:
        print(f"kept {clone}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
