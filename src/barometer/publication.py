"""What a release publishes of each observation, and what that tells an attacker.

A share or gap is published as its value rounded to the decimals the ministry prints (catalogue ``decimals``)
with a confidence interval; its numerator and denominator are not published (unless declared in
``[publication] exact_items``), because a full-precision value gives them away as surely as printing them would.
Counts are published exactly. Disclosure control (barometer.disclosure) protects exactly this: it asks
:func:`numerator_ranges` how far the attacker can narrow each published numerator, assuming the worst — that he
knows every denominator (and the reference group's numbers of a gap) from elsewhere. :func:`published_form` then
cuts every row down to the declared publication, and widens each interval to cover every numerator the rounded
value allows, so that the interval tells the attacker nothing the value did not. See docs/disclosure.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

from barometer.rules import round_half_away
from barometer.store.schema import Status

RATE_NUMBERS = ("numerator", "denominator", "ref_numerator", "ref_denominator")


def _gap_sign(value: float, num: float, den: float, rnum: float, rden: float) -> int:
    """+1 when the gap is published as reference − target, −1 when as target − reference (``gap_sign``)."""
    gap = 100 * rnum / rden - 100 * num / den
    return 1 if abs(value - gap) <= abs(value + gap) else -1


def numerator_range(kind: str, value: float, decimals: int, num: float, den: float,
                    rnum: float | None = None, rden: float | None = None, *, whole: bool | None = None,
                    within: tuple[float, float] | None = None) -> tuple[float, float]:
    """The numerators k (0 ≤ k ≤ den) whose value rounds to the same published figure as ``value``: an interval.

    For a gap the reference group's numbers are taken as known. ``whole`` (default: when numerator and
    denominator are whole numbers) gives the whole numbers checked against the rounding itself — what an
    attacker who knows that persons are counted has; otherwise the continuous range (full-time persons,
    weighted survey sums), which contains it. ``within`` is an open interval the figure is known to lie in from
    elsewhere (a published development and baseline); it narrows the range. The true numerator is always inside.
    """
    published = round_half_away(value, decimals)
    half = 0.5 * 10.0 ** -decimals
    v_lo, v_hi = published - half, published + half
    if within is not None:
        v_lo, v_hi = max(v_lo, within[0]), min(v_hi, within[1])
    if kind == "rate":
        def f(k: float) -> float:
            return 100 * k / den
        x_lo, x_hi = v_lo, v_hi
    else:
        assert rnum is not None and rden is not None
        sign, ref = _gap_sign(value, num, den, rnum, rden), 100 * rnum / rden

        def f(k: float) -> float:
            return sign * (ref - 100 * k / den)
        x_lo, x_hi = sorted((ref - sign * v_hi, ref - sign * v_lo))
    k_lo, k_hi = max(0.0, den * x_lo / 100), min(float(den), den * x_hi / 100)
    if whole is None:
        whole = float(num).is_integer() and float(den).is_integer()
    if not whole:
        return min(k_lo, num), max(k_hi, num)

    def same(k: int) -> bool:
        if not 0 <= k <= den:
            return False
        x = f(k)
        if within is not None and not within[0] < x < within[1]:
            return False
        if abs(x - (published - half)) > 1e-9 and abs(x - (published + half)) > 1e-9:  # clear of the edges
            return published - half < x < published + half
        return round_half_away(x, decimals) == published

    lo, hi = math.floor(k_lo), math.ceil(k_hi)
    while lo < num and not same(lo):
        lo += 1
    while same(lo - 1):
        lo -= 1
    while hi > num and not same(hi):
        hi -= 1
    while same(hi + 1):
        hi += 1
    return float(min(lo, num)), float(max(hi, num))


def round_outward(low: float | None, high: float | None, decimals: int) -> tuple[float | None, float | None]:
    """An interval rounded to ``decimals`` so that it still contains the unrounded one."""
    if low is None or high is None:
        return low, high
    scale = 10 ** decimals
    return math.floor(round(low * scale, 9)) / scale, math.ceil(round(high * scale, 9)) / scale


def published_form(df: pl.DataFrame, publish: pl.Series, ranges: dict[int, tuple[float, float]],
                   decimals: dict[str, int], exact_items: set[str],
                   intervals: Callable[[pl.DataFrame], pl.DataFrame],
                   denominator_items: frozenset[str] = frozenset()) -> pl.DataFrame:
    """The rows as the release publishes them.

    ``publish`` marks the rows published with numbers (status ok, not hidden); ``ranges`` holds, by row index
    (column ``row``), each published share's numerator range. Their values are rounded to the item's decimals;
    their intervals are the hull of the intervals of the range's two ends (bounds move monotonically with the
    numerator), rounded outward; shares and gaps lose their numerators and denominators unless exact (and keep
    their denominators if listed in ``denominator_items``). Other rows are returned as they are.
    """
    hull_lo, hull_hi = _widened_intervals(df, publish, ranges, decimals, intervals)
    share = pl.col("kind").is_in(["rate", "gap"]) & ~pl.col("item_id").is_in(sorted(exact_items))
    # Published values rounded (row by row: half away from zero as the value prints), the others as they are.
    values = df.get_column("value").to_list()
    items = df.get_column("item_id").to_list()
    for i in publish.arg_true().to_list():
        if values[i] is not None:
            values[i] = round_half_away(values[i], decimals[items[i]])
    out = df.with_columns(ci_low=pl.Series(hull_lo, dtype=pl.Float64), ci_high=pl.Series(hull_hi, dtype=pl.Float64),
                          value=pl.Series(values, dtype=pl.Float64))
    drop = publish & share
    keep_den = pl.col("item_id").is_in(sorted(denominator_items))
    return out.with_columns([pl.when(drop & ~(keep_den & pl.lit(c.endswith("denominator")))).then(None)
                             .otherwise(pl.col(c)).alias(c) for c in RATE_NUMBERS])


def _widened_intervals(df: pl.DataFrame, publish: pl.Series, ranges: dict[int, tuple[float, float]],
                       decimals: dict[str, int], intervals: Callable[[pl.DataFrame], pl.DataFrame]
                       ) -> tuple[list[float | None], list[float | None]]:
    """Each row's interval widened to the hull of the intervals at its numerator range's two ends (rows without
    a range or without an interval keep theirs). A table without any interval (disclosure control deciding
    before the intervals exist) keeps them all, with no interval computed."""
    low_col, high_col = df.get_column("ci_low"), df.get_column("ci_high")
    if low_col.null_count() == df.height:
        return low_col.to_list(), high_col.to_list()
    rows = df.get_column("row").to_list()
    lows, highs = low_col.to_list(), high_col.to_list()
    # Only rows with a range and an interval are widened, and only published rows have intervals (the others
    # may hold numbers no interval is defined for): the intervals at the ends are computed for those alone.
    published = publish.to_list()  # one conversion: a Series indexed row by row costs a call per row
    todo = [i for i, (r, low, shown) in enumerate(zip(rows, lows, published, strict=True)) if r in ranges
            and low is not None and shown]
    chosen = set(todo)
    shown = df.filter(pl.Series([i in chosen for i in range(df.height)], dtype=pl.Boolean))
    shown = shown.with_columns(lo=pl.Series([ranges[rows[i]][0] for i in todo], dtype=pl.Float64),
                               hi=pl.Series([ranges[rows[i]][1] for i in todo], dtype=pl.Float64))
    ends = [intervals(shown.with_columns(numerator=pl.coalesce(pl.col(c), pl.col("numerator"))))
            for c in ("lo", "hi")]
    truth = intervals(shown)
    columns = [f.get_column(c).to_list() for f in (truth, *ends) for c in ("ci_low", "ci_high")]
    items = df.get_column("item_id").to_list()
    hull_lo: list[float | None] = list(lows)
    hull_hi: list[float | None] = list(highs)
    for i, t_low, t_high, a_low, a_high, b_low, b_high in zip(todo, *columns, strict=True):
        if t_low is None:
            continue
        low, high = lows[i], highs[i]
        flipped = abs(low - t_low) > abs(low + t_high)  # published as target − reference
        if flipped:
            ends_lo, ends_hi = (-a_high, -b_high), (-a_low, -b_low)
        else:
            ends_lo, ends_hi = (a_low, b_low), (a_high, b_high)
        hull_lo[i], hull_hi[i] = round_outward(min(low, *ends_lo), max(high, *ends_hi), decimals[items[i]])
    return hull_lo, hull_hi


def empty_group(kind: pl.Expr) -> pl.Expr:
    """A share or gap over nobody (a denominator of 0): a fact about no person, published as missing."""
    zero = (pl.col("denominator") == 0) | ((kind == "gap") & (pl.col("ref_denominator") == 0))
    return kind.is_in(["rate", "gap"]) & zero.fill_null(False) & pl.col("status").is_in(
        [Status.OK.value, Status.MISSING.value])


def publication_declaration(catalogue: Any, config: Any) -> dict[str, dict[str, Any]]:
    """Per item, what a release publishes of it (recorded in the manifest; every output carries no more)."""
    exact = set(config.publication.exact_items)
    out: dict[str, dict[str, Any]] = {}
    for item in (*catalogue.indicators, *catalogue.key_figures):
        share = item.unit != "count"
        out[item.id] = {"value_decimals": item.decimals,
                        "interval": "widened to every value that rounds the same, rounded outward" if share
                        else None,
                        "numerator": item.id in exact or not share,
                        "denominator": item.id in exact or item.id in set(config.publication.denominator_items)}
    return out
