"""docs/indicators.md is generated from the declarations; it must never drift from them."""

from __future__ import annotations

from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.engine.definitions import DEFINITIONS
from barometer.engine.doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def test_committed_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), \
        "docs/indicators.md is stale: run `python -m barometer.engine.doc > docs/indicators.md`"


def test_every_catalogue_item_has_exactly_one_definition():
    catalogue = load_catalogue()
    ids = [d.id for d in DEFINITIONS]
    assert len(ids) == len(set(ids))
    assert set(ids) == {i.id for i in catalogue.indicators} | {k.id for k in catalogue.key_figures}
    for d in DEFINITIONS:
        assert d.population and d.numerator and d.denominator and d.reference and d.sql.strip()
