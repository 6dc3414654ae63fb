"""Overdispersion (Spiegelhalter's funnel-plot method) against hand computations and simulations with known φ."""

from __future__ import annotations

import math

import numpy as np
import pytest

from barometer.overdispersion import (
    Counts,
    change_dispersion,
    consistency,
    dispersion,
    funnel_limits,
    level_dispersion,
    level_group,
    winsorise,
)


def test_winsorise_pulls_in_the_tails():
    assert winsorise([-4.0, -2.0, 0.0, 2.0, 4.0], 0.2) == [-2.0, -2.0, 0.0, 2.0, 2.0]
    z = list(range(20))  # 10 %: k = 2 at each end
    assert winsorise([float(v) for v in z], 0.1) == [2.0, 2.0, 2.0, *map(float, range(3, 17)), 17.0, 17.0, 17.0]
    assert winsorise([1.0, 5.0], 0.1) == [1.0, 5.0]  # k = 0: nothing to pull in
    with pytest.raises(ValueError, match="winsorising fraction"):
        winsorise([1.0], 0.5)


def test_consistency_factor_by_simulation():
    rng = np.random.default_rng(11)
    z = rng.standard_normal(400_000)
    low, high = np.quantile(z, [0.1, 0.9])
    assert consistency(0.1) == pytest.approx(np.mean(np.clip(z, low, high) ** 2), abs=0.004)
    assert consistency(0.1) == pytest.approx(0.6787, abs=1e-4)
    assert consistency(0.0) == 1.0


def test_hand_made_municipalities():
    # Five municipalities of 100 persons with 30, 40, 50, 60, 70 in work: pooled rate 0.5, binomial sd 0.05,
    # z = -4, -2, 0, 2, 4; winsorised at 20 % (k = 1): -2, -2, 0, 2, 2; mean z² = 16/5 = 3.2.
    counts = [Counts(str(i), x, 100.0) for i, x in enumerate((30.0, 40.0, 50.0, 60.0, 70.0))]
    group, d = level_dispersion(counts, gap=False, fraction=0.2, min_units=5)
    assert group.target == 0.5 and [round(z, 12) for z in group.z_scores()] == [-4, -2, 0, 2, 4]
    assert d.phi_raw == pytest.approx(3.2)
    assert d.phi == pytest.approx(3.2 / consistency(0.2))
    # DerSimonian-Laird: w = 1/0.0025 = 400 each; (16 − 4) / (2000 − 5·400²/2000) = 12/1600
    assert d.tau2 == pytest.approx(0.0075)
    assert (d.units, d.groups) == (5, 1)
    assert level_dispersion(counts, gap=False, fraction=0.2, min_units=6) is None  # too few municipalities


def _independent_phi(rates, sizes, fraction=0.1):
    """Reference with numpy: Pearson z at the pooled rate, clipped at the order statistics, mean of squares."""
    rates, sizes = np.asarray(rates), np.asarray(sizes)
    theta = np.sum(rates * sizes) / np.sum(sizes)
    z = (rates - theta) / np.sqrt(theta * (1 - theta) / sizes)
    k = math.floor(fraction * len(z))
    ordered = np.sort(z)
    return float(np.mean(np.clip(z, ordered[k], ordered[-k - 1]) ** 2))


def test_level_estimate_agrees_with_an_independent_computation():
    rng = np.random.default_rng(3)
    sizes = rng.integers(30, 3000, 40).astype(float)
    nums = rng.binomial(sizes.astype(int), 0.35).astype(float)
    _, d = level_dispersion([Counts(str(i), x, n) for i, (x, n) in enumerate(zip(nums, sizes, strict=True))],
                            gap=False)
    assert d.phi_raw == pytest.approx(_independent_phi(nums / sizes, sizes), rel=1e-12)


def _overdispersed(rng, sizes, rate, phi):
    """Binomial counts whose rates vary φ times as much as the binomial (a beta-free normal mixing)."""
    extra = np.sqrt((phi - 1) * rate * (1 - rate) / sizes) * rng.standard_normal(len(sizes))
    p = np.clip(rate + extra, 0.001, 0.999)
    return rng.binomial(sizes.astype(int), p).astype(float)


@pytest.mark.parametrize("phi", [1.0, 3.0, 8.0])
def test_known_phi_is_recovered_from_a_simulated_series(phi):
    rng = np.random.default_rng(int(phi * 10))
    sizes = np.round(np.exp(rng.uniform(np.log(200), np.log(20_000), 98)))
    series = []
    for year in range(13):
        rate = 0.40 + 0.01 * year
        series.append([Counts(str(i), x, n) for i, (x, n) in
                       enumerate(zip(_overdispersed(rng, sizes, rate, phi), sizes, strict=True))])
    d = change_dispersion(series, gap=False)
    assert d.groups == 12 and d.units == 12 * 98
    assert d.phi == pytest.approx(phi, rel=0.12)  # about 1 200 winsorised changes
    assert d.phi_raw == pytest.approx(phi * consistency(), rel=0.12)  # Spiegelhalter's raw estimate is ~0.68 φ
    # One period of 98 municipalities is a rougher estimate (sd about 17 % of φ); the mean over 13 periods is not.
    levels = [level_dispersion(counts, gap=False)[1].phi for counts in series]
    assert np.mean(levels) == pytest.approx(phi, rel=0.12)


def test_gap_model_and_where_it_is_not_defined():
    # target 20/100 vs reference 60/100 in one municipality, 30/100 vs 60/100 in another
    counts = [Counts("a", 20.0, 100.0, 60.0, 100.0), Counts("b", 30.0, 100.0, 60.0, 100.0),
              Counts("c", 5.0, 10.0, None, None)]  # no reference group: left out
    group = level_group(counts, gap=True)
    assert [c.area for c in group.cells] == ["a", "b"]
    assert group.target == pytest.approx(0.6 - 0.25)
    assert group.cells[0].estimate == pytest.approx(0.4)
    assert group.cells[0].variance == pytest.approx(0.25 * 0.75 / 100 + 0.6 * 0.4 / 100)
    assert group.sizes()["a"] == pytest.approx(0.25 * 0.75 / group.cells[0].variance)  # below 100
    assert level_group([Counts("a", 0.0, 50.0), Counts("b", 0.0, 70.0)], gap=False) is None  # rate 0: no variance
    assert level_group([Counts("a", 5.0, 50.0, 0.0, 10.0)], gap=True) is None  # reference rate 0


def test_changes_pair_only_municipalities_published_in_both_periods():
    before = [Counts(str(i), 40.0, 100.0) for i in range(25)]
    after = [Counts(str(i), 40.0 + (i % 5), 100.0) for i in range(3, 25)]  # 22 in both periods
    d = change_dispersion([before, after], gap=False)
    assert d.units == 22 and d.groups == 1
    assert change_dispersion([before, after[:10]], gap=False) is None  # 10 < 20 municipalities in the pair


def test_factor_never_narrows_and_limits_widen_with_phi():
    d = dispersion([level_group([Counts(str(i), 50.0, 100.0) for i in range(30)], gap=False)])
    assert d.phi == 0.0 and d.factor == 1.0 and d.tau2 == 0.0  # identical rates: less spread than binomial
    low, high = funnel_limits(0.5, 0.25, 100.0, 1.0, 0.95)
    assert (low, high) == pytest.approx((0.5 - 1.959964 * 0.05, 0.5 + 1.959964 * 0.05), abs=1e-6)
    wide = funnel_limits(0.5, 0.25, 100.0, 4.0, 0.95)
    assert wide[1] - wide[0] == pytest.approx(2 * (high - low))
    assert funnel_limits(0.5, 0.25, 100.0, 1.0, 0.998)[1] == pytest.approx(0.5 + 3.090232 * 0.05, abs=1e-6)
