"""Register folders on any file system Spark reads: local paths and URIs (``hdfs://``, ``s3a://``, ``abfss://`` …).

Files are listed through Hadoop's FileSystem API of the running session, so whatever connector the session has on
its classpath (hadoop-aws for ``s3a://``, hadoop-azure for ``abfss://``, the cluster's HDFS) serves the build
too. A folder that cannot be listed or read is one line naming it (``SparkSetupError``), never a stack trace.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from barometer.engine.spark_setup import SparkSetupError
from barometer.registers.layout import MANIFEST_NAME

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(registers: str | Path) -> bool:
    """True for ``scheme://…`` (a Windows drive letter or a plain path is not a URI)."""
    return bool(_SCHEME.match(str(registers)))


def spark_location(registers: str | Path) -> str:
    """What Spark is given: a URI as it is, a local path as an absolute ``file:`` path (a path without a scheme
    would be resolved against the cluster's default file system, e.g. HDFS)."""
    text = str(registers)
    if is_uri(text):
        return text.rstrip("/")
    return "file://" + str(Path(text).absolute())


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def _reason(exc: BaseException) -> str:
    """The Java exception's class and message from a Py4J error, on one line."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            return f"{java.getClass().getSimpleName()}: {java.getMessage()}".splitlines()[0][:300]
        except Exception:  # the gateway may be gone; fall back to the Python text
            pass
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _filesystem(spark: Any, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path


def check_readable(spark: Any, root: str) -> None:
    """Raise one line naming ``root`` unless it is a folder that holds a readable manifest.json."""
    try:
        fs, path = _filesystem(spark, root)
        if not fs.exists(path) or not fs.getFileStatus(path).isDirectory():
            raise SparkSetupError(f"--registers {root}: no such folder")
        manifest = _join(root, MANIFEST_NAME)
        _, mpath = _filesystem(spark, manifest)
        if not fs.exists(mpath):
            raise SparkSetupError(f"--registers {root}: no {MANIFEST_NAME} in the folder")
        fs.open(mpath).close()
    except SparkSetupError:
        raise
    except Exception as exc:  # Py4JJavaError: no connector for the scheme, access denied, unknown host …
        raise SparkSetupError(f"--registers {root}: cannot be read ({_reason(exc)})") from exc


def list_parts(spark: Any, root: str, table: str) -> list[str]:
    """The Parquet parts of ``table`` in name order (empty when the table's folder is missing)."""
    try:
        fs, pattern = _filesystem(spark, _join(root, table, "*.parquet"))
        statuses = fs.globStatus(pattern)
    except Exception as exc:
        raise SparkSetupError(f"--registers {root}: cannot list {table}/ ({_reason(exc)})") from exc
    if statuses is None:
        return []
    return sorted(str(s.getPath().toString()) for s in statuses if s.isFile())


def read_text(spark: Any, path: str) -> str:
    """A small text file's content (the registers manifest)."""
    try:
        rows = spark.read.text(path, wholetext=True).collect()
    except Exception as exc:
        raise SparkSetupError(f"{path}: cannot be read ({_reason(exc)})") from exc
    return rows[0][0] if rows else ""


def stage_manifest(spark: Any, root: str, folder: Path) -> Path:
    """Copy the remote folder's manifest.json into local ``folder``, where the build reads it like a local
    folder's (coverage, checksums and provenance come from the manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_NAME).write_text(read_text(spark, _join(root, MANIFEST_NAME)), encoding="utf-8")
    return folder


_WIDTH = {"string": 20, "int64": 8, "double": 8, "int32": 4, "date32[day]": 4, "int16": 2, "int8": 1, "bool": 1}
"""Bytes a value takes in Spark's size estimates (``DataType.defaultSize``), by the contract's Arrow type."""


def compression_factor(spark: Any, root: str) -> int:
    """How many times its Parquet bytes a register table is at most in memory, from the manifest's rows and bytes.

    Spark estimates a Parquet table's size as its file size times ``spark.sql.sources.fileCompressionFactor``
    (default 1) and broadcasts a join side estimated below 10 MB. Register parts sorted by person compress to
    well under a byte a row (residence at scale 0.25: 18.8 million rows in 7 MB), so a table of a gigabyte in
    memory looked small enough to broadcast, and the build failed for lack of memory. The factor makes the
    largest ratio of rows times row width (Spark's widths, plus 8 bytes of row header) to file bytes the
    estimate for every table: over-estimating a table only forgoes a broadcast (adaptive execution still
    broadcasts what turns out small after a shuffle), under-estimating one can fail the build."""
    from barometer.registers.contract import CONTRACT

    path = _join(root, MANIFEST_NAME)
    text = Path(path[len("file://"):]).read_text(encoding="utf-8") if path.startswith("file://") \
        else read_text(spark, path)
    try:
        tables = json.loads(text).get("tables", {})
    except ValueError as exc:
        raise SparkSetupError(f"{path}: not JSON ({exc})") from exc
    factor = 1.0
    for name, entry in tables.items():
        table = CONTRACT.tables.get(name)
        size = sum(int(f.get("bytes", 0)) for f in entry.get("files", []))
        if table is None or size <= 0:
            continue
        width = 8 + sum(_WIDTH.get(str(field.type), 8) for field in table.arrow_schema())
        factor = max(factor, int(entry.get("rows", 0)) * width / size)
    return math.ceil(factor)
