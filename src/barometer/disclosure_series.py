"""Cumulative counts across the area hierarchy and time: how much an attacker can narrow a hidden cell.

A cumulative count (N1, N12) never falls, and in every period each published region is the sum of its
municipalities. Together these pin hidden cells down: with municipalities A and B hidden in 2023 and published
in 2022 and 2024, the region gives A + B in 2023 exactly, and A lies in [A₂₀₂₂, A₂₀₂₄] and in [S − B₂₀₂₄,
S − B₂₀₂₂] — if both grew by one course a year, A is known to within one. Walking each area's own series (the
rule in barometer.disclosure_secondary) does not see that: it is an interval of a sum of hidden cells.

This module proves that the attacker's interval is wide enough, from the true values, without solving his linear
program: it builds feasible alternatives. Moving hidden A up by λ in periods i..j (where A is hidden throughout)
keeps every series non-decreasing as long as λ is at most A's increment after j, and keeps every published sum
if hidden partners in the same equation move down by λ in each of those periods, each by at most its own
increment into that period (a partner only moves in one period, so its series stays non-decreasing). Moving A
down is the mirror image. Every such alternative is consistent with everything published, so the attacker's
interval contains [A − down, A + up]; if that is at least ``[counts] min_count`` wide, he cannot narrow A below
the count rule. The certificate is a lower bound (partners could move over several periods too), so the rule can
hide a little more than an exact audit would, never less. The same is proved for the increment of a hidden
municipality between two periods in which it is hidden (the events in between), by moves in one period.

Where the proof fails, the published cell to hide is the one that widens it most: a sibling in the same period
(preferring those that grew most into and out of it), the cell's next or previous period, or its parent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from barometer.disclosure_config import DisclosureConfig
from barometer.disclosure_secondary import Cells, Hierarchy, hide

INF = math.inf


@dataclass(frozen=True)
class Tree:
    """The hierarchy as country → regions → municipalities (area indices)."""

    country: int
    regions: tuple[int, ...]
    munis_of: dict[int, tuple[int, ...]]
    region_of: dict[int, int]

    @classmethod
    def of(cls, hierarchy: Hierarchy) -> Tree:
        country, regions = hierarchy.equations[0]
        munis_of = {parent: children for parent, children in hierarchy.equations if parent in regions}
        return cls(country, regions, munis_of, {m: r for r, ms in munis_of.items() for m in ms})


class Series:
    """One cumulative item over its periods (in order): states, true values and increments per area."""

    def __init__(self, cells: list[Cells], tree: Tree) -> None:
        self.cells, self.tree, self.n = cells, tree, len(cells)
        self.value = [[c.qty[a][0] if c.qty[a] else None for a in range(len(c.state))] for c in cells]

    def hidden(self, a: int, i: int) -> bool:
        return 0 <= i < self.n and self.cells[i].state[a] == Cells.UNKNOWN

    def inc(self, a: int, i: int) -> float:
        """Events in area a from period i − 1 to i (from 0 before the first period); ∞ after the last."""
        if i >= self.n:
            return INF
        now, before = self.value[i][a], (self.value[i - 1][a] if i > 0 else 0.0)
        return 0.0 if now is None or before is None else max(0.0, now - before)

    def published(self, a: int, i: int) -> bool:
        return self.cells[i].state[a] == Cells.CANDIDATE

    def partners(self, a: int, i: int) -> list[int] | None:
        """Hidden municipalities that can offset a move of municipality a in period i, keeping every published
        sum (None: no published sum binds it). A published region is offset inside itself; a hidden (or absent)
        one moves along, and a published country is then offset by municipalities of other such regions."""
        tree = self.tree
        region = tree.region_of[a]
        if self.published(region, i):
            return [b for b in tree.munis_of[region] if b != a and self.hidden(b, i)]
        if not self.published(tree.country, i):
            return None
        return [b for r in tree.regions if not self.published(r, i) for b in tree.munis_of[r]
                if b != a and self.hidden(b, i)]

    def room(self, a: int, i: int, down: bool, outside: int | None = None) -> float:
        """How far the partners of a in period i can move (down: each by its increment into i; up: out of i).

        ``outside``: only partners outside this region (a move that must change the region's own value)."""
        found = self.partners(a, i)
        if found is None:
            return INF
        if outside is not None:
            found = [b for b in found if self.tree.region_of[b] != outside]
        return sum(self.inc(b, i if down else i + 1) for b in found)

    def move(self, a: int, i: int, up: bool, room: Callable[[int], float], along: tuple[int, ...] = ()) -> float:
        """The largest certified move of hidden a in period i, over runs of periods in which a (and ``along``:
        the region or country that moves with it) stay hidden; ``room(s)``: what partners absorb in period s."""
        best, limit, s = 0.0, INF, i
        while 0 <= s < self.n and self.hidden(a, s) and not any(self.published(x, s) for x in along):
            limit = min(limit, room(s))
            end = self.inc(a, s + 1) if up else self.inc(a, s)
            best = max(best, min(end, limit))
            if limit <= best:
                break
            s += 1 if up else -1
        return best

    def cell_width(self, a: int, i: int) -> float:
        """A lower bound of the width of the attacker's interval of hidden cell (a, period i)."""
        tree = self.tree
        if a in tree.region_of:  # a municipality
            return (self.move(a, i, True, lambda s: self.room(a, s, down=True))
                    + self.move(a, i, False, lambda s: self.room(a, s, down=False)))
        movers: list[tuple[int, tuple[int, ...], int | None]]
        if a in tree.munis_of:  # a region moves with a hidden municipality of its own, offset outside it
            movers = [(m, (a,), a) for m in tree.munis_of[a] if self.hidden(m, i)]
        else:  # the country moves with a municipality of a hidden region, and nothing offsets it
            movers = [(m, (tree.region_of[m], a), None) for m in tree.region_of
                      if self.hidden(m, i) and not self.published(tree.region_of[m], i)]
        up = down = 0.0
        for m, along, region in movers:
            up = max(up, self.move(m, i, True, partial(self._outside, m, region, True), along))
            down = max(down, self.move(m, i, False, partial(self._outside, m, region, False), along))
        return up + down

    def _outside(self, m: int, region: int | None, down: bool, s: int) -> float:
        """``room`` of m in period s from partners outside ``region`` (None: nothing binds the move)."""
        return INF if region is None else self.room(m, s, down=down, outside=region)

    def step_width(self, a: int, i: int) -> float:
        """A lower bound of the attacker's interval of municipality a's increment into period i, when a is hidden
        in periods i − 1 and i: moving a in one of the two periods only."""
        widths = []
        for s in (i - 1, i):
            up = min(self.inc(a, s + 1), self.room(a, s, down=True))
            down = min(self.inc(a, s), self.room(a, s, down=False))
            widths.append(up + down)
        return max(widths)


def _spare(series: Series, a: int, i: int, width: Callable[[], float], need: float) -> tuple[int, int] | None:
    """The published cell to hide so that hidden (a, period i) gets the most room, as (area, period index).

    Candidates, in order of preference: the siblings in period i, those that grew most into and out of i first
    (ties: the smaller count, then the lower area code); a's next and previous period (its run of hidden periods
    then reaches further: the limit was its own increment); its parent in period i. Each is tried (hidden, the
    width proved again, shown again): the first that makes it wide enough is chosen, else the first that widens
    it most (later rounds hide more); None if none helps.
    """
    tree = series.tree
    if a in tree.region_of:
        group: tuple[int, ...] = tree.munis_of[tree.region_of[a]]
        parent: int | None = tree.region_of[a]
    else:
        group, parent = (tree.regions, tree.country) if a in tree.munis_of else ((), None)
    siblings = sorted((b for b in group if b != a), key=lambda b: (-min(series.inc(b, i), series.inc(b, i + 1)),
                                                                  series.value[i][b] or 0.0, b))
    options = [(b, i) for b in siblings] + [(a, k) for k in (i + 1, i - 1) if 0 <= k < series.n]
    options += [(parent, i)] if parent is not None else []
    best, chosen = width(), None
    for area, k in options:
        cells = series.cells[k]
        if cells.state[area] != Cells.CANDIDATE:
            continue
        cells.state[area] = Cells.UNKNOWN
        try:
            gained = width()
        finally:
            cells.state[area] = Cells.CANDIDATE
        if gained >= need:
            return area, k
        if gained > best:
            best, chosen = gained, (area, k)
    return chosen


def protect_sums(by_period: dict[str, dict[str, Cells]], periods: list[str], hierarchy: Hierarchy,
                 config: DisclosureConfig, added_rows: set[int]) -> dict[str, set[str]]:
    """Hide cells of cumulative counts until every hidden cell, and every increment of a hidden municipality
    between two hidden periods, is certified to stay at least ``min_count`` wide to the attacker (or is 0,
    which could have been published). Returns the items hidden, by period."""
    need = config.counts.min_count
    tree = Tree.of(hierarchy)
    dirty: dict[str, set[str]] = {}
    for item in config.cumulative.items:
        chain = [p for p in periods if item in by_period[p]]
        if not chain:
            continue
        series = Series([by_period[p][item] for p in chain], tree)
        changed = True
        while changed:
            changed = False
            for i, cells in enumerate(series.cells):
                for a in range(len(cells.state)):
                    if not series.hidden(a, i):
                        continue
                    value = series.value[i][a]
                    if value is None:
                        continue  # came in suppressed, without numbers: nothing to judge it by
                    width: Callable[[], float] | None = None
                    if value != 0 and series.cell_width(a, i) < need:
                        width = partial(series.cell_width, a, i)
                    elif a in tree.region_of and series.hidden(a, i - 1) and series.inc(a, i) != 0 \
                            and series.step_width(a, i) < need:
                        width = partial(series.step_width, a, i)
                    spare = _spare(series, a, i, width, need) if width is not None else None
                    if spare is not None and hide(series.cells[spare[1]], spare[0], added_rows):
                        dirty.setdefault(chain[spare[1]], set()).add(item)
                        changed = True
    return dirty
