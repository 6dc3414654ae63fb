"""The reference calculation itself, on a hand-made register folder whose figures are worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from synth_reference import national_figures

from barometer.registers.contract import CONTRACT, arrow_schema

D = dt.date


def write(root: Path, table: str, rows: list[dict]) -> None:
    schema = arrow_schema(table)
    (root / table).mkdir(parents=True)
    data = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    pq.write_table(data, root / table / "part-0.parquet")


def test_reference_figures_by_hand(tmp_path: Path) -> None:
    # 1, 2: non-Western (Iraq) descendants aged 30; 3, 4: Danish origin aged 30; 5: Danish origin aged 70.
    persons = [
        {
            "pnr": i,
            "birth_date": D(1990 if i < 5 else 1950, 6, 1),
            "sex": "M",
            "origin_type": o,
            "origin_country": c,
            "immigration_date": None,
            "death_date": None,
        }
        for i, o, c in (
            (1, "efterkommer", "IQ"),
            (2, "efterkommer", "IQ"),
            (3, "dansk", "DK"),
            (4, "dansk", "DK"),
            (5, "dansk", "DK"),
        )
    ]
    write(tmp_path, "persons", persons)
    write(tmp_path, "residence", [{"pnr": i, "year": 2020, "municipality": "851"} for i in range(1, 6)])
    write(
        tmp_path,
        "employment",
        [
            {"pnr": i, "year": 2020, "status": s}
            for i, s in (
                (1, "employee"),
                (2, "unemployed"),
                (3, "self_employed"),
                (4, "employee"),
                (5, "outside_labour_force"),
            )
        ],
    )
    # Person 2: all of 2020 on cash benefit plus an overlapping sickness spell (capped at one full-time person);
    # person 1: 183 of 366 days at 37 hours; person 4: SU (not counted); person 5 is outside 16-66.
    write(
        tmp_path,
        "benefits",
        [
            {
                "pnr": 2,
                "benefit": "cash_benefit",
                "start_date": D(2020, 1, 1),
                "end_date": D(2020, 12, 31),
                "hours_per_week": 37.0,
            },
            {
                "pnr": 2,
                "benefit": "sickness_benefit",
                "start_date": D(2020, 3, 1),
                "end_date": D(2020, 3, 31),
                "hours_per_week": 37.0,
            },
            {
                "pnr": 1,
                "benefit": "unemployment_benefit",
                "start_date": D(2020, 1, 1),
                "end_date": D(2020, 7, 1),
                "hours_per_week": 37.0,
            },
            {
                "pnr": 4,
                "benefit": "student_grant",
                "start_date": D(2020, 1, 1),
                "end_date": D(2020, 12, 31),
                "hours_per_week": 37.0,
            },
            {
                "pnr": 5,
                "benefit": "early_retirement",
                "start_date": D(2020, 1, 1),
                "end_date": D(2020, 12, 31),
                "hours_per_week": 37.0,
            },
        ],
    )
    # Aged 29 on 1 January 2020: person 2 convicted under the criminal code in 2020; person 1 only under the
    # traffic act in 2020 and the criminal code in 2019 (neither counts for 2020).
    write(
        tmp_path,
        "convictions",
        [
            {"pnr": 1, "decision_date": D(2020, 5, 1), "offence_date": None, "law": "faerdselsloven"},
            {"pnr": 1, "decision_date": D(2019, 12, 31), "offence_date": None, "law": "straffeloven"},
            {"pnr": 2, "decision_date": D(2020, 2, 1), "offence_date": D(2019, 11, 1), "law": "straffeloven"},
            {"pnr": 2, "decision_date": D(2020, 9, 1), "offence_date": None, "law": "straffeloven"},
        ],
    )
    for table in (
        "education",
        "grades",
        "danish_courses",
        "danish_tests",
        "migrations",
        "permits",
        "housing_areas",
        "survey_respondents",
        "survey_answers",
    ):
        assert table in CONTRACT.tables
        write(tmp_path, table, [])
    got = {(f.target_id, f.year): (f.value, f.n) for f in national_figures(tmp_path, 1.0)}
    assert got[("employment_nonwestern_25_64", 2020)] == (50.0, 2)
    assert got[("employment_danish_25_64", 2020)] == (100.0, 2)
    assert got[("public_support_nonwestern_16_66", 2020)][0] == 100 * (1 + 183 / 366) / 2
    assert got[("public_support_danish_16_66", 2020)] == (0.0, 2)
    assert got[("convicted_nonwestern_15_29", 2020)] == (50.0, 2)
    assert got[("convicted_danish_15_29", 2020)] == (0.0, 2)
    assert got[("population_total", 2020)] == (5.0, 5)
    assert got[("non_western_share", 2020)] == (40.0, 5)
