"""Barometer rules, table-driven (issue 2 §3, domain.md §4)."""

from __future__ import annotations

import pytest

from barometer.rules import Outcome, development, goal_movement, indicator_outcome, round_half_away

P, N, U = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.UNCHANGED


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(2.5, 0, 3), (-2.5, 0, -3), (0.5, 0, 1), (-0.5, 0, -1), (0.49, 0, 0), (-0.49, 0, 0), (1.45, 1, 1.5),
     (0.285, 2, 0.29), (18.6, 0, 19), (-6.4, 0, -6), (2.25, 1, 2.3), (1e-9, 0, 0)],
)
def test_round_half_away_from_zero(value, digits, expected):
    assert round_half_away(value, digits) == expected


def test_development_is_raw_difference_with_missing_values():
    assert development(61.2, 50.0) == pytest.approx(11.2)
    assert development(19.0, 25.0) == pytest.approx(-6.0)
    assert development(None, 50.0) is None
    assert development(50.0, None) is None


@pytest.mark.parametrize(
    ("dev", "direction", "expected"),
    [
        (11, "higher", P), (-16, "higher", N), (-6, "lower", P), (3, "lower", N),
        (0, "higher", U), (0, "lower", U),
        (0.4, "higher", U), (-0.49, "lower", U),  # rounds to 0 → unchanged
        (0.5, "higher", P), (-0.5, "higher", N), (0.5, "lower", N), (-0.5, "lower", P),  # half away from zero
        (None, "higher", None),
    ],
)
def test_indicator_outcome(dev, direction, expected):
    assert indicator_outcome(dev, direction) == expected


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([P], P), ([N], N), ([U], U), ([], None), ([None], None), ([None, None, None], None),
        # three indicators: all equal → that; two of three → that; all different → unchanged
        ([P, P, P], P), ([N, N, N], N), ([U, U, U], U),
        ([P, P, N], P), ([N, P, N], N), ([U, U, P], U), ([P, U, P], P),
        ([N, U, P], U),  # the published case −2, 0, +3 (higher is better) → neutral
        # a missing indicator leaves two
        ([P, None, P], P), ([P, None, N], U),
        # Aalborg 2024: Mål 8 = (0, 0, −1 on lower-is-better) → two unchanged of three
        ([U, U, P], U),
    ],
)
def test_goal_movement_one_and_three_indicators(outcomes, expected):
    assert goal_movement(outcomes) == expected


@pytest.mark.parametrize(
    ("outcomes", "strict", "lenient"),
    [
        ([P, P], P, P), ([N, N], N, N), ([U, U], U, U),
        ([P, N], U, U), ([N, P], U, U),
        ([P, U], U, P), ([U, P], U, P), ([N, U], U, N), ([U, N], U, N),
    ],
)
def test_goal_movement_two_indicators_both_rules(outcomes, strict, lenient):
    assert goal_movement(outcomes, "strict") == strict
    assert goal_movement(outcomes, "lenient") == lenient
    assert goal_movement(outcomes) == strict  # strict is the documented default
