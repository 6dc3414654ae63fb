"""Engine selection: which backend runs the declarations, and where its registers are read from.

``duckdb`` (the default) reads a local register folder. ``spark`` reads the same folder, or a URI on any file
system its Hadoop connectors reach (``hdfs://``, ``s3a://``, ``abfss://``, ``file://``); of a folder given as a
URI only manifest.json is copied to a local temporary folder, where the build reads it exactly as a local
folder's (coverage, file checksums, provenance), while Spark reads the tables where they are.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Registers:
    """A register folder as the build sees it."""

    location: str | Path
    """What the backend reads: a local folder, or a URI (Spark only)."""
    folder: Path
    """A local folder with the manifest.json: the registers themselves, or a staged copy of a remote manifest."""
    remote: bool = False
    """Given as a URI: read through Spark's file systems (validated there too, barometer.engine.spark_validate)."""
    _staging: Any = field(default=None, repr=False, compare=False)  # keeps the staged copy until dropped

    def __str__(self) -> str:
        return str(self.location)


def locate(registers: str | Path | Registers, engine: str, spark_master: str | None = None) -> Registers:
    """Resolve ``registers`` for ``engine``; a remote URI needs Spark, which copies its manifest here."""
    from barometer.engine.build import EngineError

    if isinstance(registers, Registers):
        return registers
    from barometer.engine.spark_io import is_uri

    text = str(registers)
    if not is_uri(text):
        return Registers(location=Path(registers), folder=Path(registers))
    if engine != "spark":
        raise EngineError(f"--registers {text}: only --engine spark reads a URI; {engine} reads a local folder")
    from barometer.engine.spark import spark_session
    from barometer.engine.spark_io import check_readable, stage_manifest

    spark = spark_session(spark_master)
    check_readable(spark, text.rstrip("/"))
    staging = tempfile.TemporaryDirectory(prefix="barometer-registers-")
    folder = stage_manifest(spark, text.rstrip("/"), Path(staging.name))
    return Registers(location=text.rstrip("/"), folder=folder, remote=True, _staging=staging)


def open_backend(engine: str, *, threads: int | None = None, spark_master: str | None = None,
                 cancel: Any = None) -> Any:
    """A fresh backend for ``engine`` (validated against ``ENGINES`` by the caller); ``cancel``
    (barometer.engine.overlap.Cancel, DuckDB only) stops it when validation running alongside refuses the
    registers."""
    if engine == "spark":
        from barometer.engine.spark import SparkBackend

        return SparkBackend(spark_master, threads=threads)
    from barometer.engine.backend import DuckDBBackend

    return DuckDBBackend(threads=threads, cancel=cancel)
