"""`validate DIR [--json]`: exit codes and output of the command function the main CLI registers."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from barometer.registers.cli import app
from barometer.registers.contract import CONTRACT_VERSION

runner = CliRunner()


def test_clean_folder_exits_0(rows, write):
    result = runner.invoke(app, ["validate", str(write(rows))])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_errors_exit_1_and_are_listed(rows, write):
    rows["residence"][2]["municipality"] = "999"
    result = runner.invoke(app, ["validate", str(write(rows))])
    assert result.exit_code == 1
    assert "unknown_municipality" in result.output
    assert "residence/part-00000.parquet:2" in result.output
    assert "1 error(s)" in result.output


def test_json_output_is_the_typed_report(rows, write):
    rows["grades"][0]["grade"] = 5
    result = runner.invoke(app, ["validate", "--json", str(write(rows))])
    assert result.exit_code == 1
    report = json.loads(result.output)
    [problem] = report["problems"]
    assert (problem["table"], problem["column"], problem["row"], problem["kind"], problem["value"]) == (
        "grades",
        "grade",
        0,
        "unknown_code",
        "5",
    )
    assert problem["key"] == {"pnr": "4", "year": "2024", "subject": "dansk_skriftlig"}


def test_warnings_only_exit_0(rows, write):
    folder = write(rows)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["contract_version"] = f"{CONTRACT_VERSION.split('.')[0]}.99.0"  # same major: a warning
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = runner.invoke(app, ["validate", "--json", str(folder)])
    assert result.exit_code == 0
    assert json.loads(result.output)["problems"][0]["severity"] == "warning"


def test_missing_directory_exits_1(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "absent")])
    assert result.exit_code == 1
    assert "missing_directory" in result.output
