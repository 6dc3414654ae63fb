"""Every item on the hand-made fixture (tests/engine/hand_fixture.py), worked out by hand.

A = 851 Aalborg (region 081), B = 101 København (region 084); the whole country is 000. Each expectation lists
(numerator, denominator) per area — for gaps also the reference group's — with the arithmetic in comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.engine import EngineSettings, compute
from tests.engine import hand_fixture

A, B = hand_fixture.A, hand_fixture.B
RA, RB = "081", "084"  # the regions of A and B


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hand_fixture.write(tmp_path_factory.mktemp("hand") / "registers")


@pytest.fixture(scope="module")
def observed(registers: Path) -> dict[tuple[str, str, str], dict]:
    table = compute(registers, "2024-11")
    return {(r["item_id"], r["period"], r["area_code"]): r for r in table.to_pylist()}


def _check(observed: dict, item: str, period: str, expected: dict[str, tuple], value=None) -> None:
    for area, numbers in expected.items():
        row = observed.get((item, period, area))
        assert row is not None, f"{item} {period} {area}: no row"
        got = (row["numerator"], row["denominator"])
        if len(numbers) == 4:
            got += (row["ref_numerator"], row["ref_denominator"])
        assert got == pytest.approx(numbers, abs=1e-9), f"{item} {period} {area}"
    if value is not None:
        for area, v in value.items():
            assert observed[(item, period, area)]["value"] == pytest.approx(v, abs=1e-6), f"{item} {period} {area}"


def test_employment_1_1_and_1_2(observed):
    # Population 1 Jan 2023, aged 25-64 then. Target A: p6 (unemployed), p8 (64, employed), p20 (employed);
    # p7 (65) and p21 (67) are too old, p14-16 too young. Target B: p5 (moved A->B, employed), p19 (no RAS row).
    # p9 died and p11 emigrated in 2022: not in the population. p10 is Western: in no group.
    # Danish A: p1 (emp), p2 (not), p13 (emp); p4 is 24. Danish B: p3 (25 on the day, emp), p12 (emp).
    _check(observed, "1.2", "2022", {A: (2, 3), B: (1, 2), RA: (2, 3), RB: (1, 2), "000": (3, 5)},
           value={A: 200 / 3, B: 50, "000": 60})
    _check(observed, "1.1", "2022", {A: (2, 3, 2, 3), B: (1, 2, 2, 2), "000": (3, 5, 4, 5)},
           value={A: 0, B: 100 - 50, "000": 80 - 60})  # gap = Danish rate − target rate


def test_exams_2_1_and_3_1(observed):
    # 2.1: target pupils who grew up in DK (descendants; immigrants arrived 0-12), grade >= 02 in written Danish AND
    # maths. A: p101 (4, 02: yes), p102 (02, 00: no), p107 (arrived one day before turning 13; 00, 4: no);
    # p103 arrived aged 13: out. B: p104 (7, 7: yes); p106 has no maths grade: out; p105 is Danish.
    _check(observed, "2.1", "2022", {A: (1, 3), B: (1, 1), "000": (2, 4)}, value={"000": 50})
    # 3.1: immigrants arrived 0-12, oral Danish AND spelling >= 02. A: p102 (7, 4: yes), p107 (12, 02: yes).
    # B: p104 (02, -3: no).
    _check(observed, "3.1", "2022", {A: (2, 2), B: (0, 1), "000": (2, 3)})


def test_education_2_2_and_2_3(observed):
    # 2.2, aged 20-24 on 1 Jan 2023: A p14 (H30: yes), p15 (arrived aged 7; no Danish education: no), p16 arrived
    # aged 13: out. B p17 (20 on the day; H20: yes), p18 (19): out.
    _check(observed, "2.2", "2022", {A: (1, 2), B: (1, 1), "000": (2, 3)})
    # 2.3, aged 25-39: A p6 (H60: yes), p20 (39 on the day; H70: yes). B p19 (arrived aged 4; H30: no).
    _check(observed, "2.3", "2022", {A: (2, 2), B: (0, 1), "000": (2, 3)})


def test_education_year_label_setting(tmp_path):
    # The same status (1 October 2022, population 1 January 2023) labelled by the population date: 2023. The
    # education register reaches only 2022, which covers the 2023 label (its status year is 2022).
    root = hand_fixture.write(tmp_path / "r", covered_to={"education": "2022-12-31"})
    table = compute(root, "2024-11", settings=EngineSettings(education_year_label="population"), validate=False)
    got = {(r["item_id"], r["period"], r["area_code"]): (r["numerator"], r["denominator"]) for r in table.to_pylist()
           if r["item_id"] in ("2.2", "2.3")}
    assert {k[1] for k in got} == {"2023"}
    assert (got[("2.2", "2023", A)], got[("2.2", "2023", "000")], got[("2.3", "2023", "000")]) == (
        (1, 2), (2, 3), (2, 3))


def test_danish_test_3_3(observed):
    # Cohort 2017 -> figure 2022. A: p301 (start 1 Mar 2017, test 28 Feb 2022: within 5 years), p302 (test on
    # 1 Mar 2022: exactly 5 years, not within). B: p303 (programme start 1 Jun 2017; her test predates it),
    # p304 (first start 1 Sep 2017 in B; later course in A does not move her; studieprøve 2020: yes).
    _check(observed, "3.3", "2022", {A: (1, 2), B: (1, 2), "000": (2, 4)})
    # Cohort 2018 -> 2023: A p305 (test 2019: yes), B p307 (no test).
    _check(observed, "3.3", "2023", {A: (1, 1), B: (0, 1), "000": (1, 2)})
    # Cohort 2019 (p306) would be 2024, beyond the data's last year.
    assert not [k for k in observed if k[0] == "3.3" and k[1] == "2024"]


def test_public_support_7_1_and_7_2(observed):
    # Full-time persons 2022 = sum over persons of (capped hours x days) / (37 x 365). Target A (16-66 on 1 Jan 2023):
    # p6: unemployment 37 h 3 Jan-3 Jul (182 days) + activation 20 h 4 Apr-1 May inside it: capped at 37 -> 182/365
    # p7 (65): disability pension all year -> 365/365; p8: 18.5 h for 28 days -> 14/365; p14: SU -> 0 by default;
    # p15, p16, p20: nothing. Seven persons (p21 is 67: out).
    # Target B: p5 integration benefit to 30 Jan -> 30/365; p22 (16): cash benefit 4 Jul-31 Dec -> 181/365;
    # p17, p18, p19: nothing. Five persons.
    # Danish A: p2 maternity all year + flexjob overlap (capped) -> 1; p1, p4, p13: 0. Danish B: p3, p12: 0.
    a, b = 561 / 365, 211 / 365
    _check(observed, "7.2", "2022", {A: (a, 7), B: (b, 5), "000": (a + b, 12)},
           value={A: 100 * a / 7, "000": 100 * (a + b) / 12})
    # 7.1 = target share − Danish share (the published sign)
    _check(observed, "7.1", "2022", {A: (a, 7, 1, 4), B: (b, 5, 0, 2), "000": (a + b, 12, 1, 6)},
           value={A: 100 * (a / 7 - 1 / 4), B: 100 * b / 5, "000": 100 * ((a + b) / 12 - 1 / 6)})


def test_housing_8_x(observed):
    # 2022 lists: A has a1 and a2 udsat, a2 also parallelsamfund; B has b1 on all three lists. 2023: A a1 udsat.
    _check(observed, "8.3", "2022", {A: (2, None), B: (1, None), RA: (2, None), "000": (3, None), "147": (0, None)})
    _check(observed, "8.1", "2022", {A: (1, None), B: (1, None), "000": (2, None)})
    _check(observed, "8.2", "2022", {A: (0, None), B: (1, None), "000": (1, None)})
    _check(observed, "8.3", "2023", {A: (1, None), B: (0, None), "000": (1, None)})
    # a list year with an empty list is a real 0, not a missing figure
    _check(observed, "8.1", "2023", {A: (0, None), "000": (0, None)}, value={"000": 0})


def test_crime_9_1(observed):
    # 2022, aged 15-29 on 1 Jan 2022. A: p101 (convicted), p102, p103, p107, p203 (29; traffic act only), p204
    # (decision in 2023), p509 (convicted) -> 2/7; p202 is 30: out. B: p104, p106, p201 (convicted), p510 -> 1/4.
    _check(observed, "9.1", "2022", {A: (2, 7), B: (1, 4), "000": (3, 11)})
    # 2023: p14-16 in A and p17, p18, p19, p22 in B; no conviction decided in 2023 among them.
    _check(observed, "9.1", "2023", {A: (0, 3), B: (0, 4), "000": (0, 7)})


def test_crime_sex_filter(registers):
    table = compute(registers, "2024-11", settings=EngineSettings(crime_sex="M"), validate=False)
    got = {(r["area_code"]): (r["numerator"], r["denominator"]) for r in table.to_pylist()
           if r["item_id"] == "9.1" and r["period"] == "2022"}
    # men: A p101 (conv), p103, p204, p509 (conv) -> 2/4; B p104, p201 (conv), p510 -> 1/3
    assert (got[A], got[B], got["000"]) == ((2, 4), (1, 3), (3, 7))


def test_student_grant_setting(registers):
    table = compute(registers, "2024-11", settings=EngineSettings(include_student_grant=True), validate=False)
    got = {r["area_code"]: r["numerator"] for r in table.to_pylist() if r["item_id"] == "7.2" and r["period"] == "2022"}
    assert got[A] == pytest.approx((561 + 365) / 365)  # p14's SU now counts as a full year


def test_survey_indicators(observed):
    # Weighted, national only. R1 indvandrer 1.5, R2 indvandrer 0.5 (25), R3 efterkommer 2.0 (20),
    # R4 dansk (never counted), R5 efterkommer 1.0 (31).
    _check(observed, "3.2", "2022", {"000": (1.5, 2.0)}, value={"000": 75})    # immigrants only: R1 'slet ikke'
    _check(observed, "4.1", "2022", {"000": (3.5, 4.0)})                       # R1 (2) + R3 (1)
    _check(observed, "4.2", "2022", {"000": (1.5, 4.0)})                       # R1
    _check(observed, "4.3", "2022", {"000": (0.5, 4.0)})                       # R2; R3's 'ved ikke' stays in
    _check(observed, "5.1", "2022", {"000": (1.5, 5.0)})                       # R1 of R1, R2, R3, R5
    _check(observed, "6.1", "2022", {"000": (0.5, 2.5)})                       # 18-29: R2, R3 (R5 is 31)
    _check(observed, "6.2", "2022", {"000": (2.0, 2.5)})
    _check(observed, "6.3", "2022", {"000": (2.0, 2.5)})                       # R3 disagrees (4)
    assert not [k for k in observed if k[0] == "4.1" and k[2] != "000"], "survey indicators are national only"
    assert observed[("4.1", "2022", "000")]["effective_n"] == pytest.approx(16 / 6.5)  # (sum w)^2 / sum w^2


def test_key_figures_ukraine(observed):
    # N1 (cumulative to 31 Aug 2022): p401 (A), p402 (B); p403 visitated in September.
    _check(observed, "N1", "2022-08-31", {A: (1, None), B: (1, None), "000": (2, None)})
    # ... and to 31 Aug 2023 all three.
    _check(observed, "N1", "2023-08-31", {A: (2, None), B: (1, None), "000": (3, None)})
    # Ukrainian and refugee key figures place a holder by the address spell covering the figure's date (the last
    # day of a month or quarter); the movers show it: a 1 January + migrations placement would differ in each.
    # N2 on 1 Sep 2022: p407 (A); p401 (moved A -> B on 15 Aug), p402 (back in B from 20 Aug), p408 (B until
    # November). p403 permit later, p404 emigrated 30 Jun (spell ended), p405 permit expired 31 Aug, p406 died 1 Aug,
    # p410 arrives in October.
    _check(observed, "N2", "2022-09-01", {A: (1, None), B: (3, None), "000": (4, None)})
    # N3 Q2 2022, adults living there on 30 Jun with a course in the quarter: p401 (A until August), p406 (moved
    # B -> A on 10 May; course to 15 Apr). p402 (in A for the summer) has no course; p404's spell ended 29 Jun;
    # p405's course starts in July.
    _check(observed, "N3", "2022Q2", {A: (2, None), B: (0, None), "000": (2, None)})
    # N4 on 5 Dec 2022, aged 0-16: p407 in school (A); p408 moved to A on 1 Nov, daycare ended in October;
    # p410 (B) in school from 15 Oct.
    _check(observed, "N4", "2022-12-05", {A: (1, 2), B: (1, 1), "000": (2, 3)})
    # N5 Aug 2022 (population on 31 Aug), 18-66: p405 (A, valid to 31 Aug; wage ended July); p401 (B since
    # 15 Aug; wage from 15 Aug), p402 (B).
    _check(observed, "N5", "2022-08", {A: (0, 1), B: (1, 2), "000": (1, 3)})
    # N6 Aug 2022: self-support benefit p405 (from 29 Aug, A), p402 (B); p401 (B) none.
    _check(observed, "N6", "2022-08", {A: (1, 1), B: (1, 2), "000": (2, 3)})


def test_key_figures_refugees(observed):
    # N7 Jan-Sep 2022 visitations: p501 (A), p504 (B); p502 in October, p503 in 2021.
    _check(observed, "N7", "2022-01/2022-09", {A: (1, None), B: (1, None), "000": (2, None)})
    # N8 on 1 Jul 2022, 18-66, first refugee/family permit < 5 years before: A p506 (in A 1 Apr-14 Jul; family
    # permit 2019, her 2016 'other' permit does not count), p508; B p501 (moved A -> B on 10 Jun), p504, p509
    # (moved A -> B on 1 Mar; refugee permit 2020), p510. p505's permit is from 2016, p507 is 14, p511's permit
    # starts 1 Jul but he arrives 7 Jul, p503 has a permit but no address.
    _check(observed, "N8", "2022-07-01", {A: (2, None), B: (4, None), "000": (6, None)})
    # N9 Q2 2022: p501 on a programme course with a benefit month (May), living in B on 30 Jun; p508 no benefit;
    # p506's course ended.
    _check(observed, "N9", "2022Q2", {A: (0, None), B: (1, None), "000": (1, None)})
    # N10/N11 Sep 2022, recipients 16-64: p501 (A: job-ready), p506 (B: not matched; company-directed
    # activation); p507 is 14, p508 has no benefit.
    _check(observed, "N10", "2022-09", {A: (1, 1), B: (0, 1), "000": (1, 2)})
    _check(observed, "N11", "2022-09", {A: (0, 1), B: (1, 1), "000": (1, 2)})
    # N12 Jul 2016-Sep 2022: p505 (A, 2017), p506 (B, 30 Sep 2022); p501 starts 1 Oct.
    _check(observed, "N12", "2016-07/2022-09", {A: (1, None), B: (1, None), "000": (2, None)})
    # N13 Q2 2022, 21-64, first refugee/family permit after 30 Jun 2018 and on or before 30 Jun 2019 (3 years'
    # residence counted from the permit): p506 (family permit 1 Mar 2019, though she first immigrated in 2016;
    # living in A on 30 Jun; no wage), p510 (B; wage to 15 Apr). p509 first immigrated in Sep 2018 but his refugee
    # permit is from 2020: out (dating by first immigration would have put him in and p506 out).
    _check(observed, "N13", "2022Q2", {A: (0, 1), B: (1, 1), "000": (1, 2)})
    # N14 2022: men 15-29 with a refugee permit and < 5 years since immigration: p509 (A on 1 January, convicted;
    # his move to B in March does not matter: N14 is placed on 1 January), p510 (B).
    _check(observed, "N14", "2022", {A: (1, 1), B: (0, 1), "000": (1, 2)})
    # N15 2023 = cohort 2018: p305 (A, refugee, benefit in 2018, passed), p307 (B, no test).
    _check(observed, "N15", "2023", {A: (1, 1), B: (0, 1), "000": (1, 2)})


def test_key_figures_migration(observed):
    # N16 2022: immigrations of refugee-permit holders: p501, p502, p504, and p511 without a municipality
    # (counted for the whole country only). N17: p505's emigration. National only (local = false).
    _check(observed, "N16", "2022", {"000": (4, None)})
    _check(observed, "N17", "2022", {"000": (1, None)})
    assert not [k for k in observed if k[0] == "N16" and k[2] != "000"]
    # N18 Jan-Sep 2022: p508 (A); p506 left in October.
    _check(observed, "N18", "2022-01/2022-09", {A: (1, None), B: (0, None), "000": (1, None)})


def test_every_area_has_every_period(observed):
    """Regions and municipalities without persons get explicit rows: counts 0, rates missing."""
    assert observed[("1.2", "2022", "083")]["status"] == "missing"
    assert observed[("N12", "2016-07/2022-09", "147")]["value"] == 0
    areas = {k[2] for k in observed if k[0] == "1.2"}
    assert len(areas) == 104
