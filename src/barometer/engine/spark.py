"""Run the declarations on Spark: the same four backend operations as ``DuckDBBackend``, on a SparkSession.

Register tables become Spark temp views over their Parquet parts (read from any path Spark reads: a local
folder, ``file://``, ``hdfs://``, ``s3a://``, ``abfss://`` …, through the Hadoop connectors on the classpath),
reference tables become temp views of small DataFrames, derived views become temp views (checkpointed when
materialised, see ``SparkBackend.create_view``), and every item runs through the same wrapping query
(``barometer.engine.backend.item_query``) as on DuckDB. The SQL is the declarations' text rendered for the
``spark`` dialect (``barometer.engine.sql``): there is no second copy of any definition.

Before a JVM is started the runtime is checked (``spark_setup``), so a missing Java or a wrong master URL is one
clear line, not a Java stack trace.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from barometer.engine.backend import item_query
from barometer.engine.model import Definition, View
from barometer.engine.spark_io import check_readable, compression_factor, list_parts, spark_location
from barometer.engine.spark_setup import SparkSetupError, check_java, check_master, session_conf
from barometer.engine.sql import render
from barometer.registers.contract import CONTRACT

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"

FILE_COMPRESSION = "spark.sql.sources.fileCompressionFactor"
"""Set per build from the registers' manifest (``spark_io.compression_factor``): no register is broadcast
because its well-compressed Parquet parts look small."""

# PySpark 4 warns about pandas 3 on every Arrow conversion; the build uses Arrow only, never pandas.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


class SparkBackend:
    """The engine's backend seam on PySpark (see the module docstring)."""

    dialect = "spark"

    def __init__(self, master: str | None = None, threads: int | None = None) -> None:
        self.spark = spark_session(master, threads)
        self._views: list[str] = []
        self._rdds_before = self._persistent_rdds()
        self._conf_before: dict[str, str | None] = {}
        self._stored: dict[str, set[int]] = {}  # a checkpointed view's persisted RDDs

    # -- the four operations -------------------------------------------------------------------------------------
    def register_registers(self, root: str | Path) -> set[str]:
        """A temp view per contract table over its Parquet parts; returns the tables present."""
        location = spark_location(root)
        check_readable(self.spark, location)
        self._set_conf(FILE_COMPRESSION, str(compression_factor(self.spark, location)))
        present = set()
        for name, table in CONTRACT.tables.items():
            files = list_parts(self.spark, location, name)
            if files:  # the contract's schema: Spark need not open the parts' footers to learn it (a job each)
                df = self.spark.read.schema(_spark_schema(table.arrow_schema())).parquet(*files)
                present.add(name)
            else:  # an absent optional table: an empty table of the right shape keeps the SQL valid
                df = self.spark.createDataFrame(table.arrow_schema().empty_table())
            self._temp_view(df, name)
        return present

    def register_reference(self, name: str, data: pa.Table) -> None:
        """A small cached DataFrame, its cache filled now: filled by the first view that reads it, it would count
        among the RDDs that view's checkpoint persisted, and ``drop_view`` would free it with the view's rows."""
        df = self.spark.createDataFrame(data).cache()
        df.count()
        self._temp_view(df, name)

    def create_view(self, view: View, params: dict[str, object]) -> None:
        """A temp view; a materialised one is computed once and checkpointed.

        Checkpointing (not ``CACHE TABLE``) because Spark does not substitute a cached table for its plan inside
        the item query's ``WITH item AS (…)`` when the table's own query has a CTE or an ``IN`` subquery
        (``fulltime_support``, ``status_cells``, ``holder_spell``): each item then recomputed the whole chain of
        views. A checkpointed view is a scan of stored rows whatever query reads it, and its plan is one leaf,
        so the items' plans stay small (less analysis, optimisation and code generation per item). The rows go
        to the session's checkpoint directory when one is set (``spark.checkpoint.dir``: reliable, survives a
        lost executor), else to the executors' block stores (memory, spilling to disk)."""
        sql = render(view.sql, self.dialect, params)
        if view.materialize:
            before = set(self._persistent_rdds())
            self._temp_view(self._checkpoint(self.spark.sql(sql)), view.name)
            self._stored[view.name] = set(self._persistent_rdds()) - before
        else:
            self.spark.sql(f"CREATE OR REPLACE TEMP VIEW `{view.name}` AS {sql}")
            self._views.append(view.name)

    def drop_view(self, name: str) -> None:
        """Drop a checkpointed view no longer read (``build.finished_views``); its rows leave the block store, so
        their memory serves the views still to come. The view's rows are the RDDs its creation persisted."""
        self.spark.catalog.dropTempView(name)
        rdds = self._persistent_rdds()
        for rdd_id in self._stored.pop(name, set()):
            if rdd_id in rdds:
                rdds[rdd_id].unpersist(False)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def evaluate(self, definition: Definition, params: dict[str, object], national_only: bool) -> pa.Table:
        """The item for every area through the same wrapping query as DuckDB."""
        return self.query(item_query(definition, self.dialect, params, national_only))

    def close(self) -> None:
        """Drop what this build registered and free its cache. The session stays up for the process (a second
        build in it starts in a second, not a JVM's start-up; the JVM ends with the process)."""
        for name in reversed(self._views):
            self.spark.catalog.dropTempView(name)
        self.spark.catalog.clearCache()
        for rdd_id, rdd in self._persistent_rdds().items():  # local checkpoints are persisted RDDs
            if rdd_id not in self._rdds_before:
                rdd.unpersist(False)
        for key, value in self._conf_before.items():  # the session's own settings back
            if value is None:
                self.spark.conf.unset(key)
            else:
                self.spark.conf.set(key, value)

    def _set_conf(self, key: str, value: str) -> None:
        """Set a session setting for this build; ``close`` puts the session's own value back."""
        self._conf_before.setdefault(key, self.spark.conf.get(key, None))
        self.spark.conf.set(key, value)

    def _checkpoint(self, df: Any) -> Any:
        from pyspark import StorageLevel

        if self.spark.sparkContext.getCheckpointDir():
            return df.checkpoint(eager=True)
        return df.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)

    def _persistent_rdds(self) -> dict[int, Any]:
        return {int(k): rdd for k, rdd in self.spark.sparkContext._jsc.getPersistentRDDs().items()}

    def _temp_view(self, df: Any, name: str) -> None:
        df.createOrReplaceTempView(name)
        self._views.append(name)


def _spark_schema(schema: pa.Schema) -> Any:
    """The Spark schema of an Arrow schema (the register contract's; validation has checked the parts' types)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def spark_session(master: str | None = None, threads: int | None = None) -> SparkSession:
    """The process's SparkSession: the running one (under spark-submit or a managed service's notebook, whose
    master and settings win), else a new one on ``master`` after Java and the master URL are checked."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if under_spark_submit():  # the JVM runs already; spark-submit's --master and --conf apply
        if master:
            raise SparkSetupError(f"--spark-master {master}: under spark-submit the master is spark-submit's "
                                  "--master; leave --spark-master out")
        return SparkSession.builder.appName("barometer").getOrCreate()
    master = master or DEFAULT_MASTER
    check_java()
    check_master(master)
    builder = SparkSession.builder.appName("barometer")
    for key, value in session_conf(master, threads).items():
        builder = builder.config(key, value)
    log = _jvm_log()
    try:
        with _stderr_to(log):  # the JVM inherits this: its start-up notes and log go to the file, not the terminal
            spark = builder.getOrCreate()
    except Exception as exc:  # py4j / PySpark errors: one line, naming the master and the JVM's log
        raise SparkSetupError(f"--spark-master {master}: Spark could not start ({_first_line(exc)}; "
                              f"Spark's log: {log})") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _jvm_log() -> Path:
    """Where the session's JVM writes its stderr (``BAROMETER_SPARK_LOG``, else a new file in the temp folder)."""
    chosen = os.environ.get("BAROMETER_SPARK_LOG")
    if chosen:
        return Path(chosen)
    handle, name = tempfile.mkstemp(prefix="barometer-spark-", suffix=".log")
    os.close(handle)
    return Path(name)


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` while the JVM is launched (it keeps the descriptor it inherits)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as target:
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def under_spark_submit() -> bool:
    """True when spark-submit (or a pyspark shell) started this Python process and its JVM."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def preflight(master: str | None) -> None:
    """The checks ``spark_session`` makes before starting a JVM, for callers that want them early (the CLI makes
    them before its progress bar, so a missing Java is one line and nothing else)."""
    if not under_spark_submit():
        check_java()
        check_master(master or DEFAULT_MASTER)


def stop_session() -> None:
    """Stop the process's session if one runs (tests and benchmarks free the JVM's memory with this)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
