"""Null and range checks proven from the Parquet footers (barometer.registers.check_stats): a clean set needs no
value scan for them, and whatever the footers cannot prove (no statistics written, a value out of bounds, NaN in a
float column) is still found by the value scan and reported exactly as before."""

from __future__ import annotations

import math
from datetime import date

import pyarrow.parquet as pq
import pytest

from barometer.registers import check_values
from barometer.registers.check_stats import proves_range, table_stats
from barometer.registers.contract import CONTRACT
from barometer.registers.fixtures import to_arrow, valid_rows, write_register_set
from barometer.registers.layout import part_files
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The kinds of the row checks the footer statistics did not prove, per table (the dictionaries are kept out:
    test_dictionaries.py)."""
    seen: dict[str, list[str]] = {}
    original_footers = check_values.ValueChecker._footers_prove

    def record(self, tf, check):
        proven = original_footers(self, tf, check)
        if not proven:
            seen.setdefault(tf.table.name, []).append(f"{check.kind}:{check.column}")
        return proven

    monkeypatch.setattr(check_values.ValueChecker, "_footers_prove", record)
    monkeypatch.setattr(check_values.ValueChecker, "_dictionaries_prove", lambda self, tf, checks: checks)
    return seen


def test_clean_set_scans_no_null_or_range_check_of_ordered_columns(tmp_path, scanned):
    root = write_register_set(tmp_path / "reg")
    assert validate_registers(root).ok
    assert scanned["residence"] == ["unknown_municipality:municipality"]  # codes: not in the footers
    left = [f"{t}.{k}" for t, kinds in scanned.items() for k in kinds
            if k.startswith(("null_value", "out_of_range", "date_out_of_range"))
            and CONTRACT.table(t).column(k.split(":")[1]).type != "float64"]
    assert left == ["permits.date_out_of_range:start_date"], left  # a row rule, not a column range


def test_float_ranges_are_always_scanned(tmp_path, scanned):
    root = write_register_set(tmp_path / "reg")
    validate_registers(root)
    assert "out_of_range:hours_per_week" in scanned["benefits"]  # NaN is left out of float statistics


def test_footer_bounds_outside_the_contract_leave_the_check_to_the_scan(tmp_path):
    rows = valid_rows()
    rows["education"][0]["year"] = 1900
    root = write_register_set(tmp_path / "reg", rows)
    table = CONTRACT.table("education")
    stats = table_stats(part_files(root, "education"), table, ["year"])
    assert stats["year"].minimum == 1900 and not proves_range(stats["year"], table.column("year"))
    problems = [p for p in validate_registers(root).errors]
    assert [(p.table, p.column, p.row, p.kind) for p in problems] == [("education", "year", 0, "out_of_range")]


def test_parts_without_statistics_are_scanned(tmp_path):
    rows = valid_rows()
    rows["benefits"][0]["end_date"] = date(2099, 1, 1)
    root = write_register_set(tmp_path / "reg", rows)
    path = part_files(root, "benefits")[0]
    pq.write_table(to_arrow("benefits", rows["benefits"]), path, write_statistics=False)
    write_manifest(root, generator="tests", synthetic=True)
    assert table_stats([path], CONTRACT.table("benefits"), ["end_date"])["end_date"].bounded is False
    problems = validate_registers(root).errors
    assert [(p.table, p.column, p.kind, p.value) for p in problems] == [
        ("benefits", "end_date", "date_out_of_range", "2099-01-01")]


def test_nan_hours_are_reported(tmp_path):
    rows = valid_rows()
    rows["benefits"][0]["hours_per_week"] = math.nan
    root = write_register_set(tmp_path / "reg", rows)
    problems = validate_registers(root).errors
    assert [(p.table, p.column, p.kind) for p in problems] == [("benefits", "hours_per_week", "out_of_range")]
