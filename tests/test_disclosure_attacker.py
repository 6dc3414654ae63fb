"""The attacker: everything it can work out of a protected release from what the release publishes.

It knows every published count exactly, every published share and gap as printed (value at the catalogue's
decimals) with its interval, and — the worst case the rules assume — every denominator and every reference
group's numbers. From a printed value it works out the numerators that print the same (exact rational
arithmetic, independent of the code under test), checks that the interval narrows them no further, and then
propagates ranges through every equation it knows: the area hierarchy (exact row reduction for counts, interval
propagation for shares), a gap and its target group's rate, whole = part + rest, and consecutive values of a
cumulative count. A finding is a hidden small cell, a small sum of hidden cells or a nested pair's small rest
that it narrows to fewer than ``min_uncertainty`` + 1 possibilities.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pyarrow as pa
import pytest

from barometer.disclosure import CumulativeRule, LinkedRule, NestedRule, load_config, protect
from barometer.store.schema import observation_table
from barometer.uncertainty import add_intervals, gap_interval, rate_interval, z_value
from tests.test_disclosure import CAT, COUNTRY, MUNIS, MUNIS_OF, REGIONS, obs

TARGET_OF = {"1.1": "1.2", "7.1": "7.2"}  # a gap's target-group numbers are the linked rate's numbers
SHARES = ("1.2", "7.2", "N4", "3.3", "N15")
FRACTIONAL = {"7.2"}  # full-time persons: the numerator is not a whole number
AREAS = [COUNTRY, *REGIONS, *MUNIS]
HIERARCHY = [(COUNTRY, REGIONS), (COUNTRY, MUNIS)] + [(r, MUNIS_OF[r]) for r in REGIONS]
NESTED = ("3.3", "N15")  # whole, part
CUMULATIVE = "N1"
P = 3  # min_uncertainty
DENOMINATORS = set(load_config().publication.denominator_items)  # published, and assumed known anyway


def with_sums(leaf: dict[str, tuple]) -> dict[str, tuple]:
    """Municipal numbers plus regions and country as their exact sums (as the engine makes them)."""
    out = dict(leaf)
    for r in REGIONS:
        out[r] = tuple(map(sum, zip(*(leaf[m] for m in MUNIS_OF[r]), strict=True)))
    out[COUNTRY] = tuple(map(sum, zip(*(out[r] for r in REGIONS), strict=True)))
    return out


def random_rest(rng: random.Random, num: int, den: int) -> tuple[int, int]:
    """Whole minus part: mostly empty (the two populations coincide), sometimes small, sometimes large."""
    rden = min(rng.choices([0, rng.randint(1, 3), rng.randint(4, 200)], [6, 2, 2])[0], den)
    low, high = max(0, rden - (den - num)), min(rden, num)
    return rng.randint(low, high), rden


def random_denmark(rng: random.Random, periods: int = 3) -> list[dict]:
    """Several items and periods over the real 98 municipalities, with many small, zero and near-full cells,
    small and large regions; a cumulative count (N1) that often grows by 1 or 2, and a nested pair (3.3 ⊃ N15)
    with small and empty rests."""
    rows = []
    total = {m: rng.choice([0, 1, 2, 5, 40, rng.randint(0, 400)]) for m in MUNIS}
    small_region = rng.choice(REGIONS)  # a region whose rounding is narrow
    for period in (str(2015 + p) for p in range(periods)):
        total = {m: v + rng.choice([0, 0, 1, 2, 3, rng.randint(0, 30)]) for m, v in total.items()}
        leaf = {m: (rng.choice([0, 0, 1, 2, 3, 4, *[rng.randint(0, 400)] * 6]),) for m in MUNIS}
        for item, numbers in ((CUMULATIVE, {m: (v,) for m, v in total.items()}), ("8.1", leaf)):
            rows += [obs(a, item, *v, period=period) for a, v in with_sums(numbers).items()]

        def size(m: str, big: int) -> int:
            if m in MUNIS_OF[small_region]:
                return rng.choices([rng.randint(0, 25), rng.randint(20, 40)], [1, 3])[0]
            return rng.choices([rng.randint(0, 25), rng.randint(20, 60), rng.randint(50, big)], [1, 2, 5])[0]

        whole = {}
        for m in MUNIS:
            den = size(m, 2000)
            whole[m] = (rng.randint(0, den), den)
        part = {m: tuple(w - r for w, r in zip(whole[m], random_rest(rng, *whole[m]), strict=True)) for m in MUNIS}
        for item, numbers in zip(NESTED, (whole, part), strict=True):
            rows += [obs(a, item, *v, period=period) for a, v in with_sums(numbers).items()]
        for rate, gap in (("1.2", "1.1"), ("7.2", "7.1"), ("N4", None)):
            leaf = {}
            for m in MUNIS:
                den = size(m, 5000)
                num = rng.choices([rng.randint(0, min(den, 3)), den - rng.randint(0, min(den, 3)),
                                   rng.randint(0, den)], [1, 1, 6])[0]
                if rate in FRACTIONAL:
                    num = max(0.0, min(den, num + rng.choice([-0.5, 0.25, 0.0])))
                leaf[m] = (num, den)
            rows += [obs(a, rate, *v, period=period) for a, v in with_sums(leaf).items()]
            if gap:
                ref = {m: (rng.randint(500, 20000),) for m in MUNIS}
                ref = {m: (rng.choice([rng.randint(0, 3), rng.randint(3, d[0])]), d[0]) for m, d in ref.items()}
                ref[MUNIS[rng.randrange(98)]] = (10, 15)  # a reference group too small on its own
                rows += [obs(a, gap, *v, period=period)
                         for a, v in with_sums({m: leaf[m] + ref[m] for m in MUNIS}).items()]
    return rows


# --- what one printed share tells ------------------------------------------------------------------------------


def printed_range(value: float, decimals: int, a: Fraction, b: Fraction, den: float,
                  whole: bool) -> tuple[Fraction, Fraction]:
    """Numerators k in [0, den] whose figure a + b·k prints as ``value`` (rounded half away from zero).

    A figure x prints as v > 0 when v − h ≤ x < v + h, as v < 0 when v − h < x ≤ v + h, as 0 when |x| < h; the
    open ends only matter for whole-number numerators, which are rounded inwards.
    """
    v, h = Fraction(str(value)), Fraction(1, 2 * 10**decimals)
    ends = sorted(((v - h - a) / b, (v + h - a) / b))
    lo, hi = max(ends[0], Fraction(0)), min(ends[1], Fraction(den))
    if not whole:
        return lo, hi
    k_lo, k_hi = math.ceil(lo), math.floor(hi)

    def prints(k: int) -> bool:
        x = a + b * k
        return v - h <= x < v + h if v > 0 else (v - h < x <= v + h if v < 0 else -h < x < h)

    k_lo += 0 if prints(k_lo) else 1
    k_hi -= 0 if prints(k_hi) else 1
    return Fraction(k_lo), Fraction(k_hi)


def interval_at(kind: str, k: float, before: dict) -> tuple[float, float]:
    z = z_value()
    if kind == "rate":
        _, low, high = rate_interval(k, before["denominator"], z)
        return max(100 * low, 0.0), min(100 * high, 100.0)
    _, low, high = gap_interval(k, before["denominator"], before["ref_numerator"], before["ref_denominator"], z)
    return max(100 * low, -100.0), min(100 * high, 100.0)


def share_knowledge(item: str, before: dict, after: dict) -> tuple[Fraction, Fraction]:
    """The range of the target numerator a published share or gap gives away, after reading its interval too.

    The interval must be the same for every numerator of the range (else it would narrow it): the hull of the
    range's two ends (bounds move monotonically with the numerator), rounded outward — checked here."""
    decimals = CAT.item(item).decimals
    den = before["denominator"]
    if item in TARGET_OF:
        a, b = Fraction(100) * Fraction(before["ref_numerator"]) / Fraction(before["ref_denominator"]), \
            -Fraction(100) / Fraction(den)
    else:
        a, b = Fraction(0), Fraction(100) / Fraction(den)
    lo, hi = printed_range(after["value"], decimals, a, b, den, TARGET_OF.get(item, item) not in FRACTIONAL)
    assert lo <= Fraction(before["numerator"]) <= hi, (item, before, after)
    kind = "gap" if item in TARGET_OF else "rate"
    bounds = [interval_at(kind, float(k), before) for k in (lo, hi)]
    scale = 10**decimals
    expected = (math.floor(round(min(x[0] for x in bounds) * scale, 9)) / scale,
                math.ceil(round(max(x[1] for x in bounds) * scale, 9)) / scale)
    assert (after["ci_low"], after["ci_high"]) == expected, (item, after, expected)
    return lo, hi


def test_a_naive_interval_would_narrow_what_the_value_leaves_open():
    """The attacker is not toothless with intervals: 123 of 250 prints as 49 % (122 or 123 would), but the true
    interval rounded outward fits only one of them; the published, widened one fits both."""
    before = {"numerator": 123, "denominator": 250}
    lo, hi = printed_range(49.0, 0, Fraction(0), Fraction(100, 250), 250, True)
    assert (lo, hi) == (122, 123)
    naive = {k: (math.floor(interval_at("rate", k, before)[0]), math.ceil(interval_at("rate", k, before)[1]))
             for k in (122, 123)}
    assert naive[122] != naive[123]  # publishing the naive one would tell which
    out, _ = protect(add_intervals(observation_table([obs("101", "1.2", 123, 250)])))
    row = out.to_pylist()[0]
    assert share_knowledge("1.2", {**before, "ref_numerator": None}, row) == (122, 123)


# --- what the equations tell ------------------------------------------------------------------------------------


def determined(unknowns: list[str], equations: list[dict[str, int]]) -> set[str]:
    """Unknowns fixed by the linear equations (exact rational row reduction): e_i lies in their row space."""
    pivots: list[tuple[int, list[Fraction]]] = []
    for eq in equations:
        v = [Fraction(eq.get(u, 0)) for u in unknowns]
        for col, row in pivots:
            if v[col]:
                v = [x - v[col] * y for x, y in zip(v, row, strict=True)]
        col = next((i for i, x in enumerate(v) if x), None)
        if col is None:
            continue
        v = [x / v[col] for x in v]
        pivots = [(c, [x - r[col] * y for x, y in zip(r, v, strict=True)]) for c, r in pivots]
        pivots.append((col, v))
    out = set()
    for i, u in enumerate(unknowns):
        e = [Fraction(int(j == i)) for j in range(len(unknowns))]
        for col, row in pivots:
            if e[col]:
                e = [x - e[col] * y for x, y in zip(e, row, strict=True)]
        if not any(e):
            out.add(u)
    return out


def test_reduction_finds_what_an_attacker_would():
    assert determined(["x", "y"], [{"x": 1, "y": 1}, {"x": 1}]) == {"x", "y"}
    assert determined(["x", "y"], [{"x": 1, "y": 1}]) == set()
    assert determined(["p", "a", "q", "b"], [{"p": 1, "a": -1}, {"q": 1, "b": -1}, {"p": 1, "q": 1}]) == set()


def recoverable(known: set[str]) -> set[str]:
    """Areas whose (exactly published) counts follow from the hierarchy's equations."""
    unknowns = [a for a in AREAS if a not in known]
    equations = [eq for parent, children in HIERARCHY
                 if (eq := {a: c for a, c in [(parent, 1), *((ch, -1) for ch in children)] if a in unknowns})]
    return determined(unknowns, equations) if unknowns else set()


def fails_rate(num: float, den: float) -> bool:
    return den < 20 or num < 3 or den - num < 3


def primary_failure(row: dict) -> bool:
    """The default primary rule, written out again from docs/disclosure.md (a count of 0 passes)."""
    if row["denominator"] is None:
        return 0 < row["numerator"] < 3
    groups = [(row["numerator"], row["denominator"]), (row.get("ref_numerator"), row.get("ref_denominator"))]
    return any(fails_rate(n, d) for n, d in groups if d is not None)


def narrow(lo: Fraction, hi: Fraction, den: float) -> bool:
    """Fewer than P + 1 possibilities left (the whole group's, if it is smaller)."""
    return min(hi, Fraction(den)) - max(lo, Fraction(0)) < min(P, den)


def propagate(bounds: dict, equations: list[tuple[str, list[str]]]) -> None:
    """Tighten each unknown's range from every equation total = Σ parts until nothing moves (interval arithmetic,
    what an attacker without an LP solver gets; each step is sound)."""
    for _ in range(60):
        moved = False
        for total, parts in equations:
            lo = sum(bounds[p][0] for p in parts)
            hi = sum(bounds[p][1] for p in parts)
            new = (max(bounds[total][0], lo), min(bounds[total][1], hi))
            moved |= new != bounds[total]
            bounds[total] = new
            for p in parts:
                others_lo = lo - bounds[p][0]
                others_hi = hi - bounds[p][1]
                new = (max(bounds[p][0], bounds[total][0] - others_hi), min(bounds[p][1], bounds[total][1] - others_lo))
                moved |= new != bounds[p]
                bounds[p] = new
                lo, hi = others_lo + new[0], others_hi + new[1]
        if not moved:
            return


def share_findings(before: dict, after: dict, period: str) -> list[str]:
    """Ranges of every share's target numerator from what is printed, propagated through all equations."""
    findings: list[str] = []
    bounds: dict[tuple[str, str], tuple[Fraction, Fraction]] = {}
    for item in SHARES:
        for a in AREAS:
            den = before[(a, item, period)]["denominator"]
            bounds[(item, a)] = (Fraction(0), Fraction(den))
            for carrier in (item, *[g for g, t in TARGET_OF.items() if t == item]):
                row = after[(a, carrier, period)]
                if row["status"] == "ok":
                    assert row["numerator"] is None and row["ref_numerator"] is None, row
                    dens = (row["denominator"], row["ref_denominator"])
                    b = before[(a, carrier, period)]
                    assert dens == ((b["denominator"], b["ref_denominator"]) if carrier in DENOMINATORS
                                    else (None, None)), row
                    lo, hi = share_knowledge(carrier, before[(a, carrier, period)], row)
                    bounds[(item, a)] = (max(bounds[(item, a)][0], lo), min(bounds[(item, a)][1], hi))
    whole, part = NESTED
    equations = [((item, parent), [(item, c) for c in children]) for item in SHARES for parent, children in HIERARCHY]
    for a in AREAS:  # whole = part + rest, the rest never published: 0 ≤ rest ≤ its (known) size
        r_den = before[(a, whole, period)]["denominator"] - before[(a, part, period)]["denominator"]
        bounds[("rest", a)] = (Fraction(0), Fraction(r_den))
        equations.append(((whole, a), [(part, a), ("rest", a)]))
    equations += [(("rest", parent), [("rest", c) for c in children]) for parent, children in HIERARCHY]
    propagate(bounds, equations)
    for item in SHARES:
        for a in AREAS:
            b, row = before[(a, item, period)], after[(a, item, period)]
            if row["status"] == "suppressed" and b["denominator"] and fails_rate(b["numerator"], b["denominator"]) \
                    and narrow(*bounds[(item, a)], b["denominator"]):
                findings.append(f"{period} {item} {a}: hidden small cell narrowed to {bounds[(item, a)]}")
        for parent, children in HIERARCHY:  # a sum the attacker isolates: published parent minus known children
            if after[(parent, item, period)]["status"] != "ok":
                continue
            gone = [c for c in children if after[(c, item, period)]["status"] == "suppressed"]
            if not gone:
                continue
            rest = [c for c in children if c not in gone]
            lo = bounds[(item, parent)][0] - sum(bounds[(item, c)][1] for c in rest)
            hi = bounds[(item, parent)][1] - sum(bounds[(item, c)][0] for c in rest)
            num = sum(before[(c, item, period)]["numerator"] for c in gone)
            den = sum(before[(c, item, period)]["denominator"] for c in gone)
            if fails_rate(num, den) and narrow(lo, hi, den):
                findings.append(f"{period} {item} {parent}: small sum {num}/{den} of hidden {gone} in [{lo}, {hi}]")
    for a in AREAS:
        w, p = before[(a, whole, period)], before[(a, part, period)]
        num, den = w["numerator"] - p["numerator"], w["denominator"] - p["denominator"]
        if den > 0 and fails_rate(num, den) and narrow(*bounds[("rest", a)], den):
            findings.append(f"{period} {a}: rest {num}/{den} of the nested pair narrowed to {bounds[('rest', a)]}")
    return findings


def count_findings(before: dict, after: dict, periods: list[str]) -> list[str]:
    """Counts are published exactly: differencing (row reduction) and consecutive values of a cumulative one."""
    findings = []
    known_by: dict[tuple[str, str], set[str]] = {}
    for period in periods:
        for item in (CUMULATIVE, "8.1"):
            known = {a for a in AREAS if after[(a, item, period)]["status"] == "ok"}
            recovered = recoverable(known)
            known_by[item, period] = known | recovered
            findings += [f"{period} {item} {a}: recovered by differencing" for a in sorted(recovered)]
            for parent, children in HIERARCHY:
                gone = [c for c in children if c not in known]
                if parent in known and gone:
                    total = sum(before[(c, item, period)]["numerator"] for c in gone)
                    if len(gone) < 2 or 0 < total < 3:
                        findings.append(f"{period} {item} {parent}: sum {total} of hidden {gone}")
    for a in AREAS:
        last, gap = None, False
        for period in periods:
            if a not in known_by[CUMULATIVE, period]:
                gap = True
                continue
            value = before[(a, CUMULATIVE, period)]["numerator"]
            if last is not None and (0 < abs(value - last) < 3 or (value == last and gap)):
                findings.append(f"{period} {a}: increment {value - last} of {CUMULATIVE} revealed"
                                + (" (and the hidden value between)" if gap else ""))
            last, gap = value, False
    return findings


def attacker_findings(table: pa.Table, out: pa.Table) -> list[str]:
    before = {(r["area_code"], r["item_id"], r["period"]): r for r in table.to_pylist()}
    after = {(r["area_code"], r["item_id"], r["period"]): r for r in out.to_pylist()}
    periods = sorted({k[2] for k in after})
    findings = count_findings(before, after, periods)
    for period in periods:
        findings += share_findings(before, after, period)
    return findings


def protected(seed: int, config=None, periods: int = 3) -> tuple[pa.Table, pa.Table, object]:
    table = add_intervals(observation_table(random_denmark(random.Random(seed), periods)))
    out, summary = protect(table, config)
    return table, out, summary


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_attacker_recovers_nothing(seed):
    table, out, summary = protected(seed)
    before = {(r["area_code"], r["item_id"], r["period"]): r for r in table.to_pylist()}
    after = {(r["area_code"], r["item_id"], r["period"]): r for r in out.to_pylist()}
    hidden = {k for k, r in after.items() if r["status"] == "suppressed"}
    assert summary.secondary > 0 and 0 < len(hidden) < len(after)
    assert sum(s.primary + s.secondary for s in summary.by_item.values()) == len(hidden)
    for key, row in after.items():
        b = before[key]
        if key in hidden:
            continue
        if b["denominator"] == 0 or b.get("ref_denominator") == 0:  # a share over nobody: missing, no numbers
            assert row["status"] == "missing" and row["value"] is None
        elif CAT.item(key[1]).unit == "count":
            assert row == b  # counts are published exactly as computed
        else:  # shares: the printed value and its widened interval, nothing else (checked in share_knowledge)
            assert row["value"] == round(b["value"]) or abs(row["value"] - b["value"]) <= 0.5
            assert row["numerator"] is row["ref_numerator"] is None
            assert (row["denominator"] is None) == (key[1] not in DENOMINATORS)
        if primary_failure(b) and key[1] != "8.1" and b["denominator"] != 0 and b.get("ref_denominator") != 0:
            assert key in hidden, key
    assert not any(k[1] == "8.1" for k in hidden)  # exempt: public lists
    for gap, rate in TARGET_OF.items():  # a gap and its target group's rate are hidden together
        assert {k[0::2] for k in hidden if k[1] == gap} == {k[0::2] for k in hidden if k[1] == rate}
    assert attacker_findings(table, out) == []


def test_the_attacker_finds_nested_and_time_leaks_without_their_rules():
    """With hierarchy and linked rules on but the nested and cumulative rules off, the attacker finds each leak."""
    off = load_config().model_copy(update={"nested": NestedRule(), "cumulative": CumulativeRule()})
    table, out, _ = protected(1, off)
    findings = attacker_findings(table, out)
    for kind in ("of the nested pair narrowed", f"of {CUMULATIVE} revealed", "the hidden value between"):
        assert any(kind in f for f in findings), kind
    assert not any("by differencing" in f for f in findings)  # the hierarchy rules alone still hold


@pytest.mark.parametrize(("seed", "periods", "kinds"), [
    (1, 1, ("by differencing",)),
    (6, 2, ("hidden small cell narrowed", "small sum")),
])
def test_the_attacker_does_find_leaks_without_secondary_suppression(monkeypatch, seed, periods, kinds):
    """The attacker is not toothless: with primary suppression only it recovers counts by differencing, and in
    the small region narrows hidden shares and sums of them (seeds found by trying 1–8; the rounding of the
    large regions protects most hidden shares on its own)."""
    monkeypatch.setattr("barometer.disclosure_secondary.protect_equation", lambda *args: [])
    monkeypatch.setattr("barometer.disclosure.protect_sums", lambda *args: {})  # it protects N1's sums too
    table, out, _ = protected(seed, load_config().model_copy(update={"linked": LinkedRule()}), periods=periods)
    findings = attacker_findings(table, out)
    for kind in kinds:
        assert any(kind in f for f in findings), kind
