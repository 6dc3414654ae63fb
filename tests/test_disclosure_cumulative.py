"""Cumulative counts (N1, N12) attacked by linear programming over the area hierarchy and time.

The attacker knows every published count of a cumulative item in every period, that regions and the country are
exact sums of their municipalities, and that a cumulative count never falls (and is never negative). For each
hidden cell he solves two linear programs — the smallest and the largest value consistent with all of it — and
likewise for each increment of a municipality between two periods in which it is hidden. A finding is a hidden
cell (or increment) that is not 0 and that he narrows to fewer than ``[counts] min_count`` + 1 values.

The programs are solved by a small two-phase simplex (Bland's rule) written here, independent of the code under
test, which only proves lower bounds of these intervals from feasible alternatives; the bounds are rounded inwards
to whole numbers, as an attacker who knows that counts are whole would.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pyarrow as pa
import pytest

from barometer.disclosure import protect
from barometer.store.schema import observation_table
from tests.test_disclosure import COUNTRY, MUNIS, MUNIS_OF, REGIONS, obs, statuses
from tests.test_disclosure_attacker import HIERARCHY, random_denmark

INF = float("inf")
N12_PERIODS = [f"2016-07/{year}-09" for year in range(2021, 2025)]


# --- a small LP -----------------------------------------------------------------------------------------------

TOL = 1e-9


def _pivot(rows: np.ndarray, r: int, c: int) -> None:
    rows[r] /= rows[r, c]
    column = rows[:, c].copy()
    column[r] = 0.0
    rows -= np.outer(column, rows[r])


def _maximise(rows: np.ndarray, basis: list[int], cost: np.ndarray, columns: int) -> float:
    """Primal simplex on a feasible tableau (Bland's rule: no cycling); the optimum, or ∞ when unbounded."""
    while True:
        reduced = cost[basis] @ rows[:, :columns] - cost[:columns]
        negative = np.flatnonzero(reduced < -TOL)
        if not len(negative):
            return float(cost[basis] @ rows[:, -1])
        enter = int(negative[0])
        column = rows[:, enter]
        usable = np.flatnonzero(column > TOL)
        if not len(usable):
            return INF
        ratios = rows[usable, -1] / column[usable]
        ties = usable[ratios <= ratios.min() + TOL]
        leave = int(min(ties, key=lambda i: basis[i]))
        _pivot(rows, leave, enter)
        basis[leave] = enter


class Polytope:
    """{x ≥ 0 : rows} with rows (coefficients by variable, '=' or '<=', right-hand side); a feasible basis is found
    once (phase 1), then any linear objective is maximised from it (phase 2). Floating point with a tolerance:
    every coefficient is ±1 and every right-hand side a whole number of persons, so nothing is lost to rounding
    at this size."""

    def __init__(self, n: int, constraints: list[tuple[dict[int, int], str, float]]) -> None:
        slacks = sum(kind == "<=" for _, kind, _ in constraints)
        width = n + slacks + len(constraints)
        rows = np.zeros((len(constraints), width + 1))
        basis, s = [], n
        for i, (coef, kind, rhs) in enumerate(constraints):
            for v, c in coef.items():
                rows[i, v] = c
            if kind == "<=":
                rows[i, s] = 1.0
                s += 1
            rows[i, -1] = rhs
            if rhs < 0:
                rows[i] *= -1.0
            rows[i, n + slacks + i] = 1.0  # artificial
            basis.append(n + slacks + i)
        cost = np.zeros(width)
        cost[n + slacks:] = -1.0
        assert abs(_maximise(rows, basis, cost, width)) < 1e-7, "the published values themselves are feasible"
        keep = []
        for i, b in enumerate(basis):
            if b >= n + slacks:
                nonzero = np.flatnonzero(np.abs(rows[i, :n + slacks]) > TOL)
                if not len(nonzero):
                    continue  # a redundant equation
                _pivot(rows, i, int(nonzero[0]))
                basis[i] = int(nonzero[0])
            keep.append(i)
        self.rows = np.delete(rows[keep], np.s_[n + slacks:width], axis=1)
        self.basis = [basis[i] for i in keep]
        self.columns = n + slacks

    def maximum(self, objective: dict[int, int]) -> float:
        cost = np.zeros(self.columns)
        for v, c in objective.items():
            cost[v] = c
        return _maximise(self.rows.copy(), list(self.basis), cost, self.columns)


def whole_bounds(lo: float, hi: float) -> tuple[float, float]:
    """Counts are whole numbers: the attacker rounds the program's bounds inwards."""
    return float(math.ceil(lo - 1e-6)), (hi if hi == INF else float(math.floor(hi + 1e-6)))


# --- the attacker -----------------------------------------------------------------------------------------------


def attack(after: dict[tuple[str, str], dict], periods: list[str], item: str) -> tuple[dict, dict]:
    """The attacker's exact interval of every hidden cell (area, period) and of every increment of a municipality
    between consecutive periods in which it is hidden. ``after``: published rows by (area, period)."""
    def published(a: str, p: str) -> float | None:
        row = after.get((a, p))
        return row["value"] if row is not None and row["status"] == "ok" else None

    hidden = [(a, p) for p in periods for a in [COUNTRY, *REGIONS, *MUNIS]
              if (a, p) in after and after[(a, p)]["status"] == "suppressed"]
    index = {cell: k for k, cell in enumerate(hidden)}
    constraints: list[tuple[dict[int, int], str, float]] = []
    for p in periods:
        for parent, children in HIERARCHY:
            if (parent, p) not in after:
                continue  # no parent: the equation tells nothing (an absent child counts as 0, as in the engine)
            if parent == COUNTRY and children == MUNIS and all(published(a, p) is not None
                                                               for a in [COUNTRY, *REGIONS]):
                continue  # the sum of the region equations: adds nothing, and would join all regions in one program
            members = [(parent, 1), *((c, -1) for c in children if (c, p) in after)]
            if all(published(a, p) is not None for a, _ in members):
                continue
            coef = {index[(a, p)]: s for a, s in members if (a, p) in index}
            rhs = -sum(s * published(a, p) for a, s in members if (a, p) not in index)
            constraints.append((coef, "=", float(rhs)))
    for a in [COUNTRY, *REGIONS, *MUNIS]:
        for p, q in itertools.pairwise(periods):
            if ((a, p) not in index and (a, q) not in index) or (a, p) not in after or (a, q) not in after:
                continue  # x_p ≤ x_q between two published values: nothing to learn
            coef: dict[int, int] = {}
            rhs = 0.0
            for cell, sign in (((a, p), 1), ((a, q), -1)):
                if cell in index:
                    coef[index[cell]] = sign
                else:
                    rhs -= sign * published(*cell)
            constraints.append((coef, "<=", rhs))
    # connected parts are solved separately (much smaller programs)
    parent = list(range(len(hidden)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for coef, _, _ in constraints:
        vs = list(coef)
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
    parts: dict[int, list[int]] = {}
    for v in range(len(hidden)):
        parts.setdefault(find(v), []).append(v)
    cells, steps = {}, {}
    for members in parts.values():
        local = {v: k for k, v in enumerate(members)}
        mine = [({local[v]: c for v, c in coef.items()}, kind, rhs) for coef, kind, rhs in constraints
                if coef and find(next(iter(coef))) == find(members[0])]
        poly = Polytope(len(members), mine)
        for v in members:
            cells[hidden[v]] = whole_bounds(-poly.maximum({local[v]: -1}), poly.maximum({local[v]: 1}))
        for v in members:
            a, q = hidden[v]
            k = periods.index(q)
            if k and (a, periods[k - 1]) in index and a in MUNIS:
                u = local[index[(a, periods[k - 1])]]
                steps[(a, q)] = whole_bounds(-poly.maximum({local[v]: -1, u: 1}), poly.maximum({local[v]: 1, u: -1}))
    return cells, steps


def findings(before: pa.Table, out: pa.Table, item: str, min_count: int = 3) -> list[str]:
    truth = {(r["area_code"], r["period"]): r["numerator"] for r in before.to_pylist() if r["item_id"] == item}
    after = {(r["area_code"], r["period"]): r for r in out.to_pylist() if r["item_id"] == item}
    periods = sorted({p for _, p in after}, key=lambda p: (int(p.split("/")[-1][:4]), p))
    cells, steps = attack(after, periods, item)
    found = []
    for (a, p), (lo, hi) in sorted(cells.items()):
        assert lo <= truth[(a, p)] <= hi
        if truth[(a, p)] != 0 and hi - lo < min_count:
            found.append(f"{item} {a} {p}: {truth[(a, p)]:g} known to lie in [{lo:g}, {hi:g}]")
    for (a, p), (lo, hi) in sorted(steps.items()):
        k = periods.index(p)
        step = truth[(a, p)] - truth[(a, periods[k - 1])]
        assert lo <= step <= hi
        if step != 0 and hi - lo < min_count:
            found.append(f"{item} {a} {p}: increment {step:g} known to lie in [{lo:g}, {hi:g}]")
    return found


def test_the_lp_attacker_finds_what_is_there():
    """Two hidden municipalities whose region, previous and next values pin them (hidden by hand here)."""
    rows = []
    for p, (x, y) in zip(N12_PERIODS[1:], [(10, 20), (11, 21), (13, 23)], strict=True):
        rows += [obs("813", "N12", x, period=p), obs("849", "N12", y, period=p), obs("081", "N12", x + y, period=p)]
    table = observation_table(rows)
    hide = {("813", N12_PERIODS[2]), ("849", N12_PERIODS[2])}
    out = pa.Table.from_pylist([{**r, **({"value": None, "numerator": None, "status": "suppressed"}
                                          if (r["area_code"], r["period"]) in hide else {})}
                                for r in table.to_pylist()], schema=table.schema)
    assert findings(table, out, "N12") == ["N12 813 2016-07/2023-09: 11 known to lie in [10, 12]",
                                           "N12 849 2016-07/2023-09: 21 known to lie in [20, 22]"]


# --- the pattern found in a review: Frederikshavn (813) and Jammerbugt (849), July 2016 - September 2023 ------------


def n12_denmark(values: dict[str, list[int]], others: list[int], first: int = 0) -> list[dict]:
    """N12 over consecutive periods from ``N12_PERIODS[first]``: the given municipalities' series, every other one
    ``others``; regions and the country as sums."""
    rows = []
    for k, period in enumerate(N12_PERIODS[first:first + len(others)]):
        leaf = {m: values.get(m, others)[k] for m in MUNIS}
        region = {r: sum(leaf[m] for m in MUNIS_OF[r]) for r in REGIONS}
        rows += [obs(a, "N12", v, period=period) for a, v in [*leaf.items(), *region.items(),
                                                              (COUNTRY, sum(region.values()))]]
    return rows


# 2022, 2023, 2024: 813 and 849 grew by one course each into 2023 (hidden: a small increment), and by two each
# into 2024 (published again: 3 above 2022).
REVIEW = n12_denmark({"813": [10, 11, 13], "849": [20, 21, 23]}, [100, 110, 120], first=1)
# 2021-2024: 813 and 849 both hidden in 2022 and 2023, in which they grew by one course together.
SUM_OF_ONE = n12_denmark({"813": [10, 11, 11, 20], "849": [1, 1, 2, 30]}, [100, 110, 120, 130])


def test_two_hidden_municipalities_are_not_pinned_by_their_region_and_next_year():
    """The region gives 813 + 849 = 32 in 2023, so 813 ∈ [max(10, 32 − 23), min(13, 32 − 20)] = [10, 12]: known
    to ±1, and 849 likewise. The rule hides a third municipality of the region in 2023 (the one that grew most
    into and out of it; all others grew by 10: the lowest code, 773), after which 813 is anywhere in [10, 13]."""
    table = observation_table(REVIEW)
    out, summary = protect(table)
    hidden = {k[0::2] for k, s in statuses(out).items() if s == "suppressed"}
    assert hidden == {("813", "2016-07/2023-09"), ("849", "2016-07/2023-09"), ("773", "2016-07/2023-09")}
    assert summary.by_item["N12"].secondary == 3
    assert findings(table, out, "N12") == []


def test_a_hidden_pair_whose_sum_grew_by_one_takes_a_third():
    """Hidden in 2022 and 2023, 813 and 849 together grew by 1 into 2023, and 813 by 1 into 2022 beside 849's 0:
    their increments would be known to lie in [0, 1]. A third municipality (773) is hidden beside them."""
    table = observation_table(SUM_OF_ONE)
    out, _ = protect(table)
    hidden = {k[0::2] for k, s in statuses(out).items() if s == "suppressed"}
    assert {(a, p) for a, p in hidden if a not in ("813", "849")} >= {("773", "2016-07/2022-09"),
                                                                      ("773", "2016-07/2023-09")}
    assert findings(table, out, "N12") == []


@pytest.mark.parametrize(("rows", "expected"), [
    (REVIEW, ["N12 813 2016-07/2023-09: 11 known to lie in [10, 12]",
              "N12 849 2016-07/2023-09: 21 known to lie in [20, 22]"]),
    (SUM_OF_ONE, ["N12 813 2016-07/2022-09: increment 1 known to lie in [0, 1]",
                  "N12 849 2016-07/2023-09: increment 1 known to lie in [0, 1]"]),
])
def test_without_the_sum_rule_the_attacker_finds_the_leaks(monkeypatch, rows, expected):
    """The failing cases first: each series on its own passes the per-area rule, and the hierarchy rule is met in
    every period (two hidden cells with a sum of 3 or more), yet the attacker narrows them."""
    monkeypatch.setattr("barometer.disclosure.protect_sums", lambda *args: {})
    table = observation_table(rows)
    out, _ = protect(table)
    assert findings(table, out, "N12") == expected


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_lp_attacker_recovers_nothing_from_random_denmark(seed):
    """The attacker fixture's Denmark (N1 growing by 0-3 in most municipalities, some by up to 30), over four
    periods: every hidden N1 cell and increment stays at least min_count wide."""
    rows = [r for r in random_denmark(random.Random(seed), periods=4) if r["item_id"] == "N1"]
    table = observation_table(rows)
    out, summary = protect(table)
    assert summary.by_item["N1"].secondary > 0
    assert findings(table, out, "N1") == []


def test_the_lp_attacker_is_exact_on_a_hand_example():
    """x + y = 5, 0 ≤ x ≤ 3, y ≤ 4: x ∈ [1, 3] — and an unbounded direction."""
    poly = Polytope(2, [({0: 1, 1: 1}, "=", 5.0), ({0: 1}, "<=", 3.0), ({1: 1}, "<=", 4.0)])
    assert (-poly.maximum({0: -1}), poly.maximum({0: 1})) == (1, 3)
    assert Polytope(2, [({0: 1, 1: -1}, "=", 0.0)]).maximum({0: 1}) == INF
    # x − y = −2 (a '<=' with a negative side), x + y ≤ 10: x ∈ [0, 4]
    poly = Polytope(2, [({0: 1, 1: -1}, "=", -2.0), ({0: 1, 1: 1}, "<=", 10.0)])
    assert (-poly.maximum({0: -1}), poly.maximum({0: 1})) == (0, 4)


def test_a_hidden_region_and_its_municipalities_stay_wide():
    """A region whose courses are few (its own count small, hidden) and two of its municipalities growing by one:
    the region's cell, moved with its municipalities against the country, stays wide too."""
    small = MUNIS_OF["085"]
    values = {m: [0, 0, 0, 0] for m in small} | {small[0]: [1, 2, 3, 6], small[1]: [0, 1, 2, 2]}
    table = observation_table(n12_denmark(values, [100, 110, 120, 130]))
    out, _ = protect(table)
    assert ("085", N12_PERIODS[0]) in {k[0::2] for k, s in statuses(out).items() if s == "suppressed"}
    assert findings(table, out, "N12") == []
