"""Disclosure control: decide what each observation publishes, hide small numbers, then hide enough else that
they cannot be recovered from what is published.

Applied once to the observation table before anything leaves the system (web, PDF, API, exports, the release
file itself). Primary suppression hides cells whose own numbers are small (rules in ``disclosure.toml``); empty
groups and zero counts are facts, not persons, and are published. Shares and gaps are published as rounded values
with intervals and without numerators and denominators (barometer.publication), counts exactly; secondary
suppression (barometer.disclosure_secondary) then hides further cells until no hidden cell, and no sum of hidden
cells an equation isolates, can be narrowed down to fewer persons than the rules allow.
See docs/disclosure.md for the rules, their reasons and their limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from barometer import publication
from barometer.catalogue import load_catalogue
from barometer.disclosure_config import (
    CountRule,
    CumulativeRule,
    DisclosureConfig,
    DisclosureConfigError,
    LinkedRule,
    NestedRule,
    PublicationRule,
    RateRule,
    load_config,
)
from barometer.disclosure_secondary import Cells, Hierarchy, protect_series, settle_period
from barometer.disclosure_series import protect_sums
from barometer.periods import period_year
from barometer.rules import round_half_away
from barometer.store.schema import OBSERVATION_SCHEMA, Status

__all__ = ["CountRule", "CumulativeRule", "Decisions", "DisclosureConfig", "DisclosureConfigError",
           "DisclosureSummary", "ItemSuppression", "LinkedRule", "NestedRule", "PublicationRule", "RateRule", "decide",
           "load_config", "protect"]

# Quantities that disappear with a suppressed cell (the status flag alone remains).
HIDDEN_COLUMNS = ("value", "numerator", "denominator", "ref_numerator", "ref_denominator", "ci_low", "ci_high",
                  "published_development", "effective_n")
_KIND_OF_UNIT = {"pct": "rate", "pct_point": "gap", "count": "count"}


@dataclass
class ItemSuppression:
    """How many cells of one item (or one item and period) were hidden, and why, for the build report."""

    cells: int = 0
    primary: int = 0
    secondary: int = 0
    empty: int = 0  # shares over nobody: published as missing, not hidden (docs/disclosure.md §1)
    municipal_cells: int = 0
    municipal_suppressed: int = 0

    @property
    def municipal_share(self) -> float | None:
        return self.municipal_suppressed / self.municipal_cells if self.municipal_cells else None


@dataclass
class DisclosureSummary:
    config_digest: str
    by_item: dict[str, ItemSuppression] = field(default_factory=dict)
    by_period: dict[tuple[str, str], ItemSuppression] = field(default_factory=dict)  # (item, period)

    @property
    def primary(self) -> int:
        return sum(s.primary for s in self.by_item.values())

    @property
    def secondary(self) -> int:
        return sum(s.secondary for s in self.by_item.values())

    def latest(self, catalogue: Any, edition: str) -> dict[str, dict[str, Any]]:
        """Per item, the edition's latest period (an indicator's status year, a key figure's reference period)
        and its cells: published, primary, secondary, empty — the table of docs/disclosure.md §5."""
        out: dict[str, dict[str, Any]] = {}
        for item in (*catalogue.indicators, *catalogue.key_figures):
            period = (str(catalogue.goal(item.goal).latest_year[edition]) if hasattr(item, "goal")
                      and edition in catalogue.goal(item.goal).latest_year else getattr(item, "reference_period",
                                                                                      {}).get(edition))
            stats = self.by_period.get((item.id, period)) if period else None
            if stats is None:
                continue
            out[item.id] = {"period": period, "cells": stats.cells,
                            "published": stats.cells - stats.primary - stats.secondary - stats.empty,
                            "primary": stats.primary, "secondary": stats.secondary, "empty": stats.empty,
                            "municipal_share": stats.municipal_share}
        return out


def _fails_rate(num: pl.Expr, den: pl.Expr, rule: RateRule) -> pl.Expr:
    return (den < rule.min_denominator) | (num < rule.min_numerator) | ((den - num) < rule.min_complement)


def _primary_flags(df: pl.DataFrame, config: DisclosureConfig) -> pl.DataFrame:
    """Adds ``empty`` (a share over nobody), ``assessable`` (an ok row with the numbers its kind needs) and
    ``primary`` (fails its own rule)."""
    rate = config.rates
    num, den = pl.col("numerator"), pl.col("denominator")
    if "effective_n" in df.columns:  # weighted survey shares: judge the effective sample, not the weighted sums
        n_eff = pl.coalesce(pl.col("effective_n"), den)
        num, den = num / den * n_eff, n_eff
    count = pl.coalesce(pl.col("numerator"), pl.col("value"))
    kind = pl.col("kind")
    empty = publication.empty_group(kind)
    # "missing" rows may carry numbers too; those are judged as well (an empty group is not: it is a fact).
    ok = pl.col("status").is_in([Status.OK.value, Status.MISSING.value]) & ~empty
    has_target = pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
    has_ref = pl.col("ref_numerator").is_not_null() & pl.col("ref_denominator").is_not_null()
    assessable = ok & pl.when(kind == "rate").then(has_target).when(kind == "gap").then(has_target & has_ref) \
        .otherwise(count.is_not_null())
    small_count = (count < config.counts.min_count) & ~((count == 0) & config.counts.publish_zero)
    fails = (pl.when(kind == "rate").then(_fails_rate(num, den, rate))
             .when(kind == "gap").then(_fails_rate(num, den, rate)
                                       | _fails_rate(pl.col("ref_numerator"), pl.col("ref_denominator"), rate))
             .otherwise(small_count))
    exempt = pl.col("item_id").is_in(list(config.counts.exempt_items))
    already = pl.col("status") == Status.SUPPRESSED.value
    return df.with_columns(empty=empty, assessable=assessable.fill_null(False),
                           primary=(already | (assessable & fails & ~exempt)).fill_null(False))


def _check_input(df: pl.DataFrame, hierarchy: Hierarchy, catalogue: Any, config: DisclosureConfig) -> None:
    """Fail on input (or config items) the rules cannot judge, naming the first offending row (or item)."""
    if missing := [c for c in OBSERVATION_SCHEMA.names if c not in df.columns]:
        raise ValueError(f"observation table lacks column(s) {missing}")
    known_items = [i.id for i in catalogue.indicators] + [k.id for k in catalogue.key_figures]
    for column, known in (("area_code", list(hierarchy.codes)), ("item_id", known_items)):
        values = df.get_column(column)
        bad = ~values.is_in(known)
        if bad.any():
            row = int(bad.arg_max())
            raise ValueError(f"observation table row {row}: unknown {column} {values[row]!r}")
    for whole, part in config.nested.pairs:
        units = {i: catalogue.item(i).unit if i in known_items else None for i in (whole, part)}
        if set(units.values()) != {"pct"}:
            raise DisclosureConfigError(f"[nested] pairs: {whole!r} and {part!r} must be known shares (unit pct), "
                                        f"got {units}")
    for item in config.cumulative.items:
        if item not in known_items or catalogue.item(item).unit != "count":
            raise DisclosureConfigError(f"[cumulative] items: {item!r} is not a known count item")
    dup = df.select("area_code", "item_id", "period").is_duplicated()
    if dup.any():
        row = int(dup.arg_max())
        raise ValueError(f"observation table row {row}: duplicate observation "
                         f"{tuple(df.row(row, named=True)[c] for c in ('area_code', 'item_id', 'period'))}")


def _whole_items(df: pl.DataFrame) -> dict[str, bool]:
    """Items whose numerators are all whole numbers count persons, and the attacker knows it: their ranges hold
    whole numbers only. Others (full-time persons, weighted survey sums) get continuous ranges."""
    return {item: bool(((g.get_column("numerator") % 1) == 0).all())
            for (item,), g in df.filter(pl.col("numerator").is_not_null()).group_by("item_id")}


def _ranges(df: pl.DataFrame, decimals: dict[str, int], exact: set[str], whole: dict[str, bool],
            within: dict[int, tuple[float, float]] | None = None) -> dict[int, tuple[float, float]]:
    """The attacker's range of each assessable row's protected numerator, by row index (barometer.publication),
    narrowed by ``within`` (what a published development adds)."""
    out: dict[int, tuple[float, float]] = {}
    cols = ["row", "item_id", "kind", "assessable", "value", "numerator", "denominator", "ref_numerator",
            "ref_denominator"]
    for r, item, kind, assessable, value, num, den, rnum, rden in df.select(cols).iter_rows():
        if not assessable:
            continue
        if kind == "count":
            count = num if num is not None else value
            out[r] = (count, count)
        elif item in exact or value is None or not den or (kind == "gap" and not rden):
            out[r] = (num, num)
        else:
            out[r] = publication.numerator_range(kind, value, decimals[item], num, den, rnum, rden,
                                                 whole=whole.get(item, True), within=(within or {}).get(r))
    return out


def _secondary(df: pl.DataFrame, hierarchy: Hierarchy, config: DisclosureConfig,
               ranges: dict[int, tuple[float, float]]) -> set[int]:
    """Row indices hidden by secondary suppression: each period to its fixed point, then the cumulative series
    (each area's own, then sums of hidden cells across areas and time), then again the periods where those hid
    cells, until nothing changes."""
    index = {code: i for i, code in enumerate(hierarchy.codes)}
    cols = ["row", "area_code", "item_id", "period", "kind", "assessable", "primary", "empty", "numerator",
            "denominator", "ref_numerator", "ref_denominator", "value"]
    by_period: dict[str, dict[str, Cells]] = {}
    for r, area, item, period, kind, assessable, primary, empty, num, den, rnum, rden, value \
            in df.select(cols).iter_rows():
        cells = by_period.setdefault(period, {}).get(item)
        if cells is None:
            cells = by_period[period][item] = Cells(kind, len(hierarchy.codes))
        a = index[area]
        cells.row[a], cells.primary[a] = r, bool(primary)
        if primary:
            cells.state[a] = Cells.UNKNOWN
        elif assessable:
            cells.state[a] = Cells.CANDIDATE
            cells.lo[a], cells.hi[a] = ranges[r]
        if assessable:
            if kind == "count":
                cells.qty[a] = (num if num is not None else value,)
            else:
                cells.qty[a] = (num, den) if kind == "rate" else (num, den, rnum, rden)
            cells.size[a] = cells.qty[a][0] if kind == "count" else den
        elif empty:  # a group of nobody: known to be 0 of 0
            cells.qty[a] = (0.0, 0.0) if kind == "rate" else (0.0, 0.0, rnum or 0.0, rden or 0.0)
    # Children in the order secondary suppression picks them: smallest first, ties broken by area code.
    orders = {period: {item: [sorted(ch, key=lambda c, s=cells.size: (s[c], hierarchy.codes[c]))
                              for _, ch in hierarchy.equations] for item, cells in items.items()}
              for period, items in by_period.items()}
    added_rows: set[int] = set()
    dirty: dict[str, set[str] | None] = dict.fromkeys(by_period)  # None: every item
    while dirty:
        for period, todo in sorted(dirty.items()):
            settle_period(by_period[period], orders[period], hierarchy, config, added_rows, todo)
        dirty = dict(protect_series(by_period, config, added_rows))
        if not dirty:  # each series holds on its own: now the sums of hidden cells across the hierarchy and time
            periods = sorted(by_period, key=lambda p: (period_year(p), p))
            dirty = dict(protect_sums(by_period, periods, hierarchy, config, added_rows))
    return added_rows


def _developments(df: pl.DataFrame, catalogue: Any, edition: str | None,
                  decimals: dict[str, int]) -> tuple[dict[int, float], dict[int, int], dict[int, tuple[float, float]]]:
    """Each indicator's development (status year − baseline, from unrounded values, rounded like the status:
    docs/rules.md), by status-year row; that row's baseline row; and what status, baseline and development
    together tell about each of the two (an open interval), by row.

    With the printed status (a ± h) and baseline (b ± h) an attacker also has the printed development (a − b ±
    h): a lies within b's printed value + the development ± 2h, and b likewise."""
    devs: dict[int, float] = {}
    base_of: dict[int, int] = {}
    within: dict[int, tuple[float, float]] = {}
    if edition is None:
        return devs, base_of, within
    cols = ["row", "area_code", "item_id", "period", "assessable", "value"]
    by_item: dict[str, dict[tuple[str, str], tuple[int, float]]] = {}
    indicators = sorted(ind.id for ind in catalogue.indicators)  # the only rows with a development
    for r, a, i, p, ok, v in df.filter(pl.col("item_id").is_in(indicators)).select(cols).iter_rows():
        if ok and v is not None:
            by_item.setdefault(i, {})[(a, p)] = (r, v)
    for ind in catalogue.indicators:
        goal = catalogue.goal(ind.goal)
        if ind.id not in decimals or edition not in goal.latest_year or goal.latest_year[edition] == goal.baseline_year:
            continue
        d, half = decimals[ind.id], 0.5 * 10.0 ** -decimals[ind.id]
        latest, baseline = str(goal.latest_year[edition]), str(goal.baseline_year)
        rows = by_item.get(ind.id, {})
        for (area, period), (r, a) in rows.items():
            if period != latest or (area, baseline) not in rows:
                continue
            rb_row, b = rows[(area, baseline)]
            ra, rb, rd = (round_half_away(x, d) for x in (a, b, a - b))
            devs[r], base_of[r] = rd, rb_row
            within[r] = (rb + rd - 2 * half, rb + rd + 2 * half)
            within[rb_row] = (ra - rd - 2 * half, ra - rd + 2 * half)
    return devs, base_of, within


def _interval_function(catalogue: Any, phi: Mapping[str, float] | None) -> Any:
    def intervals(df: pl.DataFrame) -> pl.DataFrame:
        from barometer.uncertainty import add_intervals

        names = [c for c in (*OBSERVATION_SCHEMA.names, "effective_n") if c in df.columns]
        out = pl.from_arrow(add_intervals(df.select(names).to_arrow(), catalogue, phi=phi))
        assert isinstance(out, pl.DataFrame)
        return out
    return intervals


@dataclass(frozen=True)
class Decisions:
    """What disclosure control decided about a table's rows: the cells hidden to protect others, the attacker's
    ranges of the published numerators and the developments published. They follow from the rows' numbers alone,
    never from their intervals, so a build decides once, before the intervals exist, and applies the same
    decisions to the table with intervals (:func:`decide`, ``protect(..., decisions=...)``)."""

    basis: pl.DataFrame  # the columns decided on: applied to other numbers, the decisions would not hold
    config_digest: str
    edition: str | None
    developments: dict[int, float]  # published development by status-year row
    secondary: frozenset[int]  # rows hidden by secondary suppression
    covered: dict[int, tuple[float, float]]  # numerator range of each row published with numbers

    def check(self, df: pl.DataFrame, config: DisclosureConfig, edition: str | None) -> None:
        """Refuse to apply the decisions to other rows, other numbers, another configuration or edition."""
        if (config.digest(), edition) != (self.config_digest, self.edition):
            raise ValueError("disclosure decisions were made with another configuration or edition")
        if not df.select(self.basis.columns).equals(self.basis):
            raise ValueError("disclosure decisions were made for other observations (rows or numbers differ)")


_BASIS = ("area_code", "item_id", "period", "status", "value", "numerator", "denominator", "ref_numerator",
          "ref_denominator", "effective_n")


def _flagged(table: pa.Table, config: DisclosureConfig, catalogue: Any, hierarchy: Hierarchy
             ) -> tuple[pl.DataFrame, dict[str, int]]:
    """The rows with their index (``row``), kind and primary flags (``_primary_flags``), checked; and each
    item's decimals."""
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    _check_input(df, hierarchy, catalogue, config)
    items = df.get_column("item_id").unique().to_list()
    kinds = {i: _KIND_OF_UNIT[catalogue.item(i).unit] for i in items}
    decimals = {i: catalogue.item(i).decimals for i in items}
    df = df.with_row_index("row").with_columns(kind=pl.col("item_id").replace_strict(kinds, return_dtype=pl.String))
    return _primary_flags(df, config), decimals


def _publish(df: pl.DataFrame, secondary: frozenset[int] | set[int]) -> pl.Series:
    """The rows published with numbers: assessable, hidden by neither rule, status ok."""
    hidden = df.get_column("row").is_in(sorted(secondary))
    return (df.get_column("assessable") & ~df.get_column("primary") & ~hidden
            & (df.get_column("status") == Status.OK.value))


def _decide(df: pl.DataFrame, config: DisclosureConfig, catalogue: Any, hierarchy: Hierarchy,
            edition: str | None, decimals: dict[str, int]) -> Decisions:
    exact = set(config.publication.exact_items)
    devs, base_of, within = _developments(df, catalogue, edition, decimals)
    whole = _whole_items(df)
    ranges = _ranges(df, decimals, exact, whole, within)
    secondary = frozenset(_secondary(df, hierarchy, config, ranges))
    publish = _publish(df, secondary)
    # The printed value alone: intervals cover all. A development narrowed some ranges; those are found again.
    narrowed = pl.Series([r in within for r in df.get_column("row").to_list()], dtype=pl.Boolean)
    covered = {r: ranges[r] for r in df.filter(publish & ~narrowed).get_column("row").to_list()}
    covered.update(_ranges(df.filter(publish & narrowed), decimals, exact, whole))
    shown = {r: dev for r, dev in devs.items() if publish[r] and publish[base_of[r]]}
    basis = df.select([c for c in _BASIS if c in df.columns])
    return Decisions(basis, config.digest(), edition, shown, secondary, covered)


def decide(table: pa.Table, config: DisclosureConfig | None = None, catalogue: Any = None, *,
           edition: str | None = None) -> Decisions:
    """What :func:`protect` decides about ``table``'s rows (its intervals play no part)."""
    config = config or load_config()
    catalogue = catalogue or load_catalogue()
    hierarchy = Hierarchy.from_catalogue(catalogue)
    df, decimals = _flagged(table, config, catalogue, hierarchy)
    return _decide(df, config, catalogue, hierarchy, edition, decimals)


def protect(table: pa.Table, config: DisclosureConfig | None = None, catalogue: Any = None, *,
            edition: str | None = None, phi: Mapping[str, float] | None = None,
            decisions: Decisions | None = None) -> tuple[pa.Table, DisclosureSummary]:
    """Suppress small numbers and everything that would give them away, and cut every row to what is published.

    Rows keep their order and schema. Suppressed rows get status "suppressed" and no number in any column.
    Published shares and gaps get their value rounded to the item's catalogue decimals, their interval widened
    to every value that rounds the same, and (unless listed in ``[publication] exact_items``) no numerator or
    denominator; counts are published as they are. Shares over an empty group stay "missing", without numbers.
    With ``edition``, each indicator's status-year row also publishes its development (``published_development``,
    from unrounded values as the ministry rounds it) where status and baseline are both published; the
    protection counts what that adds. ``phi``: the overdispersion factors the input's intervals were computed
    with (barometer.uncertainty.add_intervals), to widen them the same way. ``decisions``: what :func:`decide`
    decided about the same rows and numbers (with the same configuration and edition), used instead of deciding
    again; any other rows are refused.
    Rows that are not "ok", or that carry a value but not the numerators/denominators their unit needs
    (imported published figures), are left as they are and are never chosen for secondary suppression.
    """
    config = config or load_config()
    catalogue = catalogue or load_catalogue()
    hierarchy = Hierarchy.from_catalogue(catalogue)
    df, decimals = _flagged(table, config, catalogue, hierarchy)
    if decisions is None:
        decisions = _decide(df, config, catalogue, hierarchy, edition, decimals)
    else:
        decisions.check(df, config, edition)
    df = df.with_columns(secondary=pl.col("row").is_in(sorted(decisions.secondary)) & ~pl.col("primary"))
    hide = pl.col("primary") | pl.col("secondary")
    publish = _publish(df, decisions.secondary)
    devs = decisions.developments
    df = df.with_columns(published_development=pl.when(pl.col("row").is_in(sorted(devs)))
                         .then(pl.col("row").replace_strict(devs, default=None, return_dtype=pl.Float64))
                         .otherwise(pl.col("published_development")))
    df = publication.published_form(df, publish, decisions.covered, decimals, set(config.publication.exact_items),
                                    _interval_function(catalogue, phi),
                                    frozenset(config.publication.denominator_items))
    empty = pl.col("empty")
    df = df.with_columns(
        [pl.when(hide | empty).then(None).otherwise(pl.col(c)).alias(c) for c in HIDDEN_COLUMNS if c in df.columns],
        status=pl.when(hide).then(pl.lit(Status.SUPPRESSED.value))
        .when(empty).then(pl.lit(Status.MISSING.value)).otherwise(pl.col("status")),
    )
    return df.select(table.schema.names).to_arrow().cast(table.schema), _summary(df, hierarchy, config)


def _summary(df: pl.DataFrame, hierarchy: Hierarchy, config: DisclosureConfig) -> DisclosureSummary:
    summary = DisclosureSummary(config.digest())
    municipal = sorted(c for c, k in zip(hierarchy.codes, hierarchy.kinds, strict=True) if k == "municipality")
    flagged = df.with_columns(muni=pl.col("area_code").is_in(municipal),
                              hidden=pl.col("primary") | pl.col("secondary"))
    aggs = dict(cells=pl.len(), primary=pl.col("primary").sum(), secondary=pl.col("secondary").sum(),
                empty=pl.col("empty").sum(), municipal_cells=pl.col("muni").sum(),
                municipal_suppressed=(pl.col("muni") & pl.col("hidden")).sum())
    for keys, target in ((["item_id"], summary.by_item), (["item_id", "period"], summary.by_period)):
        for row in flagged.group_by(keys).agg(**aggs).sort(keys).iter_rows(named=True):
            key = row.pop("item_id") if len(keys) == 1 else (row.pop("item_id"), row.pop("period"))
            target[key] = ItemSuppression(**{k: int(v) for k, v in row.items()})  # type: ignore[index]
    return summary
