"""An item's summed numbers become observation rows: every area for every period the item has anywhere, each
with its value and status worked out here by hand (a share over nobody is missing, a count of nothing is 0)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from barometer.catalogue import load_catalogue
from barometer.engine import assemble
from barometer.engine.definitions import definition


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _rows(table: pa.Table) -> dict[tuple[str, str], dict]:
    assert table.schema.equals(assemble.WORKING_SCHEMA)
    return {(r["area_code"], r["period"]): r for r in table.to_pylist()}


def _has(row: dict, **expected: object) -> bool:
    return all(row[k] == v for k, v in expected.items())


def _result(**columns: list) -> pa.Table:
    return pa.table({k: pa.array(v, pa.string() if k in ("area_code", "period") else pa.float64())
                     for k, v in columns.items()})


def test_a_share_gets_every_area_for_every_period(catalogue):
    result = _result(area_code=["000", "101", "851"], period=["2020", "2021", "2020"], num=[30.0, 0.0, None],
                     den=[60.0, 0.0, 8.0], ref_num=[None] * 3, ref_den=[None] * 3)
    rows = _rows(assemble.item_rows(definition("1.2"), result, catalogue, national_only=False))
    assert len(rows) == len(catalogue.areas) * 2  # 2020 and 2021 for every area
    assert _has(rows[("000", "2020")], value=50.0, numerator=30.0, denominator=60.0, status="ok",
                item_id="1.2", source="engine", ref_numerator=None)
    assert _has(rows[("101", "2021")], value=None, numerator=0.0, denominator=0.0, status="missing")
    assert _has(rows[("851", "2020")], value=0.0, numerator=0.0, denominator=8.0, status="ok")
    assert _has(rows[("147", "2021")], value=None, numerator=0.0, denominator=0.0, status="missing")
    assert all(r["effective_n"] is None and r["ci_low"] is None for r in rows.values())


def test_a_gap_is_signed_and_needs_both_groups(catalogue):
    result = _result(area_code=["000", "101"], period=["2022", "2022"], num=[20.0, 5.0], den=[40.0, 10.0],
                     ref_num=[75.0, 3.0], ref_den=[100.0, 0.0])
    gap = _rows(assemble.item_rows(definition("1.1"), result, catalogue, national_only=False))
    assert gap[("000", "2022")]["value"] == 100.0 * (75 / 100 - 20 / 40) == 25.0
    assert _has(gap[("101", "2022")], value=None, status="missing", ref_denominator=0.0)
    flipped = _rows(assemble.item_rows(definition("7.1"), result, catalogue, national_only=False))  # gap_sign -1
    assert flipped[("000", "2022")]["value"] == -25.0


def test_a_count_of_nothing_is_zero_and_skipped_periods_are_left_out(catalogue):
    result = _result(area_code=["000", "101", "000"], period=["2023", "2023", "2024"], num=[7.0, 7.0, 9.0],
                     den=[None] * 3, ref_num=[None] * 3, ref_den=[None] * 3)
    rows = _rows(assemble.item_rows(definition("N1"), result, catalogue, national_only=False,
                                    skip_periods={"2024"}))
    assert {p for _, p in rows} == {"2023"}
    assert _has(rows[("101", "2023")], value=7.0, numerator=7.0, denominator=None, status="ok")
    assert _has(rows[("147", "2023")], value=0.0, numerator=0.0, denominator=None, status="ok")


def test_a_weighted_share_carries_kish_effective_n_nationally(catalogue):
    result = pa.table({"area_code": ["000", "101"], "period": ["2021", "2021"], "num": [12.5, 1.0],
                       "den": [50.0, 2.0], "ref_num": pa.nulls(2, pa.float64()), "ref_den": pa.nulls(2, pa.float64()),
                       "sum_w2": [125.0, 4.0]})
    rows = _rows(assemble.item_rows(definition("3.2"), result, catalogue, national_only=True))
    assert list(rows) == [("000", "2021")]  # a national-only item: the country's row alone
    assert _has(rows[("000", "2021")], value=25.0, effective_n=50.0 * 50.0 / 125.0, status="ok")


def test_rows_not_computed_and_the_table_of_all_items(catalogue):
    absent = assemble.not_computed_rows(definition("N5"), ["2024-08"], catalogue, national_only=False)
    share = assemble.item_rows(definition("1.2"), _result(area_code=["000"], period=["2020"], num=[1.0], den=[2.0],
                                                          ref_num=[None], ref_den=[None]),
                               catalogue, national_only=False)
    table = assemble.to_table([share, absent])
    assert table.num_rows == 2 * len(catalogue.areas)
    assert table.select(["area_code", "item_id", "period"]).to_pylist() == sorted(
        table.select(["area_code", "item_id", "period"]).to_pylist(), key=lambda r: tuple(r.values()))
    n5 = [r for r in table.to_pylist() if r["item_id"] == "N5"]
    assert {r["status"] for r in n5} == {"not_computed"} and all(r["value"] is None for r in n5)
    assert assemble.to_table([]).num_rows == 0
