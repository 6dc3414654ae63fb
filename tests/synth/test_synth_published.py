"""The synthetic Denmark's national indicators, computed by the engine, lie near the ministry's published figures.

calibration.toml ``[[published]]`` holds the published national figures (1.1, 1.2, 2.1-2.3, 3.1, 3.3 at their
baseline and later years) and the calibration target each indicator follows. Checked here:

- the target series pass through the published figures (a data check);
- registers generated at a reduced scale and computed with the engine exactly as a release would be match every
  published figure within its tolerance plus three standard errors of the sample actually drawn;
- over all years, the engine's figures have no systematic bias against the target series (pooled, so the check
  has power at this scale: a one-point bias shows);
- 3.3 has its 2012 baseline (the 2007 course cohort), and the cohorts are large enough that a municipality of
  Aalborg's size can publish them.
"""

from __future__ import annotations

import math

import pytest
from synth_reference import calibration

from barometer.engine import compute
from barometer.synth.generate import generate
from barometer.synth.params import at_year, target_series

SCALE, SEED = 0.05, 3
"""About 300,000 persons: enough for every published figure to have a few hundred persons nationally."""


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    out = tmp_path_factory.mktemp("synth-published") / "registers"
    generate(out, SCALE, range(2012, 2025), seed=SEED, workers=1)
    rows = compute(out, "2024-11", validate=False).to_pylist()
    return {(r["item_id"], r["period"]): r for r in rows if r["area_code"] == "000"}


def value(row: dict) -> float:
    """The published value: a share in percent, or for a gap reference rate minus target rate."""
    rate = 100 * row["numerator"] / row["denominator"]
    if row["ref_denominator"]:
        return 100 * row["ref_numerator"] / row["ref_denominator"] - rate
    return rate


def allowance(row: dict, tolerance: float) -> float:
    """Tolerance + 3 standard errors of the (difference of) binomial share(s) at the counted sizes."""
    var = 0.0
    for num, den in ((row["numerator"], row["denominator"]), (row["ref_numerator"], row["ref_denominator"])):
        if den:
            p = min(max(num / den, 0.01), 0.99)
            var += p * (1 - p) / den
    return tolerance + 300 * math.sqrt(var)


def published() -> list[tuple[str, str, float, float]]:
    return [(p["indicator"], year, float(v), float(p["tolerance"]))
            for p in calibration()["published"] for year, v in p["values"].items()]


def expected(spec: dict, year: int) -> float:
    """The indicator's value in ``year`` by the calibration targets it follows."""
    own = at_year(target_series(spec["series"]), year - spec.get("year_offset", 0))
    if "reference_series" in spec:
        return at_year(target_series(spec["reference_series"]), year) - own
    return own


def test_every_published_indicator_is_listed() -> None:
    assert {p[0] for p in published()} == {"1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.3"}


def test_the_targets_pass_through_the_published_figures() -> None:
    for spec in calibration()["published"]:
        for year, v in spec["values"].items():
            assert expected(spec, int(year)) == pytest.approx(float(v), abs=0.5), (spec["indicator"], year)


@pytest.mark.parametrize(("item", "year", "target", "tolerance"), published(), ids=lambda v: str(v))
def test_national_figure_lies_near_the_published_one(national, item, year, target, tolerance) -> None:
    row = national.get((item, year))
    assert row is not None and row["denominator"], f"{item} {year}: no national figure"
    got, allowed = value(row), allowance(row, tolerance)
    assert abs(got - target) <= allowed, f"{item} {year}: {got:.1f} vs published {target} (allowed ±{allowed:.1f})"


def test_the_published_comparison_can_fail() -> None:
    """A national figure 8 points off its published value fails even with the sampling allowance."""
    row = {"numerator": 590, "denominator": 1000, "ref_numerator": None, "ref_denominator": None}
    assert abs(value(row) - 51) > allowance(row, 2.0)
    row["numerator"] = 520
    assert abs(value(row) - 51) <= allowance(row, 2.0)


@pytest.mark.parametrize("spec", calibration()["published"], ids=lambda s: s["indicator"])
def test_no_systematic_bias_over_the_years(national, spec) -> None:
    """Denominator-weighted mean of (engine figure - target) over every year the engine computes: within one
    point plus three pooled standard errors."""
    rows = [(int(period), row) for (item, period), row in national.items()
            if item == spec["indicator"] and row["denominator"]]
    assert len(rows) >= 10, spec["indicator"]
    weight = sum(row["denominator"] for _, row in rows)
    bias = sum(row["denominator"] * (value(row) - expected(spec, year)) for year, row in rows) / weight
    se = math.sqrt(sum((row["denominator"] * (allowance(row, 0.0) / 3)) ** 2 for _, row in rows)) / weight
    assert abs(bias) <= 1.0 + 3 * se, f"{spec['indicator']}: bias {bias:+.2f} (allowed ±{1 + 3 * se:.2f})"


def test_every_indicator_has_a_development_from_2012(national) -> None:
    """Each register indicator has a whole-country figure for the baseline year 2012 (3.3: the 2007 cohort)."""
    for item in ("1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.3", "7.1", "7.2", "9.1"):
        assert national.get((item, "2012"), {}).get("denominator"), item


def test_cohorts_are_large_enough_for_a_large_municipality(national) -> None:
    """Persons per year at scale 1: Aalborg (about 3.7 % of the population and of the refugees dispersed) gets
    3.1's exam takers and 3.3/N15's course cohorts in the tens, enough to pass disclosure control with room."""
    for item, first, last, at_least in (("3.1", 2012, 2024, 1_500), ("3.3", 2012, 2024, 1_500),
                                        ("N15", 2012, 2023, 800)):
        for year in range(first, last + 1):
            den = national[(item, str(year))]["denominator"] / SCALE
            assert den >= at_least, f"{item} {year}: {den:.0f} persons at scale 1"
