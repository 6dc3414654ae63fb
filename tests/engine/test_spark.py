"""The Spark backend runs the very same declarations and publishes the very same release as DuckDB.

On a synthetic Denmark (scale 0.02) both engines build a whole release (validation, views, every item, intervals,
disclosure control, publish); the published observations must be equal cell for cell: status, value, numerator,
denominator and interval. The hand fixture is read through a ``file://`` URI, which takes the path a cluster's
``hdfs://`` or ``s3a://`` folder takes (listing through Hadoop, manifest staged, validation in Spark). Errors
(no Java, a wrong master, an unreadable folder) are one line, exit non-zero and publish nothing.

Needs Java 17+; ``scripts/system-deps.sh`` (run by ``make test``) installs Debian's headless JRE when missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from barometer.engine import build
from barometer.engine.build import RegisterInputError, compute
from barometer.store import current_release_id, list_releases
from tests.engine import hand_fixture

# One worker runs the whole module under `pytest -n 2` (addopts: --dist loadgroup): one JVM, one 0.02 build.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

SCALE, YEARS, SEED = 0.02, range(2012, 2025), 1
MASTER = "local[2]"
CLI = str(Path(sys.executable).with_name("barometer"))


@pytest.fixture(scope="module")
def spark():
    """The process's local[2] session, stopped after this module (the JVM's memory goes back)."""
    pytest.importorskip("pyspark")
    from barometer.engine.spark import spark_session, stop_session
    from barometer.engine.spark_setup import SparkSetupError, check_java

    try:
        check_java()
    except SparkSetupError as exc:
        if os.environ.get("CI"):  # make test installs Java (scripts/system-deps.sh): a missing one is a failure
            pytest.fail(str(exc))
        pytest.skip(f"Spark tests need Java: {exc}")
    session = spark_session(MASTER)
    yield session
    stop_session()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = pytest.importorskip("barometer.synth.generate").generate
    out = tmp_path_factory.mktemp("synth") / "registers"
    generate(out, SCALE, YEARS, SEED, workers=1)
    return out


@pytest.fixture(scope="module")
def releases(spark, synthetic: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("stores")
    duck = build(synthetic, "2024-11", "duckdb", store=root / "duckdb").release
    sprk = build(synthetic, "2024-11", "spark", store=root / "spark", spark_master=MASTER).release
    return duck, sprk


def test_spark_release_equals_duckdb_release_cell_for_cell(releases):
    duck, sprk = (r.observations() for r in releases)
    assert duck.schema == sprk.schema and duck.num_rows == sprk.num_rows
    key = ["item_id", "area_code", "period"]
    a = {tuple(r[k] for k in key): r for r in duck.to_pylist()}
    b = {tuple(r[k] for k in key): r for r in sprk.to_pylist()}
    assert a.keys() == b.keys()
    differ = [(k, a[k], b[k]) for k in a if a[k] != b[k]]
    assert not differ, differ[:3]
    assert duck.equals(sprk)  # same rows in the same order too: the published files carry the same cells
    # the comparison means something: every status occurs, intervals and suppressions are there
    statuses = {r["status"] for r in a.values()}
    assert {"ok", "suppressed"} <= statuses
    assert sum(r["ci_low"] is not None for r in a.values()) > 1000
    assert sum(r["status"] == "ok" and r["area_code"] not in {"000"} for r in a.values()) > 5000
    assert {k[0] for k, r in a.items() if r["status"] == "ok"} >= {"1.1", "2.1", "3.2", "7.1", "9.1", "N1", "N15"}


def test_spark_release_records_its_engine(releases):
    duck, sprk = releases
    assert sprk.manifest["engine"] == "spark" and duck.manifest["engine"] == "duckdb"
    assert sprk.manifest["register_coverage"] == duck.manifest["register_coverage"]
    assert sprk.manifest["suppression"] == duck.manifest["suppression"]


def test_uri_folder_is_read_through_spark(spark, tmp_path):
    """``file://`` goes the way of ``hdfs://``/``s3a://``: parts listed by Hadoop, manifest staged, validated in
    Spark; the hand fixture's figures come out as DuckDB's from the local folder."""
    registers = hand_fixture.write(tmp_path / "registers")
    uri = "file://" + str(registers)
    local = build(registers, "2024-11", "duckdb").observations
    release = build(uri, "2024-11", "spark", store=tmp_path / "store", spark_master=MASTER).release
    assert local.num_rows > 1000 and local.equals(release.observations())
    assert release.manifest["inputs"]["registers_manifest"]["path"] == f"{uri}/manifest.json"
    assert release.manifest["register_files"]["persons"][0]["path"] == "persons/part-00000.parquet"


def test_a_dropped_view_leaves_the_block_store_and_changes_no_figure(spark, tmp_path, monkeypatch):
    """Once nothing after it reads a checkpointed view (``build.finished_views``: full-time support and the status
    population once the status cells are counted), the build drops it: its temp view is gone and the RDDs its
    checkpoint persisted are unpersisted, while the views the items still read keep theirs; the figures computed
    afterwards are DuckDB's. The RDDs are observed around each view's creation, not taken from the backend."""
    from barometer.engine.spark import SparkBackend

    def persisted() -> set[int]:
        return {int(k) for k in spark.sparkContext._jsc.getPersistentRDDs().keySet()}

    stored: dict[str, set[int]] = {}  # the RDDs each materialised view's creation persisted
    after_drop: dict[str, set[int]] = {}  # what was still persisted right after a view was dropped
    create, drop = SparkBackend.create_view, SparkBackend.drop_view

    def create_view(self, view, params):
        before = persisted()
        create(self, view, params)
        stored[view.name] = persisted() - before

    def drop_view(self, name):
        before = persisted()
        drop(self, name)
        assert name not in {t.name for t in spark.catalog.listTables()}
        after_drop[name] = persisted()
        assert after_drop[name] == before - stored[name]  # its own rows go, nothing else

    monkeypatch.setattr(SparkBackend, "create_view", create_view)
    monkeypatch.setattr(SparkBackend, "drop_view", drop_view)
    registers = hand_fixture.write(tmp_path / "registers")
    on_spark = compute(registers, "2024-11", "spark", spark_master=MASTER)
    assert sorted(after_drop) == ["fulltime_support", "status_population"]
    for name, still in after_drop.items():
        assert len(stored[name]) == 1, f"{name}: its checkpoint is the one RDD its creation persisted"
        assert not stored[name] & still, f"{name}'s rows are still in the block store"
    kept = stored["person"] | stored["target_year"] | stored["status_cells"]  # items read them after the drops
    assert len(kept) == 3 and kept <= after_drop["status_population"]
    assert not set().union(*stored.values()) & persisted()  # and the build's close frees the rest
    on_duckdb = compute(registers, "2024-11", "duckdb")
    assert on_duckdb.num_rows > 1000 and on_spark.equals(on_duckdb)


def test_uri_folder_with_a_wrong_column_type_is_refused(spark, tmp_path):
    import pyarrow.parquet as pq

    from barometer.registers.manifest import write_manifest

    registers = hand_fixture.write(tmp_path / "registers")
    part = registers / "employment" / "part-00000.parquet"
    table = pq.read_table(part)
    pq.write_table(table.set_column(table.schema.get_field_index("year"), "year",
                                    table.column("year").cast(pa.string())), part)
    (registers / "manifest.json").unlink()
    write_manifest(registers, generator="test", synthetic=True)
    with pytest.raises(RegisterInputError) as err:
        build("file://" + str(registers), "2024-11", "spark", store=tmp_path / "store", spark_master=MASTER)
    kinds = {(p.kind, p.table, p.column) for p in err.value.report.errors}
    assert ("wrong_type", "employment", "year") in kinds
    assert current_release_id(tmp_path / "store") is None


def _run(args: list[str], store: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "--store", str(store), "build", *args, "--edition", "2024-11", "--engine", "spark"],
                          capture_output=True, text=True, timeout=300, env=env or dict(os.environ), check=False)


def _one_line_and_nothing_published(done: subprocess.CompletedProcess, store: Path, before: str, count: int) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert current_release_id(store) == before and len(list_releases(store)) == count
    return lines[0]


def test_cli_errors_are_one_line_and_publish_nothing(spark, published_store, tmp_path):
    """No Java, a wrong master, unreadable folders: one line each, exit 2, the current release stays current."""
    registers = hand_fixture.write(tmp_path / "registers")
    before, count = current_release_id(published_store), len(list_releases(published_store))
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"} | {"PATH": str(tmp_path)}
    line = _one_line_and_nothing_published(_run(["--registers", str(registers)], published_store, env),
                                           published_store, before, count)
    assert "Java runtime not found: install a JRE 17+ (Debian: openjdk-17-jre-headless) or set JAVA_HOME" in line
    for master in ("spark:/127.0.0.1:7077", "spark://127.0.0.1:1"):
        line = _one_line_and_nothing_published(
            _run(["--registers", str(registers), "--spark-master", master], published_store), published_store,
            before, count)
        assert f"--spark-master {master}:" in line
    missing = f"file://{tmp_path}/nowhere"
    line = _one_line_and_nothing_published(_run(["--registers", missing], published_store), published_store,
                                           before, count)
    assert f"--registers {missing}: no such folder" in line
    line = _one_line_and_nothing_published(_run(["--registers", "s3a://bucket/registers"], published_store),
                                           published_store, before, count)
    assert "--registers s3a://bucket/registers: cannot be read" in line and "s3a" in line
