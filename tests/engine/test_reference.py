"""The engine agrees with an independent reference implementation on a small synthetic Denmark.

Every item, area and period: the raw numerators and denominators (before uncertainty and disclosure) must match
the plain-Python reference (tests/engine/reference.py), which is written from domain.md and docs/engine.md.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from barometer.catalogue import load_catalogue
from barometer.engine import compute
from tests.engine import reference

SCALE, YEARS, SEED = 0.002, range(2012, 2025), 11


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = pytest.importorskip("barometer.synth.generate").generate
    out = tmp_path_factory.mktemp("synth") / "registers"
    generate(out, SCALE, YEARS, SEED, workers=1)
    return out


@pytest.fixture(scope="module")
def engine_rows(synthetic: Path) -> dict[tuple[str, str, str], dict]:
    table = compute(synthetic, "2024-11", validate=False)
    return {(r["item_id"], r["period"], r["area_code"]): r for r in table.to_pylist()}


@pytest.fixture(scope="module")
def registers(synthetic: Path) -> reference.Registers:
    return reference.Registers(synthetic)


@pytest.fixture(scope="module")
def reference_cells(registers: reference.Registers, engine_rows) -> dict:
    periods: dict[str, set[str]] = defaultdict(set)
    for item, period, _ in engine_rows:
        if item.startswith("N"):
            periods[item].add(period)
    municipal = reference.compute(registers, {k: sorted(v) for k, v in periods.items()})
    return reference.to_areas(municipal)


def test_synthetic_data_exercise_every_item(engine_rows):
    """The comparison means something only if every item has non-zero national figures."""
    items = {k[0] for k, r in engine_rows.items() if k[2] == "000" and (r["numerator"] or 0) > 0}
    missing = {"1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.3", "7.1", "7.2", "8.1", "8.3", "9.1",
               "3.2", "4.1", "5.1", "6.1", "N2", "N7", "N8", "N10", "N11", "N16"} - items
    assert not missing


def _start_of_year(registers: reference.Registers, pnr: int, year: int) -> str | None:
    """Where a person lived on 1 January of ``year``, or first lived if they arrived during it."""
    if (pnr, year) in registers.res:
        return registers.res[(pnr, year)]
    spells = sorted(registers.by_pnr["addresses"][pnr], key=lambda s: s["start_date"])
    return spells[0]["municipality"] if spells and spells[0]["start_date"].year == year else None


def test_synthetic_data_exercise_the_address_history(registers):
    """The comparison tests placement by address only if some permit holders live, on a key-figure date, elsewhere
    than at the start of that year (as a 1 January + immigration rule would place them)."""
    moved = set()
    for year in range(2013, 2025):
        day = date(year, 8, 31)
        for kind in ("ukraine", "refugee"):
            for pnr, (muni, _) in reference._holders(registers, day, kind).items():
                if _start_of_year(registers, pnr, year) not in (None, muni):
                    moved.add((pnr, year))
    assert len(moved) >= 20


def test_engine_equals_reference_everywhere(engine_rows, reference_cells):
    mismatches = []
    for key, row in engine_rows.items():
        if row["status"] == "not_computed":
            continue
        ref = reference_cells.get(key, [0.0, 0.0, 0.0, 0.0])
        got = [row["numerator"] or 0.0, row["denominator"] or 0.0, row["ref_numerator"] or 0.0,
               row["ref_denominator"] or 0.0]
        if got != pytest.approx(ref, rel=1e-9, abs=1e-6):
            mismatches.append((key, got, ref))
    # and the reference has nothing the engine lacks (items with local = false are published nationally only)
    local = {i.id: i.local for i in (*load_catalogue().indicators, *load_catalogue().key_figures)}
    extra = [k for k, v in reference_cells.items()
             if k not in engine_rows and any(v) and (local[k[0]] or k[2] == "000")]
    assert not mismatches, f"{len(mismatches)} cells differ, e.g. {mismatches[:5]}"
    assert not extra, f"reference-only cells, e.g. {extra[:5]}"
    assert len(engine_rows) > 10_000
