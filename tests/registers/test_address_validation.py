"""Validation of the address history (``addresses``): each kind of bad spell gives one clear, typed problem.

Rows of the valid set (barometer.registers.fixtures): 0 p1 851 open; 1-3 p2 101 / 851 / 101 (a half-year away);
4 p3; 5 p4; 6-7 p5 (first days without municipality, then 851); 8-9 p6 (851 to 2015, then 101).
"""

from __future__ import annotations

from datetime import date

from barometer.registers.report import PROBLEM_KINDS, Problem, ValidationReport
from barometer.registers.validate import validate_registers


def single_error(report: ValidationReport) -> Problem:
    assert len(report.errors) == 1, [p.model_dump() for p in report.errors]
    return report.errors[0]


def test_valid_history_with_moves_gaps_and_unknown_municipality_is_clean(rows, write):
    assert validate_registers(write(rows)).problems == []


def test_addresses_are_required(rows, write):
    del rows["addresses"]
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind) == ("addresses", "missing_table")


def test_overlapping_spells(rows, write):
    rows["addresses"][2]["start_date"] = date(2022, 3, 15)  # p2 in 851 from 15 March; 101 still runs to 31 March
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.value, p.kind, p.count) == (
        "addresses", "start_date", 2, {"pnr": "2", "start_date": "2022-03-15"}, "2022-03-15",
        "overlapping_spells", 1)
    assert "overlapping_spells" in PROBLEM_KINDS


def test_spell_inside_an_open_spell_overlaps(rows, write):
    # p1's spell never ends: a second spell in 2019 overlaps it, and so does a third one after that
    rows["addresses"] += [{"pnr": 1, "start_date": date(2019, 1, 1), "end_date": date(2019, 6, 30),
                           "municipality": "101"},
                          {"pnr": 1, "start_date": date(2020, 1, 1), "end_date": None, "municipality": "101"}]
    errors = validate_registers(write(rows)).errors
    assert [(p.kind, p.key, p.row, p.count) for p in errors] == [
        ("overlapping_spells", {"pnr": "1", "start_date": "2019-01-01"}, 10, 2),
        ("overlapping_spells", {"pnr": "1", "start_date": "2020-01-01"}, 11, 2)]


def test_spells_touching_do_not_overlap(rows, write):
    rows["addresses"][1]["end_date"] = date(2022, 3, 31)  # unchanged: the next spell starts the day after
    rows["addresses"][2]["start_date"] = date(2022, 4, 1)
    assert validate_registers(write(rows)).ok
    rows["addresses"][1]["end_date"] = date(2022, 4, 1)  # ... but ending on the next start is one day of overlap
    p = single_error(validate_registers(write(rows)))
    assert (p.kind, p.row) == ("overlapping_spells", 2)


def test_end_before_start(rows, write):
    rows["addresses"][8]["end_date"] = date(2010, 7, 31)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == (
        "addresses", "end_date", 8, {"pnr": "6", "start_date": "2010-08-01"}, "end_before_start")


def test_unknown_municipality(rows, write):
    rows["addresses"][4]["municipality"] = "999"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.value, p.kind) == (
        "addresses", "municipality", 4, "999", "unknown_municipality")


def test_person_not_in_persons(rows, write):
    rows["addresses"][9]["pnr"] = 66
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == (
        "addresses", "pnr", 9, {"pnr": "66", "start_date": "2016-01-01"}, "unknown_person")


def test_spell_starting_before_birth(rows, write):
    rows["addresses"][0]["start_date"] = date(1980, 4, 30)  # p1 was born on 1 May 1980
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("addresses", "start_date", 0, "inconsistent")


def test_spell_starting_after_death(rows, write):
    # p7 emigrated in 2020 and died on 2 January 2023: a spell from the day after is impossible
    rows["addresses"].append({"pnr": 7, "start_date": date(2023, 1, 3), "end_date": None, "municipality": "101"})
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("addresses", "start_date", 10, "inconsistent")
