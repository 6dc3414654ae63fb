"""Disclosure control: hide small numbers, then hide enough else that they cannot be recovered by subtraction.

Applied once to the observation table before anything leaves the system (web, PDF, API, exports). Primary
suppression hides cells whose own numbers are small (rules in ``disclosure.toml``); secondary suppression then
hides further cells so that no hidden cell can be worked out from what is published, because the release shows
numerators and denominators, and those add up: whole country = 5 regions = 98 municipalities, region = its
municipalities, and a gap (1.1) shares its target-group numbers with the target group's rate (1.2).
See docs/disclosure.md for the rules, their reasons and their limits.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.catalogue import load_catalogue
from barometer.store.schema import OBSERVATION_SCHEMA, Status

# Quantities that disappear with a suppressed cell (the status flag alone remains).
HIDDEN_COLUMNS = ("value", "numerator", "denominator", "ref_numerator", "ref_denominator", "ci_low", "ci_high",
                  "published_development", "effective_n")
_KIND_OF_UNIT = {"pct": "rate", "pct_point": "gap", "count": "count"}


class DisclosureConfigError(ValueError):
    """A disclosure config file cannot be read or does not follow the model."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateRule(_Strict):
    min_denominator: float = Field(20, ge=0)
    min_numerator: float = Field(3, ge=0)
    min_complement: float = Field(3, ge=0)


class CountRule(_Strict):
    min_count: float = Field(3, ge=0)
    exempt_items: tuple[str, ...] = ()


class LinkedRule(_Strict):
    groups: tuple[tuple[str, ...], ...] = ()


class DisclosureConfig(_Strict):
    """The declared rule set; recorded in every release (``digest``) so a release states how it was protected."""

    rates: RateRule = RateRule()
    counts: CountRule = CountRule()
    linked: LinkedRule = LinkedRule()

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:12]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


def load_config(path: str | Path | None = None) -> DisclosureConfig:
    """The packaged defaults, with any keys of the user file at ``path`` replacing them."""
    doc = tomllib.loads(resources.files("barometer").joinpath("disclosure.toml").read_text("utf-8"))
    source = "disclosure.toml (packaged defaults)"
    if path is not None:
        source = str(path)
        try:
            doc = _merge(doc, tomllib.loads(Path(path).read_text("utf-8")))
        except FileNotFoundError:
            raise DisclosureConfigError(f"{path}: disclosure config file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DisclosureConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return DisclosureConfig(**doc)
    except ValidationError as exc:
        raise DisclosureConfigError(f"{source}: {exc}") from exc


@dataclass
class ItemSuppression:
    """How many cells of one item were hidden, for the build report."""

    cells: int = 0
    primary: int = 0
    secondary: int = 0
    municipal_cells: int = 0
    municipal_suppressed: int = 0

    @property
    def municipal_share(self) -> float | None:
        return self.municipal_suppressed / self.municipal_cells if self.municipal_cells else None


@dataclass
class DisclosureSummary:
    config_digest: str
    by_item: dict[str, ItemSuppression] = field(default_factory=dict)

    @property
    def primary(self) -> int:
        return sum(s.primary for s in self.by_item.values())

    @property
    def secondary(self) -> int:
        return sum(s.secondary for s in self.by_item.values())


@dataclass(frozen=True)
class _Hierarchy:
    """Area codes in a fixed order and the additive equations parent = sum(children), as index lists."""

    codes: tuple[str, ...]
    kinds: tuple[str, ...]
    equations: tuple[tuple[int, tuple[int, ...]], ...]

    @classmethod
    def from_catalogue(cls, catalogue: Any) -> _Hierarchy:
        areas = sorted(catalogue.areas, key=lambda a: a.code)
        index = {a.code: i for i, a in enumerate(areas)}
        country = index[catalogue.country.code]
        regions = [index[r.code] for r in catalogue.regions]
        munis = [index[m.code] for m in catalogue.municipalities]
        eqs = [(country, tuple(sorted(regions))), (country, tuple(sorted(munis)))]
        for r in catalogue.regions:
            eqs.append((index[r.code], tuple(sorted(index[m.code] for m in catalogue.municipalities
                                                    if m.region == r.code))))
        return cls(tuple(a.code for a in areas), tuple(a.kind for a in areas), tuple(eqs))


def _fails_rate(num: pl.Expr, den: pl.Expr, rule: RateRule) -> pl.Expr:
    return (den < rule.min_denominator) | (num < rule.min_numerator) | ((den - num) < rule.min_complement)


def _primary_flags(df: pl.DataFrame, config: DisclosureConfig) -> pl.DataFrame:
    """Adds ``assessable`` (an ok row with the numbers its kind needs) and ``primary`` (fails its own rule)."""
    rate = config.rates
    num, den = pl.col("numerator"), pl.col("denominator")
    if "effective_n" in df.columns:  # weighted survey shares: judge the effective sample, not the weighted sums
        n_eff = pl.coalesce(pl.col("effective_n"), den)
        num, den = num / den * n_eff, n_eff
    count = pl.coalesce(pl.col("numerator"), pl.col("value"))
    kind = pl.col("kind")
    # "missing" rows may carry numbers too (a rate over an empty group: denominator 0); those are judged as well.
    ok = pl.col("status").is_in([Status.OK.value, Status.MISSING.value])
    has_target = pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
    has_ref = pl.col("ref_numerator").is_not_null() & pl.col("ref_denominator").is_not_null()
    assessable = ok & pl.when(kind == "rate").then(has_target).when(kind == "gap").then(has_target & has_ref) \
        .otherwise(count.is_not_null())
    fails = (pl.when(kind == "rate").then(_fails_rate(num, den, rate))
             .when(kind == "gap").then(_fails_rate(num, den, rate)
                                       | _fails_rate(pl.col("ref_numerator"), pl.col("ref_denominator"), rate))
             .otherwise(count < config.counts.min_count))
    exempt = pl.col("item_id").is_in(list(config.counts.exempt_items))
    already = pl.col("status") == Status.SUPPRESSED.value
    return df.with_columns(assessable=assessable.fill_null(False),
                           primary=(already | (assessable & fails & ~exempt)).fill_null(False))


def _check_input(df: pl.DataFrame, hierarchy: _Hierarchy, catalogue: Any) -> None:
    """Fail on input the rules cannot judge, naming the first offending row."""
    if missing := [c for c in OBSERVATION_SCHEMA.names if c not in df.columns]:
        raise ValueError(f"observation table lacks column(s) {missing}")
    known_items = [i.id for i in catalogue.indicators] + [k.id for k in catalogue.key_figures]
    for column, known in (("area_code", list(hierarchy.codes)), ("item_id", known_items)):
        values = df.get_column(column)
        bad = ~values.is_in(known)
        if bad.any():
            row = int(bad.arg_max())
            raise ValueError(f"observation table row {row}: unknown {column} {values[row]!r}")
    dup = df.select("area_code", "item_id", "period").is_duplicated()
    if dup.any():
        row = int(dup.arg_max())
        raise ValueError(f"observation table row {row}: duplicate observation "
                         f"{tuple(df.row(row, named=True)[c] for c in ('area_code', 'item_id', 'period'))}")


class _Cells:
    """One (item, period) across all areas: state per area and the additive quantities the attacker would use."""

    UNKNOWN, CANDIDATE, FIXED = "s", "c", "f"  # suppressed; published with numbers; present or absent, untouchable

    def __init__(self, kind: str, n_areas: int) -> None:
        self.kind = kind
        self.state = [self.FIXED] * n_areas
        self.qty: list[tuple[float, ...]] = [()] * n_areas
        self.size = [0.0] * n_areas
        self.row = [-1] * n_areas

    def safe(self, members: list[int], config: DisclosureConfig) -> bool:
        """Whether the sum of these cells (what a differencing attacker learns) would pass the primary rule.

        Cells that came in already suppressed have no numbers here; they count as 0, which can only make the sum
        look smaller (every quantity, complements included, is ≥ 0), so the verdict errs on the safe side.
        """
        known = [self.qty[i] for i in members if self.qty[i]]
        if not known:
            return False
        if self.kind == "count":
            return sum(q[0] for q in known) >= config.counts.min_count
        rule = config.rates
        totals = [sum(q[k] for q in known) for k in range(len(known[0]))]
        return all(den >= rule.min_denominator and num >= rule.min_numerator and den - num >= rule.min_complement
                   for num, den in zip(totals[::2], totals[1::2], strict=True))


def _protect_equation(cells: _Cells, parent: int, children: tuple[int, ...], order: list[int],
                      config: DisclosureConfig) -> list[int]:
    """Cells to hide so that parent = sum(children) reveals no hidden cell, nor an unsafe sum of hidden cells."""
    state = cells.state
    if state[parent] == _Cells.FIXED:  # the parent's numbers are not published: the equation tells nothing
        return []
    hidden = [c for c in children if state[c] == _Cells.UNKNOWN]
    candidates = (c for c in order if state[c] == _Cells.CANDIDATE)
    added: list[int] = []
    if state[parent] == _Cells.UNKNOWN:
        if not hidden:  # parent = sum of published children: hide one child
            added = [c for c in [next(candidates, None)] if c is not None]
        return added
    # Parent published: the attacker learns the sum of the hidden children; it must hide at least two cells
    # and must itself be safe (two hidden zero counts would otherwise both be revealed as zero).
    members = list(hidden)
    while members and (len(members) < 2 or not cells.safe(members, config)):
        nxt = next(candidates, None)
        if nxt is None:
            added.append(parent)  # only reachable when the hierarchy does not add up; hide the parent too
            break
        members.append(nxt)
        added.append(nxt)
    return added


def _secondary(df: pl.DataFrame, hierarchy: _Hierarchy, config: DisclosureConfig) -> set[int]:
    """Row indices hidden by secondary suppression, iterated to a fixed point per period."""
    index = {code: i for i, code in enumerate(hierarchy.codes)}
    cols = ["row", "area_code", "item_id", "period", "kind", "assessable", "primary", "numerator", "denominator",
            "ref_numerator", "ref_denominator", "value"]
    by_period: dict[str, dict[str, _Cells]] = {}
    for r, area, item, period, kind, assessable, primary, num, den, rnum, rden, value in df.select(cols).iter_rows():
        cells = by_period.setdefault(period, {}).get(item)
        if cells is None:
            cells = by_period[period][item] = _Cells(kind, len(hierarchy.codes))
        a = index[area]
        cells.row[a] = r
        if primary:
            cells.state[a] = _Cells.UNKNOWN
        elif assessable:
            cells.state[a] = _Cells.CANDIDATE
        if assessable:
            if kind == "count":
                cells.qty[a] = (num if num is not None else value,)
            else:
                cells.qty[a] = (num, den) if kind == "rate" else (num, den, rnum, rden)
            cells.size[a] = cells.qty[a][0] if kind == "count" else den
    added_rows: set[int] = set()
    for items in by_period.values():
        # Children in the order secondary suppression picks them: smallest first, ties broken by area code.
        orders = {item: [sorted(ch, key=lambda c, s=cells.size: (s[c], hierarchy.codes[c]))
                         for _, ch in hierarchy.equations] for item, cells in items.items()}
        changed = True
        while changed:
            changed = False
            for item, cells in items.items():
                for k, (parent, children) in enumerate(hierarchy.equations):
                    for a in _protect_equation(cells, parent, children, orders[item][k], config):
                        cells.state[a] = _Cells.UNKNOWN
                        added_rows.add(cells.row[a])
                        changed = True
            for group in config.linked.groups:
                present = [items[i] for i in group if i in items]
                for a in range(len(hierarchy.codes)):
                    if any(c.state[a] == _Cells.UNKNOWN for c in present):
                        for c in present:
                            if c.state[a] == _Cells.CANDIDATE:
                                c.state[a] = _Cells.UNKNOWN
                                added_rows.add(c.row[a])
                                changed = True
    return added_rows


def protect(table: pa.Table, config: DisclosureConfig | None = None,
            catalogue: Any = None) -> tuple[pa.Table, DisclosureSummary]:
    """Suppress small numbers and everything that would give them away; rows keep their order and schema.

    Suppressed rows get status "suppressed" and no number in any column. Rows that are not "ok", or that carry a
    value but not the numerators/denominators their unit needs (imported published figures), are left as they
    are and are never chosen for secondary suppression.
    """
    config = config or load_config()
    catalogue = catalogue or load_catalogue()
    hierarchy = _Hierarchy.from_catalogue(catalogue)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    _check_input(df, hierarchy, catalogue)
    kinds = {i: _KIND_OF_UNIT[catalogue.item(i).unit] for i in df.get_column("item_id").unique().to_list()}
    df = df.with_row_index("row").with_columns(kind=pl.col("item_id").replace_strict(kinds, return_dtype=pl.String))
    df = _primary_flags(df, config)
    secondary_rows = _secondary(df, hierarchy, config)
    df = df.with_columns(secondary=pl.col("row").is_in(sorted(secondary_rows)) & ~pl.col("primary"))
    hide = pl.col("primary") | pl.col("secondary")
    df = df.with_columns(
        [pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in HIDDEN_COLUMNS if c in df.columns],
        status=pl.when(hide).then(pl.lit(Status.SUPPRESSED.value)).otherwise(pl.col("status")),
    )
    summary = DisclosureSummary(config.digest())
    municipal = {c for c, k in zip(hierarchy.codes, hierarchy.kinds, strict=True) if k == "municipality"}
    stats = (df.with_columns(muni=pl.col("area_code").is_in(sorted(municipal)))
             .group_by("item_id").agg(cells=pl.len(), primary=pl.col("primary").sum(),
                                      secondary=pl.col("secondary").sum(), municipal_cells=pl.col("muni").sum(),
                                      municipal_suppressed=(pl.col("muni") & hide).sum())
             .sort("item_id"))
    for row in stats.iter_rows(named=True):
        item = row.pop("item_id")
        summary.by_item[item] = ItemSuppression(**{k: int(v) for k, v in row.items()})
    return df.select(table.schema.names).to_arrow().cast(table.schema), summary
