"""The generator's numeric helpers: calendar arithmetic and the intercept solvers that steer models onto targets."""

from __future__ import annotations

import numpy as np
import pytest

from barometer.synth import dates
from barometer.synth.calibrate import clipped_fraction, logit_probabilities, newton_shift, sigmoid, solve_shift


def test_split_agrees_with_numpy_calendar_over_four_centuries_and_the_sentinels() -> None:
    days = np.concatenate(
        [np.arange(-80_000, 80_000, dtype=np.int64), np.array([dates.NEVER, dates.NOT_IMMIGRATED], np.int64)]
    )
    as_dates = days.astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = as_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    doms = (as_dates - as_dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    year, month_day = dates.split(days)
    np.testing.assert_array_equal(year, years)
    np.testing.assert_array_equal(month_day, months * 100 + doms)
    # 29 February of a leap year and the turn of a century that is not one
    year, month_day = dates.split(np.array([dates.day(2024, 2, 29), dates.day(1900, 3, 1)]))
    assert year.tolist() == [2024, 1900] and month_day.tolist() == [229, 301]


@pytest.mark.parametrize("target", [0.001, 0.2, 0.5, 0.93])
def test_logit_intercept_hits_the_target_like_bisection(target: float) -> None:
    rng = np.random.default_rng(5)
    score = rng.normal(0, 2, 20_000)
    calib = rng.random(20_000) < 0.6
    prob = logit_probabilities(score, calib, target)
    assert prob[calib].mean() == pytest.approx(target, abs=1e-10)
    # the same intercept as forty bisection steps find
    shift = solve_shift(lambda s: float(sigmoid(score[calib] + s).mean()), target)
    np.testing.assert_allclose(prob, sigmoid(score + shift), atol=1e-9)


@pytest.mark.parametrize("target", [0.0, 0.05, 0.4, 1.0])
def test_clipped_fraction_hits_the_exposure_weighted_target(target: float) -> None:
    rng = np.random.default_rng(6)
    score = rng.normal(0, 0.5, 10_000)
    calib = rng.random(10_000) < 0.7
    exposure = rng.uniform(0.1, 1.0, 10_000)
    frac = clipped_fraction(score, calib, target, exposure)
    assert ((frac >= 0) & (frac <= 1)).all()
    # a full year for everybody is the most there is: mean exposure
    reachable = target * exposure[calib].mean() if target == 1.0 else target
    assert (frac * exposure)[calib].mean() == pytest.approx(reachable, abs=1e-9)


def test_newton_shift_clamps_at_the_bounds_when_the_target_is_out_of_reach() -> None:
    def mean_and_slope(s: float) -> tuple[float, float]:
        return float(sigmoid(np.array([s]))[0]), float(sigmoid(np.array([s]))[0] * (1 - sigmoid(np.array([s]))[0]))

    assert newton_shift(mean_and_slope, 1.5, -15, 15) == pytest.approx(15, abs=1e-6)
    assert newton_shift(mean_and_slope, -0.5, -15, 15) == pytest.approx(-15, abs=1e-6)
    assert newton_shift(mean_and_slope, 0.25, -15, 15) == pytest.approx(np.log(1 / 3), abs=1e-10)
