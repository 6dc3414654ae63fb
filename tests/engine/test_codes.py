"""String columns carried through the per-part pass as integer codes (barometer.engine.codes).

The proof must accept exactly the columns that only travel, unchanged and under their own name, to the result's
groups, and refuse any use that a code would change (a comparison with a string, a function of it, a sum, a
renaming, a step that could read it without naming it, a filter that reads a step); codes must round-trip to the
same strings (NULLs kept) whatever dictionary each chunk came with; and the pass must give the same cells with and
without codes.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest

from barometer.engine.codes import Codes, carried, is_text
from barometer.engine.joins import Attach, count_view, join_view
from barometer.engine.model import View

FIRST = join_view("first", "", driver="residence", alias="r", select="r.pnr, r.year, r.municipality, p.target",
                  attach=(Attach("person", "p", ("pnr",), inner=True),))
SECOND = View("second", "", "SELECT f.pnr, f.year, f.municipality, f.target FROM first f WHERE f.target")
CELLS = count_view("cells", "", source="second", by=("municipality", "year"), measures=(("persons", "COUNT(*)"),))


def proves(second_sql: str = SECOND.sql, first_select: str = FIRST.select, cells=CELLS, others=()) -> bool:
    first = join_view("first", "", driver="residence", alias="r", select=first_select, attach=FIRST.attach)
    second = View("second", "", second_sql)
    return carried("municipality", "r", 0, (first, second), {"first": first_select},
                   {"second": second_sql}, others, cells)


def test_a_column_only_carried_to_the_groups_is_proven():
    assert proves()
    assert proves("SELECT f.pnr, f.municipality AS municipality -- a comment naming municipality's\n"
                  "FROM first f WHERE f.year > 2000")


@pytest.mark.parametrize("second", [
    "SELECT f.pnr, f.year, f.municipality FROM first f WHERE f.municipality = '0101'",  # compared with a string
    "SELECT f.pnr, f.year, UPPER(f.municipality) AS municipality FROM first f",  # a function of it
    "SELECT f.pnr, f.year, f.municipality AS m, f.municipality FROM first f",  # carried twice, once renamed
    "SELECT f.pnr, f.year, f.region AS municipality FROM first f",  # another column under its name
    "SELECT f.* FROM first f",  # read without being named
    "SELECT f.pnr, f.year, f.municipality FROM first f ORDER BY 3 LIMIT 10",  # rows cut in its order
    "WITH x AS (SELECT * FROM first) SELECT pnr, year, municipality FROM x",
    "SELECT f.pnr, f.year FROM first f",  # dropped on the way
])
def test_any_other_use_keeps_the_strings(second: str):
    assert not proves(second)


def test_the_first_step_groups_and_others_are_checked_too():
    assert not proves(first_select="r.pnr, r.year, r.municipality AS m, p.target")
    assert not proves(first_select="r.pnr, r.year, COALESCE(r.municipality, '') AS municipality, p.target")
    summed = count_view("cells", "", source="second", by=("municipality", "year"),
                        measures=(("n", "SUM(LENGTH(municipality))"),))
    assert not proves(cells=summed)
    assert not proves(cells=replace(CELLS, by=("year",)))
    reads_a_step = "pnr IN (SELECT pnr FROM second WHERE municipality = '0101')"
    assert not proves(others=[reads_a_step])
    assert proves(others=["municipality IS NOT NULL AND pnr IN (SELECT pnr FROM person)"])  # a register's column


def test_codes_round_trip_across_chunks_with_their_own_dictionaries():
    codes = Codes()
    first = pa.chunked_array([pa.array(["0101", None, "0147", "0101"]).dictionary_encode(),
                              pa.array(["0851", "0101"]).dictionary_encode()])
    second = pa.chunked_array([pa.array(["0147", "0999", None])])  # plain strings, another part
    a, b = codes.encode(first), codes.encode(second)
    assert a.type == b.type == pa.int32()
    assert a.null_count == 1 and b.null_count == 1
    assert a.to_pylist()[0] == a.to_pylist()[3] == a.to_pylist()[5]  # one string, one code in every chunk
    assert a.to_pylist()[2] == b.to_pylist()[0]  # and in every part
    assert len({c for c in a.to_pylist() + b.to_pylist() if c is not None}) == 4
    assert codes.decode(a).to_pylist() == first.to_pylist()
    assert codes.decode(b).to_pylist() == ["0147", "0999", None]
    assert is_text(first) and is_text(second) and not is_text(a)
