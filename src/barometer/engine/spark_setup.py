"""Check what Spark needs before a JVM is started, and the session settings a build uses.

PySpark reports a missing Java as "Java gateway process exited before sending its port number" and a bad master
as a page of Java stack trace (or, for an unreachable standalone master, a minute of retries). These checks turn
each into one line that says what to do, and run in well under a second.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from barometer.engine.build import EngineError

MIN_JAVA = 17
"""Spark 4 runs on Java 17 or 21."""

NO_JAVA = ("Java runtime not found: install a JRE 17+ (Debian: openjdk-17-jre-headless) or set JAVA_HOME")

MASTER_FORMS = "local, local[N], local[*], spark://HOST:PORT, yarn, k8s://https://HOST:PORT"

_LOCAL = re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?")
_LOCAL_CLUSTER = re.compile(r"local-cluster\[\d+,\s*\d+,\s*\d+\]")


class SparkSetupError(EngineError):
    """Spark cannot run here (no Java, a wrong master URL, unreadable registers); nothing was computed."""

    code = "spark_unavailable"


def java_executable() -> Path:
    """The ``java`` Spark's launcher will run: ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else the PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise SparkSetupError(f"{NO_JAVA} (JAVA_HOME={home} has no bin/java)")
    found = shutil.which("java")
    if not found:
        raise SparkSetupError(NO_JAVA)
    return Path(found)


def java_version(java: Path) -> int:
    """The major version ``java -version`` reports (``1.8.0_x`` is 8, ``17.0.15`` is 17)."""
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SparkSetupError(f"{NO_JAVA} ({java} does not run: {exc})") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if out.returncode != 0 or not match:
        raise SparkSetupError(f"{NO_JAVA} ({java} -version failed)")
    major = int(match[1])
    return int(match[2] or 0) if major == 1 else major


def check_java() -> int:
    """Raise one line unless a Java 17+ runtime is there; returns its major version."""
    java = java_executable()
    version = java_version(java)
    if version < MIN_JAVA:
        raise SparkSetupError(f"Java {version} found at {java}; Spark needs Java {MIN_JAVA}+ "
                              "(Debian: openjdk-17-jre-headless) or set JAVA_HOME to one")
    return version


def _reachable(master: str, host: str | None, port: int | None, timeout: float = 5.0) -> None:
    if not host or not port:
        raise SparkSetupError(f"--spark-master {master}: no host and port in the URL ({MASTER_FORMS})")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SparkSetupError(f"--spark-master {master}: cannot reach {host}:{port} ({reason})") from exc


def check_master(master: str) -> None:
    """Raise one line naming ``master`` unless it is a master URL Spark accepts and, for a standalone or
    Kubernetes master, one that answers; YARN needs its configuration folder."""
    if _LOCAL.fullmatch(master) or _LOCAL_CLUSTER.fullmatch(master):
        return
    if master == "yarn":
        if not (os.environ.get("HADOOP_CONF_DIR") or os.environ.get("YARN_CONF_DIR")):
            raise SparkSetupError("--spark-master yarn: set HADOOP_CONF_DIR or YARN_CONF_DIR to the cluster's "
                                  "configuration folder")
        return
    if master.startswith("spark://"):
        first = master[len("spark://"):].split(",")[0]  # a standalone master with standby masters lists several
        try:
            url = urlsplit("spark://" + first)
            _reachable(master, url.hostname, url.port)
        except ValueError as exc:
            raise SparkSetupError(f"--spark-master {master}: {exc}") from exc
        return
    if master.startswith("k8s://"):
        rest = master[len("k8s://"):]
        try:
            url = urlsplit(rest if "://" in rest else "https://" + rest)
            _reachable(master, url.hostname, url.port or (443 if url.scheme == "https" else 80))
        except ValueError as exc:
            raise SparkSetupError(f"--spark-master {master}: {exc}") from exc
        return
    raise SparkSetupError(f"--spark-master {master}: not a Spark master URL (use {MASTER_FORMS})")


def local_cores(master: str) -> int | None:
    """The worker threads of a ``local[N]`` master (None for ``local[*]`` and cluster masters)."""
    match = _LOCAL.fullmatch(master)
    if not match:
        return None
    if not match[1]:
        return 1
    return None if match[2] == "*" else int(match[2])


LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
"""JVM options of a local session. A build is some fifty short queries, each planned, generated and compiled
anew, so the JVM's optimising compiler (C2) costs more than its faster code earns: with the quick compiler only
(C1) a build at scale 0.02 takes about a third less CPU, and the throughput collector less again than G1
(docs/engine.md, Spark, Performance). ``BAROMETER_SPARK_JAVA_OPTIONS`` replaces them (empty: the JVM's
defaults)."""


def session_conf(master: str, threads: int | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Settings of a session the build starts itself. Local runs get few shuffle partitions (the registers of
    one country are small for Spark; adaptive execution coalesces further) and a driver heap sized for the whole
    country; a cluster keeps its own defaults (spark-defaults.conf, ``spark-submit --conf``)."""
    conf = {
        "spark.master": master,
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",  # dates are dates; nothing may shift with the machine's zone
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        cores = local_cores(master) or threads or os.cpu_count() or 2
        conf["spark.sql.shuffle.partitions"] = str(max(2, 2 * cores))
        conf["spark.driver.memory"] = os.environ.get("BAROMETER_SPARK_DRIVER_MEMORY", "4g")
        java = os.environ.get("BAROMETER_SPARK_JAVA_OPTIONS", LOCAL_JAVA_OPTIONS).strip()
        if java:
            conf["spark.driver.extraJavaOptions"] = java
    conf.update(extra or {})
    return conf
