"""The declarations render for both dialects, and key-figure periods are derived as documented."""

from __future__ import annotations

from datetime import date

import pytest

from barometer.catalogue import load_catalogue
from barometer.engine.definitions import DEFINITIONS
from barometer.engine.periods import bounds, key_figure_periods, shift
from barometer.engine.settings import EngineSettings
from barometer.engine.sql import expand_macros, render
from barometer.engine.views import VIEWS

DUCKDB_ONLY = ("date_diff(", "to_years(", "to_days(", '"group"', "::", "list_", "struct_")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_every_declaration_renders(dialect):
    params = EngineSettings(include_student_grant=True, crime_sex="M").sql_params()
    for sql in [v.sql for v in VIEWS] + [d.sql for d in DEFINITIONS]:
        text = render(sql, dialect, params)
        assert "{" not in text and "AGE_AT(" not in text and "ADD_YEARS(" not in text
        if dialect == "spark":
            assert not [f for f in DUCKDB_ONLY if f in text], text[:200]
        # subqueries only as predicates in WHERE (every engine has those), never inside a SELECT-list CASE
        assert "WHEN EXISTS" not in " ".join(text.split()), text[:200]


def test_macros_nest_and_name_the_problem():
    assert expand_macros("ADD_YEARS(MAKE_DATE(y, 1, 1), -5)", "spark") == "add_months(MAKE_DATE(y, 1, 1), 12 * (-5))"
    with pytest.raises(ValueError, match="unbalanced"):
        expand_macros("ADD_YEARS(x, 1", "duckdb")
    with pytest.raises(ValueError, match="dialect"):
        render("SELECT 1", "oracle", {})


def test_period_bounds_and_shifts():
    assert bounds("2024Q2") == (date(2024, 4, 1), date(2024, 6, 30))
    assert bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert bounds("2016-07/2024-09") == (date(2016, 7, 1), date(2024, 9, 30))
    assert shift("2024-01/2024-09", -2) == "2022-01/2022-09"
    assert shift("2016-07/2024-09", -3) == "2016-07/2021-09"  # cumulative since July 2016: start stays
    assert shift("2016-07/2024-09", -9) is None
    assert shift("2024-02-29", -1) is None


def test_key_figure_series_within_the_data():
    n1 = load_catalogue().key_figure("N1")  # 2024-11: 31 August 2024
    periods = [p for p, _, _ in key_figure_periods(n1, "2024-11", 2020, 2024)]
    assert periods == ["2020-08-31", "2021-08-31", "2022-08-31", "2023-08-31", "2024-08-31"]
    assert [p for p, _, _ in key_figure_periods(n1, "2024-11", 2020, 2023, series=False)] == []
    # an edition without its own reference period uses the latest one moved to its year
    assert [p for p, _, _ in key_figure_periods(n1, "2022-11", 2020, 2024, series=False)] == ["2022-08-31"]
