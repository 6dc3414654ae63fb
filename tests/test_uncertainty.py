"""Uncertainty: Wilson and Newcombe intervals against published and independently computed values."""

from __future__ import annotations

import math
import random

import pyarrow as pa
import pytest

from barometer.store.schema import OBSERVATION_SCHEMA, observation_table
from barometer.uncertainty import add_intervals, change_is_significant, mover, wilson, z_value

Z = z_value(0.95)


def wilson_by_roots(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Independent reference: the Wilson limits are the roots p of (x/n − p)² = z² p (1 − p) / n."""
    ph = x / n
    a, b, c = 1 + z * z / n, -(2 * ph + z * z / n), ph * ph
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I (Wilson score method, no continuity correction).
PUBLISHED_WILSON = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
                    (1, 29, 0.0061, 0.1718), (29, 29, 0.8830, 1.0), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0)]


@pytest.mark.parametrize(("x", "n", "low", "high"), PUBLISHED_WILSON)
def test_wilson_matches_published_values(x, n, low, high):
    _, lo, hi = wilson(float(x), float(n), Z)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_agrees_with_the_quadratic_roots():
    rng = random.Random(7)
    cases = [(5, 10), (0, 1), (1, 1), (2.5, 40.0)] + [(rng.uniform(0, n), n) for n in
                                                        (rng.randint(1, 5000) for _ in range(200))]
    for x, n in cases:
        p, lo, hi = wilson(float(x), float(n), Z)
        ref = wilson_by_roots(x, n)
        assert p == pytest.approx(x / n)
        assert lo == pytest.approx(ref[0], abs=1e-12) and hi == pytest.approx(ref[1], abs=1e-12)
        assert lo <= p + 1e-12 and p <= hi + 1e-12


def test_wilson_at_five_of_ten_by_hand():
    # centre = (0.5 + 1.96²/20) / (1 + 1.96²/10) = 0.5; half = 1.96/1.384146 * sqrt(0.025 + 0.0096040) = 0.263407
    _, lo, hi = wilson(5.0, 10.0, Z)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score, no continuity correction).
PUBLISHED_NEWCOMBE = [((56, 70), (48, 80), 0.0524, 0.3339), ((9, 10), (3, 10), 0.1705, 0.8090),
                      ((5, 56), (0, 29), -0.0381, 0.1926), ((0, 10), (0, 20), -0.1611, 0.2775),
                      ((10, 10), (0, 20), 0.6791, 1.0)]


@pytest.mark.parametrize(("first", "second", "low", "high"), PUBLISHED_NEWCOMBE)
def test_newcombe_difference_matches_published_values(first, second, low, high):
    d, lo, hi = mover(*wilson(*map(float, first), Z), *wilson(*map(float, second), Z))
    assert d == pytest.approx(first[0] / first[1] - second[0] / second[1])
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_level_is_a_parameter():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError, match="confidence level"):
        z_value(95)


# --- add_intervals ----------------------------------------------------------------------------------------------


def row(area, item, num=None, den=None, rnum=None, rden=None, status="ok", value=None):
    if value is None and status == "ok":
        value = 1.0
    return {"area_code": area, "item_id": item, "period": "2023", "value": value, "numerator": num,
            "denominator": den, "ref_numerator": rnum, "ref_denominator": rden, "status": status, "source": "engine"}


def test_add_intervals_fills_rates_and_gaps_in_percent_and_nothing_else():
    table = observation_table([
        row("851", "1.2", 81, 263),
        row("851", "1.1", 48, 80, 56, 70),  # gap = ref − target = 80 % − 60 %
        row("851", "7.2", 2.5, 40.0),        # full-time persons: fractional numerator
        row("851", "N1", 250),
        row("101", "1.2", status="suppressed", value=None),
        row("147", "1.2", value=61.0),       # imported figure: no numbers, so no interval
    ])
    out = add_intervals(table)
    assert out.schema.equals(OBSERVATION_SCHEMA)
    got = {(r["area_code"], r["item_id"]): (r["ci_low"], r["ci_high"]) for r in out.to_pylist()}
    assert [round(v, 2) for v in got[("851", "1.2")]] == [25.53, 36.62]
    assert [round(v, 2) for v in got[("851", "1.1")]] == [5.24, 33.39]
    lo, hi = wilson_by_roots(2.5, 40.0)
    assert got[("851", "7.2")] == pytest.approx((100 * lo, 100 * hi))
    assert got[("851", "N1")] == got[("101", "1.2")] == got[("147", "1.2")] == (None, None)
    assert out.drop_columns(["ci_low", "ci_high"]).equals(table.drop_columns(["ci_low", "ci_high"]))


def test_bounds_stay_inside_the_scale():
    out = add_intervals(observation_table([row("851", "1.2", 0, 20), row("101", "1.2", 20, 20),
                                           row("147", "1.1", 0, 20, 10, 10)]))
    got = {r["area_code"]: (r["ci_low"], r["ci_high"]) for r in out.to_pylist()}
    assert got["851"][0] == 0.0 and got["101"][1] == 100.0
    assert got["147"][1] == 100.0 and round(got["147"][0] / 100, 4) == 0.6791  # 10/10 vs 0/20


def test_effective_sample_size_widens_a_weighted_share():
    schema = OBSERVATION_SCHEMA.append(pa.field("effective_n", pa.float64()))
    weighted = row("000", "4.2", 12000.0, 30000.0)  # weighted sums: 40 %
    table = pa.Table.from_pylist([{**weighted, "effective_n": 150.0}, {**row("000", "5.1", 9000.0, 30000.0),
                                                                        "effective_n": None}], schema=schema)
    got = {r["item_id"]: (r["ci_low"], r["ci_high"]) for r in add_intervals(table).to_pylist()}
    lo, hi = wilson_by_roots(60.0, 150.0)  # 40 % of n_eff = 150
    assert got["4.2"] == pytest.approx((100 * lo, 100 * hi))
    lo, hi = wilson_by_roots(9000.0, 30000.0)  # no n_eff: the denominator is the number of trials
    assert got["5.1"] == pytest.approx((100 * lo, 100 * hi))


@pytest.mark.parametrize(("num", "den", "rnum", "rden", "item", "fragment"), [
    (30, 20, None, None, "1.2", "numerator=30.0 denominator=20.0"),
    (-1, 20, None, None, "1.2", "numerator=-1.0"),
    (5, 20, 10, 0, "1.1", "ref_denominator=0.0"),
])
def test_impossible_shares_are_named(num, den, rnum, rden, item, fragment):
    with pytest.raises(ValueError, match=r"row 0 \(851, " + item.replace(".", r"\.") + ", 2023\\)") as err:
        add_intervals(observation_table([row("851", item, num, den, rnum, rden)]))
    assert fragment in str(err.value)


# --- change_is_significant --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("latest", "baseline", "verdict"), [
    ((56, 70), (48, 80), True),      # Newcombe interval 0.0524..0.3339 excludes 0
    ((48, 80), (56, 70), True),      # and the other way round
    ((5, 56), (0, 29), False),       # −0.0381..0.1926 includes 0
    ((400, 1000), (400, 1000), False),
    ((420, 1000), (400, 1000), False),  # +2 points on 1000 is noise
    ((4200, 10000), (4000, 10000), True),  # +2 points on 10000 is not
])
def test_rate_change(latest, baseline, verdict):
    assert change_is_significant(row("851", "1.2", *latest), row("851", "1.2", *baseline), "pct") is verdict


def wald_gap_change(latest, baseline) -> bool:
    """Independent reference for large groups: z-test on the difference of two gaps, Wald variances."""
    def gap(num, den, rnum, rden):
        p, q = rnum / rden, num / den
        return p - q, p * (1 - p) / rden + q * (1 - q) / den
    (g1, v1), (g0, v0) = gap(*latest), gap(*baseline)
    return abs(g1 - g0) / math.sqrt(v1 + v0) > Z


def test_gap_change_agrees_with_a_wald_test_for_large_groups():
    rng = random.Random(3)
    verdicts = []
    for _ in range(300):  # changes of 0-3 points, around the noise level (about 1.5 points here)
        latest = (rng.randint(4000, 4300), 10000, rng.randint(35000, 35500), 50000)
        baseline = (rng.randint(4000, 4300), 10000, rng.randint(35000, 35500), 50000)
        verdict = change_is_significant(row("851", "1.1", *latest), row("851", "1.1", *baseline), "pct_point")
        verdicts.append((verdict, wald_gap_change(latest, baseline)))
    assert min(sum(v for v, _ in verdicts), sum(not v for v, _ in verdicts)) >= 50  # both outcomes are exercised
    assert sum(v is w for v, w in verdicts) >= 297  # the two approximations may only differ right at the boundary


def test_gap_change_by_hand():
    # 2015: 70 % − 40 % = 30 pt; 2023: 70 % − 60 % = 10 pt; with 500 persons per group the 20-point fall is real.
    assert change_is_significant(row("851", "1.1", 300, 500, 350, 500), row("851", "1.1", 200, 500, 350, 500),
                                 "pct_point") is True
    assert change_is_significant(row("851", "1.1", 6, 10, 7, 10), row("851", "1.1", 4, 10, 7, 10),
                                 "pct_point") is False


@pytest.mark.parametrize(("latest", "baseline", "unit"), [
    (row("851", "N1", 250), row("851", "N1", 10), "count"),      # counts: no sampling model
    (row("851", "1.2", status="suppressed", value=None), row("851", "1.2", 5, 10), "pct"),
    (row("851", "1.2", 5, 10), None, "pct"),
    (row("851", "1.2", value=61.0), row("851", "1.2", 5, 10), "pct"),  # published figure without numbers
    (row("851", "1.1", 5, 10, 5, 10), row("851", "1.1", 5, 10), "pct_point"),
    (row("851", "1.2", 0, 0), row("851", "1.2", 5, 10), "pct"),
])
def test_no_verdict_without_the_numbers(latest, baseline, unit):
    assert change_is_significant(latest, baseline, unit) is None


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="unknown unit 'percent'"):
        change_is_significant(row("851", "1.2", 5, 10), row("851", "1.2", 5, 10), "percent")


def test_weighted_change_uses_effective_n():
    latest, base = row("000", "4.2", 13500.0, 30000.0), row("000", "4.2", 12000.0, 30000.0)  # 45 % vs 40 %
    assert change_is_significant(latest, base, "pct") is True  # 30 000 "persons"
    latest["effective_n"] = base["effective_n"] = 300.0
    assert change_is_significant(latest, base, "pct") is False  # but only 300 respondents' worth


def test_intervals_are_added_before_disclosure_which_widens_them():
    """The engine adds intervals, then protects: a published share keeps an interval (widened to every value
    that prints the same, so it contains the computed one), a hidden cell none. Protected first, a share has no
    numbers left to compute an interval from (docs/disclosure.md)."""
    from barometer.catalogue import load_catalogue
    from barometer.disclosure import protect

    cat = load_catalogue()
    munis = sorted(m.code for m in cat.municipalities if m.region == "081")
    rng = random.Random(5)
    leaf = {m: (float(rng.randint(0, 40)), float(rng.randint(15, 400))) for m in munis}
    leaf = {m: (min(n, d), d) for m, (n, d) in leaf.items()}
    region = tuple(map(sum, zip(*leaf.values(), strict=True)))
    table = observation_table([row(a, "1.2", *v) for a, v in {**leaf, "081": region}.items()])
    computed = add_intervals(table)
    first = protect(computed)[0]
    for raw, out in zip(computed.to_pylist(), first.to_pylist(), strict=True):
        if out["status"] == "ok":
            assert out["ci_low"] <= raw["ci_low"] and raw["ci_high"] <= out["ci_high"]
    assert add_intervals(protect(table)[0]).column("ci_low").null_count == table.num_rows
    statuses = first.column("status").to_pylist()
    assert "suppressed" in statuses and "ok" in statuses
    assert all((s == "ok") == (lo is not None) for s, lo in zip(statuses, first.column("ci_low").to_pylist(),
                                                                 strict=True))
