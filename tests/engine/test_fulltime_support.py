"""Full-time support (``support_spell`` -> ``fulltime_support``) on spells made to hit every branch of its SQL.

The synthetic registers have no spell across a new year and few overlaps, so the views are checked here on hand-made
spells against the plain-Python sweep of the independent reference (tests/engine/reference.py, day by day): spells
across one and several new years, starting before the first year or ending after the last of ``ref_year``, two that
overlap (the cap binding or not), three or more, identical twins, neighbours that touch, two with a gap between, two
62 years apart, a one-day piece either side of a new year, the cap at its boundary, a leap year, and benefits that
do not count. Both engines run the same rendered text; the Spark case needs Java (marker ``spark``).
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pytest

from barometer.engine.build import _year_table
from barometer.engine.settings import EngineSettings
from barometer.engine.sql import render
from barometer.engine.views import FULLTIME_SUPPORT, SUPPORT_SPELL
from barometer.registers.contract import arrow_schema
from tests.engine import reference

D = date
FIRST, LAST = 2016, 2020
SPELLS = [  # pnr, benefit, first day, last day, hours a week
    (1, "cash_benefit", D(2015, 12, 1), D(2018, 1, 31), 37.0),  # from before the first year, across three new years
    (2, "sickness_benefit", D(2016, 3, 1), D(2016, 6, 30), 20.0),  # overlaps the next: 50 hours capped at 37
    (2, "activation", D(2016, 5, 1), D(2016, 8, 31), 30.0),
    (3, "activation", D(2017, 2, 1), D(2017, 4, 30), 10.0),  # three at 10 hours: the cap never binds ...
    (3, "activation", D(2017, 3, 1), D(2017, 5, 31), 10.0),
    (3, "flexjob", D(2017, 4, 1), D(2017, 6, 30), 10.0),
    (3, "other", D(2017, 4, 15), D(2017, 4, 20), 20.0),  # ... until a fourth makes 50 for six days
    (4, "unemployment_benefit", D(2018, 2, 5), D(2018, 3, 4), 37.0),  # identical twins
    (4, "unemployment_benefit", D(2018, 2, 5), D(2018, 3, 4), 37.0),
    (5, "cash_benefit", D(2019, 1, 1), D(2019, 6, 30), 37.0),  # neighbours that touch: no overlap
    (5, "cash_benefit", D(2019, 7, 1), D(2019, 12, 31), 37.0),
    (6, "disability_pension", D(2020, 1, 1), D(2020, 12, 31), 168.0),  # capped alone; a leap year
    (6, "student_grant", D(2020, 1, 1), D(2020, 12, 31), 37.0),  # SU: not public support
    (6, "activation", D(2019, 5, 1), D(2019, 5, 31), 0.0),  # no hours: not counted
    (7, "maternity_benefit", D(2020, 11, 1), D(2021, 2, 28), 37.0),  # ends after the last year
    (8, "sickness_benefit", D(2016, 12, 31), D(2017, 1, 1), 18.5),  # one day either side of a new year
    (8, "sickness_benefit", D(2017, 1, 1), D(2017, 1, 14), 18.5),  # 18.5 + 18.5: exactly the cap
    (9, "flexjob", D(2018, 6, 4), D(2018, 9, 30), 12.25),  # a quarter hour
    (9, "flexjob", D(2018, 9, 1), D(2018, 12, 31), 30.0),  # two overlapping, cap binds in September
    (10, "early_retirement", D(2014, 1, 1), D(2014, 12, 31), 37.0),  # before the years: no row
    (11, "flexjob", D(2017, 1, 1), D(2018, 3, 31), 15.0),  # from a 1 January across a new year: each day once
    (12, "cash_benefit", D(2018, 3, 1), D(2018, 3, 31), 20.0),  # two in a year with a gap between: swept, ...
    (12, "sickness_benefit", D(2018, 10, 1), D(2018, 10, 31), 37.0),  # ... the same as their sum
    (13, "cash_benefit", D(2016, 4, 1), D(2016, 4, 30), 37.0),  # years 62 apart share a bit of the year set: ...
    (13, "cash_benefit", D(2078, 4, 1), D(2078, 4, 30), 37.0),  # ... counted by person and year, each spell once
]


def _benefits() -> pa.Table:
    names = ["pnr", "benefit", "start_date", "end_date", "hours_per_week"]
    return pa.Table.from_pylist([dict(zip(names, s, strict=True)) for s in SPELLS], schema=arrow_schema("benefits"))


def _expected() -> dict[tuple[int, int], Decimal]:
    rows = SimpleNamespace(t={"benefits": _benefits().to_pylist()})  # the reference's sweep reads only these
    swept = reference._fulltime(rows)  # type: ignore[arg-type]
    return {k: Decimal(repr(round(v, 9))) for k, v in swept.items() if FIRST <= k[1] <= LAST and v > 0}


def _close(value: Decimal, exact: float) -> bool:
    """``value`` is ``exact`` to the view's 9 decimals."""
    return abs(value - Decimal(repr(exact))) <= Decimal("1e-9")


def _duckdb_rows(params: dict[str, object]) -> dict[tuple[int, int], Decimal]:
    con = duckdb.connect(":memory:")
    con.register("benefits", _benefits())
    con.register("ref_year", _year_table(FIRST, LAST))
    con.execute(f"CREATE VIEW support_spell AS {render(SUPPORT_SPELL.sql, 'duckdb', params)}")
    rows = con.execute(f"SELECT pnr, year, fte FROM ({render(FULLTIME_SUPPORT.sql, 'duckdb', params)})").fetchall()
    return {(pnr, year): fte for pnr, year, fte in rows}


def test_duckdb_agrees_with_the_reference_sweep():
    got = _duckdb_rows(EngineSettings().sql_params())
    expected = _expected()
    assert set(got) == set(expected)  # one row per person-year with support in the years, no other
    for key, value in expected.items():
        assert abs(got[key] - value) <= Decimal("1e-9"), key
    # worked out by hand: person 2 in 2016 is 20 h (1 Mar-30 Apr, 61 days) + 37 h capped (1 May-30 Jun, 61 days)
    # + 30 h (1 Jul-31 Aug, 62 days) over 37 h x 366 days
    assert _close(got[(2, 2016)], (20 * 61 + 37 * 61 + 30 * 62) / (37 * 366))
    assert _close(got[(4, 2018)], 28 / 365)  # twins count once (the cap)
    assert got[(6, 2020)] == Decimal("1.000000000")  # 168 hours capped at 37, all of a leap year
    assert got[(5, 2019)] == Decimal("1.000000000")  # two halves of a year that touch
    assert _close(got[(12, 2018)], (20 * 31 + 37 * 31) / (37 * 365))  # a gap counts nothing
    assert _close(got[(13, 2016)], 30 / 366)
    assert (1, 2015) not in got and (7, 2021) not in got and (10, 2014) not in got


def test_the_cap_and_student_grant_settings_reach_the_sql():
    base = _duckdb_rows(EngineSettings().sql_params())
    lower = _duckdb_rows(EngineSettings(weekly_hours_cap=20.0).sql_params())
    # February 10 hours, March 20, April 30 or 50 (capped at 20), May 20, June 10
    assert _close(lower[(3, 2017)], (10 * 28 + 20 * 31 + 20 * 30 + 20 * 31 + 10 * 30) / (20 * 365))
    assert _close(base[(3, 2017)], (10 * 28 + 20 * 31 + 30 * 14 + 37 * 6 + 30 * 10 + 20 * 31 + 10 * 30) / (37 * 365))
    assert lower[(6, 2020)] == Decimal("1.000000000")
    with_su = _duckdb_rows(EngineSettings(include_student_grant=True).sql_params())
    assert (6, 2020) in base and with_su[(6, 2020)] == base[(6, 2020)]  # already full time: SU adds nothing
    assert set(with_su) == set(base)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_gives_the_same_rows():
    pytest.importorskip("pyspark")
    from barometer.engine.spark import spark_session
    from barometer.engine.spark_setup import SparkSetupError, check_java

    try:
        check_java()
    except SparkSetupError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(f"Spark tests need Java: {exc}")
    spark = spark_session("local[2]")
    params = EngineSettings().sql_params()
    spark.createDataFrame(SPELLS, schema="pnr long, benefit string, start_date date, end_date date, "
                          "hours_per_week double").createOrReplaceTempView("benefits")
    years = [tuple(r.values()) for r in _year_table(FIRST, LAST).to_pylist()]
    spark.createDataFrame(years, "year int, y_start date, y_end date, days int").createOrReplaceTempView("ref_year")
    spark.sql(render(SUPPORT_SPELL.sql, "spark", params)).createOrReplaceTempView("support_spell")
    rows = spark.sql(render(FULLTIME_SUPPORT.sql, "spark", params)).collect()
    assert {(r["pnr"], r["year"]): r["fte"] for r in rows} == _duckdb_rows(params)
