"""Secondary suppression: hide enough besides the small cells that what is published does not give them away.

What the attacker has: every published count exactly; every published share's numerator only to within the
rounding of its value (barometer.publication), every denominator (assumed known: the worst case); and the
equations between cells — whole country = 5 regions = 98 municipalities, region = its municipalities, a gap and
the target group's rate share their numbers (linked items), a whole is its part plus a rest (nested pair),
consecutive values of a cumulative count differ by the events in between. Each cell carries the range
[lo, hi] of its protected numerator that the attacker knows; an equation gives him the range of the sum of its
hidden cells, which must stay wide enough (``[publication] min_uncertainty``) or pass the primary rule itself.
See docs/disclosure.md §2 for the rules, the reasoning and the limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from barometer.disclosure_config import DisclosureConfig
from barometer.periods import period_year


@dataclass(frozen=True)
class Hierarchy:
    """Area codes in a fixed order and the additive equations parent = sum(children), as index lists."""

    codes: tuple[str, ...]
    kinds: tuple[str, ...]
    equations: tuple[tuple[int, tuple[int, ...]], ...]

    @classmethod
    def from_catalogue(cls, catalogue: Any) -> Hierarchy:
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


def passes_rate(num: float, den: float, config: DisclosureConfig) -> bool:
    rule = config.rates
    return den >= rule.min_denominator and num >= rule.min_numerator and den - num >= rule.min_complement


def passes_count(count: float, config: DisclosureConfig) -> bool:
    return count >= config.counts.min_count or (count == 0 and config.counts.publish_zero)


class Cells:
    """One (item, period) across all areas: state per area, the additive quantities, and the attacker's range.

    States: UNKNOWN hidden; CANDIDATE published with numbers (may still be hidden); FIXED present or absent and
    untouchable (no numbers, other statuses, empty groups); BOUNDED hidden, but pinned to [lo, hi] by a published
    partner of a nested pair (it then counts as known in its own hierarchy equations).
    """

    UNKNOWN, CANDIDATE, FIXED, BOUNDED = "s", "c", "f", "b"

    def __init__(self, kind: str, n_areas: int) -> None:
        self.kind = kind
        self.state = [self.FIXED] * n_areas
        self.qty: list[tuple[float, ...]] = [()] * n_areas
        self.size = [0.0] * n_areas
        self.row = [-1] * n_areas
        self.primary = [False] * n_areas
        self.for_rest = [False] * n_areas  # hidden only so that a nested pair's rest does not show
        self.lo = [0.0] * n_areas  # the attacker's range of the protected numerator (the count for counts)
        self.hi = [0.0] * n_areas

    def known_range(self, plus: list[int], minus: list[int]) -> tuple[float, float]:
        """The attacker's range of Σ plus − Σ minus over known cells."""
        return (sum(self.lo[i] for i in plus) - sum(self.hi[i] for i in minus),
                sum(self.hi[i] for i in plus) - sum(self.lo[i] for i in minus))

    def safe(self, members: list[int], span: tuple[float, float], config: DisclosureConfig) -> bool:
        """Whether the attacker, knowing the sum of these hidden cells to within ``span``, learns nothing small.

        Counts are known exactly: the sum must cover at least two cells and pass the count rule. Shares: the
        range of the summed numerator, cut to [0, summed denominator], must span ``min_uncertainty`` persons (or
        the whole group, if it is smaller), or else cover two cells whose sum passes the primary rule. For gaps,
        the reference group's sum (known exactly) must pass as well. Cells that came in already suppressed have
        no numbers here and count as 0, which can only make the sum look smaller: the verdict errs on the safe
        side.
        """
        known = [self.qty[i] for i in members if self.qty[i]]
        if self.kind == "count":
            return len(members) >= 2 and bool(known) and passes_count(sum(q[0] for q in known), config)
        if not known:
            return False
        totals = [sum(q[k] for q in known) for k in range(len(known[0]))]
        num, den = totals[0], totals[1]
        width = min(span[1], den) - max(span[0], 0.0)
        need = min(config.publication.min_uncertainty, den)
        target = width >= need or (len(members) >= 2 and passes_rate(num, den, config))
        return target and (self.kind != "gap" or passes_rate(totals[2], totals[3], config))


def protect_equation(cells: Cells, parent: int, children: tuple[int, ...], order: list[int],
                     config: DisclosureConfig) -> list[int]:
    """Cells to hide so that parent = sum(children) pins down no hidden cell, nor a small sum of hidden cells."""
    state = cells.state
    if state[parent] == Cells.FIXED:  # the parent's numbers are not published: the equation tells nothing
        return []
    hidden = [c for c in children if state[c] == Cells.UNKNOWN]
    candidates = (c for c in order if state[c] == Cells.CANDIDATE)
    if state[parent] == Cells.UNKNOWN:
        if hidden or cells.safe([parent], cells.known_range(list(children), []), config):
            return []
        return [c for c in [next(candidates, None)] if c is not None]  # parent = sum of published children
    members, added = list(hidden), []
    while members:
        span = cells.known_range([parent], [c for c in children if c not in members])
        if cells.safe(members, span, config):
            break
        nxt = next(candidates, None)
        if nxt is None:
            added.append(parent)  # only reachable when the hierarchy does not add up; hide the parent too
            break
        members.append(nxt)
        added.append(nxt)
    return added


def hide(cells: Cells, a: int, added_rows: set[int]) -> bool:
    """Hide a published cell; False if it was hidden already or cannot be hidden (absent, untouchable)."""
    if cells.state[a] != Cells.CANDIDATE:
        return False
    cells.state[a] = Cells.UNKNOWN
    added_rows.add(cells.row[a])
    return True


def _bound_or_hide(hidden: Cells, other: Cells, a: int, span: tuple[float, float], config: DisclosureConfig,
                   added_rows: set[int]) -> bool:
    """A hidden member of a nested pair beside a published partner is known within ``span``.

    A part hidden only for its rest is BOUNDED: being known within ``span`` discloses neither it (it passes the
    primary rule) nor the rest (``span`` is as wide as the rest), but its hierarchy equations must count it as
    known within that range, or its hidden siblings' sums would be narrower than they look. Any other hidden
    cell (small itself, or hidden to protect a sibling) must stay hidden: if ``span`` is too narrow, the partner
    is hidden too. Returns whether a state changed.
    """
    if not hidden.for_rest[a]:
        den = hidden.qty[a][1]
        width = min(span[1], den) - max(span[0], 0.0)
        return width < min(config.publication.min_uncertainty, den) and hide(other, a, added_rows)
    if hidden.state[a] == Cells.BOUNDED and (hidden.lo[a], hidden.hi[a]) == span:
        return False
    hidden.state[a], hidden.lo[a], hidden.hi[a] = Cells.BOUNDED, span[0], span[1]
    return True


def protect_nested(whole: Cells, part: Cells, hierarchy: Hierarchy, config: DisclosureConfig,
                   added_rows: set[int]) -> bool:
    """Protect whole = part + rest in every area, the rest (never published) being a cell of its own.

    Both published: the attacker learns the rest's numerator to within both roundings; if that is too narrow and
    the rest fails the primary rule, the part is hidden (not the whole). One hidden beside a published partner:
    it is known to within the partner's rounding and the rest's size (see ``_bound_or_hide``). Rests add up over
    the area hierarchy too, and get the hierarchy rule (hiding the part of the smallest rest first). Returns
    whether any state changed.
    """
    n, changed = len(whole.state), False
    rest = Cells(whole.kind, n)
    for a in range(n):
        if not (whole.qty[a] and part.qty[a]):
            continue
        rest.qty[a] = tuple(w - p for w, p in zip(whole.qty[a], part.qty[a], strict=True))
        r_num, r_den = rest.qty[a][0], rest.qty[a][1]
        rest.size[a] = r_den
        ws, ps = whole.state[a], part.state[a]
        if ps == Cells.BOUNDED and ws != Cells.CANDIDATE:  # its whole went: no pin left
            part.state[a], ps, changed = Cells.UNKNOWN, Cells.UNKNOWN, True
        if ws == ps == Cells.CANDIDATE:
            span = (whole.lo[a] - part.hi[a], whole.hi[a] - part.lo[a])
            if not rest.safe([a], span, config) and not passes_rate(r_num, r_den, config):
                changed |= hide(part, a, added_rows)
                part.for_rest[a], ps = True, part.state[a]
        if ps in (Cells.UNKNOWN, Cells.BOUNDED) and ws == Cells.CANDIDATE:
            changed |= _bound_or_hide(part, whole, a, (whole.lo[a] - r_den, whole.hi[a]), config, added_rows)
        elif ws in (Cells.UNKNOWN, Cells.BOUNDED) and ps == Cells.CANDIDATE:
            changed |= _bound_or_hide(whole, part, a, (part.lo[a], part.hi[a] + r_den), config, added_rows)
        if whole.state[a] == part.state[a] == Cells.CANDIDATE:
            rest.state[a] = Cells.CANDIDATE
            rest.lo[a] = max(0.0, whole.lo[a] - part.hi[a])
            rest.hi[a] = min(r_den, whole.hi[a] - part.lo[a])
        else:
            rest.state[a] = Cells.UNKNOWN
    for parent, children in hierarchy.equations:
        order = sorted(children, key=lambda c: (rest.size[c], hierarchy.codes[c]))
        for a in protect_equation(rest, parent, children, order, config):
            changed |= hide(part, a, added_rows) or hide(whole, a, added_rows)
            rest.state[a] = Cells.UNKNOWN
    return changed


def settle_period(items: dict[str, Cells], orders: dict[str, list[list[int]]], hierarchy: Hierarchy,
                  config: DisclosureConfig, added_rows: set[int], todo: set[str] | None = None) -> None:
    """Hierarchy equations, linked groups and nested pairs of one period, iterated to a fixed point.

    Only items whose cells changed (at first: ``todo``, default all) are looked at again; the others' equations
    hold already.
    """
    todo = set(items) if todo is None else todo & set(items)
    hidden_states = (Cells.UNKNOWN, Cells.BOUNDED)
    while todo:
        changed: set[str] = set()
        # Nested pairs first: a part hidden for its rest is BOUNDED, and the hierarchy then picks other cells.
        for whole, part in config.nested.pairs:
            if whole in items and part in items and todo.intersection((whole, part)) \
                    and protect_nested(items[whole], items[part], hierarchy, config, added_rows):
                changed.update((whole, part))
        for item in sorted(todo | changed):
            cells = items[item]
            for k, (parent, children) in enumerate(hierarchy.equations):
                for a in protect_equation(cells, parent, children, orders[item][k], config):
                    cells.state[a] = Cells.UNKNOWN
                    added_rows.add(cells.row[a])
                    changed.add(item)
        touched = todo | changed
        for group in config.linked.groups:
            present = [i for i in group if i in items]
            if not touched.intersection(present):
                continue
            for a in range(len(hierarchy.codes)):
                if any(items[i].state[a] in hidden_states for i in present):
                    changed.update(i for i in present if hide(items[i], a, added_rows))
        todo = changed


def protect_series(by_period: dict[str, dict[str, Cells]], config: DisclosureConfig,
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
                if cells.state[a] == Cells.UNKNOWN:
                    gap = True
                if cells.state[a] != Cells.CANDIDATE:
                    continue
                value = cells.qty[a][0]
                if last is not None:
                    step = value - last
                    if (step != 0 and abs(step) < config.counts.min_count) or (step == 0 and gap):
                        hide(cells, a, added_rows)
                        dirty.setdefault(period, set()).add(item)
                        gap = True
                        continue
                last, gap = value, False
    return dirty
