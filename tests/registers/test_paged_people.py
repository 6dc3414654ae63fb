"""The persons of a part whose table's proofs read no row in order (no key, spell or join rule: benefits,
convictions) taken from the dictionary pages of its pnr (barometer.registers.check_parts.paged_people): exactly the
part's distinct pnr, None whenever the footers or the pages cannot vouch for them, and validation reporting what it
reports with pnr decoded."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.registers import check_sorted
from barometer.registers.check_parts import paged_people
from barometer.registers.check_sorted import SortedProof
from barometer.registers.fixtures import valid_rows
from barometer.registers.validate import validate_registers


@pytest.mark.parametrize("compression", ["zstd", "none"])
def test_paged_people_are_the_distinct_pnr_of_the_part(tmp_path, compression):
    rng = np.random.default_rng(3)
    pnr = rng.choice(np.arange(101_000_000_001, 101_000_040_001), 60_000)  # repeated, in no order
    path = tmp_path / "part.parquet"
    pq.write_table(pa.table({"pnr": pnr, "x": np.arange(len(pnr))}), path, compression=compression,
                   row_group_size=25_000, data_page_size=2048)
    meta = pq.read_metadata(path)
    assert meta.num_row_groups == 3
    people = paged_people(path, meta)
    assert people is not None and people.dtype == np.int64
    assert np.array_equal(people, np.unique(pnr))


@pytest.mark.parametrize("case", ["null", "no_statistics", "int32", "plain", "no_pnr"])
def test_what_the_footers_or_pages_cannot_vouch_for_gives_none(tmp_path, case):
    path = tmp_path / "part.parquet"
    pnr = pa.array([5, 3, 5, None] if case == "null" else [5, 3, 5, 7], pa.int32() if case == "int32" else pa.int64())
    options = {"write_statistics": False} if case == "no_statistics" else {}
    if case == "plain":
        options = {"use_dictionary": False}
    pq.write_table(pa.table({"other" if case == "no_pnr" else "pnr": pnr}), path, **options)
    assert paged_people(path, pq.read_metadata(path)) is None


def test_benefits_and_convictions_are_proven_without_decoding_pnr(write_defaults, part_reads, proven_references):
    root = write_defaults()
    reads = part_reads
    assert validate_registers(root).ok
    assert {"benefits", "convictions"} <= set(proven_references)  # every pnr a person, proven
    assert not [columns for table, columns in reads if table in ("benefits", "convictions") and "pnr" in columns]
    assert ("residence", ("pnr", "year")) in reads  # a table with a key is still decoded


@pytest.mark.parametrize("case", ["unknown_person", "null_pnr", "both_tables"])
def test_reports_are_those_with_pnr_decoded(write_defaults, monkeypatch, case):
    rows = valid_rows()
    rows["benefits"][0]["pnr"] = None if case == "null_pnr" else 999
    if case == "both_tables":
        rows["convictions"][0]["pnr"] = 998
    root = write_defaults(rows)
    problems = [p.model_dump() for p in validate_registers(root).problems]
    kinds = {(p["table"], p["kind"]) for p in problems}
    if case == "null_pnr":
        assert kinds == {("benefits", "null_value")}
    else:
        assert ("benefits", "unknown_person") in kinds
        assert (("convictions", "unknown_person") in kinds) == (case == "both_tables")
    monkeypatch.setattr(check_sorted, "paged_people", lambda path, meta: None)  # pnr decoded
    assert [p.model_dump() for p in validate_registers(root).problems] == problems
    monkeypatch.setattr(SortedProof, "references", lambda self, tf, ref, fk, rules: False)  # SQL alone
    assert [p.model_dump() for p in validate_registers(root).problems] == problems
