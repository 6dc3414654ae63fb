"""Register coverage (a register that ends before residence withholds the periods it does not reach), permit
holders living at an address without a recorded municipality, and N8's integration period after a permit renewal.

Small fixtures worked out by hand; A = 851 Aalborg (region 081), B = 101 København (region 084).
"""

from __future__ import annotations

from datetime import date as D
from pathlib import Path

import pytest

from barometer.engine import compute
from barometer.engine.build import compute_with_coverage
from barometer.registers.contract import CONTRACT
from barometer.registers.fixtures import write_register_set
from barometer.registers.manifest import write_manifest
from tests.engine import hand_fixture

A, B = hand_fixture.A, hand_fixture.B
N = None


def _rows(tables: dict[str, list[tuple]]) -> dict[str, list[dict]]:
    return {name: [dict(zip(CONTRACT.table(name).column_names, r, strict=True)) for r in table]
            for name, table in tables.items()}


def _young(convictions: list[tuple]) -> dict[str, list[dict]]:
    """Four non-Western immigrants aged 19 on 1 January 2023 (arrived aged 6), resident in A on 1 January 2023 and
    2024, so they are 9.1's population in both years; plus the given convictions."""
    persons = [(p, D(2004, 1, 1), "M", "indvandrer", "SY", D(2010, 1, 1), N) for p in (1, 2, 3, 4)]
    residence = [(p, y, A) for p in (1, 2, 3, 4) for y in (2023, 2024)]
    return _rows({"persons": persons, "residence": residence, "convictions": convictions})


def _crime(root: Path) -> dict[str, tuple]:
    table = compute(root, "2024-11", validate=False)
    return {r["period"]: (r["numerator"], r["denominator"]) for r in table.to_pylist()
            if r["item_id"] == "9.1" and r["area_code"] == A}


# p1 convicted in May 2023, p2 in March 2024, p3 on 20 June 2024: the extract ends in June 2024
TO_JUNE_2024 = [(1, D(2023, 5, 1), N, "straffeloven"), (2, D(2024, 3, 1), N, "straffeloven"),
                (3, D(2024, 6, 20), N, "straffeloven")]


def test_register_ending_mid_year_withholds_that_year(tmp_path):
    # residence reaches 1 January 2024, but convictions end on 20 June 2024 -> covered to 30 June 2024:
    # 9.1 for 2023 is published (1 of 4), 9.1 for 2024 (would be 2 of 4, too low) is not.
    got = _crime(write_register_set(tmp_path / "r", _young(TO_JUNE_2024)))
    assert got == {"2023": (1, 4)}


def test_register_reaching_december_publishes_the_year(tmp_path):
    # the same with one more conviction (p4) on 2 December 2024: the data reach December -> 2024 is 3 of 4
    rows = _young([*TO_JUNE_2024, (4, D(2024, 12, 2), N, "straffeloven")])
    got = _crime(write_register_set(tmp_path / "r", rows))
    assert got == {"2023": (1, 4), "2024": (3, 4)}


def test_manifest_coverage_overrides_the_data(tmp_path):
    # data reach December 2024, but the extract's manifest says convictions cover only to 30 June 2024
    root = write_register_set(tmp_path / "r", _young([*TO_JUNE_2024, (4, D(2024, 12, 2), N, "straffeloven")]),
                              manifest=False)
    write_manifest(root, extra={"coverage": {"convictions": "2024-06-30"}})
    assert _crime(root) == {"2023": (1, 4)}
    _, cover = compute_with_coverage(root, "2024-11", validate=False)
    assert cover["convictions.decision_date"] == {"covered_to": "2024-06-30", "source": "manifest"}


def test_data_coverage_is_recorded(tmp_path):
    rows = _young(TO_JUNE_2024) | {"benefits": []}
    table, cover = compute_with_coverage(write_register_set(tmp_path / "r", rows), "2024-11", validate=False)
    assert cover["convictions.decision_date"] == {"covered_to": "2024-06-30", "source": "data"}
    assert cover["benefits.start_date"] == {"covered_to": None, "source": "data"}  # present but empty
    assert "grades.year" not in cover  # absent table
    # an empty benefits register covers no year: no 7.2 at all (instead of a false 0 % on support)
    assert not [r for r in table.to_pylist() if r["item_id"] == "7.2"]


def test_danish_test_window_must_be_complete(tmp_path):
    # Hand fixture: 3.3 for 2022 is the 2017 cohort, whose 5-year windows end during 2022 (p301 passed on
    # 28 Feb 2022). With the test register ending 30 June 2022 the window is not complete: no 3.3 for 2022.
    # N15 2023 (cohort 2018, the edition's period) needs tests to the end of 2023: "not computed".
    root = hand_fixture.write(tmp_path / "r", covered_to={"danish_tests": "2022-06-30"})
    table = compute(root, "2024-11")
    rows = {(r["item_id"], r["period"], r["area_code"]): r for r in table.to_pylist()}
    assert not [k for k in rows if k[0] == "3.3"]
    assert rows[("N15", "2023", "000")]["status"] == "not_computed"
    assert rows[("N15", "2023", A)]["numerator"] is None
    # the rest of the fixture is unaffected
    assert (rows[("9.1", "2022", "000")]["numerator"], rows[("9.1", "2022", "000")]["denominator"]) == (3, 11)


def _holders_fixture() -> dict[str, list[dict]]:
    """The hand fixture plus three permit holders:
    p409  displaced Ukrainian (30), permit and immigration 1 May 2022, address without municipality since;
    p512  refugee (32) in A since 2016: first permit 1 Mar 2016 - 28 Feb 2021, renewed from 1 Mar 2021;
    p513  family-reunified to a refugee (30), permit 20 Feb 2022, immigration 1 Mar 2022, address without
          municipality since.
    """
    extra = {
        "persons": [(409, D(1992, 1, 1), "K", "indvandrer", "UA", D(2022, 5, 1), N),
                    (512, D(1990, 1, 1), "K", "indvandrer", "SY", D(2016, 3, 1), N),
                    (513, D(1992, 1, 1), "K", "indvandrer", "ER", D(2022, 3, 1), N)],
        "residence": [(512, 2022, A), (512, 2023, A)],
        "permits": [(409, "ukraine", D(2022, 5, 1), N),
                    (512, "refugee", D(2016, 3, 1), D(2021, 2, 28)), (512, "refugee", D(2021, 3, 1), N),
                    (513, "family_refugee", D(2022, 2, 20), N)],
        "migrations": [(409, D(2022, 5, 1), "immigration", "UA", N),
                       (513, D(2022, 3, 1), "immigration", "ER", N)],
        "addresses": [(409, D(2022, 5, 1), N, N), (512, D(2016, 3, 1), N, A), (513, D(2022, 3, 1), N, N)],
    }
    rows = hand_fixture.rows()
    for name, new in _rows(extra).items():
        rows[name] = rows[name] + new
    return rows


@pytest.fixture(scope="module")
def holders(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], tuple]:
    root = hand_fixture.write(tmp_path_factory.mktemp("holders") / "r", _holders_fixture())
    return {(r["item_id"], r["period"], r["area_code"]): (r["numerator"], r["denominator"])
            for r in compute(root, "2024-11").to_pylist()}


def test_holder_without_municipality_counts_nationally(holders):
    # N2 on 1 Sep 2022: the hand fixture's p407 (A) and p401, p402, p408 (B), plus p409, whose address has no
    # municipality: counted for the whole country only (5), not in A, B or their regions.
    assert (holders[("N2", "2022-09-01", A)], holders[("N2", "2022-09-01", B)]) == ((1, None), (3, None))
    assert holders[("N2", "2022-09-01", "000")] == (5, None)
    assert (holders[("N2", "2022-09-01", "081")], holders[("N2", "2022-09-01", "084")]) == ((1, None), (3, None))
    # N5/N6 Aug 2022 (18-66): p409 joins the national population only (no wage, no benefit)
    assert holders[("N5", "2022-08", "000")] == (1, 4) and holders[("N5", "2022-08", A)] == (0, 1)
    assert holders[("N6", "2022-08", "000")] == (2, 4)


def test_n8_integration_period_starts_at_the_first_permit(holders):
    # N8 on 1 Jul 2022, 18-66 with a permit that started less than 5 years before: the hand fixture's A p506,
    # p508 and B p501, p504, p509, p510. p512's valid permit started 1 Mar 2021 (a renewal), but her first permit
    # is from 2016: not in the gross target group (A stays 2). p513 (permit Feb 2022, no municipality) counts
    # for the whole country only: 6 + 1 = 7.
    assert holders[("N8", "2022-07-01", A)] == (2, None)
    assert holders[("N8", "2022-07-01", B)] == (4, None)
    assert holders[("N8", "2022-07-01", "000")] == (7, None)


@pytest.fixture(scope="module")
def overlapping(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], tuple]:
    """The holders fixture plus two refugees, both aged 18-66 with a first permit less than 5 years before 1 Jul 2022:
    p514  refugee permit 1 Jan 2020 - 31 Dec 2023 and, overlapping it, a family-reunification permit from 1 Jun 2021;
          lives in A from 1 Jan 2020, in B from 1 Apr 2022;
    p515  refugee permit 1 Jan 2019 - 31 Dec 2021, then none until a new one from 1 Sep 2022; lives in A since 2019.
    """
    extra = {
        "persons": [(514, D(1990, 1, 1), "M", "indvandrer", "SY", D(2020, 1, 1), N),
                    (515, D(1990, 1, 1), "M", "indvandrer", "SY", D(2019, 1, 1), N)],
        "residence": [(514, 2022, A), (514, 2023, B), (515, 2022, A), (515, 2023, A)],
        "permits": [(514, "refugee", D(2020, 1, 1), D(2023, 12, 31)), (514, "family_refugee", D(2021, 6, 1), N),
                    (515, "refugee", D(2019, 1, 1), D(2021, 12, 31)), (515, "refugee", D(2022, 9, 1), N)],
        "addresses": [(514, D(2020, 1, 1), D(2022, 3, 31), A), (514, D(2022, 4, 1), N, B),
                      (515, D(2019, 1, 1), N, A)],
    }
    rows = _holders_fixture()
    for name, new in _rows(extra).items():
        rows[name] = rows[name] + new
    root = hand_fixture.write(tmp_path_factory.mktemp("overlapping") / "r", rows)
    return {(r["item_id"], r["period"], r["area_code"]): (r["numerator"], r["denominator"])
            for r in compute(root, "2024-11").to_pylist()}


def test_overlapping_permits_count_once_and_a_gap_not_at_all(overlapping, holders):
    # N8 on 1 Jul 2022 (the holders fixture: A 2, B 4, whole country 7): p514 holds two valid refugee permits
    # that day and lives in B since April: one more in B, counted once. p515 holds no permit between 1 Jan and
    # 31 Aug 2022: not counted, although an earlier and a later permit of the kind surround the date.
    assert overlapping[("N8", "2022-07-01", A)] == (2, None)
    assert overlapping[("N8", "2022-07-01", B)] == (5, None)
    assert overlapping[("N8", "2022-07-01", "000")] == (8, None)
    # a year later both hold a permit (p515 the new one; her integration period still runs from 2019): two more
    assert overlapping[("N8", "2023-07-01", B)][0] == holders[("N8", "2023-07-01", B)][0] + 1
    assert overlapping[("N8", "2023-07-01", "000")][0] == holders[("N8", "2023-07-01", "000")][0] + 2
