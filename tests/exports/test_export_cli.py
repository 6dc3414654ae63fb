"""`barometer export`: every registered release format writes files; bad input exits non-zero with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.exports import writers

runner = CliRunner()


@pytest.mark.parametrize("fmt", [w.name for w in writers()])
def test_export_writes_every_format(small_store: Path, tmp_path: Path, fmt: str):
    out = tmp_path / "out" / "nested"
    result = runner.invoke(app, ["--store", str(small_store), "export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p for p in out.iterdir())
    assert files and not [p for p in files if p.name.endswith(".part")]
    assert f"{len(files)} file(s) in format {fmt}" in result.output
    for path in files:
        assert path.stat().st_size > 0


def test_csv_export_carries_release_licence_and_source_beside_the_table(small_store: Path, small_release,
                                                                        tmp_path: Path):
    import json

    runner.invoke(app, ["--store", str(small_store), "export", "--format", "csv", "--out", str(tmp_path)])
    meta = json.loads(next(tmp_path.glob("*.metadata.json")).read_text(encoding="utf-8"))
    assert meta["release"] == small_release.id and meta["licence"] and "Danmarks Statistik" in meta["source"]
    table = next(tmp_path.glob("*.csv")).read_text(encoding="utf-8-sig").splitlines()
    assert table[0].startswith("area_code,item_id,period,value,status")
    assert "851,1.2,2022,,suppressed,,,,,,,,hand" in table


def test_bad_format_exits_2_naming_the_option(small_store: Path, tmp_path: Path):
    result = runner.invoke(app, ["--store", str(small_store), "export", "--format", "parquet", "--out",
                                 str(tmp_path)])
    assert result.exit_code == 2
    assert "--format 'parquet' is not one of" in result.output and "datapackage" in result.output
    assert not list(tmp_path.iterdir())


def test_unknown_release_exits_1(small_store: Path, tmp_path: Path):
    result = runner.invoke(app, ["--store", str(small_store), "export", "--format", "csv", "--release", "nope",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 1 and "release 'nope' not found" in result.output


def test_unwritable_folder_exits_2(small_store: Path, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["--store", str(small_store), "export", "--format", "csv", "--out",
                                 str(blocker / "sub")])
    assert result.exit_code == 2 and "--out" in result.output and "cannot write" in result.output
