"""Disclosure control: hide small numbers, then hide enough else that they cannot be recovered by subtraction.

Applied once to the observation table before anything leaves the system (web, PDF, API, exports). Primary
suppression hides cells whose own numbers are small (rules in ``disclosure.toml``); secondary suppression then
hides further cells so that no hidden cell can be worked out from what is published, because the release shows
numerators and denominators, and those add up: whole country = 5 regions = 98 municipalities, region = its
municipalities, a gap (1.1) shares its target-group numbers with the target group's rate (1.2), a nested item
(N15) is part of a whole (3.3) whose unpublished rest must stay hidden or safe, and consecutive values of a
cumulative count (N1, N12) differ by the events in between, a count that must not be small.
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
from barometer.periods import period_year
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


class NestedRule(_Strict):
    pairs: tuple[tuple[str, str], ...] = ()  # (whole, part): the part's population is a subset of the whole's


class CumulativeRule(_Strict):
    items: tuple[str, ...] = ()  # counts whose value in a period includes every earlier period's


class DisclosureConfig(_Strict):
    """The declared rule set; recorded in every release (``digest``) so a release states how it was protected."""

    rates: RateRule = RateRule()
    counts: CountRule = CountRule()
    linked: LinkedRule = LinkedRule()
    nested: NestedRule = NestedRule()
    cumulative: CumulativeRule = CumulativeRule()

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


def _check_input(df: pl.DataFrame, hierarchy: _Hierarchy, catalogue: Any, config: DisclosureConfig) -> None:
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
        if None in units.values() or units[whole] != units[part]:
            raise DisclosureConfigError(f"[nested] pairs: {whole!r} and {part!r} must be known items of one unit, "
                                        f"got {units}")
    for item in config.cumulative.items:
        if item not in known_items or catalogue.item(item).unit != "count":
            raise DisclosureConfigError(f"[cumulative] items: {item!r} is not a known count item")
    dup = df.select("area_code", "item_id", "period").is_duplicated()
    if dup.any():
        row = int(dup.arg_max())
        raise ValueError(f"observation table row {row}: duplicate observation "
                         f"{tuple(df.row(row, named=True)[c] for c in ('area_code', 'item_id', 'period'))}")


class _Cells:
    """One (item, period) across all areas: state per area and the additive quantities the attacker would use."""

    UNKNOWN, CANDIDATE, FIXED = "s", "c", "f"  # suppressed; published with numbers; present or absent, untouchable

    def __init__(self, kind: str, n_areas: int, sums_must_pass: bool = True) -> None:
        self.kind = kind
        self.sums_must_pass = sums_must_pass
        self.state = [self.FIXED] * n_areas
        self.qty: list[tuple[float, ...]] = [()] * n_areas
        self.size = [0.0] * n_areas
        self.row = [-1] * n_areas

    def safe(self, members: list[int], config: DisclosureConfig) -> bool:
        """Whether the sum of these cells (what a differencing attacker learns) would pass the primary rule.

        Cells that came in already suppressed have no numbers here; they count as 0, which can only make the sum
        look smaller (every quantity, complements included, is ≥ 0), so the verdict errs on the safe side.
        """
        if not self.sums_must_pass:  # only "at least two hidden cells" counts (the rest of a nested pair)
            return True
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


def _hide(cells: _Cells, a: int, added_rows: set[int]) -> bool:
    """Hide a published cell; False if it was hidden already or cannot be hidden (absent, untouchable)."""
    if cells.state[a] != _Cells.CANDIDATE:
        return False
    cells.state[a] = _Cells.UNKNOWN
    added_rows.add(cells.row[a])
    return True


def _protect_nested(whole: _Cells, part: _Cells, hierarchy: _Hierarchy, config: DisclosureConfig,
                    added_rows: set[int]) -> bool:
    """Protect whole = part + rest in every area, the rest (never published) being a cell of its own.

    Publishing both reveals the rest; one published pins the hidden one down to within the rest. So where the rest
    fails the primary rule, whole and part are hidden together if either is (like linked items), and both are
    hidden if both were published, unless the rest is empty (the two cells are then the same persons and tell
    nothing new). Rests add up over the area hierarchy too, so each hierarchy equation of rests gets the usual
    rule (no single hidden rest beside a known parent rest), hiding the part first. Returns whether it hid any.
    """
    n, changed = len(whole.state), False
    rest = _Cells(whole.kind, n, sums_must_pass=False)
    for a in range(n):
        if whole.qty[a] and part.qty[a]:
            rest.qty[a] = tuple(w - p for w, p in zip(whole.qty[a], part.qty[a], strict=True))
            rest.size[a] = rest.qty[a][0] if whole.kind == "count" else rest.qty[a][1]
    probe = _Cells(whole.kind, 1)
    for a in range(n):
        if not rest.qty[a]:
            continue
        probe.qty[0] = rest.qty[a]
        if probe.safe([0], config):
            continue
        published = whole.state[a] == part.state[a] == _Cells.CANDIDATE
        if _Cells.UNKNOWN in (whole.state[a], part.state[a]) or (published and any(rest.qty[a])):
            changed |= _hide(part, a, added_rows)
            changed |= _hide(whole, a, added_rows)

    def rest_state(a: int) -> str:
        if _Cells.UNKNOWN in (whole.state[a], part.state[a]):
            return _Cells.UNKNOWN
        return _Cells.CANDIDATE if whole.state[a] == part.state[a] == _Cells.CANDIDATE else _Cells.FIXED

    rest.state = [rest_state(a) for a in range(n)]
    for parent, children in hierarchy.equations:
        order = sorted(children, key=lambda c: (rest.size[c], hierarchy.codes[c]))
        for a in _protect_equation(rest, parent, children, order, config):
            changed |= _hide(part, a, added_rows) or _hide(whole, a, added_rows)
            rest.state[a] = _Cells.UNKNOWN
    return changed


def _settle_period(items: dict[str, _Cells], orders: dict[str, list[list[int]]], hierarchy: _Hierarchy,
                   config: DisclosureConfig, added_rows: set[int], todo: set[str] | None = None) -> None:
    """Hierarchy equations, linked groups and nested pairs of one period, iterated to a fixed point.

    Only items whose cells changed (at first: ``todo``, default all) are looked at again; the others' equations
    hold already.
    """
    todo = set(items) if todo is None else todo & set(items)
    while todo:
        changed: set[str] = set()
        for item in sorted(todo):
            cells = items[item]
            for k, (parent, children) in enumerate(hierarchy.equations):
                for a in _protect_equation(cells, parent, children, orders[item][k], config):
                    cells.state[a] = _Cells.UNKNOWN
                    added_rows.add(cells.row[a])
                    changed.add(item)
        touched = todo | changed
        for group in config.linked.groups:
            present = [i for i in group if i in items]
            if not touched.intersection(present):
                continue
            for a in range(len(hierarchy.codes)):
                if any(items[i].state[a] == _Cells.UNKNOWN for i in present):
                    changed.update(i for i in present if _hide(items[i], a, added_rows))
        for whole, part in config.nested.pairs:
            if whole in items and part in items and touched.intersection((whole, part)) \
                    and _protect_nested(items[whole], items[part], hierarchy, config, added_rows):
                changed.update((whole, part))
        todo = changed


def _protect_series(by_period: dict[str, dict[str, _Cells]], config: DisclosureConfig,
                    added_rows: set[int]) -> dict[str, set[str]]:
    """Hide cumulative counts whose increment over the previous published value is a small count.

    Periods are ordered by their last calendar year, then by canonical code (``barometer.periods``). Walking each
    (item, area) series, the increment between consecutive published values counts the events in between; if it
    is not 0 and below ``min_count``, the later cell is hidden (and the next one is compared with the same earlier
    value). An increment of 0 across a hidden cell would give that cell away (a cumulative count never falls), so
    the later cell is hidden then too. Returns the items hidden, by period.
    """
    periods = sorted(by_period, key=lambda p: (period_year(p), p))
    dirty: dict[str, set[str]] = {}
    for item in config.cumulative.items:
        series = [(p, by_period[p][item]) for p in periods if item in by_period[p]]
        for a in range(len(series[0][1].state) if series else 0):
            last, gap = None, False
            for period, cells in series:
                if cells.state[a] == _Cells.UNKNOWN:
                    gap = True
                if cells.state[a] != _Cells.CANDIDATE:
                    continue
                value = cells.qty[a][0]
                if last is not None:
                    step = value - last
                    if (step != 0 and abs(step) < config.counts.min_count) or (step == 0 and gap):
                        _hide(cells, a, added_rows)
                        dirty.setdefault(period, set()).add(item)
                        gap = True
                        continue
                last, gap = value, False
    return dirty


def _secondary(df: pl.DataFrame, hierarchy: _Hierarchy, config: DisclosureConfig) -> set[int]:
    """Row indices hidden by secondary suppression: each period to its fixed point, then the cumulative series,
    then again the periods where those hid cells, until nothing changes."""
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
    # Children in the order secondary suppression picks them: smallest first, ties broken by area code.
    orders = {period: {item: [sorted(ch, key=lambda c, s=cells.size: (s[c], hierarchy.codes[c]))
                              for _, ch in hierarchy.equations] for item, cells in items.items()}
              for period, items in by_period.items()}
    added_rows: set[int] = set()
    dirty: dict[str, set[str] | None] = dict.fromkeys(by_period)  # None: every item
    while dirty:
        for period, todo in sorted(dirty.items()):
            _settle_period(by_period[period], orders[period], hierarchy, config, added_rows, todo)
        dirty = dict(_protect_series(by_period, config, added_rows))
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
    _check_input(df, hierarchy, catalogue, config)
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
