"""The release's uncertainty model: built from published cells only, widening intervals, no model where none
applies."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from barometer.catalogue import load_catalogue
from barometer.engine.assemble import WORKING_SCHEMA
from barometer.overdispersion import Counts, change_dispersion, level_dispersion
from barometer.uncertainty import add_intervals, wilson, z_value
from barometer.uncertainty_model import assess, factors, item_model

CAT = load_catalogue()
MUNIS = sorted(m.code for m in CAT.municipalities)[:30]
Z = z_value(0.95)


def _row(area, item, period, num=None, den=None, rnum=None, rden=None, status="ok", n_eff=None):
    value = None
    if status == "ok":
        value = num if den is None else 100 * num / den if rnum is None else 100 * (rnum / rden - num / den)
    return {"area_code": area, "item_id": item, "period": period, "value": value, "numerator": num,
            "denominator": den, "ref_numerator": rnum, "ref_denominator": rden, "status": status,
            "source": "engine", "effective_n": n_eff}


def _tables(seed: int = 1) -> tuple[pa.Table, pa.Table]:
    """raw: 1.2 and 1.1 for 30 municipalities over 2020-2022, 2.1 in 5, a count and a survey share; published:
    the same with municipality 0's 2021 cells suppressed."""
    rng = random.Random(seed)
    rows = []
    for period in ("2020", "2021", "2022"):
        for i, area in enumerate(MUNIS):
            den = float(rng.randint(200, 5000))
            num = float(round(den * rng.uniform(0.35, 0.55)))
            rows.append(_row(area, "1.2", period, num, den))
            rows.append(_row(area, "1.1", period, num, den, round(den * 4 * 0.75), den * 4))
            if i < 5:
                rows.append(_row(area, "2.1", period, 30.0, 60.0))
            rows.append(_row(area, "8.1", period, 1.0))
        rows.append(_row("000", "4.2", period, 4000.0, 10000.0, n_eff=800.0))
    raw = pa.Table.from_pylist(rows, schema=WORKING_SCHEMA)
    hidden = [dict(r, status="suppressed", value=None, numerator=None, denominator=None, ref_numerator=None,
                   ref_denominator=None) if r["area_code"] == MUNIS[0] and r["period"] == "2021" else r
              for r in rows]
    return raw, pa.Table.from_pylist(hidden, schema=WORKING_SCHEMA)


def test_reasons_and_models():
    raw, published = _tables()
    items = assess(raw, published, "2024-11", {"1.1": 1})["items"]
    assert items["8.1"] == {"model": False, "reason": "count"}
    assert items["4.2"] == {"model": False, "reason": "survey"}
    assert items["2.1"] == {"model": False, "reason": "too_few_municipalities"}
    assert items["1.2"]["model"] is True and items["1.1"]["model"] is True
    assert factors({"items": items}) == {"1.1": items["1.1"]["factor"], "1.2": items["1.2"]["factor"]}
    assert item_model({"uncertainty": {"items": items}}, "8.1") is None
    assert item_model({}, "1.2") is None  # a release without a model (imported figures)
    assert item_model({"uncertainty": {"items": items}}, "1.2") == items["1.2"]


def test_estimate_uses_published_cells_only():
    raw, published = _tables()
    record = assess(raw, published, "2024-11")["items"]["1.2"]
    rows = [r for r in published.to_pylist() if r["item_id"] == "1.2" and r["status"] == "ok"]
    series = [[Counts(r["area_code"], r["numerator"], r["denominator"]) for r in rows if r["period"] == p]
              for p in ("2020", "2021", "2022")]
    expected = change_dispersion(series, gap=False)
    assert record["phi"] == round(expected.phi, 3) and record["changes"] == expected.units == 29 + 29
    # whatever the suppressed cell held, the record is the same
    changed = raw.to_pylist()
    for r in changed:
        if r["area_code"] == MUNIS[0] and r["period"] == "2021" and r["item_id"] == "1.2":
            r["numerator"] = r["denominator"]  # an extreme value that would dominate φ
    again = assess(pa.Table.from_pylist(changed, schema=WORKING_SCHEMA), published, "2024-11")["items"]["1.2"]
    assert again == record


def test_funnel_record_for_the_status_year():
    raw, published = _tables()
    funnel = assess(raw, published, "2024-11", {"1.1": -1})["items"]
    f12, f11 = funnel["1.2"]["funnel"], funnel["1.1"]["funnel"]
    assert f12["period"] == "2022"  # Mål 1's status year in the 2024-11 edition
    rows = [r for r in raw.to_pylist() if r["item_id"] == "1.2" and r["period"] == "2022"]
    group, disp = level_dispersion([Counts(r["area_code"], r["numerator"], r["denominator"]) for r in rows], False)
    assert f12["municipalities"] == 30 and f12["phi"] == round(disp.phi, 3)
    assert f12["target"] == round(100 * group.target, 1)  # the centre line to 0.1 point
    assert f12["unit_variance"] == pytest.approx(round(group.rate, 3) * (1 - round(group.rate, 3)))
    for r in rows:  # a rate's equivalent size is its denominator, published to 2 significant figures
        assert f12["sizes"][r["area_code"]] == float(f"{r['denominator']:.2g}")
    assert f11["target"] < 0  # 1.1 published as target − reference here (sign −1)


def test_add_intervals_widens_by_phi_and_leaves_unmodelled_items_without_one():
    raw, _ = _tables()
    out = {(r["area_code"], r["item_id"], r["period"]): r for r in
           add_intervals(raw, phi={"1.2": 4.0, "1.1": 4.0}).to_pylist()}
    plain = {(r["area_code"], r["item_id"], r["period"]): r for r in add_intervals(raw).to_pylist()}
    key = (MUNIS[3], "1.2", "2022")
    num, den = out[key]["numerator"], out[key]["denominator"]
    _, lo, hi = wilson(num / 4, den / 4, Z)  # x/φ of n/φ trials
    assert (out[key]["ci_low"], out[key]["ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    # about twice as wide as the plain binomial interval (exactly so in the normal approximation)
    ratio = (out[key]["ci_high"] - out[key]["ci_low"]) / (plain[key]["ci_high"] - plain[key]["ci_low"])
    assert ratio == pytest.approx(2.0, rel=0.02)
    gap = (MUNIS[3], "1.1", "2022")
    assert (out[gap]["ci_high"] - out[gap]["ci_low"]) / (plain[gap]["ci_high"] - plain[gap]["ci_low"]) == \
        pytest.approx(2.0, rel=0.02)
    assert out[(MUNIS[0], "2.1", "2022")]["ci_low"] is None  # no model: no interval
    assert out[("000", "4.2", "2022")]["ci_low"] == plain[("000", "4.2", "2022")]["ci_low"] is not None  # survey
