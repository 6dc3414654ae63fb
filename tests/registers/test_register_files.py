"""File-level bad input: truncated, empty and corrupted Parquet files, and the manifest's checks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from barometer.registers.contract import CONTRACT_VERSION
from barometer.registers.fixtures import to_arrow
from barometer.registers.layout import write_part
from barometer.registers.manifest import ManifestError, read_manifest, sha256_of, write_manifest
from barometer.registers.report import ValidationReport
from barometer.registers.validate import validate_registers

PERSONS = "persons/part-00000.parquet"


def kinds(report: ValidationReport) -> set[tuple[str | None, str | None, str, str]]:
    return {(p.table, p.file, p.kind, p.severity) for p in report.problems}


def test_manifest_round_trip(rows, write):
    folder = write(rows)
    manifest = read_manifest(folder)
    assert manifest.tables["residence"].rows == len(rows["residence"])
    [entry] = manifest.tables["persons"].files
    assert entry.path == PERSONS
    assert entry.sha256 == sha256_of(folder / PERSONS) == hashlib.sha256((folder / PERSONS).read_bytes()).hexdigest()
    assert entry.bytes == (folder / PERSONS).stat().st_size


def test_truncated_parquet_file(rows, write):
    folder = write(rows)
    data = (folder / PERSONS).read_bytes()
    (folder / PERSONS).write_bytes(data[: len(data) // 2])
    report = validate_registers(folder)
    assert ("persons", PERSONS, "unreadable_file", "error") in kinds(report)
    assert ("persons", PERSONS, "checksum_mismatch", "error") in kinds(report)
    # the other tables' references to persons cannot be checked, but nothing is reported twice for them
    assert not report.find("unknown_person")


def test_empty_parquet_file(rows, write):
    folder = write(rows, manifest=False)
    (folder / "grades" / "part-00000.parquet").write_bytes(b"")
    report = validate_registers(folder, check_manifest_file=False)
    [p] = report.errors
    assert (p.table, p.file, p.kind) == ("grades", "grades/part-00000.parquet", "unreadable_file")


@pytest.mark.parametrize("column", ["pnr", "municipality"])
def test_corrupted_data_page_is_reported_with_its_file(rows, write, column):
    """Footer intact (schema checks pass) but a compressed page garbled: caught while DuckDB scans values (also in
    a string column whose dictionary pages prove its codes: the garbled page headers leave it to be decoded)."""
    rows["residence"] = [{"pnr": 1 + i // 50, "year": 1980 + i % 50, "municipality": "851"} for i in range(350)]
    folder = write(rows, manifest=False)
    path = folder / "residence" / "part-00000.parquet"
    meta = pq.read_metadata(path)
    chunk = meta.row_group(0).column(meta.schema.names.index(column))
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(path.read_bytes())
    for i in range(start + 16, start + chunk.total_compressed_size):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    report = validate_registers(folder, check_manifest_file=False)
    [p] = report.errors
    assert (p.table, p.file, p.kind) == ("residence", "residence/part-00000.parquet", "unreadable_file")
    assert "reading the table failed" in p.message


def test_missing_manifest(rows, write):
    folder = write(rows, manifest=False)
    report = validate_registers(folder)
    [p] = report.errors
    assert (p.file, p.kind) == ("manifest.json", "missing_manifest")
    with pytest.raises(ManifestError, match="no manifest"):
        read_manifest(folder)


def test_invalid_manifest(rows, write):
    folder = write(rows)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    [p] = validate_registers(folder).errors
    assert p.kind == "invalid_manifest"


def _edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_contract_major_version_mismatch_is_an_error(rows, write):
    folder = write(rows)
    _edit_manifest(folder, contract_version="0.9.0")
    [p] = validate_registers(folder).errors
    assert (p.kind, p.value) == ("contract_version_mismatch", "0.9.0")


def test_contract_minor_version_mismatch_is_a_warning(rows, write):
    folder = write(rows)
    _edit_manifest(folder, contract_version=f"{CONTRACT_VERSION.split('.')[0]}.77.0")  # same major, other minor
    report = validate_registers(folder)
    assert report.ok
    [p] = report.warnings
    assert p.kind == "contract_version_mismatch"


def test_checksum_mismatch_when_a_file_changes_after_the_manifest(rows, write):
    folder = write(rows)
    rows["residence"][0]["municipality"] = "101"  # still valid data, same row count
    write_part(folder, "residence", to_arrow("residence", rows["residence"]))
    errors = validate_registers(folder).errors
    assert {(p.table, p.file, p.kind) for p in errors} - {
        ("residence", "residence/part-00000.parquet", "size_mismatch")} == {
        ("residence", "residence/part-00000.parquet", "checksum_mismatch")}


def test_row_count_mismatch(rows, write):
    folder = write(rows)
    write_part(folder, "residence", to_arrow("residence", rows["residence"][:-1]))
    report = validate_registers(folder)
    mismatch = report.find("row_count_mismatch", "residence")
    assert [(p.file, p.value) for p in mismatch] == [("residence/part-00000.parquet", str(len(rows["residence"]) - 1))]


def test_file_listed_in_manifest_but_missing(rows, write):
    folder = write(rows)
    write_part(folder, "wage_employment", to_arrow("wage_employment", rows["wage_employment"]), part=1)
    write_manifest(folder)
    (folder / "wage_employment" / "part-00000.parquet").unlink()
    [p] = validate_registers(folder).errors
    assert (p.table, p.file, p.kind) == (
        "wage_employment",
        "wage_employment/part-00000.parquet",
        "manifest_file_missing",
    )


def test_file_not_in_manifest(rows, write):
    folder = write(rows)
    write_part(folder, "residence", to_arrow("residence", []), part=9)
    [p] = validate_registers(folder).errors
    assert (p.table, p.file, p.kind) == ("residence", "residence/part-00009.parquet", "file_not_in_manifest")


def _change_manifest(folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((folder / "manifest.json").read_text())
    change(doc)
    (folder / "manifest.json").write_text(json.dumps(doc))


def test_a_table_row_total_that_disagrees_with_its_files(rows, write):
    folder = write(rows)
    _change_manifest(folder, lambda doc: doc["tables"]["residence"].update(rows=doc["tables"]["residence"]["rows"] + 7))
    [p] = validate_registers(folder).errors
    assert (p.table, p.file, p.kind, p.value) == ("residence", "manifest.json", "row_count_mismatch",
                                                  str(len(rows["residence"])))
    assert f"the manifest says {len(rows['residence']) + 7} rows" in p.message


def test_a_file_size_that_disagrees_with_the_manifest(rows, write):
    folder = write(rows)
    _change_manifest(folder, lambda doc: doc["tables"]["persons"]["files"][0].update(bytes=12))
    [p] = validate_registers(folder).errors
    assert (p.table, p.file, p.kind) == ("persons", PERSONS, "size_mismatch")
    assert p.message == f"file has {(folder / PERSONS).stat().st_size} bytes, the manifest says 12"


def test_stray_files_and_links_in_table_folders(rows, write, tmp_path):
    folder = write(rows)
    (folder / "persons" / "notes.txt").write_text("x")
    (folder / "persons" / "old").mkdir()
    (folder / "residence" / "up").symlink_to("..")
    outside = tmp_path / "elsewhere.parquet"
    outside.write_bytes((folder / PERSONS).read_bytes())
    (folder / "grades" / "part-99999.parquet").symlink_to(outside)
    report = validate_registers(folder)
    assert {(p.file, p.kind, p.severity) for p in report.find("unexpected_file")} == {
        ("persons/notes.txt", "unexpected_file", "warning"),
        ("persons/old", "unexpected_file", "warning"),
        ("residence/up", "unexpected_file", "error"),
        ("grades/part-99999.parquet", "unexpected_file", "error"),
    }
    assert not report.ok


def test_a_manifest_path_out_of_the_register_folder(rows, write, tmp_path):
    folder = write(rows)
    (tmp_path / "secret.parquet").write_bytes((folder / PERSONS).read_bytes())
    _change_manifest(folder, lambda doc: doc["tables"]["persons"]["files"][0].update(path="../secret.parquet"))
    report = validate_registers(folder)
    assert ("persons", "../secret.parquet", "unexpected_file", "error") in kinds(report)
    assert not report.find("checksum_mismatch")  # the file outside is never read
