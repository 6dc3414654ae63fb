"""`barometer manifest DIR` writes the manifest for registers assembled by hand, so they can be validated and built."""

from __future__ import annotations

from typer.testing import CliRunner

from barometer.cli import app
from barometer.registers.fixtures import write_register_set
from barometer.registers.manifest import read_manifest

runner = CliRunner()


def test_manifest_then_validate(tmp_path):
    root = write_register_set(tmp_path / "reg", manifest=False)
    assert not (root / "manifest.json").exists()
    before = runner.invoke(app, ["validate", str(root)])
    assert before.exit_code == 1  # no manifest: build would refuse it
    result = runner.invoke(app, ["manifest", str(root)])
    assert result.exit_code == 0, result.output
    manifest = read_manifest(root)
    assert manifest.tables["persons"].rows == 7 and manifest.generator == "barometer manifest"
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0


def test_manifest_refuses_empty_or_missing_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["manifest", str(empty)])
    assert result.exit_code == 2 and "no contract table folders" in result.output
    assert not (empty / "manifest.json").exists()
    result = runner.invoke(app, ["manifest", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such folder" in result.output
