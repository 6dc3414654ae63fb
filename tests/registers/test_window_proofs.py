"""Window rules (alive on the reference date) proven per person (barometer.registers.check_windows): the verdict
is the one the rule's own SQL gives on every row, worked out row by row in DuckDB; a date that is not a DATE, or
that fails, proves nothing (the gathered rows are evaluated instead); and on broken registers the report is the
one of the SQL checks alone."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from barometer.registers.check_sorted import SortedProof
from barometer.registers.check_windows import Windows, windows_hold
from barometer.registers.contract import CONTRACT
from barometer.registers.fixtures import valid_rows
from barometer.registers.schema import JoinRule, window_sql

from .test_sorted_proof import _report, _without_proofs, _write_sorted

RULES = {r.name: r for t in CONTRACT.tables.values() for r in t.join_rules}


def test_every_window_rule_is_its_sql():
    windowed = [r for r in RULES.values() if r.window is not None]
    assert {r.name for r in windowed} >= {"alive_on_1_january", "alive_at_end_of_november", "alive_at_start"}
    for rule in windowed:
        assert rule.violation_sql == window_sql(*rule.window)
        assert rule.interval and len(rule.columns) == 1 and rule.ref_columns == rule.window[1:]


def _dates(rule: JoinRule, values: pa.Array) -> np.ndarray | None:
    """The rule's date for each value, by DuckDB, as SortedProof evaluates it (without its cursors)."""
    proof = SortedProof()
    try:
        return proof._dates(rule, values)
    finally:
        proof.close()


def _sql_broken(rule: JoinRule, own: pa.Table, persons: pa.Table) -> int:
    """Rows breaking the rule, by its own SQL on every row (``own`` has a ``person`` column: a row of ``persons``)."""
    with duckdb.connect() as con:
        con.register("t_rows", own)
        con.register("r_rows", persons)
        return con.execute(f"SELECT count(*) FILTER (WHERE {rule.violation_sql}) FROM t_rows t "
                           "JOIN (SELECT row_number() OVER () - 1 AS person, * FROM r_rows) r USING (person)"
                           ).fetchall()[0][0]


def _case(rng: np.random.Generator, rule: JoinRule, people: int):
    """Persons with births and deaths (some null, some on a reference date) and sorted rows of the rule's column."""
    birth = pa.array(rng.integers(-8000, 18000, people).astype("int32")).view(pa.date32())
    death_days = rng.integers(0, 20000, people).astype("int32")
    death = pa.array(death_days, mask=rng.random(people) < 0.7).view(pa.date32())
    if rng.random() < 0.3:
        birth = pa.array(birth.to_numpy(zero_copy_only=False), mask=rng.random(people) < 0.1)
    persons = pa.table({"birth_date": birth, "death_date": death})
    counts = rng.integers(1, 6, people)
    person = np.repeat(np.arange(people), counts)
    column = rule.columns[0]
    if column == "year":
        starts = rng.integers(1985, 2024, people)
        values = np.concatenate([s + np.arange(n) for s, n in zip(starts, counts, strict=True)]).astype("int16")
        kind = pa.int16()
    else:
        starts = rng.integers(-5000, 19000, people)
        values = np.concatenate([s + np.sort(rng.choice(400, n, replace=False)) for s, n in
                                 zip(starts, counts, strict=True)]).astype("int32")
        kind = pa.date32()
    own = pa.table({"person": person, column: pa.array(values).view(kind)})
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    runs = (first, first + counts - 1)
    return own, persons, {column: values}, runs


@pytest.mark.parametrize("name", ["alive_on_1_january", "alive_at_end_of_november", "alive_at_start"])
def test_the_verdict_is_the_sql_on_every_row(name):
    rule = RULES[name]
    rng = np.random.default_rng(11)
    verdicts = set()
    for people in [1, 2, 3, 5, 8, 40, 300] * 4:
        own, persons, known, runs = _case(rng, rule, people)
        windows = Windows(_dates)
        held = windows_hold(windows, [rule], own, known, runs, np.arange(people), persons)
        assert held == (_sql_broken(rule, own, persons) == 0)
        verdicts.add(held)
    assert verdicts == {True, False}  # both outcomes were tested


def test_a_date_on_the_first_or_last_day_keeps_the_rule():
    rule = RULES["alive_at_end_of_november"]
    persons = pa.table({"birth_date": pa.array([date(2000, 11, 30), date(2001, 12, 1)]),
                        "death_date": pa.array([date(2010, 11, 30), None], pa.date32())})
    own = pa.table({"person": [0, 0, 1], "year": pa.array([2000, 2010, 2002], pa.int16())})
    known, runs = {"year": np.array([2000, 2010, 2002], np.int16)}, (np.array([0, 2]), np.array([1, 2]))
    assert windows_hold(Windows(_dates), [rule], own, known, runs, np.arange(2), persons) is True
    own = pa.table({"person": [0, 0, 1], "year": pa.array([2000, 2010, 2001], pa.int16())})  # born 1 Dec 2001
    known = {"year": np.array([2000, 2010, 2001], np.int16)}
    assert windows_hold(Windows(_dates), [rule], own, known, runs, np.arange(2), persons) is False
    assert _sql_broken(rule, own, persons) == 1


@pytest.mark.parametrize("date_sql", ["make_date(t.year, 11, 30)::TIMESTAMP", "make_date(t.year * 1000, 1, 1)"])
def test_a_date_that_is_not_a_date_proves_nothing(date_sql):
    """A timestamp (compared otherwise than a day) or an error: the rule is left to the gathered rows."""
    window = (date_sql, "birth_date", "death_date")
    rule = JoinRule("odd", "inconsistent", "persons", ("year",), window[1:], window_sql(*window), "odd",
                    interval=True, window=window)
    persons = pa.table({"birth_date": pa.array([date(1990, 1, 1)]), "death_date": pa.array([None], pa.date32())})
    own = pa.table({"person": [0], "year": pa.array([2000], pa.int16())})
    held = windows_hold(Windows(_dates), [rule], own, {"year": np.array([2000], np.int16)},
                        (np.array([0]), np.array([0])), np.arange(1), persons)
    assert held is None


def _bad(rows, case: str) -> tuple[str, str]:
    """Break person 2's window one way; returns the (table, column) the problem is reported on."""
    person = next(p for p in rows["persons"] if p["pnr"] == 2)
    if case == "died_in_november_before_the_count":
        last = max(r["year"] for r in rows["employment"] if r["pnr"] == 2)
        person["death_date"] = date(last, 11, 29)
        return "employment", "year"
    first = min(r["start_date"] for r in rows["addresses"] if r["pnr"] == 2)
    person["birth_date"] = first + timedelta(days=1)  # born the day after the first spell starts
    return "addresses", "start_date"


@pytest.mark.parametrize("case", ["died_in_november_before_the_count", "spell_before_birth"])
def test_broken_windows_report_what_sql_alone_reports(tmp_path, monkeypatch, case):
    rows = copy.deepcopy(valid_rows())
    where = _bad(rows, case)
    root = _write_sorted(tmp_path / "reg", rows, {"persons": 3, "residence": 3, "employment": 3, "addresses": 3})
    with_proofs = _report(root)
    assert (*where, "inconsistent") in {(p["table"], p["column"], p["kind"]) for p in with_proofs}
    assert with_proofs == _without_proofs(monkeypatch, root)


def test_the_days_of_a_rule_are_evaluated_for_ranges_once_and_cut_right():
    rule = RULES["alive_at_end_of_november"]
    asked: list[tuple[int, int]] = []

    def dates(r, values):
        asked.append((values[0].as_py(), len(values)))
        return _dates(r, values)

    windows = Windows(dates)
    for low, span in [(2012, 13), (2015, 3), (2000, 5), (2010, 20), (2030, 2)]:
        days = windows.days(rule, low, span, np.dtype(np.int16), pa.int16())
        expected = [(date(y, 11, 30) - date(1970, 1, 1)).days for y in range(low, low + span)]
        assert days is not None and days.tolist() == expected
    # 2015-2017 known already; every other range evaluated with the one known, from 2000 on
    assert asked == [(2012, 13), (2000, 25), (2000, 30), (2000, 32)]
