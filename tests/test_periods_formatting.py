"""Reference periods and Danish number formatting."""

from __future__ import annotations

from datetime import date

import pytest

from barometer.formatting import format_number, format_report_date, format_value
from barometer.periods import PeriodError, format_period, parse_period, period_year


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31. august 2024", "2024-08-31"), ("1. september 2024", "2024-09-01"), ("5. december 2023", "2023-12-05"),
        ("2. kvartal 2024", "2024Q2"), ("august 2024", "2024-08"), ("September 2023", "2023-09"),
        ("januar-september 2024", "2024-01/2024-09"), ("juli 2016-september 2024", "2016-07/2024-09"),
        ("2023", "2023"), ("2024Q2", "2024Q2"), ("2024-08-31", "2024-08-31"),
    ],
)
def test_parse_period(text, code):
    assert parse_period(text) == code


@pytest.mark.parametrize("text", ["", "31. smarch 2024", "30. februar 2024", "2024Q5", "2024-13", "kvartal",
                                  "oktober 2024-marts 2024", "2024-10/2024-03"])
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize(
    ("code", "da", "en"),
    [
        ("2024-08-31", "31. august 2024", "31 August 2024"), ("2024Q2", "2. kvartal 2024", "Q2 2024"),
        ("2024-01/2024-09", "januar-september 2024", "January-September 2024"),
        ("2016-07/2024-09", "juli 2016-september 2024", "July 2016-September 2024"), ("2023", "2023", "2023"),
    ],
)
def test_format_period(code, da, en):
    assert format_period(code) == da
    assert format_period(code, "en") == en


def test_period_year_orders_ranges_by_their_end():
    assert period_year("2016-07/2024-09") == 2024 and period_year("2023Q4") == 2023


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1729, "count", "personer"), "1.729 personer"), ((45766, "count", "personer"), "45.766 personer"),
        ((2.2, "pct", None, "da", 1), "2,2 pct."), ((90.0, "pct", None, "da", 0), "90 pct."),
        ((57.3, "pct", None, "da", 0), "57 pct."), ((2.0, "pct", None, "da", 1), "2,0 pct."),  # fixed decimals
        ((56.5, "pct", None, "da", 0), "57 pct."), ((2.25, "pct", None, "da", 1), "2,3 pct."),  # half away
        ((-6, "pct_point"), "-6 pct. point"), ((-0.4, "pct_point"), "0 pct. point"),
        ((213, "count", "forløb"), "213 forløb"), ((1253, "count", "indvandring"), "1.253 indvandring"),
        ((45766, "count", "persons", "en"), "45,766 persons"), ((2.25, "pct", None, "en", 1), "2.3 per cent"),
        ((None, "pct"), ""),
    ],
)
def test_format_value_danish_first(args, expected):
    assert format_value(*args) == expected


def test_fixed_decimals_for_table_columns():
    assert format_number(8, "da", 1, 1) == "8,0" and format_number(8.25, "da", 1, 1) == "8,3"
    assert format_number(1234.5, "en", 2, 2) == "1,234.50" and format_number(8, "da", 1) == "8"


def test_format_number_rounds_half_away_from_zero():
    assert format_number(2.5) == "3" and format_number(-2.5) == "-3" and format_number(1234567.0) == "1.234.567"


def test_report_date_like_the_ministry():
    assert format_report_date(date(2024, 11, 16)) == "16/11-2024"
