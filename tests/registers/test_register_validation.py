"""validate_registers on a valid hand-written set and on one kind of bad input at a time.

Every bad-input test asserts the table, column, row (0-based, within the file) or key, and kind of the problem,
and that nothing else was reported as an error (one bad value gives one clear problem, not a cascade).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from barometer.registers.fixtures import loose_table
from barometer.registers.report import Problem, ValidationReport
from barometer.registers.validate import validate_registers


def single_error(report: ValidationReport) -> Problem:
    assert len(report.errors) == 1, [p.model_dump() for p in report.errors]
    assert not report.ok
    return report.errors[0]


def test_valid_set_is_clean(rows, write):
    report = validate_registers(write(rows))
    assert report.problems == []
    assert report.ok
    assert report.rows == {name: len(r) for name, r in rows.items()}


def test_optional_table_may_be_absent(rows, write):
    del rows["wage_employment"]
    assert validate_registers(write(rows)).ok


def test_missing_directory(tmp_path):
    p = single_error(validate_registers(tmp_path / "nope"))
    assert p.kind == "missing_directory"


def test_missing_required_table(rows, write):
    del rows["residence"]
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind) == ("residence", "missing_table")


def test_missing_column(rows, write):
    rows["residence"] = loose_table("residence", rows["residence"], drop=("municipality",))
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.file, p.kind) == (
        "residence",
        "municipality",
        "residence/part-00000.parquet",
        "missing_column",
    )


def test_wrong_integer_width(rows, write):
    rows["residence"] = loose_table("residence", rows["residence"], types={"year": pa.int32()})
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.kind, p.value) == ("residence", "year", "wrong_type", "int32")


def test_date_stored_as_string_is_wrong_type(rows, write):
    for r in rows["persons"]:
        r["birth_date"] = r["birth_date"].isoformat()
    rows["persons"] = loose_table("persons", rows["persons"], types={"birth_date": pa.string()})
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.kind) == ("persons", "birth_date", "wrong_type")


def test_large_and_dictionary_strings_are_accepted(rows, write):
    rows["residence"] = loose_table("residence", rows["residence"], types={"municipality": pa.large_string()})
    table = loose_table("employment", rows["employment"])
    rows["employment"] = table.set_column(2, "status", table.column("status").dictionary_encode())
    assert validate_registers(write(rows)).ok


def test_unknown_municipality(rows, write):
    rows["residence"][2]["municipality"] = "999"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.value, p.kind) == (
        "residence",
        "municipality",
        2,
        {"pnr": "3", "year": "2022"},
        "999",
        "unknown_municipality",
    )


def test_whole_country_code_is_not_a_municipality(rows, write):
    rows["visitations"][1]["municipality"] = "000"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("visitations", "municipality", 1, "unknown_municipality")


def test_unknown_country(rows, write):
    rows["persons"][2]["origin_country"] = "QQ"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == (
        "persons",
        "origin_country",
        2,
        {"pnr": "3"},
        "unknown_country",
    )


def test_unknown_code(rows, write):
    rows["employment"][0]["status"] = "retired"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.value, p.kind) == ("employment", "status", 0, "retired", "unknown_code")


def test_null_in_required_column(rows, write):
    rows["persons"][1]["sex"] = None
    rows["persons"] = loose_table("persons", rows["persons"])
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == ("persons", "sex", 1, {"pnr": "2"}, "null_value")


def test_duplicate_person_year(rows, write):
    rows["residence"].append({"pnr": 1, "year": 2022, "municipality": "101"})
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind, p.key, p.row, p.count) == (
        "residence",
        "duplicate_key",
        {"pnr": "1", "year": "2022"},
        0,
        1,
    )
    assert "2 times" in p.message


def test_duplicate_person(rows, write):
    rows["persons"].append(dict(rows["persons"][0]))
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind, p.key) == ("persons", "duplicate_key", {"pnr": "1"})


def test_date_out_of_range(rows, write):
    rows["benefits"][1]["end_date"] = date(2099, 1, 1)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind, p.value) == ("benefits", "end_date", 1, "date_out_of_range", "2099-01-01")


def test_year_out_of_range(rows, write):
    rows["education"][0]["year"] = 1850
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("education", "year", 0, "out_of_range")


def test_end_before_start(rows, write):
    rows["benefits"][0]["end_date"] = date(2015, 12, 31)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == ("benefits", "end_date", 0, {"pnr": "3"}, "end_before_start")


def test_death_before_birth(rows, write):
    rows["persons"][6]["death_date"] = date(1949, 1, 1)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("persons", "death_date", 6, "end_before_start")


@pytest.mark.parametrize("hours", [-5.0, 168.5, float("nan")])
def test_hours_outside_0_to_168(rows, write, hours):
    rows["benefits"][1]["hours_per_week"] = hours
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("benefits", "hours_per_week", 1, "out_of_range")


@pytest.mark.parametrize("grade", [5, 1, 13, -2])
def test_grade_off_the_7_point_scale(rows, write, grade):
    rows["grades"][3]["grade"] = grade
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.value, p.kind) == ("grades", "grade", 3, str(grade), "unknown_code")
    assert p.key == {"pnr": "6", "year": "2021", "subject": "dansk_retskrivning"}


def test_reference_to_unknown_person(rows, write):
    rows["convictions"][0]["pnr"] = 99
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == ("convictions", "pnr", 0, {"pnr": "99"}, "unknown_person")


def test_survey_answer_for_unknown_respondent(rows, write):
    rows["survey_answers"][2]["respondent_id"] = 7
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind, p.row) == ("survey_answers", "unknown_reference", 2)
    assert p.key == {"year": "2024", "respondent_id": "7", "question": "discrimination"}


def test_survey_answer_not_a_code_of_its_question(rows, write):
    rows["survey_answers"][1]["answer"] = 5  # danish_problems has 1-4 and 9; 5 exists only on agree scales
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("survey_answers", "answer", 1, "unknown_code")


def test_immigrant_without_immigration_date(rows, write):
    rows["persons"][4]["immigration_date"] = None
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == ("persons", "immigration_date", 4, {"pnr": "5"}, "inconsistent")


def test_immigrant_with_danish_origin_country(rows, write):
    rows["persons"][3]["origin_country"] = "DK"
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("persons", "origin_country", 3, "inconsistent")


def test_monthly_table_needs_first_of_month(rows, write):
    rows["programme_status"][1]["month"] = date(2016, 2, 15)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("programme_status", "month", 1, "inconsistent")


def test_ukraine_permit_before_the_special_act(rows, write):
    rows["permits"][1]["start_date"] = date(2021, 6, 1)
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.kind) == ("permits", "start_date", 1, "date_out_of_range")


def test_empty_table_where_rows_are_required(rows, write):
    rows["residence"] = []
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.kind) == ("residence", "empty_table")


def test_empty_table_allowed_where_rows_are_optional(rows, write):
    rows["repatriations"] = []
    assert validate_registers(write(rows)).ok


def test_counts_all_offending_rows_but_reports_the_first_few(rows, write):
    rows["residence"] = [{"pnr": 1, "year": y, "municipality": "998"} for y in range(1990, 2020)]
    expected_total = sum(1 for r in rows["residence"] if r["municipality"] == "998")  # independent count
    report = validate_registers(write(rows), max_examples=5)
    found = report.find("unknown_municipality", "residence", "municipality")
    assert [p.row for p in found] == [0, 1, 2, 3, 4]
    assert {p.count for p in found} == {expected_total} == {30}


def test_problem_in_second_part_names_that_file_and_row(rows, write):
    folder = write(rows)
    from barometer.registers.fixtures import to_arrow
    from barometer.registers.layout import write_part
    from barometer.registers.manifest import write_manifest

    bad = [{"pnr": 3, "year": 2024, "municipality": "851"}, {"pnr": 4, "year": 2024, "municipality": "123"}]
    write_part(folder, "residence", to_arrow("residence", bad), part="851")
    write_manifest(folder)
    p = single_error(validate_registers(folder))
    assert (p.file, p.row, p.key, p.kind) == (
        "residence/part-851.parquet",
        1,
        {"pnr": "4", "year": "2024"},
        "unknown_municipality",
    )


def test_unexpected_column_and_unknown_table_are_warnings(rows, write):
    rows["employment"] = loose_table("employment", rows["employment"], extra={"note": ["x"] * 5})
    folder = write(rows)
    (folder / "persns").mkdir()
    (folder / "persons" / "part-00000.parquet").rename(folder / "persns" / "part-00000.parquet")
    report = validate_registers(folder, check_manifest_file=False)
    kinds = {(p.table, p.kind, p.severity) for p in report.problems}
    assert ("employment", "unexpected_column", "warning") in kinds
    assert ("persns", "unknown_table", "warning") in kinds
    assert ("persons", "missing_table", "error") in kinds


def test_counts_and_first_examples_match_a_reference_over_several_parts(rows, write):
    """Scattered bad codes over three parts: total and first examples equal a plain-Python reference."""
    import random

    from barometer.registers.fixtures import to_arrow
    from barometer.registers.layout import write_part
    from barometer.registers.manifest import write_manifest

    rng = random.Random(7)
    folder = write(rows)
    bad: list[tuple[str, int]] = []
    for part in range(3):
        part_rows = [
            {
                "pnr": pnr,
                "year": year,
                "municipality": rng.choice(["998", "0851", "101"]) if rng.random() < 0.1 else "851",
            }
            for year in range(1991 + 10 * part, 2001 + 10 * part)  # 1991-2020: all born, no clash with base set
            for pnr in (1, 2, 3, 7)  # born by 1990, alive until 2023
        ]
        name = f"residence/part-extra{part}.parquet"
        bad += [(name, n) for n, r in enumerate(part_rows) if r["municipality"] in ("998", "0851")]
        write_part(folder, "residence", to_arrow("residence", part_rows), part=f"extra{part}")
    write_manifest(folder)
    report = validate_registers(folder, max_examples=3)
    found = report.find("unknown_municipality", "residence")
    assert found, "the random draw produced no bad code; change the seed"
    assert {p.count for p in found} == {len(bad)}
    assert [(p.file, p.row) for p in found] == sorted(bad)[:3]
    assert len(report.errors) == len(found)  # nothing else is wrong (no duplicate keys with the base set)


def test_resident_before_birth(rows, write):
    rows["residence"][3]["year"] = 2008  # pnr 4 is born 1 June 2008: not resident on 1 January 2008
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == (
        "residence",
        "year",
        3,
        {"pnr": "4", "year": "2008"},
        "inconsistent",
    )
    assert "not born yet or already dead" in p.message


def test_employment_status_after_death(rows, write):
    rows["employment"].append({"pnr": 7, "year": 2023, "status": "outside_labour_force"})  # died 2 January 2023
    p = single_error(validate_registers(write(rows)))
    assert (p.table, p.column, p.row, p.key, p.kind) == (
        "employment",
        "year",
        5,
        {"pnr": "7", "year": "2023"},
        "inconsistent",
    )


def test_broken_persons_part_does_not_cascade_into_unknown_persons(rows, write):
    """A persons part without a column is left out; references to its persons are not reported as unknown."""
    from barometer.registers.fixtures import loose_table, to_arrow
    from barometer.registers.layout import write_part
    from barometer.registers.manifest import write_manifest

    folder = write(rows)
    write_part(folder, "persons", to_arrow("persons", rows["persons"][:3]), part=0)
    broken = loose_table("persons", rows["persons"][3:], drop=("sex",))
    import pyarrow.parquet as pq

    pq.write_table(broken, folder / "persons" / "part-00001.parquet")
    write_manifest(folder)
    p = single_error(validate_registers(folder))
    assert (p.table, p.column, p.file, p.kind) == ("persons", "sex", "persons/part-00001.parquet", "missing_column")


def test_several_duplicated_keys_are_counted_once_each(rows, write):
    rows["residence"] += [
        {"pnr": 2, "year": 2022, "municipality": "101"},
        {"pnr": 1, "year": 2022, "municipality": "851"},
        {"pnr": 1, "year": 2022, "municipality": "147"},
    ]
    report = validate_registers(write(rows))
    found = report.find("duplicate_key", "residence")
    assert [(p.key, p.row, p.count) for p in found] == [
        ({"pnr": "1", "year": "2022"}, 0, 2),
        ({"pnr": "2", "year": "2022"}, 1, 2),
    ]
    assert ["3 times" in found[0].message, "2 times" in found[1].message] == [True, True]
    assert len(report.errors) == 2
