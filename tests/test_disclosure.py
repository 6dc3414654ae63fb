"""Disclosure control: primary thresholds, secondary suppression, config loading, and an attacker who differences."""

from __future__ import annotations

import random
from fractions import Fraction

import pyarrow as pa
import pytest

from barometer.catalogue import load_catalogue
from barometer.disclosure import (
    CumulativeRule,
    DisclosureConfig,
    DisclosureConfigError,
    LinkedRule,
    NestedRule,
    RateRule,
    load_config,
    protect,
)
from barometer.engine.definitions.key_figures import KEY_FIGURES
from barometer.engine.periods import bounds
from barometer.store.schema import OBSERVATION_SCHEMA, observation_table

CAT = load_catalogue()
COUNTRY = CAT.country.code
REGIONS = sorted(r.code for r in CAT.regions)
MUNIS_OF = {r: sorted(m.code for m in CAT.municipalities if m.region == r) for r in REGIONS}
MUNIS = sorted(m.code for m in CAT.municipalities)
AALBORG = "851"  # any municipality will do


def obs(area: str, item: str, num=None, den=None, rnum=None, rden=None, period="2023", value=None, status="ok"):
    """One engine row, value derived from the numbers the way the engine does."""
    unit = CAT.item(item).unit
    if value is None and status == "ok":
        if unit == "count":
            value = num
        elif unit == "pct":
            value = 100 * num / den if den else None
        else:
            value = 100 * rnum / rden - 100 * num / den if den and rden else None
    return {"area_code": area, "item_id": item, "period": period, "value": value, "numerator": num,
            "denominator": den if unit != "count" else None, "ref_numerator": rnum, "ref_denominator": rden,
            "status": status if value is not None or status != "ok" else "missing", "source": "engine"}


def statuses(table: pa.Table) -> dict[tuple[str, str, str], str]:
    return {(r["area_code"], r["item_id"], r["period"]): r["status"] for r in table.to_pylist()}


# --- config -----------------------------------------------------------------------------------------------------


def test_packaged_defaults_are_the_documented_ones():
    cfg = load_config()
    assert (cfg.rates.min_denominator, cfg.rates.min_numerator, cfg.rates.min_complement) == (20, 3, 3)
    assert cfg.counts.min_count == 3
    assert set(cfg.counts.exempt_items) == {"8.1", "8.2", "8.3"}
    assert {frozenset(g) for g in cfg.linked.groups} == {frozenset({"1.1", "1.2"}), frozenset({"7.1", "7.2"})}
    assert cfg.nested.pairs == (("3.3", "N15"),)
    assert set(cfg.cumulative.items) == {"N1", "N12"}


def test_cumulative_items_are_the_cumulative_key_figures():
    """The engine's definitions say which figures are cumulative; a range reaching back over a year is one too."""
    said = {d.id for d in KEY_FIGURES if "cumulative" in d.reference.lower()}
    multi_year = {k.id for k in CAT.key_figures for code in k.reference_period.values()
                  if bounds(code)[0].year < bounds(code)[1].year}
    assert said == {"N1", "N12"} and multi_year <= said  # N7, N18: ranges within one year, not cumulative
    assert set(load_config().cumulative.items) == said


@pytest.mark.parametrize(("update", "fragment"), [
    ({"nested": NestedRule(pairs=(("3.3", "N9"),))}, "[nested] pairs: '3.3' and 'N9'"),
    ({"nested": NestedRule(pairs=(("3.3", "99.9"),))}, "'99.9'"),
    ({"cumulative": CumulativeRule(items=("N4",))}, "[cumulative] items: 'N4'"),
])
def test_config_items_that_cannot_be_nested_or_cumulative_are_named(update, fragment):
    with pytest.raises(DisclosureConfigError) as err:
        protect(observation_table([obs(AALBORG, "1.2", 40, 100)]), load_config().model_copy(update=update))
    assert fragment in str(err.value)


def test_user_file_overrides_only_its_keys(tmp_path):
    path = tmp_path / "strict.toml"
    path.write_text("[rates]\nmin_numerator = 5\n[counts]\nmin_count = 5\n")
    cfg = load_config(path)
    assert (cfg.rates.min_denominator, cfg.rates.min_numerator, cfg.counts.min_count) == (20, 5, 5)
    assert cfg.counts.exempt_items == load_config().counts.exempt_items
    assert cfg.digest() != load_config().digest()


@pytest.mark.parametrize(("text", "fragment"), [
    (None, "not found"),
    ("[rates\n", "not valid TOML"),
    ("[rates]\nmin_numerator = -1\n", "min_numerator"),
    ("[rates]\nmin_numerater = 5\n", "min_numerater"),
])
def test_bad_config_file_names_file_and_problem(tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(DisclosureConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


# --- primary suppression (one municipality alone: no hierarchy equation applies) ----------------------------------

RATE_CASES = [  # numerator, denominator, suppressed with defaults (den < 20, num < 3, den − num < 3)
    (10, 20, False), (10, 19, True), (3, 20, False), (2, 20, True), (0, 50, True), (17, 20, False),
    (18, 20, True), (20, 20, True), (0, 0, True), (2.5, 40, True), (3.0, 40, False), (36.9, 40, False),
    (37.5, 40, True),  # full-time persons: complement 2.5 < 3
]


@pytest.mark.parametrize(("num", "den", "hidden"), RATE_CASES)
def test_rate_thresholds(num, den, hidden):
    out, summary = protect(observation_table([obs(AALBORG, "7.2", num, den, value=1.0)]))
    assert statuses(out)[(AALBORG, "7.2", "2023")] == ("suppressed" if hidden else "ok")
    assert summary.by_item["7.2"].primary == int(hidden)


@pytest.mark.parametrize(("count", "hidden"), [(0, True), (2, True), (3, False), (250, False)])
def test_count_thresholds(count, hidden):
    out, _ = protect(observation_table([obs(AALBORG, "N1", count)]))
    assert statuses(out)[(AALBORG, "N1", "2023")] == ("suppressed" if hidden else "ok")


@pytest.mark.parametrize(("count", "hidden_at_5"), [(3, True), (4, True), (5, False)])
def test_thresholds_are_configurable(count, hidden_at_5):
    cfg = DisclosureConfig(rates=RateRule(min_numerator=5, min_complement=5))
    cfg = cfg.model_copy(update={"counts": cfg.counts.model_copy(update={"min_count": 5})})
    out, _ = protect(observation_table([obs(AALBORG, "N1", count), obs(AALBORG, "1.2", count, 100)]), cfg)
    assert statuses(out)[(AALBORG, "N1", "2023")] == ("suppressed" if hidden_at_5 else "ok")
    assert statuses(out)[(AALBORG, "1.2", "2023")] == ("suppressed" if hidden_at_5 else "ok")


def test_housing_area_counts_are_public_even_when_zero():
    out, summary = protect(observation_table([obs(AALBORG, "8.1", 0), obs(AALBORG, "8.3", 1)]))
    assert set(statuses(out).values()) == {"ok"}
    assert out.column("value").to_pylist() == [0, 1] and summary.primary == 0


@pytest.mark.parametrize(("num", "den", "rnum", "rden", "hidden"), [
    (40, 100, 800, 1000, False),
    (2, 100, 800, 1000, True),   # target numerator small
    (40, 100, 18, 19, True),     # reference group small
    (40, 100, 998, 1000, True),  # reference complement small
])
def test_gap_rule_applies_to_both_groups(num, den, rnum, rden, hidden):
    out, _ = protect(observation_table([obs(AALBORG, "1.1", num, den, rnum, rden)]))
    assert statuses(out)[(AALBORG, "1.1", "2023")] == ("suppressed" if hidden else "ok")


def test_suppressed_rows_carry_no_number_and_others_are_untouched():
    rows = [obs(AALBORG, "1.2", 1, 100), obs("101", "1.2", 50, 100)]
    rows[0].update(ci_low=0.1, ci_high=5.0, published_development=1.0)
    table = observation_table(rows)
    out, _ = protect(table)
    assert out.schema.equals(OBSERVATION_SCHEMA)
    hidden = next(r for r in out.to_pylist() if r["area_code"] == AALBORG)
    assert hidden["status"] == "suppressed"
    assert all(v is None for k, v in hidden.items() if k not in ("area_code", "item_id", "period", "status", "source"))
    assert next(r for r in out.to_pylist() if r["area_code"] == "101") == \
        next(r for r in table.to_pylist() if r["area_code"] == "101")


def test_rows_without_numbers_and_other_statuses_are_left_alone():
    rows = [obs(AALBORG, "1.2", value=55.0), obs("101", "1.2", status="not_computed"),
            obs("147", "1.2", status="suppressed")]
    out, summary = protect(observation_table(rows))
    assert [r["status"] for r in out.to_pylist()] == ["not_computed", "suppressed", "ok"]  # 101, 147, 851
    assert summary.by_item["1.2"].primary == 1  # the already-suppressed row counts as primary


# --- secondary suppression on hand-made hierarchies ---------------------------------------------------------------


def region_table(item: str, munis: dict[str, tuple], region: str = "081") -> list[dict]:
    """One region with the given municipalities' numbers (the rest 100/1000), the region and country as sums."""
    rows, total = [], None
    for m in MUNIS_OF[region]:
        nums = munis.get(m, (100, 1000) if CAT.item(item).unit != "count" else (100,))
        rows.append(obs(m, item, *nums))
        total = nums if total is None else tuple(a + b for a, b in zip(total, nums, strict=True))
    rows.append(obs(region, item, *total))
    return rows


def test_a_single_hidden_municipality_takes_the_smallest_sibling_with_it():
    m = MUNIS_OF["081"]  # North Jutland
    rows = region_table("1.2", {m[0]: (1, 30), m[3]: (20, 200), m[5]: (20, 200), m[7]: (30, 250)})
    out, summary = protect(observation_table(rows))
    hidden = {k[0] for k, s in statuses(out).items() if s == "suppressed"}
    assert hidden == {m[0], m[3]}  # m[3] and m[5] tie on denominator 200: the lower code goes
    assert (summary.by_item["1.2"].primary, summary.by_item["1.2"].secondary) == (1, 1)


def test_two_hidden_zero_counts_are_not_left_alone():
    m = MUNIS_OF["081"]
    rows = region_table("N1", {m[0]: (0,), m[1]: (0,), m[2]: (7,), m[4]: (5,)})
    out, _ = protect(observation_table(rows))
    hidden = {k[0] for k, s in statuses(out).items() if s == "suppressed"}
    assert hidden == {m[0], m[1], m[4]}  # region − published = 0 would prove both zero; add the smallest (5)


def test_a_sum_of_zeros_pulls_in_the_only_published_municipality():
    m = MUNIS_OF["081"]
    rows = region_table("N1", {x: (5,) if x == m[0] else (0,) for x in m})
    out, _ = protect(observation_table(rows))
    st = statuses(out)
    assert st[("081", "N1", "2023")] == "ok"  # region 5 is safe; its municipalities all go, or the 0s show
    assert all(st[(x, "N1", "2023")] == "suppressed" for x in m)


def test_a_hidden_parent_with_published_children_loses_its_smallest_child():
    m = MUNIS_OF["081"]
    rows = region_table("1.2", {m[2]: (10, 100)})
    rows[-1] = obs("081", "1.2", status="suppressed")  # e.g. hidden upstream
    out, summary = protect(observation_table(rows))
    assert {k[0] for k, s in statuses(out).items() if s == "suppressed"} == {"081", m[2]}
    assert summary.by_item["1.2"].secondary == 1


def test_a_cell_hidden_upstream_is_protected_like_any_other():
    m = MUNIS_OF["081"]
    rows = region_table("N1", {m[4]: (40,), m[6]: (30,)})
    rows[2] = obs(m[2], "N1", status="suppressed")  # no numbers: the rule cannot know its size
    out, summary = protect(observation_table(rows))
    assert {k[0] for k, s in statuses(out).items() if s == "suppressed"} == {m[2], m[6]}
    assert (summary.by_item["N1"].primary, summary.by_item["N1"].secondary) == (1, 1)


def test_linked_items_are_hidden_together():
    rows = [obs(AALBORG, "1.1", 40, 100, 18, 19), obs(AALBORG, "1.2", 40, 100),
            obs(AALBORG, "7.2", 1.5, 100), obs(AALBORG, "7.1", 30, 100, 300, 1000)]
    out, summary = protect(observation_table(rows))
    assert set(statuses(out).values()) == {"suppressed"}
    assert summary.by_item["1.2"].secondary == 1 and summary.by_item["7.1"].secondary == 1


# --- a group and its part (nested items) ------------------------------------------------------------------------


@pytest.mark.parametrize(("whole", "part", "hidden"), [
    ((39, 80), (38, 79), {"3.3", "N15"}),    # the reviewer's case: the one other participant passed (rest 1/1)
    ((21, 38), (21, 37), {"3.3", "N15"}),    # ... or failed (rest 0/1)
    ((39, 80), (39, 80), set()),             # identical: the rest is empty, nothing new
    ((100, 200), (60, 150), set()),          # rest 40/50 passes the rule itself
    ((40, 200), (2, 100), {"N15"}),          # part small, rest 38/100 safe: the whole still hides the part
    ((3, 100), (2, 99), {"3.3", "N15"}),     # part small, rest 1/1: the published whole would pin it down
])
def test_a_nested_pair_never_shows_a_small_rest(whole, part, hidden):
    rows = [obs(COUNTRY, "3.3", *whole, period="2019"), obs(COUNTRY, "N15", *part, period="2019")]
    out, _ = protect(observation_table(rows))
    assert {k[1] for k, s in statuses(out).items() if s == "suppressed"} == hidden


def test_without_the_nested_rule_the_rest_shows():
    rows = [obs(COUNTRY, "3.3", 39, 80, period="2019"), obs(COUNTRY, "N15", 38, 79, period="2019")]
    out, _ = protect(observation_table(rows), load_config().model_copy(update={"nested": NestedRule()}))
    assert set(statuses(out).values()) == {"ok"}


def test_a_part_hidden_beside_an_identical_whole_takes_the_whole_and_its_hierarchy_along():
    m = MUNIS_OF["081"]
    whole = region_table("3.3", {m[0]: (30, 260)})
    part = region_table("N15", {m[0]: (2, 200)})  # primary; rest 28/60 is safe, so 3.3 in m[0] could stay ...
    out, summary = protect(observation_table(whole + part))
    hidden = {k[:2] for k, s in statuses(out).items() if s == "suppressed"}
    # ... but N15's smallest sibling m[1] is identical to 3.3 there (empty rest): 3.3 goes in m[1] too, and
    # 3.3's region equation then needs a second hidden cell: its smallest, m[0].
    assert hidden == {(m[0], "N15"), (m[1], "N15"), (m[1], "3.3"), (m[0], "3.3")}
    assert (summary.by_item["N15"].primary, summary.by_item["3.3"].secondary) == (1, 2)


# --- cumulative counts over time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "hidden"), [
    ([10, 11, 11, 20], {"2021-08-31", "2022-08-31"}),  # +1: hidden; next compared with 10 again: +1, hidden
    ([10, 10, 13, 15], {"2023-08-31"}),               # +0 says nothing; +3 is safe; +2 is not
    ([10, None, 10, 15], {"2021-08-31", "2022-08-31"}),  # hidden upstream between equal values: it would show
    ([2, 5, 6, 9], {"2020-08-31", "2022-08-31"}),     # 2 primary; 5 has no published predecessor; 6 − 5 = 1
])
def test_small_increments_of_a_cumulative_count_are_hidden(values, hidden):
    periods = ["2020-08-31", "2021-08-31", "2022-08-31", "2023-08-31"]
    rows = [obs(AALBORG, "N1", v, period=p) if v is not None else obs(AALBORG, "N1", period=p, status="suppressed")
            for p, v in zip(periods, values, strict=True)]
    out, _ = protect(observation_table(rows[::-1]))  # input order does not matter: periods are sorted
    assert {k[2] for k, s in statuses(out).items() if s == "suppressed"} == hidden


def test_cumulative_ranges_are_ordered_by_their_end():
    periods = ["2016-07/2021-09", "2016-07/2019-09", "2016-07/2020-09"]
    rows = [obs(AALBORG, "N12", v, period=p) for p, v in zip(periods, [30, 20, 21], strict=True)]
    out, _ = protect(observation_table(rows))
    assert {k[2] for k, s in statuses(out).items() if s == "suppressed"} == {"2016-07/2020-09"}
    out, _ = protect(observation_table(rows), load_config().model_copy(update={"cumulative": CumulativeRule()}))
    assert set(statuses(out).values()) == {"ok"}


def test_an_increment_hidden_in_a_municipality_is_protected_in_its_region():
    m = MUNIS_OF["081"]
    rows = []
    for period, small, other in (("2022", 50, 100), ("2023", 51, 104)):
        rows += [{**r, "period": period} for r in region_table("N1", {m[2]: (small,), m[5]: (other,)})]
    out, summary = protect(observation_table(rows))
    # 2023: m[2] grew by 1 and is hidden; the region grew by 5 and is published, so m[2]'s smallest published
    # sibling goes too (the others have 100: the lowest code, m[0]).
    assert {(k[0], k[2]) for k, s in statuses(out).items() if s == "suppressed"} == {(m[2], "2023"), (m[0], "2023")}
    assert summary.by_item["N1"].secondary == 2


@pytest.mark.parametrize(("column", "value", "fragment"), [
    ("area_code", "999", "unknown area_code '999'"),
    ("item_id", "99.9", "unknown item_id '99.9'"),
])
def test_unknown_codes_are_named(column, value, fragment):
    rows = [obs(AALBORG, "1.2", 40, 100)]
    rows.append({**rows[0], column: value})
    with pytest.raises(ValueError, match=fragment.replace(".", r"\.")):
        protect(observation_table(rows))


def test_duplicates_and_missing_columns_are_named():
    row = obs(AALBORG, "1.2", 40, 100)
    dup = pa.Table.from_pylist([row, row], schema=OBSERVATION_SCHEMA)
    with pytest.raises(ValueError, match="duplicate observation"):
        protect(dup)
    with pytest.raises(ValueError, match="ci_low"):
        protect(dup.slice(0, 1).drop_columns(["ci_low"]))


# --- the attacker ------------------------------------------------------------------------------------------------

TARGET_OF = {"1.1": "1.2", "7.1": "7.2"}  # a gap's target-group numbers are the linked rate's numbers
AREAS = [COUNTRY, *REGIONS, *MUNIS]
HIERARCHY = [(COUNTRY, REGIONS), (COUNTRY, MUNIS)] + [(r, MUNIS_OF[r]) for r in REGIONS]


def with_sums(leaf: dict[str, tuple]) -> dict[str, tuple]:
    """Municipal numbers plus regions and country as their exact sums (as the engine makes them)."""
    out = dict(leaf)
    for r in REGIONS:
        out[r] = tuple(map(sum, zip(*(leaf[m] for m in MUNIS_OF[r]), strict=True)))
    out[COUNTRY] = tuple(map(sum, zip(*(out[r] for r in REGIONS), strict=True)))
    return out


NESTED = ("3.3", "N15")  # whole, part
CUMULATIVE = "N1"


def random_rest(rng: random.Random, num: int, den: int) -> tuple[int, int]:
    """Whole minus part: mostly empty (the two populations coincide), sometimes small, sometimes large."""
    rden = rng.choices([0, rng.randint(1, 3), rng.randint(4, 200)], [6, 2, 2])[0]
    rden = min(rden, den)
    low, high = max(0, rden - (den - num)), min(rden, num)
    return rng.randint(low, high), rden


def random_denmark(rng: random.Random, periods: int = 3) -> list[dict]:
    """Several items and periods over the real 98 municipalities, with many small, zero and near-full cells; a
    cumulative count (N1) that often grows by 1 or 2, and a nested pair (3.3 ⊃ N15) with small and empty rests."""
    rows = []
    total = {m: rng.choice([0, 1, 2, 5, 40, rng.randint(0, 400)]) for m in MUNIS}
    for period in (str(2015 + p) for p in range(periods)):
        total = {m: v + rng.choice([0, 0, 1, 2, 3, rng.randint(0, 30)]) for m, v in total.items()}
        leaf = {m: (rng.choice([0, 0, 1, 2, 3, 4, *[rng.randint(0, 400)] * 6]),) for m in MUNIS}
        for item, numbers in ((CUMULATIVE, {m: (v,) for m, v in total.items()}), ("8.1", leaf)):
            rows += [obs(a, item, *v, period=period) for a, v in with_sums(numbers).items()]
        whole = {}
        for m in MUNIS:
            den = rng.choices([rng.randint(0, 25), rng.randint(20, 60), rng.randint(50, 2000)], [1, 2, 5])[0]
            whole[m] = (rng.randint(0, den), den)
        part = {m: tuple(w - r for w, r in zip(whole[m], random_rest(rng, *whole[m]), strict=True)) for m in MUNIS}
        for item, numbers in zip(NESTED, (whole, part), strict=True):
            rows += [obs(a, item, *v, period=period) for a, v in with_sums(numbers).items()]
        for rate, gap in (("1.2", "1.1"), ("7.2", "7.1"), ("N4", None)):
            leaf = {}
            for m in MUNIS:
                den = rng.choices([rng.randint(0, 25), rng.randint(20, 60), rng.randint(50, 5000)], [1, 2, 5])[0]
                num = rng.choices([rng.randint(0, min(den, 3)), den - rng.randint(0, min(den, 3)),
                                   rng.randint(0, den)], [1, 1, 6])[0]
                if rate == "7.2":  # full-time persons are fractional
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


def determined(unknowns: list[str], equations: list[dict[str, int]]) -> set[str]:
    """Unknowns fixed by the linear equations (exact rational row reduction): e_i lies in their row space."""
    pivots: list[tuple[int, list[Fraction]]] = []
    for eq in equations:
        v = [Fraction(eq.get(u, 0)) for u in unknowns]
        for col, row in pivots:
            if v[col]:
                v = [a - v[col] * b for a, b in zip(v, row, strict=True)]
        col = next((i for i, a in enumerate(v) if a), None)
        if col is None:
            continue
        v = [a / v[col] for a in v]
        pivots = [(c, [a - r[col] * b for a, b in zip(r, v, strict=True)]) for c, r in pivots]
        pivots.append((col, v))
    out = set()
    for i, u in enumerate(unknowns):
        e = [Fraction(int(j == i)) for j in range(len(unknowns))]
        for col, row in pivots:
            if e[col]:
                e = [a - e[col] * b for a, b in zip(e, row, strict=True)]
        if not any(e):
            out.add(u)
    return out


def test_reduction_finds_what_an_attacker_would():
    # x + y = k and x = k' pin down both; x + y = k alone pins down neither.
    assert determined(["x", "y"], [{"x": 1, "y": 1}, {"x": 1}]) == {"x", "y"}
    assert determined(["x", "y"], [{"x": 1, "y": 1}]) == set()
    assert determined(["p", "a", "q", "b"], [{"p": 1, "a": -1}, {"q": 1, "b": -1}, {"p": 1, "q": 1}]) == set()


def recoverable(known: set[str]) -> set[str]:
    """Areas whose additive numbers (numerator, denominator or count) follow from the hierarchy's equations."""
    unknowns = [a for a in AREAS if a not in known]
    equations = [eq for parent, children in HIERARCHY
                 if (eq := {a: c for a, c in [(parent, 1), *((ch, -1) for ch in children)] if a in unknowns})]
    return determined(unknowns, equations) if unknowns else set()


def primary_failure(row: dict) -> bool:
    """The default primary rule, written out again from docs/disclosure.md."""
    if row["denominator"] is None:
        return row["numerator"] < 3
    groups = [(row["numerator"], row["denominator"]), (row.get("ref_numerator"), row.get("ref_denominator"))]
    return any(d < 20 or n < 3 or d - n < 3 for n, d in groups if d is not None)


def attacker_findings(table: pa.Table, out: pa.Table) -> list[str]:
    """Everything the attacker gets out of the published release that it should not; empty when protected."""
    before = {(r["area_code"], r["item_id"], r["period"]): r for r in table.to_pylist()}
    after = {(r["area_code"], r["item_id"], r["period"]): r for r in out.to_pylist()}
    hidden = {k for k, r in after.items() if r["status"] == "suppressed"}
    findings = []
    periods = sorted({k[2] for k in after})
    determined: dict[tuple[str, str], set[str]] = {}  # (item, period) → areas whose numbers the attacker has
    for period in periods:
        for item in ("1.2", "7.2", "N1", "N4", *NESTED):
            carriers = [item, *[g for g, t in TARGET_OF.items() if t == item]]
            # The target group's numbers are known wherever any item carrying them is published.
            known = {a for i in carriers for a in AREAS if (a, i, period) not in hidden}
            recovered = recoverable(known)
            determined[item, period] = known | recovered
            findings += [f"{period} {i} {a}: recovered by differencing" for a in sorted(recovered)
                         for i in carriers if (a, i, period) in hidden]
            findings += [f"{period} {i} {a}: recovered from a linked item" for a in sorted(known)
                         for i in carriers if (a, i, period) in hidden]
            # What the attacker does learn is sums of hidden cells; each must pass the primary rule itself.
            for parent, children in HIERARCHY:
                gone = [c for c in children if c not in known]
                if parent not in known or not gone:
                    continue
                summed = {k: sum(before[(c, item, period)][k] or 0 for c in gone) for k in ("numerator", "denominator")}
                if before[(gone[0], item, period)]["denominator"] is None:
                    summed["denominator"] = None
                if len(gone) < 2 or primary_failure(summed):
                    findings.append(f"{period} {item} {parent}: sum of hidden {gone} is {summed}")
        findings += nested_findings(before, determined, period)
    findings += increment_findings(before, determined, periods)
    return findings


def nested_findings(before: dict, determined: dict, period: str) -> list[str]:
    """The equation whole = part + rest in every area; the rest is never published, and rests add up too."""
    whole, part = NESTED
    known = {i: set(determined[i, period]) for i in NESTED}
    findings: list[str] = []
    while True:  # a rest recovered over the hierarchy hands over a hidden whole or part, which may recover more
        rests = known[whole] & known[part]
        rests |= recoverable(rests)
        grown = {i: known[i] | {a for a in rests if a in known[whole] | known[part]} for i in NESTED}
        grown = {i: grown[i] | recoverable(grown[i]) for i in NESTED}
        if grown == known:
            break
        findings += [f"{period} {i} {a}: recovered via the nested pair" for i in NESTED for a in grown[i] - known[i]]
        known = grown
    for a in AREAS:
        w, p = before[(a, whole, period)], before[(a, part, period)]
        rest = {"numerator": w["numerator"] - p["numerator"], "denominator": w["denominator"] - p["denominator"]}
        if a in rests and rest["denominator"] > 0 and primary_failure(rest):
            findings.append(f"{period} {a}: rest {rest} of the nested pair revealed")
        if (a in known[whole]) != (a in known[part]) and primary_failure(rest):
            findings.append(f"{period} {a}: hidden member of the nested pair pinned by the other (rest {rest})")
    return findings


def increment_findings(before: dict, determined: dict, periods: list[str]) -> list[str]:
    """Consecutive known values of a cumulative count: their difference counts the events in between."""
    findings = []
    for a in AREAS:
        last, gap = None, False
        for period in periods:
            if a not in determined[CUMULATIVE, period]:
                gap = True
                continue
            value = before[(a, CUMULATIVE, period)]["numerator"]
            if last is not None and (0 < abs(value - last) < 3 or (value == last and gap)):
                findings.append(f"{period} {a}: increment {value - last} of {CUMULATIVE} revealed"
                                + (" (and the hidden value between)" if gap else ""))
            last, gap = value, False
    return findings


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_attacker_recovers_nothing(seed):
    table = observation_table(random_denmark(random.Random(seed)))
    out, summary = protect(table)
    before = {(r["area_code"], r["item_id"], r["period"]): r for r in table.to_pylist()}
    after = {(r["area_code"], r["item_id"], r["period"]): r for r in out.to_pylist()}
    hidden = {k for k, r in after.items() if r["status"] == "suppressed"}
    assert summary.secondary > 0 and 0 < len(hidden) < len(after)
    assert sum(s.primary + s.secondary for s in summary.by_item.values()) == len(hidden)

    for key, row in after.items():  # published cells are exactly the input; every primary failure is hidden
        if key not in hidden:
            assert row == before[key]
        if primary_failure(before[key]) and key[1] != "8.1":
            assert key in hidden, key
    assert not any(k[1] == "8.1" for k in hidden)  # exempt: public lists
    for gap, rate in TARGET_OF.items():  # a gap and its target group's rate are hidden together
        assert {k[0::2] for k in hidden if k[1] == gap} == {k[0::2] for k in hidden if k[1] == rate}
    assert attacker_findings(table, out) == []


def test_the_attacker_finds_nested_and_time_leaks_without_their_rules():
    """With hierarchy and linked rules on but the nested and cumulative rules off, the attacker finds each leak."""
    table = observation_table(random_denmark(random.Random(1)))
    off = load_config().model_copy(update={"nested": NestedRule(), "cumulative": CumulativeRule()})
    out, _ = protect(table, off)
    findings = attacker_findings(table, out)
    for kind in ("of the nested pair revealed", "pinned by the other", f"of {CUMULATIVE} revealed",
                 "the hidden value between"):
        assert any(kind in f for f in findings), kind
    assert not any("by differencing" in f for f in findings)  # the hierarchy rules alone still hold


def test_the_attacker_does_find_leaks_without_secondary_suppression(monkeypatch):
    """The attacker is not toothless: with primary suppression only, or without linking, it recovers cells."""
    table = observation_table(random_denmark(random.Random(3), periods=1))  # a seed with a lone hidden cell
    monkeypatch.setattr("barometer.disclosure._protect_equation", lambda *args: [])
    out, _ = protect(table, load_config().model_copy(update={"linked": LinkedRule()}))
    findings = attacker_findings(table, out)
    for kind in ("by differencing", "from a linked item", "sum of hidden"):
        assert any(kind in f for f in findings), kind
