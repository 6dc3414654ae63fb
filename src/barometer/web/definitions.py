"""What the definitions page says about an item, from the served release only.

The words (population, numerator, denominator, reference dates, source) are those the release recorded in its
manifest when it was made — the catalogue's words then, in Danish and English — with who computed the figures:
this code (and a checksum of the SQL that ran, and the registers it read) or the ministry (a release of imported
published figures: the definitions are the published ones, and no SQL ran). Titles and units come from the
release's catalogue snapshot; the latest year and the national numerator/denominator from its observations.
"""

from __future__ import annotations

from typing import Any

from barometer.catalogue import Indicator, KeyFigure
from barometer.formatting import unit_text
from barometer.web.data import latest_year, observation
from barometer.web.holder import Snapshot


def recorded_words(snap: Snapshot, item_id: str, lang: str) -> dict[str, Any]:
    """The release's record of an item's definition, in ``lang`` when it has it (``words_lang`` says which)."""
    recorded = snap.release.meta.definitions.get(item_id)
    if recorded is None:  # a release from before manifests recorded definitions
        return {"recorded": False, "origin": None, "words_lang": lang, "population": None, "numerator": None,
                "denominator": None, "reference": None, "data_source": None, "sql_sha256": None, "tables": []}
    words, words_lang = recorded.in_lang(lang)
    return {"recorded": True, "origin": recorded.origin, "words_lang": words_lang,
            "population": words.population if words else None, "numerator": words.numerator if words else None,
            "denominator": words.denominator if words else None, "reference": words.reference if words else None,
            "data_source": words.source if words else None, "sql_sha256": recorded.sql_sha256,
            "tables": list(recorded.tables)}


def definition_of(snap: Snapshot, item: Indicator | KeyFigure, lang: str) -> dict[str, Any]:
    cat = snap.catalogue
    record: dict[str, Any] = {
        "id": item.id, "title": item.title(lang), "title_da": item.title_da, "title_en": item.title_en,
        "unit": item.unit, "unit_text": unit_text(item.unit, item.count_noun(lang), lang), "local": item.local,
        **recorded_words(snap, item.id, lang),
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
