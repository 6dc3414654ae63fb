"""Every file `barometer export` writes from a synthetic release says "Syntetiske data"; from a release that is
not synthetic, none does. A new format joins these tests through the registry by itself."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.exports import writers
from barometer.store import observation_table, publish

from .conftest import small_rows

runner = CliRunner()
MARK = "Syntetiske data"


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("synthetic-exports")
    publish(store, observation_table(small_rows()), "2024-11",
            {"kind": "engine", "synthetic": True, "publisher": "Testenheden"})
    return store


def _texts(path: Path) -> list[str]:
    """The text of a written file; of a zip-based file (XLSX) every member's text."""
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return [data.decode("utf-8-sig", "replace")]


def _export(store: Path, fmt: str, out: Path) -> list[Path]:
    result = runner.invoke(app, ["--store", str(store), "export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return sorted(p for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt", [w.name for w in writers()])
def test_every_exported_file_of_a_synthetic_release_says_so(synthetic_store, small_store, tmp_path, fmt):
    files = _export(synthetic_store, fmt, tmp_path / "synthetic")
    assert files
    for path in files:
        assert any(MARK in text for text in _texts(path)), path.name
    for path in _export(small_store, fmt, tmp_path / "plain"):
        assert not any(MARK in text for text in _texts(path)), path.name


def test_csv_rows_sidecar_and_json_envelope(synthetic_store, tmp_path):
    files = _export(synthetic_store, "csv", tmp_path / "csv")
    table = next(p for p in files if p.suffix == ".csv")
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["notice", "area_code", "item_id"] and len(rows) == len(small_rows()) + 1
    assert all(row[0] == "Syntetiske data / Synthetic data" for row in rows[1:])
    sidecar = json.loads(next(p for p in files if p.name.endswith(".metadata.json")).read_text(encoding="utf-8"))
    assert sidecar["synthetic"] is True and sidecar["notice"] == "Syntetiske data / Synthetic data"
    assert sidecar["publisher"] == "Testenheden" and sidecar["licence"].endswith(": Testenheden")
    assert sidecar["source"].startswith("Syntetiske data / Synthetic data: synthetic registers")
    (body,) = [json.loads(p.read_text(encoding="utf-8")) for p in _export(synthetic_store, "json", tmp_path / "j")]
    assert body["synthetic"] is True and body["notice"] and body["publisher"] == "Testenheden"


def test_synthetic_data_package_says_so_and_still_validates(synthetic_store, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    files = _export(synthetic_store, "datapackage", tmp_path / "dp")
    descriptor = json.loads((tmp_path / "dp" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["title"].startswith("Syntetiske data: Integrationsbarometeret")
    assert descriptor["synthetic"] is True and descriptor["publisher"] == "Testenheden"
    observations = next(p for p in files if p.name == "observations.csv")
    rows = list(csv.DictReader(io.StringIO(observations.read_text(encoding="utf-8"))))
    assert rows and all(r["notice"] == "Syntetiske data / Synthetic data" for r in rows)
    report = frictionless.validate(tmp_path / "dp" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_excel_json_stat_and_sdmx_say_so_where_their_readers_look(synthetic_store, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    (xlsx,) = _export(synthetic_store, "xlsx", tmp_path / "x")
    book = openpyxl.load_workbook(xlsx)
    assert book.properties.title.startswith("Syntetiske data: ")
    for sheet in book.worksheets:
        assert "Syntetiske data" in sheet.oddHeader.center.text, sheet.title  # the printed page's header
        if sheet.title != "Om data":
            rows = list(sheet.iter_rows(values_only=True))
            assert rows[0][0] == "Bemærk" and len(rows) > 1
            assert all(r[0] == "Syntetiske data / Synthetic data" for r in rows[1:]), sheet.title
    about = [r for r in book["Om data"].iter_rows(values_only=True) if r[0] == "Syntetiske data"]
    assert about and about[0][1].startswith("Tallene er beregnet af syntetiske registre.")
    (cube,) = [json.loads(p.read_text(encoding="utf-8")) for p in _export(synthetic_store, "jsonstat", tmp_path / "js")]
    assert cube["label"].startswith("Syntetiske data: ") and cube["note"][0].startswith("Syntetiske data: Tallene")
    assert cube["extension"]["synthetic"] is True and cube["source"].startswith("Syntetiske data")
    files = _export(synthetic_store, "sdmx", tmp_path / "sdmx")
    data = next(p for p in files if p.name.endswith(".sdmx.csv"))
    rows = list(csv.DictReader(io.StringIO(data.read_text(encoding="utf-8-sig"))))
    assert rows and all(r["SOURCE"].startswith("Syntetiske data / Synthetic data") for r in rows)
    structure = next(p for p in files if p.name.endswith(".xml")).read_text(encoding="utf-8")
    assert "Syntetiske data / Synthetic data" in structure
