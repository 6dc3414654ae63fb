"""The Frictionless Data Package of a release: `frictionless validate` passes, and it says what it must."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from barometer.exports import LICENCE, write_datapackage
from barometer.store import Release

frictionless = pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def package(small_release: Release, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("datapackage")
    written = write_datapackage(small_release, out)
    assert written[0] == out / "datapackage.json"
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_frictionless_validate_passes(package: Path):
    report = frictionless.validate(package / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name for task in report.tasks} == {"observations", "areas", "items", "status", "units"}


def test_frictionless_command_line_validates_too(package: Path):
    cli = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(cli), "validate", str(package / "datapackage.json")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_validation_would_catch_a_broken_package(package: Path, tmp_path: Path):
    """The check is real: a row pointing at an unknown status flag, or a changed file, fails validation."""
    for f in package.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "observations.csv").read_text(encoding="utf-8").replace(",suppressed,", ",hidden,", 1)
    (tmp_path / "observations.csv").write_text(text, encoding="utf-8")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    types = {e[0] for e in report.flatten(["type"])}
    assert "constraint-error" in types or "foreign-key" in types or "hash-count" in types


def test_descriptor_names_release_licence_sources_and_provenance(package: Path, small_release: Release):
    desc = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["release"] == desc["id"] == small_release.id
    assert desc["licenses"][0]["title"] == LICENCE
    assert any("Danmarks Statistik" in s["title"] for s in desc["sources"])
    assert desc["provenance"]["kind"] == "hand" and desc["provenance"]["code_version"] == "test"
    assert desc["provenance"]["observations_sha256"] == small_release.manifest["observations"]["sha256"]
    obs = next(r for r in desc["resources"] if r["name"] == "observations")
    fields = {f["name"]: f for f in obs["schema"]["fields"]}
    assert fields["value"]["type"] == "number" and fields["area_code"]["type"] == "string"
    assert fields["status"]["constraints"]["enum"] == ["ok", "suppressed", "not_computed", "missing"]
    assert obs["schema"]["missingValues"] == [""]
    assert obs["schema"]["primaryKey"] == ["area_code", "item_id", "period"]
    refs = {fk["fields"]: fk["reference"]["resource"] for fk in obs["schema"]["foreignKeys"]}
    assert refs == {"area_code": "areas", "item_id": "items", "status": "status"}
    status = _rows(package / "status.csv")
    assert {r["code"]: r["sdmx_obs_status"] for r in status}["suppressed"] == "Q"
    units = {r["code"] for r in _rows(package / "units.csv")}
    assert {r["unit"] for r in _rows(package / "items.csv")} <= units


def test_suppressed_cells_carry_no_number(package: Path):
    rows = {(r["area_code"], r["item_id"], r["period"]): r for r in _rows(package / "observations.csv")}
    hidden = rows[("851", "1.2", "2022")]
    assert hidden["status"] == "suppressed"
    numeric = ("value", "numerator", "denominator", "ref_numerator", "ref_denominator", "ci_low", "ci_high")
    assert all(hidden[c] == "" for c in numeric)
    assert rows[("000", "1.2", "2021")]["value"] == "41.25"
    assert len(rows) == 9


def test_package_has_only_the_published_columns(small_release: Release, tmp_path: Path):
    """A renderer writes the columns of the table it is given, nothing it looks up again."""
    from barometer.exports.formats.datapackage import descriptor
    from barometer.exports.release import release_export

    export = release_export(small_release)
    for row in export.tables[0].rows:
        del row["numerator"], row["denominator"]
    files = {t.name: b"" for t in export.tables}
    obs = descriptor(export, small_release, files)["resources"][0]
    assert "numerator" not in {f["name"] for f in obs["schema"]["fields"]}
