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
        assert d.sql.strip() and d.tables


def test_the_engine_keeps_only_the_computation():
    """An item's words live once, in the catalogue: the engine's declaration has no field for them."""
    from dataclasses import fields

    from barometer.engine.model import Definition

    assert not {f.name for f in fields(Definition)} & {"population", "numerator", "denominator", "reference"}


def test_doc_takes_the_words_from_the_catalogue():
    text = render()
    for item in (*load_catalogue().indicators, *load_catalogue().key_figures):
        for field in ("population", "numerator", "reference"):
            cell = " ".join(item.words("en")[field].split()).replace("|", "\\|")
            assert cell in text, (item.id, field)
