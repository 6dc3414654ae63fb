"""A release as export tables: its published observations, the areas and the catalogue's items.

This is the one definition of what a download of a release holds; the API's list endpoints, `barometer export`
and the Data Package all take their rows from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from barometer.catalogue import Catalogue, Indicator
from barometer.exports.model import SOURCE, Export, ExportMeta, Table
from barometer.notice import SYNTHETIC_SOURCE, attribution
from barometer.store import Release

# The columns of an observation that leave the system (the release file's columns, in this order).
OBSERVATION_FIELDS = ("area_code", "item_id", "period", "value", "status", "numerator", "denominator",
                      "ref_numerator", "ref_denominator", "ci_low", "ci_high", "published_development", "source")


def published_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Observation rows with exactly the published columns, sorted by area, item and period."""
    out = [{f: row.get(f) for f in OBSERVATION_FIELDS} for row in rows]
    out.sort(key=lambda r: (r["area_code"], r["item_id"], r["period"]))
    return out


def area_record(catalogue: Catalogue, code: str) -> dict[str, Any]:
    """An area; a municipality carries its DST group with DST's names (Kommunegrupper v1:2018)."""
    a = catalogue.area(code)
    group = catalogue.municipality_group(a.group) if a.group else None
    return {"code": a.code, "name": a.name, "name_en": a.name_en or a.name, "kind": a.kind, "region": a.region,
            "group": a.group, "group_name": group.name if group else None,
            "group_name_en": group.name_en if group else None}


def item_record(catalogue: Catalogue, item_id: str, periods: Iterable[str], edition: str) -> dict[str, Any]:
    item = catalogue.item(item_id)
    record: dict[str, Any] = {"id": item.id, "kind": "indicator" if isinstance(item, Indicator) else "key_figure",
              "title_da": item.title_da, "title_en": item.title_en, "unit": item.unit, "local": item.local,
              "data_source": item.data_source, "periods": sorted(periods)}
    if isinstance(item, Indicator):
        goal = catalogue.goal(item.goal)
        record |= {"goal": item.goal, "direction": item.direction, "source": item.source,
                   "baseline_year": goal.baseline_year, "latest_year": goal.latest_year.get(edition)}
    else:
        record |= {"section": item.section, "period_kind": item.period_kind}
    return record


def item_ids(catalogue: Catalogue) -> list[str]:
    return [i.id for i in catalogue.indicators] + [k.id for k in catalogue.key_figures]


def release_meta(release: Release, name: str, lang: str = "da") -> ExportMeta:
    """The facts every download of this release carries; the publisher and the synthetic mark come from its
    manifest, and a synthetic release names synthetic registers as its source."""
    edition = release.catalogue.edition(release.edition)
    label = edition.label_en if lang == "en" else edition.label_da
    synthetic = release.synthetic
    return ExportMeta(release=release.id, name=name, lang=lang, edition=release.edition,
                      title=f"Integrationsbarometeret — {label}", created=release.manifest.get("created"),
                      kind=release.manifest.get("kind"), publisher=release.publisher,
                      licence=attribution(release.publisher), synthetic=synthetic,
                      source=SYNTHETIC_SOURCE if synthetic else SOURCE)


def release_export(release: Release, lang: str = "da", rows: list[dict[str, Any]] | None = None) -> Export:
    """The whole release: observations, areas and items (items list the periods each has observations for), with
    the catalogue the release was made with."""
    catalogue = release.catalogue
    observations = published_rows(rows if rows is not None else release.observations().to_pylist())
    periods: dict[str, set[str]] = {}
    for row in observations:
        periods.setdefault(row["item_id"], set()).add(row["period"])
    items = [item_record(catalogue, i, periods.get(i, ()), release.edition) for i in item_ids(catalogue)]
    for item in items:
        item["periods"] = " ".join(item["periods"])
    return Export(release_meta(release, f"{release.id}", lang),
                  [Table("observations", observations),
                   Table("areas", [area_record(catalogue, a.code) for a in catalogue.areas]),
                   Table("items", items)])


def write_atomically(path: Path, data: bytes) -> Path:
    """Write a file so that a reader never sees half of it."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
