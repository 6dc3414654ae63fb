"""The status chain computed part by part (barometer.engine.ordered) equals its SQL, cell for cell.

Both executions run on the same synthetic registers (written by person part, sorted): the per-part pass must give
exactly the SQL's ``status_cells`` (types, counts, DECIMAL sums). Registers whose parts break what the pass relies
on (a person's rows in another person part, a key twice, parts named differently, parts too large) must make the
backend run the SQL instead, with the same cells as the untouched registers; rows merely out of order are matched
all the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.catalogue import load_catalogue
from barometer.engine.backend import DuckDBBackend
from barometer.engine.build import derive_views, prepare
from barometer.engine.engines import locate
from barometer.engine.merge import (
    NotApplicable,
    Persons,
    Slots,
    dense_match,
    disjoint,
    gather,
    key_span,
    masked,
    slots,
    span_match,
)
from barometer.engine.settings import EngineSettings
from barometer.registers.layout import part_files

SCALE, YEARS, SEED = 0.002, range(2012, 2025), 5


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic registers in many small person parts (as a full-scale extract has, at a test's size)."""
    module = pytest.importorskip("barometer.synth.generate")
    out = tmp_path_factory.mktemp("ordered") / "registers"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "CHUNK_PERSONS", 1_000)
        module.generate(out, SCALE, YEARS, SEED, workers=1)
    return out


def status_cells(registers: Path, ordered: bool = True) -> tuple[str, list[tuple], list[tuple]]:
    """How the chain ran, ``status_cells``' column types and its rows in a fixed order."""
    backend = DuckDBBackend()
    if not ordered:
        backend.chains = ()
    try:
        _, params = prepare(backend, locate(registers, "duckdb"), load_catalogue(), "2024-11", EngineSettings())
        derive_views(backend, params, until="status_cells")
        types = backend.con.sql("DESCRIBE status_cells").fetchall()
        rows = backend.con.sql("SELECT * FROM status_cells ORDER BY ALL").fetchall()
        return backend.strategy.get("status_cells", "sql"), types, rows
    finally:
        backend.close()


@pytest.fixture(scope="module")
def by_sql(synthetic: Path) -> tuple[str, list[tuple], list[tuple]]:
    return status_cells(synthetic, ordered=False)


def _copy(synthetic: Path, tmp_path: Path) -> Path:
    out = tmp_path / "registers"
    shutil.copytree(synthetic, out)
    return out


def test_synthetic_parts_run_part_by_part_with_the_sql_cells(synthetic: Path, by_sql):
    assert len(part_files(synthetic, "persons")) > 3  # several parts, so matching across them would show
    strategy, types, rows = status_cells(synthetic)
    assert strategy == "ordered"
    assert types == by_sql[1]  # same names and types: DECIMAL(38,9) sums, BIGINT counts
    assert rows == by_sql[2]
    assert sum(r[-2] for r in rows) > 1000 and any(r[-1] > 0 for r in rows)  # persons and fte counted


def test_rows_out_of_order_are_matched_all_the_same(synthetic: Path, by_sql, tmp_path: Path):
    registers = _copy(synthetic, tmp_path)
    for table in ("employment", "education", "residence"):
        path = part_files(registers, table)[0]
        data = pq.read_table(path)
        pq.write_table(data.take(pa.array(np.random.default_rng(1).permutation(data.num_rows))), path)
    strategy, types, rows = status_cells(registers)
    assert strategy == "ordered"
    assert (types, rows) == by_sql[1:]


def _move_first_person(registers: Path, table: str) -> None:
    """Move the rows of the first person of ``table``'s first part into its second part."""
    first, second = part_files(registers, table)[:2]
    a, b = pq.read_table(first), pq.read_table(second)
    moved = pa.compute.equal(a.column("pnr"), a.column("pnr")[0])
    pq.write_table(a.filter(pa.compute.invert(moved)), first)
    pq.write_table(pa.concat_tables([b, a.filter(moved).cast(b.schema)]), second)


@pytest.mark.parametrize("table", ["employment", "benefits"])
def test_a_person_in_another_part_falls_back_to_sql(synthetic: Path, by_sql, tmp_path: Path, table: str):
    registers = _copy(synthetic, tmp_path)
    _move_first_person(registers, table)
    strategy, types, rows = status_cells(registers)
    assert strategy.startswith("sql: ") and "another part" in strategy
    assert (types, rows) == by_sql[1:]  # the same rows, only in other files


def test_a_key_twice_falls_back_to_sql(synthetic: Path, tmp_path: Path):
    registers = _copy(synthetic, tmp_path)
    path = part_files(registers, "employment")[0]
    data = pq.read_table(path)
    employed = data.filter(pa.compute.equal(data.column("status"), "employee")).slice(0, 1)
    pq.write_table(pa.concat_tables([data, employed]), path)
    strategy, types, rows = status_cells(registers)
    assert strategy.startswith("sql: ") and "key twice" in strategy
    assert (types, rows) == status_cells(registers, ordered=False)[1:]  # the SQL's join repeats the row


def test_parts_named_differently_fall_back_to_sql(synthetic: Path, by_sql, tmp_path: Path):
    registers = _copy(synthetic, tmp_path)
    path = part_files(registers, "education")[0]
    path.rename(path.with_name("part-other.parquet"))
    strategy, types, rows = status_cells(registers)
    assert strategy.startswith("sql: ") and "not named like" in strategy
    assert (types, rows) == by_sql[1:]


def test_parts_too_large_for_the_pass_fall_back_to_sql(synthetic: Path, by_sql, monkeypatch):
    largest = max(pq.ParquetFile(p).metadata.num_rows for p in part_files(synthetic, "persons"))
    monkeypatch.setattr("barometer.engine.ordered.MAX_PART_PERSONS", largest - 1)
    strategy, types, rows = status_cells(synthetic)
    assert strategy.startswith("sql: ") and "more than the" in strategy
    assert (types, rows) == by_sql[1:]
    monkeypatch.setattr("barometer.engine.ordered.MAX_PART_PERSONS", largest)
    assert status_cells(synthetic)[0] == "ordered"  # a part of exactly the limit is small enough


@pytest.mark.parametrize("runs", [64, 0])
@pytest.mark.parametrize("numbers", [[10, 11, 12], [10, 20, 30], [10, 2_000, 900_000]])
def test_persons_find_each_position_and_refuse_another_parts_person(numbers, runs, monkeypatch):
    """Numbers without gaps (position = distance from the first), in a few runs (distance from the run's first),
    with more gaps (a lookup table) and sparse ones (binary search), in and out of order, all give the same
    positions."""
    monkeypatch.setattr("barometer.engine.merge.MAX_RUNS", runs)
    persons = Persons(np.array(numbers))
    assert (persons.runs is not None) == (runs > 0 and numbers != [10, 11, 12])
    a, b, c = numbers
    assert persons.index(np.array([a, a, c, c, c]), "t").tolist() == [0, 0, 2, 2, 2]
    assert persons.index(np.array([c, a, b, a]), "t").tolist() == [2, 0, 1, 0]
    assert persons.index(np.array([], np.int64), "t").tolist() == []
    for other in (a - 1, c + 1, a + 1 if b != a + 1 else None):
        if other is not None:
            with pytest.raises(NotApplicable, match="another part"):
                persons.index(np.array([a, other]), "t")
            assert not persons.holds(np.array([other]))
    assert persons.holds(np.array([c, b]))


def test_persons_in_runs_find_each_position_like_a_search_and_refuse_numbers_in_the_gaps():
    """Persons in a few runs of numbers without gaps (blocks of numbers, as a part of a few municipalities holds):
    every row's position is the one a binary search over the persons finds, for rows sorted by person (cut into
    runs) and not; a number in a gap between runs, or beyond the last, is another part's person."""
    rng = np.random.default_rng(3)
    numbers = np.concatenate([np.arange(100, 160), np.arange(1_000, 1_001), np.arange(5_000, 5_040),
                              np.arange(9_000_000, 9_000_007)])
    persons = Persons(numbers)
    assert persons.runs is not None and persons.runs[0].tolist() == [100, 1_000, 5_000, 9_000_000]
    rows = np.sort(rng.choice(numbers, 500))
    expected = np.searchsorted(numbers, rows)
    assert persons.index(rows, "t").tolist() == expected.tolist()  # sorted: each run's rows cut out
    mixed = rng.permutation(len(rows))
    assert persons.index(rows[mixed], "t").tolist() == expected[mixed].tolist()
    assert persons.index(numbers[[0, -1]], "t").tolist() == [0, len(numbers) - 1]
    for gap in (160, 999, 1_001, 5_040, 8_999_999):
        for these in (np.sort(np.r_[rows, gap]), np.r_[gap, rows]):
            with pytest.raises(NotApplicable, match="another part"):
                persons.index(these, "t")
        assert not persons.holds(np.array([gap]))
    assert persons.without_gaps(100, 159) and persons.without_gaps(5_000, 5_039) and persons.without_gaps(1_000, 1_000)
    assert not persons.without_gaps(150, 1_000) and not persons.without_gaps(99, 120)
    assert not persons.without_gaps(5_030, 5_040) and not persons.without_gaps(9_000_007, 9_000_008)


def test_dense_match_finds_each_slot_and_refuses_a_key_twice():
    persons = Persons(np.array([10, 20, 30]))
    person = persons.index(np.array([10, 10, 30, 30, 30]), "t")
    keys = slots(len(persons), person, np.array([2012, 2013, 2012, 2013, 2014], np.int16), 2012, 3)
    assert keys.slots.dtype == np.intp and keys.slots.tolist() == [0, 1, 6, 7, 8] and keys.size == 9
    attached = Slots(np.array([5, 0, 7], np.int32), 9)
    at, found = dense_match(attached, Slots(np.array([0, 1, 7, 5], np.int32), 9), "t")
    assert found.tolist() == [True, False, True, True] and at[found].tolist() == [1, 2, 0]
    with pytest.raises(NotApplicable, match="key twice"):
        dense_match(Slots(np.array([3, 3], np.int32), 9), Slots(np.array([3], np.int32), 9), "t")


def test_slots_span_the_attached_years_near_the_driving_ones_and_leave_out_the_others():
    """The slots cover the driving rows' years, widened to the attached rows' when that at most doubles the span
    (so their rows a year beyond need no filtering); rows outside match nothing either way, and every driving row
    finds the attached row of its person and year, as a join would."""
    assert key_span(np.array([2011, 2023], np.int16), [np.array([2012, 2024], np.int16), np.array([], np.int16)]) \
        == (2011, 14)
    assert key_span(np.array([2011, 2023]), [np.array([1900, 2012])]) == (2011, 13)  # an outlier: not widened
    assert key_span(np.array([], np.int64), [np.array([2012])]) == (0, 1)
    assert key_span(np.array([2011, 2023]), [np.array([2024])], most=13) == (2011, 13)  # too many slots
    persons = Persons(np.array([10, 11, 12]))
    driver_person = persons.index(np.array([10, 10, 11, 12, 12]), "t")
    driver_year = np.array([2011, 2012, 2012, 2013, 2014], np.int16)
    rows_person = persons.index(np.array([10, 10, 11, 12, 12, 12]), "t")
    rows_year = np.array([2012, 2015, 2012, 1900, 2013, 2014], np.int16)
    expected_at, expected_found = [-1, 0, 2, 4, 5], [False, True, True, True, True]
    for low, span in (key_span(driver_year, [rows_year]), (2011, 4), (2011, 5), (2010, 6)):
        drive = slots(len(persons), driver_person, driver_year, low, span)
        at, found = span_match(len(persons), rows_person, rows_year, drive, low, span, "t")
        assert found.tolist() == expected_found
        assert at[found].tolist() == [a for a, f in zip(expected_at, expected_found, strict=True) if f]


def test_gathered_rows_and_masked_keys_are_null_where_nothing_matched():
    rows = pa.table({"pnr": [7, 8], "level": ["a", "b"]})
    found = np.array([True, False, True])
    at = np.array([1, 0, 0], np.int32)
    assert gather(rows, at, found).to_pylist() == [{"pnr": 8, "level": "b"}, {"pnr": None, "level": None},
                                                    {"pnr": 7, "level": "a"}]
    assert masked(pa.chunked_array([[5, 6], [7]]), found).to_pylist() == [5, None, 7]
    assert masked(pa.chunked_array([pa.array([5, 6, 7]).slice(0, 3)]), np.ones(3, bool)).to_pylist() == [5, 6, 7]


def test_fixed_width_columns_are_gathered_like_arrow_takes_them():
    """Integers, dates and decimals without nulls are copied as records by numpy, in several chunks and from a
    slice, booleans as bytes and dictionary columns as their indices (in chunks with one dictionary); columns
    with nulls, plain strings and dictionaries differing between chunks go through Arrow's take; an empty table
    attaches NULLs. Every column equals Arrow's own take of the same rows."""
    import datetime
    import decimal

    rows = pa.table({
        "fte": pa.chunked_array([pa.array([decimal.Decimal("0.250000000"), decimal.Decimal("1.000000000")],
                                          pa.decimal128(18, 9)),
                                 pa.array([decimal.Decimal("-0.000000001")], pa.decimal128(18, 9))]),
        "age": pa.array([16, 66, 40], pa.int16()),
        "day": pa.array([datetime.date(2020, 1, 1), datetime.date(2024, 2, 29), datetime.date(1999, 12, 31)]),
        "pnr": pa.array([7, 8, 9, 10], pa.int64()).slice(1),
        "gap": pa.array([1, None, 3], pa.int32()),
        "level": pa.array(["a", "b", "c"]),
        "flag": pa.chunked_array([[True, False], [True]]),
        "code": pa.chunked_array([pa.array(["x", "y", "x"]).dictionary_encode()]),
        "same": pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int8()), ["p", "q"]),
                                  pa.DictionaryArray.from_arrays(pa.array([1], pa.int8()), ["p", "q"])]),
        "other": pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int8()), ["p", "q"]),
                                   pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), ["r"])]),
        "unset": pa.array(["u", None, "w"]).dictionary_encode(),
    })
    at = np.array([2, 0, 1, 0, 2], np.int32)
    for found in (np.ones(5, bool), np.array([True, False, True, False, True])):
        indices = pa.array([int(a) if f else None for a, f in zip(at, found, strict=True)], pa.int32())
        got = gather(rows, at, found)
        assert got.schema == rows.schema
        for name in rows.column_names:
            assert got.column(name).to_pylist() == rows.column(name).take(indices).to_pylist()
    empty = gather(rows.slice(0, 0), np.zeros(2, np.int32), np.zeros(2, bool))
    assert empty.to_pylist() == [dict.fromkeys(rows.column_names)] * 2


def test_a_footer_proves_a_part_of_persons_numbered_without_gaps(tmp_path: Path):
    """Persons numbered without gaps and every row group's person numbers between theirs prove the part without
    reading it; gaps among the persons, a number outside, a NULL or a footer without statistics prove nothing
    (the part's numbers are then read)."""
    from barometer.engine.parts import within

    def part(numbers: list[int | None], **options) -> Path:
        path = tmp_path / f"part-{len(list(tmp_path.iterdir()))}.parquet"
        pq.write_table(pa.table({"pnr": pa.array(numbers, pa.int64())}), path, row_group_size=2, **options)
        return path

    persons = Persons(np.array([10, 11, 12, 13]))
    assert within(part([10, 10, 13, 12, 11]), persons)
    assert within(part([]), persons)
    assert not within(part([10, 10, 13, 12, 11]), Persons(np.array([10, 11, 13])))  # a gap: 12 is no person
    assert not within(part([10, 14]), persons)
    assert not within(part([9, 12]), persons)
    assert not within(part([10, None, 12]), persons)
    assert not within(part([10, 12], write_statistics=False), persons)
    runs = Persons(np.array([10, 11, 12, 20, 21]))  # two runs: each row group must lie within one of them
    assert within(part([10, 12, 20, 21, 11]), runs)  # row groups (10, 12), (20, 21) and (11)
    assert within(part([12, 11, 21, 20]), runs)
    assert not within(part([12, 20]), runs)  # 13 .. 19 are no persons of the part
    assert not within(part([21, 22]), runs)


def test_disjoint_compares_only_overlapping_parts():
    assert disjoint([np.array([1, 5]), np.array([6, 9]), np.array([2, 4, 7])])
    assert not disjoint([np.array([1, 5]), np.array([3, 5, 8])])


def test_the_hand_fixture_runs_part_by_part_with_the_sql_cells(tmp_path: Path):
    """The hand-made registers (one part per table, rows in the order they were written by hand) take the
    per-part pass too, so the hand-worked figures of test_hand_fixture.py check it; the SQL gives the same cells."""
    from tests.engine import hand_fixture

    registers = hand_fixture.write(tmp_path / "registers")
    strategy, types, rows = status_cells(registers)
    assert strategy == "ordered"
    assert (types, rows) == status_cells(registers, ordered=False)[1:]


def test_the_views_a_chain_skips_are_read_by_nothing_else():
    """Skipping them when the chain runs per part loses nothing: no other view and no item reads them."""
    import re

    from barometer.engine.definitions import DEFINITIONS
    from barometer.engine.views import PERSON_CHAINS, VIEWS

    for chain in PERSON_CHAINS:
        inside = {v.name for v in (*chain.steps, chain.result, *chain.per_person)}
        assert set(chain.own) <= {v.name for v in chain.per_person if v.materialize}
        for name in chain.skipped:
            readers = [v.name for v in VIEWS if v.name not in inside and re.search(rf"\b{name}\b", v.sql)]
            readers += [d.id for d in DEFINITIONS if re.search(rf"\b{name}\b", d.sql)]
            assert readers == [], name


def test_a_part_without_attached_rows_attaches_nothing(synthetic: Path, tmp_path: Path):
    registers = _copy(synthetic, tmp_path)
    path = part_files(registers, "education")[0]
    pq.write_table(pq.read_table(path).slice(0, 0), path)
    strategy, types, rows = status_cells(registers)
    assert strategy == "ordered"
    assert (types, rows) == status_cells(registers, ordered=False)[1:]


def test_strings_only_carried_to_the_cells_travel_as_codes(synthetic: Path, by_sql, monkeypatch):
    """The municipality and the education level only travel to the cells' groups: the pass carries them as
    integer codes and puts the strings back in the cells, which equal the SQL's; with the proof refused, the
    strings travel and the cells are the same."""
    from barometer.engine.ordered import OrderedPass
    from barometer.engine.views import STATUS_CHAIN

    for proven in (True, False):
        if not proven:
            monkeypatch.setattr("barometer.engine.ordered.carried", lambda *args: False)
        backend = DuckDBBackend()
        try:
            _, params = prepare(backend, locate(synthetic, "duckdb"), load_catalogue(), "2024-11", EngineSettings())
            ordered = OrderedPass(backend.con, STATUS_CHAIN, synthetic, backend.present, backend.references, params)
            coded = {c for columns in ordered.coded.values() for c in columns}
            assert coded == ({"municipality", "danish_level"} if proven else set())
            ordered.run()
            assert ordered.decode == coded
            assert backend.con.sql("DESCRIBE status_cells").fetchall() == by_sql[1]
            assert backend.con.sql("SELECT * FROM status_cells ORDER BY ALL").fetchall() == by_sql[2]
        finally:
            backend.close()


def test_slices_give_each_part_the_rows_of_its_persons():
    """Rows out of order, persons of another part within a part's range, a person without a row: each part gets
    exactly the rows of its own persons, in their order; a person twice is refused."""
    import duckdb

    from barometer.engine.slices import Slices

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (30, 'c'), (10, 'a'), (20, 'b'), (40, 'd'), (25, 'x'))"
                " v(pnr, v)")
    slices = Slices(con, "t", ["pnr", "v"])
    for persons, rows in (([10, 20, 30], "abc"), ([20, 30, 40], "bcd"), ([10, 30], "ac"), ([10, 15, 40], "ad"),
                          ([50, 60], "")):
        got = slices.rows(Persons(np.array(persons)))
        assert "".join(got.column("v").to_pylist()) == rows
        assert got.schema.field("v").type == pa.dictionary(pa.int32(), pa.string())
    con.execute("INSERT INTO t VALUES (20, 'y')")
    with pytest.raises(NotApplicable, match="person twice"):
        Slices(con, "t", ["pnr", "v"])


def test_slices_of_whole_runs_are_cut_without_a_sort():
    """Rows in runs sorted by person whose ranges do not interleave (as a materialised view comes back from its
    threads) are sliced run by run: a part within one run, a part across two runs, a part with persons of another
    part or without rows among its range, all in person order; interleaving runs are sorted instead, with the same
    rows."""
    import duckdb

    from barometer.engine.slices import Slices

    runs = [[80, 90], [50, 60, 70], [35, 40], [10, 20, 30]]  # each run starting below the one before it
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")
    con.execute("CREATE TABLE t (pnr BIGINT, v VARCHAR)")
    for run in runs:
        con.execute("INSERT INTO t SELECT * FROM (VALUES " + ", ".join(f"({p}, 'v{p}')" for p in run) + ")")
    slices = Slices(con, "t", ["pnr", "v"])
    assert slices.order is None and slices.runs is not None and len(slices.runs) == 4
    for persons in ([10, 20], [20, 30, 35, 40], [30, 35, 40, 50, 60, 70, 80], [90], [10, 25, 60, 85, 90],
                    [40, 45], [5, 95]):
        got = slices.rows(Persons(np.array(persons)))
        assert got.column("v").to_pylist() == [f"v{p}" for p in persons if any(p in r for r in runs)]
        assert got.column("pnr").to_pylist() == [p for p in persons if any(p in r for r in runs)]
    con.execute("INSERT INTO t VALUES (15, 'v15')")  # a run reaching into another's range: sorted instead
    slices = Slices(con, "t", ["pnr", "v"])
    assert slices.runs is None and slices.order is not None
    assert slices.rows(Persons(np.array([10, 15, 20, 90]))).column("v").to_pylist() == ["v10", "v15", "v20", "v90"]
    con.execute("INSERT INTO t VALUES (100, 'a'), (100, 'b')")  # a person twice, in two runs of one row each
    with pytest.raises(NotApplicable, match="person twice"):
        Slices(con, "t", ["pnr", "v"])


def test_a_register_only_a_held_view_reads_needs_no_aligned_parts(synthetic: Path, by_sql, tmp_path: Path):
    """``person`` is held by the main connection when the chain runs, so its rows are cut from it and
    ``permits``, which only ``person`` reads, is never read per part: its parts need not match the others."""
    registers = _copy(synthetic, tmp_path)
    path = part_files(registers, "permits")[0]
    path.rename(path.with_name("part-other.parquet"))
    strategy, types, rows = status_cells(registers)
    assert strategy == "ordered"
    assert (types, rows) == by_sql[1:]


def test_without_a_held_person_each_part_computes_it(synthetic: Path, by_sql):
    """Run before ``person`` exists on the main connection, the pass computes it from each part's registers, as a
    table (the part reads it twice: the residents' join and the education filter), while ``fulltime_support``,
    read once, is a view; both give the cells of the SQL."""
    from barometer.engine.ordered import OrderedPass
    from barometer.engine.views import STATUS_CHAIN

    backend = DuckDBBackend()
    try:
        _, params = prepare(backend, locate(synthetic, "duckdb"), load_catalogue(), "2024-11", EngineSettings())
        ordered = OrderedPass(backend.con, STATUS_CHAIN, synthetic, backend.present, backend.references, params)
        assert ordered.shared == {} and "permits" in ordered.tables
        assert ordered.kept == {"person"}
        ordered.part(ordered.parts[0])
        kinds = dict(ordered._connection().sql("SELECT table_name, table_type FROM information_schema.tables "
                                               "WHERE table_name IN ('person', 'fulltime_support')").fetchall())
        assert kinds == {"person": "LOCAL TEMPORARY", "fulltime_support": "VIEW"}
        ordered.run()
        assert backend.con.sql("DESCRIBE status_cells").fetchall() == by_sql[1]
        assert backend.con.sql("SELECT * FROM status_cells ORDER BY ALL").fetchall() == by_sql[2]
    finally:
        backend.close()


def test_parts_run_as_many_at_a_time_as_threads_within_the_persons_in_hand(synthetic: Path, by_sql, monkeypatch):
    """``--threads 1`` runs one part at a time, with the same cells; more threads run more parts, but never more
    persons at once than ``IN_FLIGHT_PERSONS``."""
    from barometer.engine.ordered import OrderedPass
    from barometer.engine.views import STATUS_CHAIN

    backend = DuckDBBackend(threads=1)
    try:
        _, params = prepare(backend, locate(synthetic, "duckdb"), load_catalogue(), "2024-11", EngineSettings())
        ordered = OrderedPass(backend.con, STATUS_CHAIN, synthetic, backend.present, backend.references, params)
        assert ordered.workers == 1
        ordered.run()
        assert backend.con.sql("SELECT * FROM status_cells ORDER BY ALL").fetchall() == by_sql[2]
        largest = sorted(ordered.sizes, reverse=True)
        assert ordered._workers(3) == 3 and ordered._workers(len(largest) + 5) == len(largest)
        monkeypatch.setattr("barometer.engine.ordered.IN_FLIGHT_PERSONS", largest[0] + largest[1])
        assert ordered._workers(3) == 2
        monkeypatch.setattr("barometer.engine.ordered.IN_FLIGHT_PERSONS", largest[0] + largest[1] - 1)
        assert ordered._workers(3) == 1
    finally:
        backend.close()
