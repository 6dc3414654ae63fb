"""Release store: immutable releases, atomic publish, the previous release stays readable."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from barometer.store import (
    Status,
    StoreError,
    check_observations,
    current_release_id,
    list_releases,
    observation_table,
    open_release,
    publish,
)
from barometer.store import releases as releases_module


def _rows(value: float = 61.0):
    return [
        {"area_code": "851", "item_id": "1.2", "period": "2022", "value": value, "numerator": 610.0,
         "denominator": 1000.0, "status": Status.OK, "source": "engine"},
        {"area_code": "851", "item_id": "9.1", "period": "2022", "value": None, "status": Status.SUPPRESSED,
         "source": "engine"},
        {"area_code": "000", "item_id": "N1", "period": "2024-08-31", "value": 45766.0, "status": Status.OK,
         "source": "published"},
    ]


def test_publish_and_read_back(tmp_path):
    release = publish(tmp_path, observation_table(_rows()), "2024-11", {"kind": "test"})
    assert current_release_id(tmp_path) == release.id
    again = open_release(tmp_path)
    assert again.id == release.id and again.edition == "2024-11" and again.manifest["kind"] == "test"
    table = again.observations()
    assert table.num_rows == 3
    # sorted by area, item, period; every observation carries numerator/denominator (empty when unknown) and status
    rows = table.to_pylist()
    assert [(r["area_code"], r["item_id"]) for r in rows] == [("000", "N1"), ("851", "1.2"), ("851", "9.1")]
    assert rows[1]["numerator"] == 610.0 and rows[0]["denominator"] is None
    assert rows[2]["status"] == "suppressed" and rows[2]["value"] is None
    assert again.manifest["observations"]["rows"] == 3


def test_previous_release_stays_readable(tmp_path):
    first = publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {})
    second = publish(tmp_path, observation_table(_rows(62.0)), "2024-11", {})
    assert first.id != second.id
    assert [r.id for r in list_releases(tmp_path)] == [first.id, second.id]
    assert open_release(tmp_path).id == second.id
    old = open_release(tmp_path, first.id).observations().to_pylist()
    assert old[1]["value"] == 61.0


def test_same_observations_give_identical_bytes(tmp_path):
    a = publish(tmp_path / "a", observation_table(_rows()), "2024-11", {})
    b = publish(tmp_path / "b", observation_table(list(reversed(_rows()))), "2024-11", {})
    assert (a.path / "observations.parquet").read_bytes() == (b.path / "observations.parquet").read_bytes()
    assert a.manifest["observations"]["sha256"] == b.manifest["observations"]["sha256"]


def test_crash_while_publishing_leaves_previous_release_current(tmp_path, monkeypatch):
    first = publish(tmp_path, observation_table(_rows()), "2024-11", {})

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    monkeypatch.setattr(releases_module, "_write_parquet", boom)
    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path, observation_table(_rows(99.0)), "2024-11", {})
    assert current_release_id(tmp_path) == first.id
    assert [r.id for r in list_releases(tmp_path)] == [first.id]
    assert not [p for p in (tmp_path / "releases").iterdir() if p.name.startswith(".tmp")]
    assert open_release(tmp_path).observations().to_pylist()[1]["value"] == 61.0


def test_half_written_folder_is_never_listed(tmp_path):
    first = publish(tmp_path, observation_table(_rows()), "2024-11", {})
    (tmp_path / "releases" / ".tmp-leftover").mkdir()
    (tmp_path / "releases" / "no-manifest").mkdir()
    assert [r.id for r in list_releases(tmp_path)] == [first.id]


def test_invariants_are_enforced(tmp_path):
    bad = _rows()
    bad[1]["value"] = 3.0  # a suppressed figure must carry no number
    with pytest.raises(ValueError, match="value is present exactly when status is ok"):
        publish(tmp_path, observation_table(bad), "2024-11", {})
    dup = [*_rows(), _rows()[0]]
    with pytest.raises(ValueError, match="duplicate observation"):
        check_observations(observation_table(dup))
    assert not (tmp_path / "releases").exists() or list_releases(tmp_path) == []


def test_missing_store_and_unknown_release_have_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="no release in store"):
        open_release(tmp_path)
    publish(tmp_path, observation_table(_rows()), "2024-11", {})
    with pytest.raises(StoreError, match="release 'nope' not found"):
        open_release(tmp_path, "nope")


def test_manifest_is_json_with_checksum(tmp_path):
    release = publish(tmp_path, observation_table(_rows()), "2024-11", {"inputs": {}})
    manifest = json.loads((release.path / "manifest.json").read_text())
    assert manifest["id"] == release.id and len(manifest["observations"]["sha256"]) == 64
    assert pq.read_metadata(release.path / "observations.parquet").num_rows == 3


def test_rollback_with_use_command(tmp_path):
    from typer.testing import CliRunner

    from barometer.cli import app

    first = publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {"kind": "engine"})
    second = publish(tmp_path, observation_table(_rows(62.0)), "2024-11", {"kind": "published"})
    runner = CliRunner()
    result = runner.invoke(app, ["--store", str(tmp_path), "use", first.id])
    assert result.exit_code == 0 and current_release_id(tmp_path) == first.id
    listing = runner.invoke(app, ["--store", str(tmp_path), "releases", "--json"])
    assert [(r["id"], r["kind"], r["current"]) for r in json.loads(listing.stdout)] == [
        (first.id, "engine", True), (second.id, "published", False)]
    summary = json.loads(listing.stdout)[0]
    assert summary["observations"]["rows"] == 3 and "definitions" not in summary and "inputs" not in summary
    whole = json.loads(runner.invoke(app, ["--store", str(tmp_path), "releases", "--json", "--full"]).stdout)
    assert {**whole[0], "current": None} == {**json.loads((first.path / "manifest.json").read_text()), "current": None}
    bad = runner.invoke(app, ["--store", str(tmp_path), "use", "nope"])
    assert bad.exit_code == 1 and "release 'nope' not found" in bad.output
    assert current_release_id(tmp_path) == first.id
    missing = runner.invoke(app, ["--store", str(tmp_path / "typo"), "releases"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
