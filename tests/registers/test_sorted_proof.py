"""Validation over parts in the recommended layout (sorted by person, disjoint pnr ranges): the linear proofs of
barometer.registers.check_sorted accept clean data without the SQL checks, and on bad data the report is exactly
the one the SQL checks alone give (the proofs only decide when those checks may be skipped)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from barometer.registers import check_values
from barometer.registers.check_sorted import SortedProof, strictly_increasing
from barometer.registers.contract import CONTRACT
from barometer.registers.fixtures import Rows, loose_table, to_arrow, valid_rows
from barometer.registers.layout import part_files, person_order, sort_part, write_part
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


def _write_sorted(root: Path, rows: dict[str, Rows], split: dict[str, int] | None = None,
                  interleave: tuple[str, ...] = ()) -> Path:
    """Every table in the recommended order; tables in ``split`` cut into two parts at that pnr, tables in
    ``interleave`` into a part of persons 1, 2, 5, 6, 7 and one of persons 3 and 4, whose pnr ranges overlap (as a
    part written for several municipalities at once overlaps the range of another)."""
    for name, data in rows.items():
        if any(v is None for r in data for k, v in r.items() if not CONTRACT.table(name).column(k).nullable):
            path = root / name / "part-00000.parquet"  # a null where the contract forbids one: write as is
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(sort_part(name, loose_table(name, data)), path)
            continue
        table = sort_part(name, to_arrow(name, data))
        if name in interleave:
            inner = [r for r in data if r["pnr"] in (3, 4)]
            write_part(root, name, sort_part(name, to_arrow(name, [r for r in data if r not in inner])), part=0)
            write_part(root, name, sort_part(name, to_arrow(name, inner)), part=1)
            continue
        cut = (split or {}).get(name)
        if cut is None:
            write_part(root, name, table)
            continue
        pnr = table.column("pnr").to_pylist()
        first = sum(1 for p in pnr if p < cut)
        write_part(root, name, table.slice(0, first), part=0)
        write_part(root, name, table.slice(first), part=1)
    write_manifest(root, generator="tests", synthetic=True)
    return root


def _report(root: Path) -> list[dict]:
    return [p.model_dump() for p in validate_registers(root).problems]


def _without_proofs(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[dict]:
    """The report of the SQL checks alone."""
    with monkeypatch.context() as m:
        m.setattr(SortedProof, "unique", lambda self, tf: False)
        m.setattr(SortedProof, "no_overlaps", lambda self, tf: False)
        m.setattr(SortedProof, "references", lambda self, tf, ref, fk, rules: False)
        return _report(root)


@pytest.fixture
def sql_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the tables whose duplicate, overlap or reference SQL ran (the proofs did not settle them)."""
    calls: list[str] = []
    for method in ("_check_duplicates", "_check_overlaps"):
        original = getattr(check_values.ValueChecker, method)

        def spy(self, tf, _original=original, _method=method):
            if (_method == "_check_duplicates" and tf.table.primary_key) or (
                    _method == "_check_overlaps" and tf.table.no_overlap):
                calls.append(f"{_method}:{tf.table.name}")
            return _original(self, tf)

        monkeypatch.setattr(check_values.ValueChecker, method, spy)
    original_fk = SortedProof.references

    def spy_fk(self, tf, ref, fk, rules):
        proven = original_fk(self, tf, ref, fk, rules)
        if not proven:
            calls.append(f"references:{tf.table.name}")
        return proven

    monkeypatch.setattr(SortedProof, "references", spy_fk)
    return calls


def test_person_order_starts_with_pnr_and_the_key():
    assert person_order(CONTRACT.table("residence")) == ("pnr", "year")
    assert person_order(CONTRACT.table("grades")) == ("pnr", "year", "subject")
    assert person_order(CONTRACT.table("benefits"))[:2] == ("pnr", "start_date")  # no key: pnr and dates
    assert person_order(CONTRACT.table("housing_areas")) == CONTRACT.table("housing_areas").primary_key


def test_strictly_increasing_is_lexicographic():
    import numpy as np

    a, b = np.array([1, 1, 2, 3]), np.array([5, 6, 1, 1])
    assert strictly_increasing([a, b])
    assert not strictly_increasing([a, np.array([5, 5, 1, 1])])  # (1, 5) twice
    assert not strictly_increasing([np.array([2, 1]), np.array([0, 9])])  # pnr going down


def test_sorted_clean_set_is_proven_without_sql(tmp_path, sql_calls):
    root = _write_sorted(tmp_path / "reg", valid_rows(), split={"persons": 3, "residence": 3, "addresses": 3,
                                                               "employment": 3})
    assert len(part_files(root, "residence")) == 2
    assert validate_registers(root).ok
    person_level = [c for c in sql_calls if CONTRACT.table(c.split(":")[1]).has_column("pnr")]
    assert person_level == [], person_level  # every key, spell and reference rule proven by the linear pass
    assert "_check_duplicates:housing_areas" in sql_calls  # tables without pnr keep their (small) SQL checks


def test_parts_with_interleaved_ranges_are_proven_by_their_persons(tmp_path, sql_calls):
    tables = ("persons", "residence", "addresses", "employment", "education")
    root = _write_sorted(tmp_path / "reg", valid_rows(), interleave=tables)
    assert len(part_files(root, "residence")) == 2
    assert validate_registers(root).ok
    assert [c for c in sql_calls if c.split(":")[1] in tables] == []


def test_a_person_in_two_interleaved_parts_falls_back_to_sql(tmp_path, monkeypatch, sql_calls):
    rows = valid_rows()
    root = _write_sorted(tmp_path / "reg", rows, interleave=("persons", "residence"))
    year_of_3 = next(r for r in rows["residence"] if r["pnr"] == 3)
    outer = [r for r in rows["residence"] if r["pnr"] not in (3, 4)] + [dict(year_of_3)]  # person 3 in both parts
    write_part(root, "residence", sort_part("residence", to_arrow("residence", outer)), part=0)
    write_manifest(root, generator="tests", synthetic=True)
    with_proofs = _report(root)
    assert "_check_duplicates:residence" in sql_calls
    assert [p["kind"] for p in with_proofs] == ["duplicate_key"]
    assert with_proofs == _without_proofs(monkeypatch, root)


def test_unsorted_parts_fall_back_to_sql(tmp_path, sql_calls):
    rows = valid_rows()
    root = _write_sorted(tmp_path / "reg", rows)
    reversed_rows = to_arrow("residence", list(reversed(sorted(rows["residence"], key=lambda r: (r["pnr"],
                                                                                               r["year"])))))
    write_part(root, "residence", reversed_rows)
    write_manifest(root, generator="tests", synthetic=True)
    assert validate_registers(root).ok
    assert "_check_duplicates:residence" in sql_calls and "references:residence" in sql_calls


def _bad(rows: dict[str, Rows], case: str) -> dict[str, int] | None:
    """Break the valid set in one way; returns the part split to write it with."""
    if case == "duplicate_key":
        rows["employment"].append(dict(rows["employment"][0]))
    elif case == "duplicate_across_parts":  # the same person-year in both parts of residence
        rows["residence"].append({**rows["residence"][0], "pnr": 3})
        return {"residence": 3}
    elif case == "overlapping_spells":
        spell = next(r for r in rows["addresses"] if r["end_date"] is not None)
        rows["addresses"].append({**spell, "start_date": spell["end_date"], "end_date": None})
    elif case == "unknown_person":
        rows["employment"].append({**rows["employment"][0], "pnr": 999_999})
    elif case == "dead_resident":
        person = rows["persons"][0]
        person["death_date"] = date(2015, 6, 1)
    elif case == "born_after_first_residence":  # the earliest row of a sorted run breaks the interval rule
        person = next(p for p in rows["persons"] if p["origin_type"] == "dansk")
        first = min(r["year"] for r in rows["residence"] if r["pnr"] == person["pnr"])
        person["birth_date"] = date(first, 6, 1)
    elif case == "null_key":
        rows["residence"].append({**rows["residence"][0], "year": None})
    elif case == "spell_ending_before_it_starts":  # a row rule over two columns
        spell = next(r for r in rows["addresses"] if r["end_date"] is not None and r["pnr"] >= 3)
        spell["end_date"] = date(spell["start_date"].year - 1, 1, 1)
        return {"persons": 3, "addresses": 3}  # broken in the second part only
    elif case == "death_before_birth":
        person = next(p for p in rows["persons"] if p["pnr"] == 2)
        person["death_date"] = date(person["birth_date"].year - 1, 12, 31)
    elif case == "mid_month":  # a one-column rule over a key column (no dictionary)
        rows["programme_status"][0]["month"] = date(2023, 3, 15)
    return None


@pytest.mark.parametrize("case", ["duplicate_key", "duplicate_across_parts", "overlapping_spells", "unknown_person",
                                  "dead_resident", "born_after_first_residence", "null_key",
                                  "spell_ending_before_it_starts", "death_before_birth", "mid_month"])
def test_bad_sorted_data_reports_exactly_what_sql_alone_reports(tmp_path, monkeypatch, case):
    rows = copy.deepcopy(valid_rows())
    split = _bad(rows, case)
    root = _write_sorted(tmp_path / "reg", rows, split)
    with_proofs = _report(root)
    assert with_proofs, "the broken set must not validate"
    assert with_proofs == _without_proofs(monkeypatch, root)
