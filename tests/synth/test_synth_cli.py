"""The `synth` command: arguments, progress, clear errors with a non-zero exit, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.registers.manifest import read_manifest
from barometer.synth.cli import parse_years

runner = CliRunner()


def test_synth_writes_registers_with_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "reg"
    result = runner.invoke(
        app, ["synth", "--out", str(out), "--scale", "0.001", "--years", "2023-2024", "--seed", "5", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    manifest = read_manifest(out)
    assert manifest.extra == {"scale": 0.001, "years": [2023, 2024], "seed": 5}
    assert manifest.tables["residence"].rows > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2012-20x4"], "is not a year or a range"),
        (["--years", "2020-2015"], "before the first"),
        (["--years", "2010-2024"], "covers 2012-2024"),
        (["--scale", "-1"], "must be > 0"),
        (["--workers", "0"], "must be >= 1"),
    ],
)
def test_bad_arguments_exit_non_zero_naming_the_option(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["synth", "--out", str(tmp_path / "reg"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "reg").exists()


def test_existing_output_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "reg"
    args = ["synth", "--out", str(out), "--scale", "0.001", "--years", "2024", "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    before = read_manifest(out).tables
    result = runner.invoke(app, [*args, "--seed", "9"])
    assert result.exit_code == 2
    # the one mapping every command's errors go through: a line "error: MESSAGE"
    assert any(line.startswith("error: ") for line in result.output.splitlines())
    assert "already holds register data" in result.output and "--force" in result.output
    assert read_manifest(out).tables == before


def test_parse_years() -> None:
    assert parse_years("2012-2024") == range(2012, 2025)
    assert parse_years(" 2020 ") == range(2020, 2021)
