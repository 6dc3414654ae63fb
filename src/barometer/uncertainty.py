"""Uncertainty: 95 % intervals for rates and gaps, and whether a change since baseline is larger than the noise.

Register rates cover whole populations, yet a municipality's 40 % among 60 persons moves by several points from
year to year by chance alone; the interval says how far. Rates get the Wilson score interval (good coverage also
near 0 % and 100 % and for small groups, where the textbook Wald interval fails); a difference of two rates gets
Newcombe's hybrid score interval, i.e. the MOVER construction (method of variance estimates recovery, Zou & Donner
2008) over the two Wilson intervals; a change in a gap (a difference of differences) gets MOVER over the two
gaps' Newcombe intervals. One construction, used at every level. See docs/uncertainty.md.

The formulas are written once for plain floats and polars expressions alike (only + − × ÷ and ** are used), so
``add_intervals`` is vectorised and ``change_is_significant`` uses the very same code per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import Any, TypeVar

import polars as pl
import pyarrow as pa

from barometer.catalogue import load_catalogue
from barometer.store.schema import Status

N = TypeVar("N", float, pl.Expr)  # a number, or a polars expression standing for a column of them


def z_value(level: float = 0.95) -> float:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(x: N, n: N, z: float) -> tuple[N, N, N]:
    """Proportion x/n with its Wilson score interval, as fractions (x may be fractional: weighted or full-time)."""
    p = x / n
    shrink = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / shrink
    half = z / shrink * (p * (1 - p) / n + z**2 / (4 * n**2)) ** 0.5
    return p, centre - half, centre + half


def mover(d1: N, low1: N, high1: N, d2: N, low2: N, high2: N) -> tuple[N, N, N]:
    """Estimate d1 − d2 and its interval from the two estimates' own intervals (Newcombe 1998 for two Wilsons)."""
    diff = d1 - d2
    return (diff, diff - ((d1 - low1) ** 2 + (high2 - d2) ** 2) ** 0.5,
            diff + ((high1 - d1) ** 2 + (d2 - low2) ** 2) ** 0.5)


def _trials(num: N, den: N, n_eff: N | None) -> tuple[N, N]:
    """Successes and trials for the binomial model: the weighted share on Kish's effective n when one is given."""
    return (num / den * n_eff, n_eff) if n_eff is not None else (num, den)


def rate_interval(num: N, den: N, z: float, n_eff: N | None = None) -> tuple[N, N, N]:
    """Rate (fraction) and interval."""
    return wilson(*_trials(num, den, n_eff), z)


def gap_interval(num: N, den: N, ref_num: N, ref_den: N, z: float) -> tuple[N, N, N]:
    """Gap = reference-group rate − target-group rate (fractions) and Newcombe's interval for it."""
    return mover(*wilson(ref_num, ref_den, z), *wilson(num, den, z))


def _check_numbers(df: pl.DataFrame) -> None:
    for num, den in (("numerator", "denominator"), ("ref_numerator", "ref_denominator")):
        bad = (pl.col(num) < 0) | (pl.col(den) <= 0) | (pl.col(num) > pl.col(den))
        rows = df.with_row_index("row").filter(pl.col("has_interval") & bad.fill_null(False))
        if rows.height:
            r = rows.row(0, named=True)
            raise ValueError(f"observation row {r['row']} ({r['area_code']}, {r['item_id']}, {r['period']}): "
                             f"{num}={r[num]} {den}={r[den]} is not a share (need 0 ≤ {num} ≤ {den}, {den} > 0)")


def add_intervals(table: pa.Table, catalogue: Any = None, level: float = 0.95,
                  phi: Mapping[str, float] | None = None) -> pa.Table:
    """Fill ci_low/ci_high (percent, or percentage points for gaps) for every "ok" rate and gap with numbers.

    Counts, rows that are not "ok", and rows without numerators/denominators (imported published figures) get
    null intervals. An optional ``effective_n`` column (Kish's n_eff of a weighted survey share) replaces the
    denominator as the number of trials where it is not null.

    ``phi`` maps item ids to overdispersion factors (barometer.overdispersion): the binomial variance of those
    items is multiplied by the factor (Wilson's interval on x/φ successes out of n/φ trials, the design-effect
    reading of φ; gaps and changes inherit it through MOVER). With a mapping, register rates and gaps of items
    *not* in it get no interval — a plain binomial interval on a census does not mean what it says — while
    weighted survey shares keep their sampling interval on Kish's n_eff. ``phi=None`` gives plain binomial
    intervals everywhere.
    """
    z = z_value(level)
    catalogue = catalogue or load_catalogue()
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    if missing := [c for c in ("area_code", "item_id", "period", "status", "numerator", "denominator",
                               "ref_numerator", "ref_denominator", "ci_low", "ci_high") if c not in df.columns]:
        raise ValueError(f"observation table lacks column(s) {missing}")
    units = {i: catalogue.item(i).unit for i in df.get_column("item_id").unique().to_list()}
    unit = pl.col("item_id").replace_strict(units, return_dtype=pl.String)
    num, den, rnum, rden = (pl.col(c) for c in ("numerator", "denominator", "ref_numerator", "ref_denominator"))
    n_eff = pl.col("effective_n") if "effective_n" in df.columns else None
    has_target = num.is_not_null() & den.is_not_null()
    factor = (pl.lit(1.0) if phi is None else
              pl.col("item_id").replace_strict({k: float(v) for k, v in phi.items()}, default=None,
                                               return_dtype=pl.Float64))
    # Each step's results are columns that the next step reads: an expression used twice in a polars expression
    # tree is evaluated twice, and the interval formulas use their inputs many times over.
    df = df.with_columns(unit=unit, _factor=factor)
    unit, factor = pl.col("unit"), pl.col("_factor")
    modelled = pl.lit(True) if phi is None else \
        factor.is_not_null() | ((n_eff.is_not_null() & (unit == "pct")) if n_eff is not None else pl.lit(False))
    df = df.with_columns(
        has_interval=(pl.col("status") == Status.OK.value) & has_target & modelled
        & pl.when(unit == "pct").then(True).when(unit == "pct_point")
        .then(rnum.is_not_null() & rden.is_not_null()).otherwise(False),
    )
    _check_numbers(df)
    if phi is not None:  # x/φ successes of n/φ trials
        factor = factor.fill_null(1.0)
        scaled = {f"_{c}": pl.col(c) / factor for c in ("numerator", "denominator", "ref_numerator",
                                                         "ref_denominator")}
        if n_eff is not None:
            scaled["_effective_n"] = n_eff / factor
        df = df.with_columns(**scaled)
        num, den, rnum, rden = (pl.col(f"_{c}") for c in ("numerator", "denominator", "ref_numerator",
                                                           "ref_denominator"))
        n_eff = pl.col("_effective_n") if n_eff is not None else None
    rate = rate_interval(num, den, z) if n_eff is None else \
        tuple(pl.coalesce(a, b) for a, b in zip(rate_interval(num, den, z, n_eff), rate_interval(num, den, z),
                                                strict=True))
    gap = gap_interval(num, den, rnum, rden, z)
    pct = pl.col("unit") == "pct"
    low, high = (pl.when(~pl.col("has_interval")).then(None).when(pct).then(r).otherwise(g) * 100
                 for r, g in ((rate[1], gap[1]), (rate[2], gap[2])))
    bound = pl.when(pct).then(0.0).otherwise(-100.0)
    df = df.with_columns(ci_low=pl.max_horizontal(low, bound), ci_high=pl.min_horizontal(high, 100.0))
    df = df.with_columns(ci_low=pl.when(pl.col("has_interval")).then(pl.col("ci_low")),
                         ci_high=pl.when(pl.col("has_interval")).then(pl.col("ci_high")))
    return df.select(table.schema.names).to_arrow().cast(table.schema)


def _numbers(row: Mapping[str, Any] | None, keys: tuple[str, ...]) -> tuple[float, ...] | None:
    """The row's numbers under ``keys`` (numerator, denominator pairs), or None when any is missing or a
    denominator is not positive."""
    if row is None or row.get("status") != Status.OK.value:
        return None
    values = [row.get(k) for k in keys]
    numbers = tuple(float(v) for v in values if v is not None)
    if len(numbers) < len(keys) or any(d <= 0 for d in numbers[1::2]):
        return None
    return numbers


def change_is_significant(latest_row: Mapping[str, Any] | None, baseline_row: Mapping[str, Any] | None,
                          unit: str, level: float = 0.95, phi: float = 1.0) -> bool | None:
    """Whether the change from baseline to latest is larger than the noise (its interval excludes 0).

    ``phi`` multiplies the binomial variances (the item's overdispersion factor, as in :func:`add_intervals`).

    Rates: Newcombe's interval for the difference of the two years' rates. Gaps: MOVER over the two years'
    Newcombe gap intervals (a difference of differences). Counts: None — they are complete enumerations or
    official lists with no sampling model to speak of (docs/uncertainty.md). None as well when either row is
    missing, suppressed or lacks the numbers. The years are treated as independent samples; as the same persons
    recur from year to year (positive correlation), this errs towards "not significant".
    """
    z = z_value(level)
    if unit == "count":
        return None
    if unit == "pct":
        latest, base = (_numbers(row, ("numerator", "denominator")) for row in (latest_row, baseline_row))
        if latest is None or base is None or latest_row is None or baseline_row is None:
            return None
        n_eff = [row.get("effective_n") for row in (latest_row, baseline_row)]
        est = [rate_interval(num / phi, den / phi, z, n / phi if n else None)
               for (num, den), n in zip((latest, base), n_eff, strict=True)]
    elif unit == "pct_point":
        keys = ("numerator", "denominator", "ref_numerator", "ref_denominator")
        latest, base = _numbers(latest_row, keys), _numbers(baseline_row, keys)
        if latest is None or base is None:
            return None
        est = [gap_interval(num / phi, den / phi, ref_num / phi, ref_den / phi, z)
               for num, den, ref_num, ref_den in (latest, base)]
    else:
        raise ValueError(f"unknown unit {unit!r} (expected pct, pct_point or count)")
    _, low, high = mover(*est[0], *est[1])
    return low > 0 or high < 0


def change_is_significant_from_intervals(latest_row: Mapping[str, Any] | None,
                                         baseline_row: Mapping[str, Any] | None) -> bool | None:
    """The same verdict as :func:`change_is_significant`, computed from the intervals stored in a release.

    MOVER over the two years' stored intervals is exactly Newcombe's difference for rates and the
    difference-of-differences for gaps, and it also covers weighted survey shares, whose stored intervals were
    built on Kish's effective n (which the release does not carry). None when either row lacks an interval
    (counts, suppressed or missing figures, imported published figures).
    """
    estimates: list[tuple[float, float, float]] = []
    for row in (latest_row, baseline_row):
        if row is None or row.get("status") != Status.OK.value:
            return None
        value, low, high = row.get("value"), row.get("ci_low"), row.get("ci_high")
        if value is None or low is None or high is None:
            return None
        estimates.append((float(value), float(low), float(high)))
    _, low, high = mover(*estimates[0], *estimates[1])
    return low > 0 or high < 0
