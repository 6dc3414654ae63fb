"""The whole build: reproducible releases, provenance, refusal of bad input, and failures that publish nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.engine import RegisterInputError, build
from barometer.engine.build import EngineError, step_names
from barometer.registers.fixtures import write_register_set
from barometer.store import current_release_id, list_releases, open_release
from tests.engine import hand_fixture


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hand_fixture.write(tmp_path_factory.mktemp("build") / "registers")


@pytest.fixture(scope="module")
def built(registers: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store holding one release built from the hand fixture (tests copy it before changing it)."""
    store = tmp_path_factory.mktemp("built") / "store"
    return store, build(registers, "2024-11", store=store, threads=1).release


def _copy(built, tmp_path: Path) -> Path:
    shutil.copytree(built[0], tmp_path / "store")
    return tmp_path / "store"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_builds_are_byte_identical_and_record_provenance(registers, built, tmp_path):
    first = built[1]
    second = build(registers, "2024-11", store=tmp_path / "store", threads=2)
    assert first.id == second.release.id  # the id is derived from the content: same inputs, same id
    assert _sha(first.path / "observations.parquet") == _sha(second.release.path / "observations.parquet")
    manifest = second.release.manifest
    assert manifest["engine_settings"]["include_student_grant"] is False
    assert manifest["disclosure"]["digest"] and manifest["catalogue_version"] and manifest["code_version"]
    assert manifest["register_files"]["persons"][0]["sha256"] == _sha(registers / "persons/part-00000.parquet")
    assert manifest["inputs"]["registers_manifest"]["sha256"] == _sha(registers / "manifest.json")
    # how far each needed register reaches (here: recorded in the fixture's manifest)
    assert manifest["register_coverage"]["convictions.decision_date"] == {"covered_to": "2023-12-31",
                                                                          "source": "manifest"}
    assert set(manifest["register_coverage"]) >= {"benefits.start_date", "employment.year", "danish_tests.test_date"}


def test_baseline_years_that_cannot_be_computed_are_warned(registers, built):
    # the hand fixture covers 2022-2023: no indicator has its goal's baseline (2012; Mål 8: 2018)
    warnings = built[1].manifest["warnings"]
    assert any(w.startswith("indicator 3.3: no figure for its baseline year 2012") for w in warnings)
    assert any(w.startswith("indicator 8.1: no figure for its baseline year 2018") for w in warnings)
    assert len(warnings) == 21  # every indicator


def test_release_is_protected(built):
    release = built[1]
    rows = pq.read_table(release.path / "observations.parquet").to_pylist()
    statuses = {r["status"] for r in rows}
    assert "suppressed" in statuses  # a fixture of a few dozen persons is mostly small numbers
    for r in rows:
        if r["status"] == "suppressed":
            assert r["value"] is None and r["numerator"] is None and r["denominator"] is None
        # 8.x lists are public: exempt from count suppression
        if r["item_id"] == "8.3" and r["period"] == "2022" and r["area_code"] == hand_fixture.A:
            assert r["value"] == 2


def test_bad_input_is_refused_and_previous_release_stays(built, tmp_path):
    store, good = _copy(built, tmp_path), built[1]
    rows = hand_fixture.rows()
    rows["residence"][0]["municipality"] = "999"  # not a municipality
    bad = write_register_set(tmp_path / "bad", rows)
    with pytest.raises(RegisterInputError) as info:
        build(bad, "2024-11", store=store)
    assert info.value.report.find("unknown_municipality", table="residence")
    assert current_release_id(store) == good.id and len(list_releases(store)) == 1
    assert open_release(store).observations().num_rows == good.manifest["observations"]["rows"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_interrupted_build_publishes_nothing(registers, built, tmp_path, failure):
    store, good = _copy(built, tmp_path), built[1]

    def interrupt(step: str) -> None:
        if step == ("disclosure" if failure is KeyboardInterrupt else "survey"):
            raise failure("stopped")

    with pytest.raises(failure):
        build(registers, "2024-11", store=store, progress=interrupt)
    assert current_release_id(store) == good.id and len(list_releases(store)) == 1


def test_unknown_engine_and_edition(registers, tmp_path):
    with pytest.raises(EngineError, match="oracle"):
        build(registers, "2024-11", engine="oracle", store=tmp_path)
    with pytest.raises(EngineError, match="1999-11"):
        build(registers, "1999-11", store=tmp_path)


def _cli() -> typer.Typer:
    """The real command line: its one error mapping turns a BarometerError into `error: …` and the exit code."""
    from barometer.cli import app

    return app


def test_cli_builds_and_reports(registers, tmp_path):
    result = CliRunner().invoke(_cli(), ["build", "--registers", str(registers), "--edition", "2024-11",
                                         "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "Published release" in result.output
    assert "warning: indicator 3.3: no figure for its baseline year 2012" in result.output
    assert current_release_id(tmp_path / "store")


def test_cli_bad_input_exit_code_and_message(tmp_path, monkeypatch):
    monkeypatch.setenv("BAROMETER_STORE", str(tmp_path / "store"))
    rows = hand_fixture.rows()
    rows["benefits"][0]["hours_per_week"] = -5.0
    bad = write_register_set(tmp_path / "bad", rows)
    result = CliRunner().invoke(_cli(), ["build", "--registers", str(bad), "--edition", "2024-11"])
    assert result.exit_code == 2
    assert "hours_per_week" in result.output and "nothing was built" in result.output
    result = CliRunner().invoke(_cli(), ["build", "--registers", str(tmp_path / "nope"), "--edition", "2024-11"])
    assert result.exit_code == 2 and "no such folder" in result.output
    assert current_release_id(tmp_path / "store") is None


def test_cli_engine_settings_from_config(registers, tmp_path, monkeypatch):
    from barometer.settings import current_settings

    config = tmp_path / "barometer.toml"
    config.write_text('[engine]\ncrime_sex = "X"\n', encoding="utf-8")
    monkeypatch.setenv("BAROMETER_CONFIG", str(config))
    current_settings.cache_clear()
    result = CliRunner().invoke(_cli(), ["build", "--registers", str(registers), "--edition", "2024-11",
                                         "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and "crime_sex" in result.output


def test_release_records_synthetic_registers_and_the_configured_publisher(registers, built, tmp_path, monkeypatch):
    """The hand fixture's manifest marks its persons as invented; the same tables with a manifest that does not
    build a release that is not synthetic. The publisher is the `[release]` setting in force at build time."""
    from barometer.registers.manifest import read_manifest, write_manifest
    from barometer.settings import DEFAULT_PUBLISHER, current_settings

    assert built[1].manifest["synthetic"] is True and built[1].synthetic is True
    assert built[1].manifest["publisher"] == DEFAULT_PUBLISHER
    real = tmp_path / "real"
    shutil.copytree(registers, real)
    extra = read_manifest(real).extra
    (real / "manifest.json").unlink()
    write_manifest(real, generator="barometer manifest", extra=extra)
    config = tmp_path / "barometer.toml"
    config.write_text('[release]\npublisher = "Danmarks Statistik, Forskningsservice"\n', encoding="utf-8")
    monkeypatch.setenv("BAROMETER_CONFIG", str(config))
    current_settings.cache_clear()
    release = build(real, "2024-11", store=tmp_path / "store", threads=1).release
    assert release.manifest["synthetic"] is False and release.synthetic is False
    assert release.manifest["publisher"] == release.publisher == "Danmarks Statistik, Forskningsservice"


def test_progress_steps_cover_every_group():
    steps = step_names()
    assert steps[0] == "validate" and steps[-1] == "publish"
    assert {"employment", "survey", "key figures", "uncertainty", "disclosure"} <= set(steps)


def test_release_records_its_uncertainty_model(built):
    """A few dozen persons in two municipalities: no item has 20 municipal figures, so no register rate or gap
    has a model, and none keeps a (census-binomial) interval."""
    release = built[1]
    record = release.manifest["uncertainty"]
    assert record["min_municipalities"] == 20 and record["funnel_levels"] == [0.95, 0.998]
    reasons = {item: r.get("reason") for item, r in record["items"].items()}
    assert reasons["8.1"] == "count" and reasons["1.2"] == reasons["7.1"] == "too_few_municipalities"
    assert not any(r["model"] for r in record["items"].values())
    units = {i.id: i.unit for i in load_catalogue().indicators}
    rows = pq.read_table(release.path / "observations.parquet").to_pylist()
    for r in rows:
        if r["item_id"] in units and reasons[r["item_id"]] == "too_few_municipalities":
            assert r["ci_low"] is None and r["ci_high"] is None
