"""JSON-stat 2.0: the observations as one dataset cube — dimensions area × item × period, plus a `measure`
dimension when the figures have more than the value (interval bounds, numerators, denominators — those with at
least one published number).

Labels are in the export's language (Danish by default); each dimension's `extension.translation` holds the
other language's labels, as JSON-stat has one label per category. A figure that is not published has no value
(null) and its status flag in `status` ("suppressed", "not_computed", "missing"; JSON-stat's status is free text).
The items dimension carries each item's unit and decimals (`category.unit`). Written with the standard library:
the Python JSON-stat libraries build datasets from pandas frames and cannot write statuses or a second language.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from barometer.catalogue import Catalogue, load_catalogue
from barometer.exports.codes import STATUS_CODES
from barometer.exports.columns import column
from barometer.exports.model import Export
from barometer.exports.registry import ReleaseWriter, Renderer, register_renderer, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.formatting import unit_text
from barometer.notice import synthetic_label, synthetic_note
from barometer.periods import format_period, period_year
from barometer.store import Release

MEASURES = ("value", "ci_low", "ci_high", "numerator", "denominator", "ref_numerator", "ref_denominator")
DIMENSION_LABELS = {"area": ("Område", "Area"), "item": ("Indikator/nøgletal", "Indicator/key figure"),
                    "period": ("Periode", "Period"), "measure": ("Mål", "Measure")}
SPARSE_BELOW = 0.5  # a cube less than half full lists its values by index (JSON-stat's object form)


def _other(lang: str) -> str:
    return "en" if lang == "da" else "da"


def _dimension(dim: str, ids: list[str], labels: dict[str, dict[str, str]], lang: str,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
    da, en = DIMENSION_LABELS[dim]
    other = _other(lang)
    category: dict[str, Any] = {"index": ids, "label": {i: labels[lang][i] for i in ids}} | (extra or {})
    return {"label": en if lang == "en" else da, "category": category,
            "extension": {"translation": {other: {"label": en if other == "en" else da,
                                                  "category": {"label": {i: labels[other][i] for i in ids}}}}}}


def _labels(catalogue: Catalogue, areas: list[str], items: list[str], periods: list[str],
            measures: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    return {
        "area": {lang: {a: catalogue.area(a).display_name(lang) for a in areas} for lang in ("da", "en")},
        "item": {lang: {i: catalogue.item(i).title(lang) if catalogue.has_item(i) else i for i in items}
                 for lang in ("da", "en")},
        "period": {lang: {p: format_period(p, lang) for p in periods} for lang in ("da", "en")},
        "measure": {lang: {m: column(m).title(lang) for m in measures} for lang in ("da", "en")},
    }


def dataset(export: Export) -> dict[str, Any]:
    """The JSON-stat 2.0 dataset of the export's observations."""
    catalogue = load_catalogue()
    lang = export.meta.lang
    rows = export.observation_rows()
    # The measures the figures have: a column the publication leaves empty everywhere adds nothing to the cube.
    measures = [m for m in MEASURES if m == "value" or any(r.get(m) is not None for r in rows)]
    area_order = {a.code: n for n, a in enumerate(catalogue.areas)}
    item_order = {i.id: n for n, i in enumerate((*catalogue.indicators, *catalogue.key_figures))}
    areas = sorted({r["area_code"] for r in rows}, key=lambda a: (area_order.get(a, len(area_order)), a))
    items = sorted({r["item_id"] for r in rows}, key=lambda i: (item_order.get(i, len(item_order)), i))
    periods = sorted({r["period"] for r in rows}, key=lambda p: (period_year(p), p))
    labels = _labels(catalogue, areas, items, periods, measures)
    units = {i: {"label": unit_text(catalogue.item(i).unit, catalogue.item(i).count_noun(lang), lang),
                 "decimals": catalogue.item(i).decimals} for i in items if catalogue.has_item(i)}
    ids = ["area", "item", "period"] + (["measure"] if len(measures) > 1 else [])
    sizes = [len(areas), len(items), len(periods)] + ([len(measures)] if len(measures) > 1 else [])
    pos = {"area": {a: n for n, a in enumerate(areas)}, "item": {i: n for n, i in enumerate(items)},
           "period": {p: n for n, p in enumerate(periods)}}
    values: dict[int, float] = {}
    status: dict[str, str] = {}
    for row in rows:
        base = ((pos["area"][row["area_code"]] * len(items) + pos["item"][row["item_id"]]) * len(periods)
                + pos["period"][row["period"]]) * len(measures)
        flag = row["status"]
        for k, m in enumerate(measures):
            if flag != "ok":  # an unpublished figure has no number in any measure
                status[str(base + k)] = flag
            elif row.get(m) is not None:
                values[base + k] = row[m]
    total = 1
    for s in sizes:
        total *= s
    value: Any = ({str(k): v for k, v in sorted(values.items())} if total and len(values) / total < SPARSE_BELOW
                  else [values.get(k) for k in range(total)])
    dimension = {
        "area": _dimension("area", areas, labels["area"], lang),
        "item": _dimension("item", items, labels["item"], lang, {"unit": units}),
        "period": _dimension("period", periods, labels["period"], lang),
    }
    if len(measures) > 1:
        dimension["measure"] = _dimension("measure", measures, labels["measure"], lang)
    meta = export.meta
    return {
        "version": "2.0", "class": "dataset",
        "label": (f"{synthetic_label(lang)}: " if meta.synthetic else "") + meta.title,
        "source": meta.source, "updated": meta.created, "id": ids, "size": sizes,
        "role": {"geo": ["area"], "time": ["period"], "metric": ["item"]},
        "dimension": dimension, "value": value, "status": status,
        "note": ([f"{synthetic_label(lang)}: {synthetic_note(lang)}"] if meta.synthetic else []) + [meta.licence_text],
        "extension": {"release": meta.release, "edition": meta.edition, "licence": meta.licence, "lang": lang,
                      "publisher": meta.publisher, "synthetic": meta.synthetic,
                      "status": {c.flag: {"da": c.da, "en": c.en, "sdmx_obs_status": c.obs_status}
                                 for c in STATUS_CODES.values()}},
    }


def render_jsonstat(export: Export) -> bytes:
    return json.dumps(dataset(export), ensure_ascii=False).encode("utf-8")


JSONSTAT = register_renderer(Renderer(
    name="jsonstat", extension="jsonstat.json", media_type="application/json", label="JSON-stat",
    render=render_jsonstat, attachment=True, observations_only=True,
    description="JSON-stat 2.0 dataset: area × item × period (× measure), statuses, Danish and English labels"))


def write_release_jsonstat(release: Release, out_dir: Path) -> list[Path]:
    export = release_export(release)
    export.tables = export.tables[:1]
    return [write_atomically(out_dir / f"integrationsbarometer-{release.id}.jsonstat.json", render_jsonstat(export))]


register_writer(ReleaseWriter("jsonstat", "a JSON-stat 2.0 dataset of the observations", write_release_jsonstat))
