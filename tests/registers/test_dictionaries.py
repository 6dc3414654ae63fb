"""Checks of one column proven from its dictionaries (barometer.registers.check_dictionaries): a clean
dictionary-encoded column needs no value scan for its codes, ranges and one-column rules, pages that fell back to
plain encoding included, and whatever the dictionaries cannot prove (an entry breaking the check, even an unused
one, no dictionary at all) is still found by the value scan and reported exactly as the scan alone reports it."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.registers.check_dictionaries import dictionary_values
from barometer.registers.check_sorted import SortedProof
from barometer.registers.contract import CONTRACT, municipality_codes
from barometer.registers.fixtures import valid_rows, write_register_set
from barometer.registers.layout import part_files
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


def _without_dictionaries(monkeypatch: pytest.MonkeyPatch, root) -> list[dict]:
    with monkeypatch.context() as m:
        m.setattr(SortedProof, "dictionaries", lambda self, tf: {})
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
    """{column} when every value it can hold is an allowed code, as the dictionaries say."""
    table = CONTRACT.table("housing_areas")
    codes = set(municipality_codes()) if column == "municipality" else set(table.column(column).codes)
    values = dictionary_values([path], {column: table.column(column).arrow_type})
    return {column} if column in values and set(values[column].to_pylist()) <= codes else set()


def _column(check: str):
    table, rest = check.split(".")
    return CONTRACT.table(table).column(rest.split(":")[0])


def test_clean_string_codes_are_proven_without_a_scan(tmp_path, monkeypatch, scanned):
    root = write_register_set(tmp_path / "reg")
    assert validate_registers(root).ok
    codes = (":unknown_code", ":unknown_municipality", ":unknown_country")
    assert [c for c in scanned if _column(c).type == "string" and c.endswith(codes)] == []  # strings have
    # dictionaries (write_part)
    assert "grades.grade:unknown_code" in scanned  # an integer column written without a dictionary is scanned


def test_a_code_outside_the_list_in_the_dictionary_is_reported_as_by_the_scan(tmp_path, monkeypatch, scanned):
    rows = valid_rows()
    rows["residence"][3]["municipality"] = "999"
    root = write_register_set(tmp_path / "reg", rows)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert "residence.municipality:unknown_municipality" in scanned
    assert [(p["table"], p["column"], p["row"], p["value"], p["kind"]) for p in problems] == [
        ("residence", "municipality", 3, "999", "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


def test_an_unused_dictionary_entry_outside_the_codes_proves_nothing(tmp_path, monkeypatch, scanned):
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
    assert validate_registers(root).ok  # no row holds it: the scan finds nothing
    assert "housing_areas.municipality:unknown_municipality" in scanned


def _plain_pages(path, column: str) -> bool:
    """Whether some data page of ``column`` fell back to plain encoding (DuckDB reads the page statistics)."""
    with duckdb.connect() as con:
        stats = con.execute("SELECT encoding_stats FROM parquet_metadata(?) WHERE path_in_schema = ?",
                            [str(path), column]).fetchall()
    return any(s["encoding"] == "PLAIN" and s["page_type"].startswith("DATA") for [row] in stats for s in row)


def _fallen_back(path, municipalities: list[str]) -> None:
    """housing_areas written with so tiny a dictionary page that the writer falls back to plain pages."""
    pq.write_table(_housing(municipalities), path, dictionary_pagesize_limit=64, write_batch_size=16,
                   data_page_size=256)


def test_pages_fallen_back_to_plain_encoding_are_read_as_dictionaries_too(tmp_path, monkeypatch, scanned):
    codes = list(municipality_codes())
    path = tmp_path / "part.parquet"
    _fallen_back(path, [codes[i % len(codes)] for i in range(3000)])
    assert _plain_pages(path, "municipality")
    assert _proven(path, "municipality") == {"municipality"}  # every code, from the dictionary page or plain pages

    root = write_register_set(tmp_path / "reg")
    path = part_files(root, "housing_areas")[0]
    # The bad value lands in a plain page, while the dictionary page holds only allowed codes.
    _fallen_back(path, [codes[i % len(codes)] for i in range(3000)] + ["999"])
    write_manifest(root, generator="tests", synthetic=True)
    assert _plain_pages(path, "municipality")
    assert "999" in dictionary_values([path], {"municipality": pa.string()})["municipality"].to_pylist()
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert "housing_areas.municipality:unknown_municipality" in scanned
    assert [(p["table"], p["row"], p["value"], p["kind"]) for p in problems] == [
        ("housing_areas", 3000, "999", "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


def test_a_numeric_column_fallen_back_to_plain_pages_yields_every_value(tmp_path):
    path = tmp_path / "part.parquet"
    hours = [float(i % 400) / 4 for i in range(3000)] + [math.nan]  # NaN only in a plain page
    pq.write_table(pa.table({"hours_per_week": hours}), path, dictionary_pagesize_limit=64, write_batch_size=16,
                   data_page_size=256)
    assert _plain_pages(path, "hours_per_week")
    values = dictionary_values([path], {"hours_per_week": pa.float64()})["hours_per_week"].to_pylist()
    assert sorted(v for v in values if not math.isnan(v)) == sorted(set(hours[:-1]))
    assert sum(math.isnan(v) for v in values) == 1


def test_the_footers_read_once_are_reused(tmp_path):
    codes = list(municipality_codes())
    paths = [tmp_path / "part-0.parquet", tmp_path / "part-1.parquet"]
    pq.write_table(_housing(codes[:10]), paths[0])
    pq.write_table(_housing(codes[10:30]), paths[1])
    read: list = []

    def footer(path):
        read.append(path)
        return pq.read_metadata(path)

    values = dictionary_values(paths, {"municipality": pa.string(), "category": pa.string()}, footer)
    assert read == paths
    assert sorted(values["municipality"].to_pylist()) == sorted(codes[:30])
    assert values["category"].to_pylist() == ["parallelsamfund"]


def test_more_distinct_values_than_a_code_list_are_left_to_the_scan(tmp_path, monkeypatch):
    from barometer.registers import check_dictionaries

    path = tmp_path / "part.parquet"
    pq.write_table(_housing(list(municipality_codes())[:40]), path)
    monkeypatch.setattr(check_dictionaries, "_MAX_VALUES", 39)
    assert dictionary_values([path], {"municipality": pa.string(), "category": pa.string()}).keys() == {"category"}


def test_a_part_without_dictionary_pages_is_scanned(tmp_path, monkeypatch):
    rows = valid_rows()
    rows["residence"][0]["municipality"] = "000"
    root = write_register_set(tmp_path / "reg", rows)
    path = part_files(root, "residence")[0]
    pq.write_table(pq.read_table(path), path, use_dictionary=False)
    write_manifest(root, generator="tests", synthetic=True)
    assert dictionary_values([path], {"municipality": pa.string()}) == {}
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert [(p["table"], p["row"], p["kind"]) for p in problems] == [("residence", 0, "unknown_municipality")]
    assert problems == _without_dictionaries(monkeypatch, root)


@pytest.mark.parametrize("compression", ["zstd", "snappy", "gzip", "brotli", "lz4", "none"])
def test_dictionaries_are_read_under_every_usual_compression(tmp_path, compression):
    path = tmp_path / "part.parquet"
    codes = list(municipality_codes())
    pq.write_table(_housing(codes[:40] * 3), path, compression=compression)
    assert _proven(path, "municipality") == {"municipality"}
    assert _proven(path, "category") == {"category"}
    pq.write_table(_housing([*codes[:40], "1O1"]), path, compression=compression)  # a letter O for a zero
    assert _proven(path, "municipality") == set()


def _rewrite(root, table: str, rows, **options) -> None:
    """Table ``table`` written again from ``rows``, every column dictionary-encoded (as DST's writer might)."""
    from barometer.registers.fixtures import to_arrow

    path = part_files(root, table)[0]
    pq.write_table(to_arrow(table, rows), path, use_dictionary=True, store_schema=False, **options)
    write_manifest(root, generator="tests", synthetic=True)


def test_float_ranges_and_one_column_rules_are_proven_by_dictionaries(tmp_path, monkeypatch, scanned):
    rows = valid_rows()
    root = write_register_set(tmp_path / "reg", rows)
    _rewrite(root, "benefits", rows["benefits"])
    _rewrite(root, "programme_status", rows["programme_status"])
    assert validate_registers(root).ok
    assert "benefits.hours_per_week:out_of_range" not in scanned  # NaN would be in the dictionary: none is
    assert "programme_status.month:inconsistent" not in scanned  # day(month) <> 1 on each distinct month
    assert "benefits.end_date:end_before_start" in scanned  # a rule over two columns: scanned


@pytest.mark.parametrize("case", ["nan_hours", "hours_over_168", "mid_month"])
def test_a_dictionary_entry_breaking_a_check_is_reported_as_by_the_scan(tmp_path, monkeypatch, case):
    rows = valid_rows()
    if case == "nan_hours":
        rows["benefits"][1]["hours_per_week"] = math.nan
    elif case == "hours_over_168":
        rows["benefits"][0]["hours_per_week"] = 169.0
    else:
        rows["programme_status"][0]["month"] = date(2023, 3, 15)
    root = write_register_set(tmp_path / "reg", rows)
    _rewrite(root, "benefits", rows["benefits"])
    _rewrite(root, "programme_status", rows["programme_status"])
    problems = [p.model_dump() for p in validate_registers(root).problems]
    expected = {"nan_hours": ("benefits", "hours_per_week", 1, "out_of_range"),
                "hours_over_168": ("benefits", "hours_per_week", 0, "out_of_range"),
                "mid_month": ("programme_status", "month", 0, "inconsistent")}[case]
    assert [(p["table"], p["column"], p["row"], p["kind"]) for p in problems] == [expected]
    assert problems == _without_dictionaries(monkeypatch, root)


def test_a_check_true_for_a_null_is_not_proven_by_the_dictionary(tmp_path, monkeypatch, scanned):
    from barometer.registers.fixtures import loose_table

    rows = valid_rows()
    root = write_register_set(tmp_path / "reg", rows)
    rows["residence"][2]["municipality"] = None  # the contract forbids it; no statistics say so
    path = part_files(root, "residence")[0]
    pq.write_table(loose_table("residence", rows["residence"]), path, use_dictionary=True, write_statistics=False)
    write_manifest(root, generator="tests", synthetic=True)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert "residence.municipality:null_value" in scanned  # every dictionary entry is a code, but a null is null
    assert [(p["table"], p["row"], p["kind"]) for p in problems] == [("residence", 2, "null_value")]
    assert problems == _without_dictionaries(monkeypatch, root)
