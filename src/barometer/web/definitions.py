"""What the definitions page says about an item: catalogue texts plus the engine's declaration when present.

The engine declares, per item, the population, numerator, denominator and reference dates in words
(barometer.engine.definitions, the same text as docs/indicators.md); the site shows them as declared. The
latest year and the national numerator/denominator come from the served release.
"""

from __future__ import annotations

from typing import Any

from barometer.catalogue import Indicator, KeyFigure
from barometer.formatting import unit_text
from barometer.web.data import latest_year, observation
from barometer.web.holder import Snapshot


def _engine_definition(item_id: str) -> Any:
    try:
        from barometer.engine.definitions import definition
    except ImportError:
        return None
    try:
        return definition(item_id)
    except KeyError:
        return None


def definition_of(snap: Snapshot, item: Indicator | KeyFigure, lang: str) -> dict[str, Any]:
    cat = snap.catalogue
    engine = _engine_definition(item.id)
    record: dict[str, Any] = {
        "id": item.id, "title": item.title(lang), "title_da": item.title_da, "title_en": item.title_en,
        "unit": item.unit, "unit_text": unit_text(item.unit, item.count_noun(lang), lang), "local": item.local,
        "data_source": item.data_source,
        "population": engine.population if engine else None,
        "numerator": engine.numerator if engine else None,
        "denominator": engine.denominator if engine else None,
        "reference": engine.reference if engine else None,
        "tables": list(engine.tables) if engine else [],
        "national_numerator": None, "national_denominator": None, "national_value": None,
    }
    if isinstance(item, Indicator):
        goal = cat.goal(item.goal)
        year = latest_year(snap, item)
        national = observation(snap, cat.country.code, item.id, str(year) if year else None)
        record |= {"kind": "indicator", "goal": goal.id, "goal_title": goal.title(lang),
                   "direction": item.direction, "source": item.source, "baseline_year": goal.baseline_year,
                   "latest_year": year, "national_numerator": national["numerator"],
                   "national_denominator": national["denominator"], "national_value": national["value"]}
    else:
        periods = sorted(snap.index.periods.get(item.id, ()))
        record |= {"kind": "key_figure", "section": item.section, "period_kind": item.period_kind,
                   "latest_period": item.reference_period.get(snap.release.edition) or (periods[-1] if periods
                                                                                         else None)}
    return record
