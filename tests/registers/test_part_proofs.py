"""The pieces of the per-part proofs (barometer.registers.check_parts): finding persons by pnr, proving parts
disjoint by blocks of persons, and parts that are not aligned with the persons' parts, each against a plain
reference or the report of the SQL checks alone."""

from __future__ import annotations

import numpy as np
import pytest

from barometer.registers.check_parts import Part, PnrIndex, blocks_disjoint
from barometer.registers.check_sorted import SortedProof
from barometer.registers.fixtures import to_arrow, valid_rows
from barometer.registers.layout import sort_part, write_part
from barometer.registers.manifest import write_manifest
from barometer.registers.validate import validate_registers


def _reference_find(persons: np.ndarray, people: np.ndarray) -> np.ndarray | None:
    where = {int(p): i for i, p in enumerate(persons)}
    if any(int(p) not in where for p in people):
        return None
    return np.array([where[int(p)] for p in people], dtype=np.int64)


def _persons(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "consecutive":
        return np.arange(101_000_000_001, 101_000_003_001, dtype=np.int64)
    if kind == "runs":  # a few blocks of consecutive numbers (pnr handed out by municipality), with holes
        blocks = [np.arange(start, start + 700, dtype=np.int64) for start in (101_000_000_001, 147_000_000_001,
                                                                                851_000_000_001)]
        every = np.concatenate(blocks)
        return np.delete(every, [5, 6, 800, 1500])
    return np.unique(rng.integers(1, 10**11, 3000))  # scattered


@pytest.mark.parametrize("kind", ["consecutive", "runs", "scattered"])
def test_pnr_index_finds_exactly_the_persons_there(kind):
    rng = np.random.default_rng(7)
    persons = _persons(kind, rng)
    index = PnrIndex(persons)
    assert (index.runs is not None) == (kind != "scattered")
    for _ in range(20):
        people = np.sort(rng.choice(persons, size=int(rng.integers(1, 200)), replace=False))
        found = index.find(people)
        assert found is not None and np.array_equal(found, _reference_find(persons, people))
    for missing in (persons[0] - 1, persons[-1] + 1, persons[5] + 1 if kind != "consecutive" else persons[-1] + 7):
        if missing in persons:
            continue
        people = np.sort(np.append(persons[10:20], missing))
        assert index.find(people) is None, missing
    assert index.find(np.empty(0, np.int64)) is not None
    assert PnrIndex(np.empty(0, np.int64)).find(persons[:1]) is None


def _part(people: list[int]) -> Part:
    part = Part(path=None, rows=len(people))  # type: ignore[arg-type]
    part.people = np.array(people, dtype=np.int64)
    part.first, part.last = people[0], people[-1]
    return part


def test_blocks_disjoint_by_blocks_by_persons_and_not():
    municipality = [list(range(m * 10**6, m * 10**6 + 50)) for m in (101, 147, 151, 153)]
    a, b = _part(municipality[0] + municipality[2]), _part(municipality[1] + municipality[3])  # ranges interleave
    assert blocks_disjoint([a, b])
    assert not blocks_disjoint([a, _part(municipality[1] + [municipality[2][7]] + municipality[3])])
    odd, even = _part(list(range(1, 400, 2))), _part(list(range(2, 400, 2)))  # blocks overlap, persons do not
    assert blocks_disjoint([odd, even])
    assert not blocks_disjoint([odd, _part([*range(2, 10, 2), 11])])
    a.people = None  # a part whose pnr were not in order proves nothing
    assert not blocks_disjoint([a, b])


def _write(root, rows, parts: dict[str, list[tuple[str, set[int]]]]) -> None:
    """Every table in the recommended order; tables in ``parts`` written as parts named and holding the given
    persons, the others as one part."""
    for name, data in rows.items():
        if name not in parts:
            write_part(root, name, sort_part(name, to_arrow(name, data)))
            continue
        for label, pnr in parts[name]:
            write_part(root, name, sort_part(name, to_arrow(name, [r for r in data if r["pnr"] in pnr])), part=label)
    write_manifest(root, generator="tests", synthetic=True)


def _without_proofs(monkeypatch, root) -> list[dict]:
    with monkeypatch.context() as m:
        m.setattr(SortedProof, "unique", lambda self, tf: False)
        m.setattr(SortedProof, "no_overlaps", lambda self, tf: False)
        m.setattr(SortedProof, "references", lambda self, tf, ref, fk, rules: False)
        return [p.model_dump() for p in validate_registers(root).problems]


def test_parts_not_aligned_with_the_persons_parts_are_proven_against_all_persons(tmp_path, proven_references):
    rows = valid_rows()
    people = {r["pnr"] for r in rows["persons"]}
    low, high = {p for p in people if p <= 3}, {p for p in people if p > 3}
    layout = {"persons": [("00", low), ("01", high)],
              "residence": [("a", {1, 2}), ("b", {3, 4}), ("c", people - {1, 2, 3, 4})],  # other names, other cuts
              "employment": [("01", low), ("00", high)]}  # same names, swapped persons
    _write(tmp_path / "reg", rows, layout)
    proven = proven_references
    report = validate_registers(tmp_path / "reg")
    assert report.ok, report.problems
    assert {"residence", "employment"} <= set(proven)


def test_a_person_in_two_unaligned_parts_is_reported_as_by_sql(tmp_path, monkeypatch):
    rows = valid_rows()
    people = {r["pnr"] for r in rows["persons"]}
    layout = {"persons": [("00", {p for p in people if p <= 3}), ("01", {p for p in people if p > 3})],
              "residence": [("00", {1, 2, 3}), ("01", people - {1, 2})]}  # person 3 in both parts
    _write(tmp_path / "reg", rows, layout)
    problems = [p.model_dump() for p in validate_registers(tmp_path / "reg").problems]
    assert {p["kind"] for p in problems} == {"duplicate_key"}
    assert problems == _without_proofs(monkeypatch, tmp_path / "reg")


def test_each_footer_is_read_once_per_validation(tmp_path, monkeypatch):
    import collections

    import pyarrow.parquet as pq

    from barometer.registers.fixtures import write_register_set

    root = write_register_set(tmp_path / "reg")
    reads: collections.Counter = collections.Counter()
    original = pq.read_metadata

    def counting(path, *args, **kwargs):
        reads[str(path)] += 1
        return original(path, *args, **kwargs)

    monkeypatch.setattr(pq, "read_metadata", counting)
    assert validate_registers(root).ok
    assert reads and set(reads.values()) == {1}, reads.most_common(3)  # manifest, schema, statistics, proofs


def test_each_part_is_read_once_for_its_proofs_and_dictionaries(tmp_path, monkeypatch):
    import collections

    from barometer.registers import check_sorted
    from barometer.registers.contract import CONTRACT
    from barometer.registers.fixtures import write_register_set
    from barometer.registers.layout import part_files

    root = write_register_set(tmp_path / "reg")
    reads: collections.Counter = collections.Counter()
    original = check_sorted.read_part

    def counting(table, path, columns, metadata=None):
        reads[path] += 1
        return original(table, path, columns, metadata)

    monkeypatch.setattr(check_sorted, "read_part", counting)
    assert validate_registers(root).ok
    parts = {p for name in CONTRACT.tables for p in part_files(root, name)}
    assert set(reads) <= parts and len(reads) > len(parts) // 2
    assert set(reads.values()) == {1}, reads.most_common(3)


def test_a_part_whose_dictionary_columns_fail_to_read_is_still_proven(tmp_path, monkeypatch, scanned):
    """The proof's columns are read again alone: the dictionaries are lost for that table (its code checks are
    scanned), not the proofs."""
    import pyarrow as pa

    from barometer.registers import check_dictionaries, check_sorted, check_values

    root = tmp_path / "reg"
    _write(root, valid_rows(), {})  # sorted: every key proven without SQL
    monkeypatch.setattr(check_dictionaries, "dictionary_page_values", lambda *args: None)  # decoded, then
    original = check_sorted.read_part
    scans: list[str] = []
    original_unique = check_values.ValueChecker._check_duplicates

    def failing(table, path, columns, metadata=None):
        if table.name == "residence" and "municipality" in columns:
            raise pa.ArrowInvalid("a broken page")
        return original(table, path, columns, metadata)

    def spy(self, tf):
        scans.append(tf.table.name)
        return original_unique(self, tf)

    monkeypatch.setattr(check_sorted, "read_part", failing)  # ... failing
    monkeypatch.setattr(check_values.ValueChecker, "_check_duplicates", spy)
    assert validate_registers(root).ok
    assert "residence" not in scans and "employment" not in scans  # proven from pnr and year read alone
    assert "residence.municipality:unknown_municipality" in scanned  # its codes scanned: no dictionary
