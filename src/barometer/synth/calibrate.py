"""Steering models onto targets: solve a chunk's intercept so that its mean hits target + municipal effect.

Every outcome is a per-person score (age, sex, years since arrival, municipal effect …) plus one intercept per chunk,
group and year. Solving the intercept on the chunk's own persons makes the national figure land on the
calibration target whatever the mix of ages and origins the population model produced, while the municipal
effects (centred nationally) spread the municipalities around it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def solve_shift(
    mean_of: Callable[[float], float], target: float, low: float = -15.0, high: float = 15.0, steps: int = 40
) -> float:
    """The shift s with mean_of(s) == target for an increasing mean_of (bisection; clamps at the bounds)."""
    for _ in range(steps):
        mid = 0.5 * (low + high)
        if mean_of(mid) < target:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def newton_shift(
    mean_and_slope: Callable[[float], tuple[float, float]],
    target: float,
    low: float = -15.0,
    high: float = 15.0,
    tol: float = 1e-12,
    steps: int = 60,
) -> float:
    """The shift s with mean(s) == target for an increasing mean, by Newton steps kept inside a bracket.

    ``mean_and_slope(s)`` returns the mean and its derivative. A step that leaves the bracket [low, high] (or a
    zero slope) bisects instead, so it converges like ``solve_shift`` where Newton would not, and clamps at the
    bounds the same way; on the smooth means used here it needs about five evaluations instead of forty.
    """
    s = 0.5 * (low + high)
    for _ in range(steps):
        value, slope = mean_and_slope(s)
        gap = value - target
        if abs(gap) <= tol:
            return s
        if gap < 0:
            low = s
        else:
            high = s
        if high - low <= tol:
            break
        step = s - gap / slope if slope > 0 else np.nan
        s = step if low < step < high else 0.5 * (low + high)
    return s


def logit_probabilities(score: np.ndarray, calib: np.ndarray, target: float) -> np.ndarray:
    """Probabilities sigmoid(score + a), with a solved so that their mean over ``calib`` equals ``target``.

    ``target`` is a fraction; an empty calibration set leaves the score uncentred (a = 0).
    """
    if not calib.any():
        return sigmoid(score)
    sub = score[calib]

    def mean_and_slope(shift: float) -> tuple[float, float]:
        prob = sigmoid(sub + shift)
        return float(prob.mean()), float((prob * (1.0 - prob)).mean())

    a = newton_shift(mean_and_slope, float(np.clip(target, 1e-4, 1 - 1e-4)))
    return sigmoid(score + a)


def clipped_fraction(
    score: np.ndarray, calib: np.ndarray, target: float, exposure: np.ndarray | None = None
) -> np.ndarray:
    """Fractions clip(score + a, 0, 1), with a solved so that mean(fraction x exposure) over ``calib`` is ``target``.

    Used for the share of the year on public support: a large score means a full year, a small one a spell;
    ``exposure`` is the share of the year a person lives here (who leaves in June can only be on support half).
    """
    if not calib.any():
        return np.clip(score, 0.0, 1.0)
    sub = score[calib]
    w = np.ones(len(sub)) if exposure is None else exposure[calib]

    def mean_and_slope(shift: float) -> tuple[float, float]:
        x = sub + shift
        inside = (x > 0.0) & (x < 1.0)
        return float((np.clip(x, 0.0, 1.0) * w).mean()), float((w * inside).mean())

    a = newton_shift(mean_and_slope, float(np.clip(target, 0.0, 1.0)))
    return np.clip(score + a, 0.0, 1.0)
