"""Disclosure control: primary thresholds, secondary suppression, config loading, and an attacker who differences."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from barometer.catalogue import load_catalogue
from barometer.disclosure import (
    CumulativeRule,
    DisclosureConfig,
    DisclosureConfigError,
    NestedRule,
    PublicationRule,
    RateRule,
    decide,
    load_config,
    protect,
)
from barometer.engine.periods import bounds
from barometer.store.schema import OBSERVATION_SCHEMA, observation_table
from barometer.uncertainty import add_intervals, wilson, z_value

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
    """The catalogue's definitions say which figures are cumulative; a range reaching back over a year is one too."""
    said = {k.id for k in CAT.key_figures if "cumulative" in k.words("en")["reference"].lower()}
    assert said == {k.id for k in CAT.key_figures if "kumuleret" in k.words("da")["reference"].lower()}
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
    (18, 20, True), (20, 20, True), (2.5, 40, True), (3.0, 40, False), (36.9, 40, False),
    (37.5, 40, True),  # full-time persons: complement 2.5 < 3
]


@pytest.mark.parametrize(("num", "den", "hidden"), RATE_CASES)
def test_rate_thresholds(num, den, hidden):
    out, summary = protect(observation_table([obs(AALBORG, "7.2", num, den, value=1.0)]))
    assert statuses(out)[(AALBORG, "7.2", "2023")] == ("suppressed" if hidden else "ok")
    assert summary.by_item["7.2"].primary == int(hidden)


@pytest.mark.parametrize(("count", "hidden"), [(0, False), (1, True), (2, True), (3, False), (250, False)])
def test_count_thresholds(count, hidden):
    """A count of 0 concerns no person and is published; 1 and 2 are hidden."""
    out, _ = protect(observation_table([obs(AALBORG, "N1", count)]))
    assert statuses(out)[(AALBORG, "N1", "2023")] == ("suppressed" if hidden else "ok")


def test_zero_counts_are_hidden_when_configured_so():
    cfg = load_config().model_copy(update={"counts": load_config().counts.model_copy(update={"publish_zero": False})})
    out, _ = protect(observation_table([obs(AALBORG, "N18", 0)]), cfg)
    assert statuses(out)[(AALBORG, "N18", "2023")] == "suppressed"


def test_a_share_over_nobody_is_published_as_missing_and_counted_as_empty():
    rows = [obs(AALBORG, "7.2", 0, 0, value=1.0), obs("101", "1.1", 10, 40, 0, 0, status="missing")]
    out, summary = protect(observation_table(rows))
    assert set(statuses(out).values()) == {"missing"}
    assert all(r[c] is None for r in out.to_pylist() for c in ("value", "numerator", "denominator"))
    assert (summary.by_item["7.2"].empty, summary.by_item["7.2"].primary) == (1, 0)
    assert summary.by_item["1.1"].empty == 1


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


def test_suppressed_rows_carry_no_number_and_published_ones_only_the_declared_publication():
    rows = [obs(AALBORG, "1.2", 1, 100), obs("101", "1.2", 123, 250), obs("101", "N14", 11, 500),
            obs("101", "N1", 7)]
    rows[0].update(ci_low=0.1, ci_high=5.0, published_development=1.0)
    table = add_intervals(observation_table(rows))
    out, _ = protect(table)
    assert out.schema.equals(OBSERVATION_SCHEMA)
    got = {(r["area_code"], r["item_id"]): r for r in out.to_pylist()}
    hidden = got[AALBORG, "1.2"]
    assert hidden["status"] == "suppressed"
    assert all(v is None for k, v in hidden.items() if k not in ("area_code", "item_id", "period", "status", "source"))
    share = got["101", "1.2"]  # 123/250 = 49.2 %: published as 49, no numerator or denominator
    assert (share["value"], share["numerator"], share["denominator"], share["status"]) == (49.0, None, None, "ok")
    # The interval covers every numerator that also prints as 49 % (122 and 123 of 250), rounded outward.
    lows, highs = zip(*(wilson(k, 250, z_value())[1:] for k in (122, 123)), strict=True)
    assert (share["ci_low"], share["ci_high"]) == (math.floor(100 * min(lows)), math.ceil(100 * max(highs)))
    assert got["101", "N14"]["value"] == 2.2  # 11/500 = 2.2 %: N14 keeps one decimal
    assert got["101", "N1"]["value"] == 7 and got["101", "N1"]["numerator"] == 7  # a count is its own number


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


EXACT_12 = load_config().model_copy(update={"publication": PublicationRule(exact_items=("1.2",))})


def test_a_single_hidden_municipality_takes_the_smallest_sibling_with_it_when_numbers_are_exact():
    m = MUNIS_OF["081"]  # North Jutland
    rows = region_table("1.2", {m[0]: (1, 30), m[3]: (20, 200), m[5]: (20, 200), m[7]: (30, 250)})
    out, summary = protect(observation_table(rows), EXACT_12)
    hidden = {k[0] for k, s in statuses(out).items() if s == "suppressed"}
    assert hidden == {m[0], m[3]}  # m[3] and m[5] tie on denominator 200: the lower code goes
    assert (summary.by_item["1.2"].primary, summary.by_item["1.2"].secondary) == (1, 1)
    assert next(r for r in out.to_pylist() if r["area_code"] == "081")["numerator"] is not None


def test_a_single_hidden_municipality_stays_alone_behind_the_rounding_of_a_large_region():
    """Region 081 has 9 471 persons: printed as a whole per cent, its numerator is known only to within ~95 of
    them, so region − published municipalities leaves the hidden one anywhere in 0..30."""
    m = MUNIS_OF["081"]
    rows = region_table("1.2", {m[0]: (1, 30), m[3]: (20, 200), m[5]: (20, 200), m[7]: (30, 250)})
    out, summary = protect(observation_table(rows))
    assert {k[0] for k, s in statuses(out).items() if s == "suppressed"} == {m[0]}
    assert summary.by_item["1.2"].secondary == 0


def test_a_single_hidden_municipality_in_a_small_region_still_takes_a_sibling():
    """A region of 11 × 20 persons: its rounding spans 2 persons, too few; the smallest sibling goes too."""
    m = MUNIS_OF["081"]
    rows = region_table("1.2", {x: (10, 20) for x in m} | {m[0]: (1, 20)})
    out, _ = protect(observation_table(rows))
    assert {k[0] for k, s in statuses(out).items() if s == "suppressed"} == {m[0], m[1]}


def test_two_hidden_small_counts_are_not_left_alone():
    m = MUNIS_OF["081"]
    rows = region_table("N1", {m[0]: (1,), m[1]: (1,), m[2]: (7,), m[4]: (5,)})
    out, _ = protect(observation_table(rows))
    hidden = {k[0] for k, s in statuses(out).items() if s == "suppressed"}
    assert hidden == {m[0], m[1], m[4]}  # region − published = 2 would be a small sum; add the smallest (5)


def test_zero_counts_are_published_and_pull_nothing_in():
    m = MUNIS_OF["081"]
    rows = region_table("N18", {x: (5,) if x == m[0] else (0,) for x in m})
    out, _ = protect(observation_table(rows))
    assert set(statuses(out).values()) == {"ok"}


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
    ((39, 80), (38, 79), {"N15"}),           # 49 % and 48 % pin both (one numerator each): rest 1/1 shows; hide
    ((21, 38), (21, 37), {"N15"}),           # ... the part, not the whole (rest 0/1)
    ((39, 80), (39, 80), set()),             # identical: the rest is empty, nothing new
    ((100, 200), (60, 150), set()),          # rest 40/50 passes the rule itself
    ((40, 200), (2, 100), {"N15"}),          # part small, rest 38/100 safe: the whole still hides the part
    ((3, 100), (2, 99), {"3.3", "N15"}),     # part small, rest 1/1: the published whole would pin it down
    ((2000, 4000), (1999, 3999), set()),     # 50 % of 4 000: each known to within 40 persons, the rest 1/1 not
])
def test_a_nested_pair_never_shows_a_small_rest(whole, part, hidden):
    rows = [obs(COUNTRY, "3.3", *whole, period="2019"), obs(COUNTRY, "N15", *part, period="2019")]
    out, _ = protect(observation_table(rows))
    assert {k[1] for k, s in statuses(out).items() if s == "suppressed"} == hidden


def test_without_the_nested_rule_the_rest_shows():
    rows = [obs(COUNTRY, "3.3", 39, 80, period="2019"), obs(COUNTRY, "N15", 38, 79, period="2019")]
    out, _ = protect(observation_table(rows), load_config().model_copy(update={"nested": NestedRule()}))
    assert set(statuses(out).values()) == {"ok"}


def test_a_part_pinned_by_its_whole_counts_as_known_in_its_own_hierarchy():
    """N15 in m[0] is hidden (small); m[1]'s part is hidden only for its rest. m[1]'s part is then known to within
    its whole's rounding and its rest, so it cannot be the second hidden cell that protects m[0] in the region."""
    m = MUNIS_OF["081"]
    small = {x: (10, 20) for x in m}
    whole = region_table("3.3", small | {m[0]: (10, 40), m[1]: (11, 21)})
    part = region_table("N15", small | {m[0]: (2, 30), m[1]: (10, 20)})  # m[1]: rest 1/1 (49 %→ 52 %, 50 %)
    out, summary = protect(observation_table(whole + part))
    hidden = {k[:2] for k, s in statuses(out).items() if s == "suppressed"}
    assert (m[0], "N15") in hidden and (m[1], "N15") in hidden and (m[1], "3.3") not in hidden
    # So a further N15 sibling goes (the lowest code among the 20-person ones: m[2]). There 3.3 is the same 10/20
    # (empty rest) and would show it: 3.3 goes in m[2], whose region then needs a second hidden 3.3 cell (m[3]),
    # whose identical N15 goes with it. Without the pin, m[2] alone would have looked enough.
    assert hidden == {(m[0], "N15"), (m[1], "N15"), (m[2], "N15"), (m[2], "3.3"), (m[3], "3.3"), (m[3], "N15")}
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
    # sibling goes too (the others have 100: the lowest code, m[0]). m[0] did not grow, so the two together grew
    # by 1 and m[2] would be known to lie in [50, 51] (each count never falls): m[5], which grew by 4, goes too,
    # and m[2] is then anywhere in [50, 55].
    assert {(k[0], k[2]) for k, s in statuses(out).items() if s == "suppressed"} == {
        (m[2], "2023"), (m[0], "2023"), (m[5], "2023")}
    assert summary.by_item["N1"].secondary == 3


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


# --- developments -----------------------------------------------------------------------------------------------


def test_the_development_is_published_from_unrounded_values_as_the_ministry_rounds_it():
    """1.2: 61.4 % in 2022, 49.6 % in 2012: statuses 61 and 50, development round(11.8) = 12 (not 61 − 50)."""
    rows = [obs(AALBORG, "1.2", 307, 500, period="2022"), obs(AALBORG, "1.2", 248, 500, period="2012"),
            obs("101", "1.2", 307, 500, period="2022"), obs("101", "1.2", 1, 500, period="2012")]
    out, _ = protect(observation_table(rows), edition="2024-11")
    got = {(r["area_code"], r["period"]): r for r in out.to_pylist()}
    assert (got[AALBORG, "2022"]["value"], got[AALBORG, "2012"]["value"]) == (61.0, 50.0)
    assert got[AALBORG, "2022"]["published_development"] == 12.0
    assert got[AALBORG, "2012"]["published_development"] is None  # the baseline's own row carries none
    assert got["101", "2012"]["status"] == "suppressed"  # baseline hidden: no development either
    assert got["101", "2022"]["published_development"] is None
    assert protect(observation_table(rows))[0].column("published_development").null_count == len(rows)


def test_a_printed_development_narrows_what_the_statuses_leave_open():
    """Status 61, baseline 50 and development 12 of 500 persons each: by brute force over every pair of
    numerators, the status's numerator is 306 or 307 (61 alone allows 303–307). The rules use that range."""
    from barometer.publication import numerator_range
    from barometer.rules import round_half_away

    pairs = [(a, b) for a in range(501) for b in range(501)
             if (round_half_away(a / 5), round_half_away(b / 5), round_half_away(a / 5 - b / 5)) == (61, 50, 12)]
    assert sorted({a for a, _ in pairs}) == [306, 307]
    assert numerator_range("rate", 61.4, 0, 307, 500) == (303, 307)
    assert numerator_range("rate", 61.4, 0, 307, 500, within=(50 + 12 - 1, 50 + 12 + 1)) == (306, 307)
    assert numerator_range("rate", 49.6, 0, 248, 500) == (248, 252)
    assert numerator_range("rate", 49.6, 0, 248, 500, within=(61 - 12 - 1, 61 - 12 + 1)) == (248, 249)
    assert sorted({b for _, b in pairs}) == [248, 249]


def test_intervals_widened_by_overdispersion_are_published_widened_the_same_way():
    """With φ = 4, 123 of 250 has the interval of 30.75 of 62.5: the published one is the hull of φ-intervals of
    122 and 123 (both print 49 %), not of plain ones."""
    phi = {"1.2": 4.0}
    table = add_intervals(observation_table([obs("101", "1.2", 123, 250)]), phi=phi)
    row = protect(table, phi=phi)[0].to_pylist()[0]
    lows, highs = zip(*(wilson(k / 4, 250 / 4, z_value())[1:] for k in (122, 123)), strict=True)
    assert (row["ci_low"], row["ci_high"]) == (math.floor(100 * min(lows)), math.ceil(100 * max(highs)))
    plain = protect(add_intervals(observation_table([obs("101", "1.2", 123, 250)])))[0].to_pylist()[0]
    assert row["ci_high"] - row["ci_low"] > plain["ci_high"] - plain["ci_low"]


def test_decisions_made_without_intervals_publish_the_same_as_deciding_again_with_them():
    """The build decides once, on the numbers before intervals exist, and applies those decisions to the table
    with intervals: the result (hidden cells, developments, widened intervals, summary) is what deciding on the
    table with intervals gives."""
    m = MUNIS_OF["081"]
    rows = [{**r, "period": "2022"} for r in region_table("1.2", {x: (10, 20) for x in m} | {m[0]: (1, 20)})]
    rows += [{**r, "period": "2012"} for r in region_table("1.2", {m[1]: (2, 40)})]  # the baseline: developments
    rows += [obs(AALBORG, "N2", 3, period="2024-08"), obs(COUNTRY, "N2", 40, period="2024-08")]
    raw = observation_table(rows)
    decisions = decide(raw, edition="2024-11")
    assert protect(raw, edition="2024-11", decisions=decisions) == protect(raw, edition="2024-11")
    with_ci = add_intervals(raw)
    assert with_ci.column("ci_low").null_count < len(rows)
    reused, again = (protect(with_ci, edition="2024-11", decisions=decisions), protect(with_ci, edition="2024-11"))
    assert reused[0].equals(again[0]) and reused[1] == again[1]
    assert reused[1].by_item["1.2"].secondary > 0 and reused[0].column("ci_low").null_count < len(rows)
    assert reused[0].column("published_development").null_count < len(rows)


def test_decisions_are_refused_for_other_numbers_or_another_edition():
    rows = [obs(AALBORG, "1.2", 307, 500), obs("101", "1.2", 30, 50)]
    decisions = decide(observation_table(rows), edition="2024-11")
    other = observation_table([rows[0], obs("101", "1.2", 31, 50)])
    with pytest.raises(ValueError, match="other observations"):
        protect(other, edition="2024-11", decisions=decisions)
    with pytest.raises(ValueError, match="another configuration or edition"):
        protect(observation_table(rows), decisions=decisions)
