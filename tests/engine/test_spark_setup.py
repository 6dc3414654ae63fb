"""What Spark needs is checked before a JVM starts: Java, the master URL, the registers' location (no JVM here)."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from barometer.engine.engines import locate
from barometer.engine.spark_io import is_uri, spark_location
from barometer.engine.spark_setup import (
    NO_JAVA,
    SparkSetupError,
    check_java,
    check_master,
    local_cores,
    session_conf,
)


def test_no_java_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without java
    with pytest.raises(SparkSetupError) as err:
        check_java()
    assert str(err.value) == NO_JAVA and err.value.code == "spark_unavailable" and err.value.exit_code == 2
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(SparkSetupError, match=r"JAVA_HOME=.*jdk has no bin/java"):
        check_java()


def test_old_java_is_named(monkeypatch, tmp_path):
    """A Java 11 found first is refused with its version and where it is."""
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.20" 2023-07-18\' >&2\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(SparkSetupError, match=r"Java 11 found at .*bin/java; Spark needs Java 17\+"):
        check_java()
    fake.write_text('#!/bin/sh\necho \'java version "1.8.0_392"\' >&2\n', encoding="utf-8")
    with pytest.raises(SparkSetupError, match="Java 8 found"):
        check_java()


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "local[4,2]", "local-cluster[2, 1, 1024]"])
def test_local_masters_pass(master):
    check_master(master)


@pytest.mark.parametrize("master", ["lokal[2]", "local[0]", "local[two]", "mesos://h:5050", "http://x:7077", ""])
def test_malformed_masters_are_named(master):
    with pytest.raises(SparkSetupError, match=r"--spark-master .*not a Spark master URL"):
        check_master(master)


def test_unreachable_standalone_master_is_named():
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(SparkSetupError, match=rf"--spark-master spark://127.0.0.1:{port}: cannot reach"):
            check_master(f"spark://127.0.0.1:{port}")
    with pytest.raises(SparkSetupError, match="no host and port"):
        check_master("spark://127.0.0.1")


def test_reachable_standalone_master_passes():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        check_master(f"spark://127.0.0.1:{sock.getsockname()[1]}")


def test_yarn_needs_its_configuration(monkeypatch, tmp_path):
    monkeypatch.delenv("HADOOP_CONF_DIR", raising=False)
    monkeypatch.delenv("YARN_CONF_DIR", raising=False)
    with pytest.raises(SparkSetupError, match="HADOOP_CONF_DIR or YARN_CONF_DIR"):
        check_master("yarn")
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))
    check_master("yarn")


def test_session_settings_for_local_and_cluster(monkeypatch):
    monkeypatch.delenv("BAROMETER_SPARK_DRIVER_MEMORY", raising=False)
    monkeypatch.delenv("BAROMETER_SPARK_JAVA_OPTIONS", raising=False)
    assert local_cores("local[2]") == 2 and local_cores("local") == 1 and local_cores("local[*]") is None
    local = session_conf("local[2]")
    assert local["spark.sql.shuffle.partitions"] == "4" and local["spark.ui.enabled"] == "false"
    assert local["spark.sql.session.timeZone"] == "UTC" and local["spark.driver.memory"] == "4g"
    assert local["spark.driver.extraJavaOptions"] == "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
    cluster = session_conf("spark://h:7077")  # the cluster's own defaults are kept
    assert not {"spark.sql.shuffle.partitions", "spark.driver.memory", "spark.driver.extraJavaOptions"} & set(cluster)
    monkeypatch.setenv("BAROMETER_SPARK_JAVA_OPTIONS", "")  # empty: the JVM's own defaults
    assert "spark.driver.extraJavaOptions" not in session_conf("local[2]")
    monkeypatch.setenv("BAROMETER_SPARK_JAVA_OPTIONS", "-XX:+UseSerialGC")
    assert session_conf("local[2]")["spark.driver.extraJavaOptions"] == "-XX:+UseSerialGC"


def test_locations(tmp_path, monkeypatch):
    assert is_uri("s3a://bucket/registers") and is_uri("file:///data/r") and is_uri("abfss://c@a.dfs/x")
    assert not is_uri("data/registers") and not is_uri("/data/registers") and not is_uri("C:\\data")
    assert spark_location("s3a://bucket/registers/") == "s3a://bucket/registers"
    assert spark_location(tmp_path / "r") == "file://" + str(tmp_path / "r")
    monkeypatch.chdir(tmp_path)
    assert spark_location("r") == f"file://{Path.cwd() / 'r'}"  # relative to where the build runs


def test_duckdb_refuses_a_uri():
    from barometer.engine.build import EngineError

    with pytest.raises(EngineError, match="only --engine spark reads a URI"):
        locate("hdfs://namenode/registers", "duckdb")
    local = locate("some/folder", "duckdb")
    assert local.location == local.folder == Path("some/folder") and not local.remote


def test_compression_factor_is_the_largest_ratio_of_memory_to_file_bytes(tmp_path):
    """Spark's size estimate of a Parquet table is its file bytes times this factor; it must reach the rows times
    Spark's row width (8 bytes of header; long 8, short 2, string 20, date 4) of the worst-compressed table."""
    import json

    from barometer.engine.spark_io import compression_factor

    def manifest(tables: dict) -> str:
        (tmp_path / "manifest.json").write_text(json.dumps({"tables": tables}), encoding="utf-8")
        return "file://" + str(tmp_path)

    residence = {"rows": 1000, "files": [{"bytes": 300}, {"bytes": 200}]}  # 1000 * (8+8+2+20) / 500 = 76
    permits = {"rows": 100, "files": [{"bytes": 10}]}  # 100 * (8+8+20+4+4) / 10 = 440
    assert compression_factor(None, manifest({"residence": residence})) == 76
    assert compression_factor(None, manifest({"residence": residence, "permits": permits})) == 440
    unknown = {"rows": 10**9, "files": [{"bytes": 1}]}  # not a contract table: not Spark's to read
    empty = {"rows": 0, "files": []}
    assert compression_factor(None, manifest({"residence": residence, "other": unknown, "permits": empty})) == 76
    assert compression_factor(None, manifest({"residence": {"rows": 1, "files": [{"bytes": 10**6}]}})) == 1
    (tmp_path / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(SparkSetupError, match=r"manifest\.json: not JSON"):
        compression_factor(None, "file://" + str(tmp_path))
