"""The published barometer rules as pure functions: rounding, development, indicator outcome, goal movement.

Source: integrationsbarometer.dk, "barometerbevægelser" (see docs/rules.md). Status and development are each
rounded to whole numbers from unrounded values, half away from zero; an indicator's outcome is judged on the
rounded development in the light of its direction; a goal's movement follows the majority of its indicators,
once enough of them have a development (``min_indicators``, a rule the published rules do not state).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

TwoIndicatorRule = Literal["strict", "lenient"]

# The least number of indicators with a development before a goal moves (capped at the goal's size); see
# docs/rules.md "Too few indicators" for why 2.
DEFAULT_MIN_INDICATORS = 2


class Outcome(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNCHANGED = "unchanged"


def round_half_away(value: float, digits: int = 0) -> float:
    """Round half away from zero (2.5 → 3, -2.5 → -3), as published figures are; Python's round() is banker's.

    Decimal(str(value)) keeps the value as it prints, so 0.285 rounds to 0.29 at two digits (not 0.28 as the
    binary float would).
    """
    if 0 <= digits < len(_SCALES) and math.isfinite(value):
        scaled = abs(value) * _SCALES[digits]
        # The binary product lies within 4e-7 of the printed decimal's scaled value below 2^30: unless that is
        # within 1e-6 of a tie, it rounds as the decimal does, and the integer over 10^digits (Python's correctly
        # rounded division) is the float the decimal result converts to. Near a tie the decimal decides.
        if scaled < 2**30 and abs(scaled - math.floor(scaled) - 0.5) > 1e-6:
            return math.copysign(math.floor(scaled + 0.5) / _POWERS[digits], value)
    return float(Decimal(str(value)).quantize(_QUANTA[digits] if 0 <= digits < len(_SCALES)
                                              else Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


_POWERS = tuple(10**d for d in range(7))
_SCALES = tuple(float(p) for p in _POWERS)
_QUANTA = tuple(Decimal(1).scaleb(-d) for d in range(7))


def development(latest: float | None, baseline: float | None) -> float | None:
    """Raw change since the baseline (sign as is); None when either measurement is missing."""
    if latest is None or baseline is None:
        return None
    return latest - baseline


def indicator_outcome(development_value: float | None, direction: Literal["higher", "lower"]) -> Outcome | None:
    """Positive / negative / unchanged, judged on the development rounded to a whole number.

    A development that rounds to 0 is unchanged; for "lower is better" indicators a fall is positive.
    """
    if development_value is None:
        return None
    rounded = round_half_away(development_value)
    if rounded == 0:
        return Outcome.UNCHANGED
    improved = rounded > 0 if direction == "higher" else rounded < 0
    return Outcome.POSITIVE if improved else Outcome.NEGATIVE


def indicators_needed(min_indicators: int, goal_size: int) -> int:
    """How many of a goal's indicators need a development before the goal moves.

    The setting, capped at the goal's number of indicators, so that a one-indicator goal (Mål 5, Mål 9) still
    moves on its indicator while a three-indicator goal does not move on one.
    """
    if min_indicators < 1:
        raise ValueError(f"min_indicators must be at least 1, got {min_indicators}")
    return min(min_indicators, goal_size) if goal_size else min_indicators


def goal_movement(outcomes: Sequence[Outcome | None], two_rule: TwoIndicatorRule = "strict",
                  min_indicators: int = DEFAULT_MIN_INDICATORS) -> Outcome | None:
    """A goal's movement from its indicators' outcomes, one per indicator of the goal (None: no development —
    not computed in the area, suppressed or missing).

    - fewer outcomes than ``indicators_needed(min_indicators, len(outcomes))``: no movement (None);
    - one indicator: its outcome;
    - three or more: the outcome shared by a strict majority ("den tendens afgør"); no majority → unchanged
      (the published case −2, 0, +3 → neutral);
    - two indicators (not covered by the published rule): both equal → that outcome. Otherwise under "strict"
      (the default) → unchanged, consistent with the three-indicator rule where one moving indicator among
      unchanged ones does not move the goal; under "lenient" one unchanged and one moving → the moving one,
      opposite movements → unchanged.
    """
    known = [o for o in outcomes if o is not None]
    if not known or len(known) < indicators_needed(min_indicators, len(outcomes)):
        return None
    if len(known) == 1:
        return known[0]
    if len(known) == 2:
        first, second = known
        if first == second:
            return first
        if two_rule == "lenient" and Outcome.UNCHANGED in known:
            return first if second == Outcome.UNCHANGED else second
        return Outcome.UNCHANGED
    outcome, count = Counter(known).most_common(1)[0]
    return outcome if count * 2 > len(known) else Outcome.UNCHANGED
