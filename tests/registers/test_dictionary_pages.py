"""A column's values read from its dictionary pages alone (barometer.registers.check_pages): exactly the
entries pyarrow finds when it decodes the column (as dictionaries, for strings), and None (the column decoded, as
before) for any chunk not made of one dictionary page and dictionary-encoded data pages, or bytes the walk does
not expect. In
validation a bad code found in a dictionary page is still reported by the value scan exactly as the scan alone
reports it."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from barometer.registers import check_dictionaries, check_pages
from barometer.registers.check_pages import dictionary_page_values
from barometer.registers.contract import municipality_codes
from barometer.registers.fixtures import valid_rows, write_register_set
from barometer.registers.layout import part_files
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


def _decoded(path, column: str) -> list[str]:
    """The distinct dictionary entries pyarrow reads (every row group's dictionary, unused entries included)."""
    data = pq.ParquetFile(path, read_dictionary=[column]).read(columns=[column]).column(column)
    return sorted(pc.unique(pa.concat_arrays([c.dictionary for c in data.chunks])).to_pylist())


def _codes(n: int) -> list[str]:
    codes = list(municipality_codes())
    return [codes[(i * 7) % len(codes)] for i in range(n)]


def _sorted(values: list) -> list[str]:
    return sorted(map(repr, values))  # as text: NaN equals nothing, itself included; -0.0 is not 0.0


@pytest.mark.parametrize("compression", ["zstd", "snappy", "gzip", "brotli", "lz4", "none"])
@pytest.mark.parametrize("statistics", [True, False])
def test_entries_are_those_pyarrow_decodes(tmp_path, compression, statistics):
    path = tmp_path / "part.parquet"
    values = _codes(50_000)
    n = len(values)
    table = pa.table({
        "pnr": range(n), "municipality": values, "note": [None, "æøå ü"] * (n // 2),
        "year": pa.array([2012 + i % 13 for i in range(n)], pa.int16()),
        "day": pa.array([date(2020, 1, 1) + timedelta(days=i % 400) if i % 9 else None for i in range(n)]),
        "hours": pa.array([float("nan"), -0.0, 0.0, 37.5, 1e300][i % 5] for i in range(n)),
        "flag": [i % 3 == 0 for i in range(n)],
    })
    # several row groups, each with many small data pages (as pyarrow writes at most 20 000 rows a page)
    pq.write_table(table, path, compression=compression, row_group_size=12_000, data_page_size=4096,
                   write_statistics=statistics)
    meta = pq.read_metadata(path)
    assert meta.num_row_groups == 5
    for column in ("municipality", "note", "pnr", "year", "day", "hours"):
        found = dictionary_page_values(path, meta, column)
        if compression == "lz4":  # Parquet's LZ4 (framed as Hadoop does) is not handled: the column is decoded
            assert found is None
            continue
        assert found is not None and found.type == table.schema.field(column).type, column
        if column in ("municipality", "note"):
            assert sorted(found.to_pylist()) == _decoded(path, column)
        else:  # every entry is used here: the distinct values pyarrow decodes
            decoded = pc.unique(pq.read_table(path, columns=[column]).column(column).combine_chunks())
            assert _sorted(found.drop_null().to_pylist()) == _sorted(decoded.drop_null().to_pylist()), column
    assert dictionary_page_values(path, meta, "flag") is None  # booleans are not dictionary-encoded
    assert dictionary_page_values(path, meta, "missing") is None
    if compression != "lz4":  # more entries than asked for: decoded
        assert dictionary_page_values(path, meta, "pnr", max_entries=11_999) is None
        assert len(dictionary_page_values(path, meta, "pnr", max_entries=12_000)) == n


def test_numbers_that_do_not_fit_the_type_read_give_none(tmp_path):
    path = tmp_path / "part.parquet"
    pq.write_table(pa.table({"t": pa.array([1, 2, 1], pa.timestamp("s")), "u": pa.array([1, 2, 1], pa.uint32())}),
                   path)
    meta = pq.read_metadata(path)
    assert dictionary_page_values(path, meta, "t") is None  # a timestamp: left to the decoder
    assert dictionary_page_values(path, meta, "u").to_pylist() == [1, 2]  # stored as INT32, read as uint32


def test_an_unused_entry_is_returned(tmp_path):
    path = tmp_path / "part.parquet"
    dictionary = pa.array(["101", "999", "851"])
    pq.write_table(pa.table({"m": pa.DictionaryArray.from_arrays(pa.array([0, 2, 2, 0], pa.int32()), dictionary)}),
                   path)
    assert sorted(dictionary_page_values(path, pq.read_metadata(path), "m").to_pylist()) == ["101", "851", "999"]


def test_pages_fallen_back_to_plain_encoding_are_left_to_the_decoder(tmp_path):
    path = tmp_path / "part.parquet"
    pq.write_table(pa.table({"m": [*_codes(3000), "999"]}), path, dictionary_pagesize_limit=64, write_batch_size=16,
                   data_page_size=256)
    assert dictionary_page_values(path, pq.read_metadata(path), "m") is None  # "999" is in a plain page only


@pytest.mark.parametrize("case", ["no_dictionary", "data_page_v2"])
def test_other_layouts_are_left_to_the_decoder(tmp_path, case):
    path = tmp_path / "part.parquet"
    options = {"use_dictionary": False} if case == "no_dictionary" else {"data_page_version": "2.0"}
    pq.write_table(pa.table({"m": _codes(100)}), path, **options)
    assert dictionary_page_values(path, pq.read_metadata(path), "m") is None


@pytest.mark.parametrize("damage", ["header", "truncated", "count", "dictionary_page"])
def test_bytes_the_walk_does_not_expect_give_none(tmp_path, damage):
    path = tmp_path / "part.parquet"
    pq.write_table(pa.table({"m": _codes(5000)}), path, data_page_size=1024, compression="none")
    meta = pq.read_metadata(path)  # the footer as written (the damage below is in the pages, or cuts it off)
    column, data = meta.row_group(0).column(0), bytearray(path.read_bytes())
    start = column.dictionary_page_offset
    if damage == "header":
        data[column.data_page_offset] = 0xFF  # the first data page's header: not a struct field the walk knows
    elif damage == "truncated":
        data = data[:start + column.total_compressed_size // 2]  # the chunk runs past the end of the file
    elif damage == "count":
        entries = check_pages._chunk_entries(bytes(data[start:start + column.total_compressed_size]),
                                             column.num_values, None)
        assert len(entries) == len(set(_codes(5000)))
        with pytest.raises(check_pages._Malformed):  # pages holding fewer values than the chunk's count
            check_pages._chunk_entries(bytes(data[start:start + column.total_compressed_size]),
                                       column.num_values + 1, None)
        return
    else:
        body = check_pages._struct(bytes(data), start, (5, 7))[1]  # where the dictionary page's header ends
        data[body:body + 4] = (10**6).to_bytes(4, "little")  # its first entry's length runs past the page
    path.write_bytes(bytes(data))
    assert dictionary_page_values(path, meta, "m") is None


def test_validation_reads_string_codes_from_dictionary_pages_only(tmp_path, part_reads):
    root = write_register_set(tmp_path / "reg")
    reads = part_reads
    assert validate_registers(root).ok
    assert ("residence", ("pnr", "year")) in reads  # municipality: from its dictionary pages, not decoded
    assert not any("municipality" in columns for _, columns in reads)


def test_validation_reads_numbers_from_dictionary_pages_only(write_defaults, part_reads, scanned):
    root = write_defaults()  # every column with a dictionary page
    reads = part_reads
    assert validate_registers(root).ok
    assert not any("hours_per_week" in columns or "grade" in columns for _, columns in reads)
    assert "benefits.hours_per_week:out_of_range" not in scanned  # proven by the values of its pages


@pytest.mark.parametrize("hours", [200.0, float("nan"), -0.5])
def test_a_bad_number_in_a_dictionary_page_is_reported_as_without_pages(write_defaults, monkeypatch, hours):
    rows = valid_rows()
    rows["benefits"][1]["hours_per_week"] = hours
    root = write_defaults(rows)
    path = part_files(root, "benefits")[0]
    assert dictionary_page_values(path, pq.read_metadata(path), "hours_per_week") is not None
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert [(p["table"], p["column"], p["kind"], p["value"]) for p in problems] == [
        ("benefits", "hours_per_week", "out_of_range", str(hours))]
    monkeypatch.setattr(check_dictionaries, "dictionary_page_values", lambda *args: None)
    assert [p.model_dump() for p in validate_registers(root).problems] == problems


def test_a_bad_code_in_a_dictionary_page_is_reported_as_without_pages(tmp_path, monkeypatch):
    rows = valid_rows()
    rows["residence"][4]["municipality"] = "1O1"  # a letter O for a zero
    root = write_register_set(tmp_path / "reg", rows)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    assert [(p["table"], p["row"], p["value"], p["kind"]) for p in problems] == [
        ("residence", 4, "1O1", "unknown_municipality")]
    monkeypatch.setattr(check_dictionaries, "dictionary_page_values", lambda *args: None)
    assert [p.model_dump() for p in validate_registers(root).problems] == problems


def test_a_part_fallen_back_to_plain_pages_is_decoded_and_its_bad_code_reported(tmp_path, part_reads):
    root = write_register_set(tmp_path / "reg")
    path = part_files(root, "housing_areas")[0]
    n = 3000
    codes = [*_codes(n), "999"]
    pq.write_table(pa.table({"year": pa.array([2024] * (n + 1), pa.int16()),
                             "area_id": [f"a{i}" for i in range(n + 1)],
                             "area_name": [f"Area {i}" for i in range(n + 1)],
                             "municipality": codes, "category": ["parallelsamfund"] * (n + 1)}),
                   path, dictionary_pagesize_limit=64, write_batch_size=16, data_page_size=256)
    write_manifest(root, generator="tests", synthetic=True)
    reads = part_reads
    problems = [(p.table, p.row, p.value, p.kind) for p in validate_registers(root).problems]
    assert problems == [("housing_areas", n, "999", "unknown_municipality")]
    assert ("housing_areas", ("municipality",)) in reads  # decoded: its pages could not prove it
