"""The contract declaration itself: consistent keys, schemas, code lists and the writer helpers."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.catalogue import load_catalogue
from barometer.registers.contract import (
    CONTRACT,
    CONTRACT_VERSION,
    arrow_schema,
    countries,
    municipality_codes,
    western_country_codes,
)
from barometer.registers.layout import conform, part_files, part_writer, write_part

# domain.md §2: EU-27 + Andorra, Iceland, Liechtenstein, Monaco, Norway, San Marino, Switzerland, Vatican,
# Canada, USA, Australia, New Zealand; plus the United Kingdom (named by DST's current definition).
EU27 = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
WESTERN = set(EU27) | set(["AD", "IS", "LI", "MC", "NO", "SM", "CH", "VA", "CA", "US", "AU", "NZ", "GB"])


def test_version_is_semver():
    assert len(CONTRACT_VERSION.split(".")) == 3


def test_issue_tables_are_all_declared():
    expected = {
        "persons",
        "residence",
        "employment",
        "education",
        "grades",
        "danish_courses",
        "danish_tests",
        "benefits",
        "convictions",
        "permits",
        "visitations",
        "programme_status",
        "igu_courses",
        "repatriations",
        "migrations",
        "enrolment",
        "housing_areas",
        "survey_respondents",
        "survey_answers",
    }
    assert expected <= set(CONTRACT.tables)
    assert {n for n, t in CONTRACT.tables.items() if not t.required} == {"wage_employment"}


@pytest.mark.parametrize("name", list(CONTRACT.tables))
def test_keys_and_references_point_at_declared_columns(name):
    table = CONTRACT.table(name)
    for fk in table.foreign_keys:
        ref = CONTRACT.table(fk.ref_table)
        assert set(fk.ref_columns) == set(ref.primary_key)
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
            assert table.column(col).type == ref.column(ref_col).type
    for rule in table.rules:
        assert all(table.has_column(c) for c in rule.columns)
    if table.has_column("pnr") and name != "persons":
        assert any(fk.ref_table == "persons" for fk in table.foreign_keys)
    schema = arrow_schema(name)
    assert schema.names == table.column_names
    assert all(f.nullable == table.column(f.name).nullable for f in schema)
    assert all(c.source and c.description for c in table.columns)


def test_country_classification_matches_the_definition():
    """The Western countries are exactly DST's list; the other Western codes are their territories and
    Czechoslovakia (tests/registers/test_country_classes.py)."""
    cs = countries()
    assert {c for c in western_country_codes() if not cs[c].part_of and not cs[c].former} == WESTERN
    assert {c for c in western_country_codes() if cs[c].former} == {"CSHH"}
    assert all(cs[c].part_of in WESTERN for c in western_country_codes() if cs[c].part_of)
    assert countries()["ZZ"].western is False and countries()["XS"].western is False
    assert countries()["SY"].name == "Syrien"
    text = (Path(__file__).resolve().parents[2] / "src/barometer/registers/data/countries.toml").read_text()
    codes = [c["code"] for c in tomllib.loads(text)["country"]]
    assert len(codes) == len(set(codes)) > 240


def test_municipality_codes_are_the_catalogue_municipalities():
    codes = municipality_codes()
    assert len(codes) == 98 and "851" in codes and "101" in codes
    assert set(codes) == {a.code for a in load_catalogue().areas if a.kind == "municipality"}
    assert "000" not in codes


def test_conform_casts_to_the_contract_schema():
    raw = pa.table({"municipality": ["851"], "year": pa.array([2020], pa.int64()), "pnr": [1], "x": [0]})
    table = conform("residence", raw)
    assert table.schema == arrow_schema("residence")
    with pytest.raises(ValueError, match="residence: missing column"):
        conform("residence", pa.table({"pnr": [1]}))
    with pytest.raises(ValueError, match="column year"):
        conform("residence", pa.table({"pnr": [1], "year": ["x"], "municipality": ["851"]}))


def test_parts_stream_into_one_table(tmp_path):
    write_part(tmp_path, "residence", pa.table({"pnr": [1], "year": [2020], "municipality": ["851"]}), part="851")
    with part_writer(tmp_path, "residence", part=2) as writer:
        for year in (2020, 2021):
            writer.write_table(conform("residence", pa.table({"pnr": [2], "year": [year], "municipality": ["101"]})))
    assert [p.name for p in part_files(tmp_path, "residence")] == ["part-00002.parquet", "part-851.parquet"]
    assert pq.read_table(tmp_path / "residence").num_rows == 3
    with pytest.raises(KeyError, match="no table 'residens'"):
        write_part(tmp_path, "residens", pa.table({"pnr": [1]}))


def test_date_columns_are_bounded():
    for table in CONTRACT.tables.values():
        for c in table.columns:
            if c.type == "date":
                assert isinstance(c.minimum, date) and isinstance(c.maximum, date)
