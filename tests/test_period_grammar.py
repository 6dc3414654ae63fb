"""The period grammar: canonical codes are ASCII, whole strings, and PERIOD_PATTERN (the grammar as one regular
expression, for the OpenAPI document) accepts exactly the well-formed codes validate_code accepts, bar calendar
impossibilities."""

from __future__ import annotations

import re

import pytest

from barometer.periods import PERIOD_PATTERN, PeriodError, parse_period, validate_code

WELL_FORMED = ["2022", "2024Q1", "2024Q4", "2024-01", "2024-12", "2024-08-31", "2024-01-01", "2024-01/2024-09",
               "2016-07/2024-09"]
MALFORMED = ["22", "20222", "2024Q0", "2024Q5", "2024-00", "2024-13", "2024-8", "2024-08-1", "2024-08-32",
             "2024-08-31/2024-09", "2024/2025", "2022\n", " 2022", "٢٠٢٢", "２０２２", "2024q2", ""]


@pytest.mark.parametrize("code", WELL_FORMED)
def test_well_formed_codes_match_and_validate(code: str) -> None:
    assert re.match(PERIOD_PATTERN, code)
    validate_code(code)


@pytest.mark.parametrize("code", MALFORMED)
def test_malformed_codes_are_refused_by_both(code: str) -> None:
    assert not re.fullmatch(PERIOD_PATTERN, code)  # fullmatch: JSON Schema's $ is the very end
    with pytest.raises(PeriodError):
        validate_code(code)


@pytest.mark.parametrize("code", ["2023-02-29", "2024-04-31", "2024-09/2024-01"])
def test_calendar_impossibilities_match_the_pattern_but_fail_validation(code: str) -> None:
    assert re.match(PERIOD_PATTERN, code)
    with pytest.raises(PeriodError):
        validate_code(code)


@pytest.mark.parametrize("text", ["2. kvartal ٢٠٢٤", "٣١. august 2024", "januar-september ٢٠٢٤"])
def test_danish_text_with_other_scripts_digits_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)
