"""Every computed item's definition, declared once (register indicators, survey indicators, key figures)."""

from __future__ import annotations

from barometer.engine.definitions.indicators import INDICATORS
from barometer.engine.definitions.key_figures import KEY_FIGURES
from barometer.engine.definitions.survey import SURVEY
from barometer.engine.model import Definition

DEFINITIONS: tuple[Definition, ...] = INDICATORS + SURVEY + KEY_FIGURES


def definition(item_id: str) -> Definition:
    for d in DEFINITIONS:
        if d.id == item_id:
            return d
    raise KeyError(f"no engine definition for item {item_id!r}")


__all__ = ["DEFINITIONS", "definition"]
