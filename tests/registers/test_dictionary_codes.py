"""Code checks proven from the dictionary pages (barometer.registers.check_codes): a clean dictionary-encoded
column needs no value scan for its codes, and whatever the dictionaries cannot prove (an entry outside the codes,
pages that fell back to plain encoding, no dictionary at all) is still found by the value scan and reported
exactly as the scan alone reports it."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.registers import check_values
from barometer.registers.check_codes import dictionary_proven
from barometer.registers.contract import CONTRACT, municipality_codes
from barometer.registers.fixtures import valid_rows, write_register_set
from barometer.registers.layout import part_files
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


def _codes_scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """table.column of each code check the value scan ran (the dictionaries did not prove it)."""
    seen: list[str] = []
    original = check_values.ValueChecker._footers_prove

    def record(self, tf, check):
        proven = original(self, tf, check)
        if check.footer == "codes" and not proven:
            seen.append(f"{tf.table.name}.{check.column}")
        return proven

    monkeypatch.setattr(check_values.ValueChecker, "_footers_prove", record)
    return seen


def _without_dictionaries(monkeypatch: pytest.MonkeyPatch, root) -> list[dict]:
    with monkeypatch.context() as m:
        m.setattr(check_values, "dictionary_proven", lambda con, files, allowed: set())
        return [p.model_dump() for p in validate_registers(root).problems]


def _housing(municipalities: list[str]) -> pa.Table:
    """housing_areas rows (a table without references) with these municipalities, one area each."""
    n = len(municipalities)
    return pa.table({
        "year": pa.array([2024] * n, pa.int16()),
        "area_id": [f"a{i}" for i in range(n)],
        "area_name": [f"Area {i}" for i in range(n)],
        "municipality": municipalities,
        "category": ["parallelsamfund"] * n,
    })


def _proven(path, column: str) -> set[str]:
    table = CONTRACT.table("housing_areas")
    codes = {column: list(municipality_codes()) if column == "municipality" else list(table.column(column).codes)}
    with duckdb.connect() as con:
        return dictionary_proven(con, [path], codes)


def test_clean_string_codes_are_proven_without_a_scan(tmp_path, monkeypatch):
    scanned = _codes_scanned(monkeypatch)
    root = write_register_set(tmp_path / "reg")
    assert validate_registers(root).ok
    strings = [c for c in scanned if CONTRACT.table(c.split(".")[0]).column(c.split(".")[1]).type == "string"]
    assert strings == []  # every string code column is dictionary-encoded by write_part
    assert "grades.grade" in scanned  # an integer column written without a dictionary is scanned


def test_a_code_outside_the_list_in_the_dictionary_is_reported_as_by_the_scan(tmp_path, monkeypatch):
    rows = valid_rows()
    rows["residence"][3]["municipality"] = "999"
    root = write_register_set(tmp_path / "reg", rows)
    scanned = _codes_scanned(monkeypatch)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert "residence.municipality" in scanned
    assert [(p["table"], p["column"], p["row"], p["value"], p["kind"]) for p in problems] == [
        ("residence", "municipality", 3, "999", "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


def test_an_unused_dictionary_entry_outside_the_codes_proves_nothing(tmp_path, monkeypatch):
    rows = valid_rows()
    root = write_register_set(tmp_path / "reg", rows)
    path = part_files(root, "housing_areas")[0]
    table = pq.read_table(path)
    municipality = table.column("municipality").to_pylist()
    dictionary = pa.array([*sorted(set(municipality)), "999"])  # "999" in the dictionary, in no row
    indices = pa.array([dictionary.to_pylist().index(m) for m in municipality], pa.int32())
    table = table.set_column(table.schema.get_field_index("municipality"), "municipality",
                             pa.DictionaryArray.from_arrays(indices, dictionary))
    pq.write_table(table, path, store_schema=False)
    write_manifest(root, generator="tests", synthetic=True)
    assert "municipality" not in _proven(path, "municipality")
    scanned = _codes_scanned(monkeypatch)
    assert validate_registers(root).ok  # no row holds it: the scan finds nothing
    assert "housing_areas.municipality" in scanned


def test_pages_fallen_back_to_plain_encoding_are_scanned(tmp_path, monkeypatch):
    root = write_register_set(tmp_path / "reg")
    path = part_files(root, "housing_areas")[0]
    codes = list(municipality_codes())
    # Many distinct codes overflow a tiny dictionary page: the writer falls back to plain pages, where the bad
    # value lands, while the dictionary holds only allowed codes.
    municipalities = [codes[i % len(codes)] for i in range(3000)] + ["999"]
    pq.write_table(_housing(municipalities), path, dictionary_pagesize_limit=64, write_batch_size=16,
                   data_page_size=256)
    write_manifest(root, generator="tests", synthetic=True)
    with duckdb.connect() as con:
        stats = con.execute("SELECT encoding_stats FROM parquet_metadata(?) WHERE path_in_schema = 'municipality'",
                            [str(path)]).fetchall()
    assert any(s["encoding"] == "PLAIN" and s["page_type"].startswith("DATA") for [row] in stats for s in row)
    assert "municipality" not in _proven(path, "municipality")
    scanned = _codes_scanned(monkeypatch)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert "housing_areas.municipality" in scanned
    assert [(p["table"], p["row"], p["value"], p["kind"]) for p in problems] == [
        ("housing_areas", 3000, "999", "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


def test_a_part_without_dictionary_pages_is_scanned(tmp_path, monkeypatch):
    rows = valid_rows()
    rows["residence"][0]["municipality"] = "000"
    root = write_register_set(tmp_path / "reg", rows)
    path = part_files(root, "residence")[0]
    pq.write_table(pq.read_table(path), path, use_dictionary=False)
    write_manifest(root, generator="tests", synthetic=True)
    assert _codes_scanned(monkeypatch) is not None
    with duckdb.connect() as con:
        assert dictionary_proven(con, [path], {"municipality": list(municipality_codes())}) == set()
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert [(p["table"], p["row"], p["kind"]) for p in problems] == [("residence", 0, "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


@pytest.mark.parametrize("compression", ["zstd", "snappy", "gzip", "none"])
def test_dictionaries_are_read_under_every_usual_compression(tmp_path, compression):
    path = tmp_path / "part.parquet"
    codes = list(municipality_codes())
    pq.write_table(_housing(codes[:40] * 3), path, compression=compression)
    assert _proven(path, "municipality") == {"municipality"}
    assert _proven(path, "category") == {"category"}
    pq.write_table(_housing([*codes[:40], "1O1"]), path, compression=compression)  # a letter O for a zero
    assert _proven(path, "municipality") == set()
