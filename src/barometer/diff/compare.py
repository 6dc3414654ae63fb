"""What changed between two releases: cells, goal movements and the provenance (settings, definitions, inputs).

A cell is one (area, item, period) observation. It *changed* when it exists in only one release or when its
status or value differs. Only what a release publishes is compared: the observation files hold no number for
a suppressed, missing or not-computed figure (disclosure control drops it before publishing), so a cell that
went from suppressed to shown carries its new value and the status change, never the value it was hiding.

The diff is computed from the releases alone (no registers), so the ministry can review a new edition against
the one that is live before making it current.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from barometer.catalogue import Catalogue, load_catalogue
from barometer.store import Release, Status
from barometer.view import ReleaseIndex, build_view

Change = Literal["added", "removed", "value", "status"]
CELL_COLUMNS = ["area_code", "item_id", "period", "value", "status"]
# Manifest keys that differ between any two releases and say nothing about how they were made.
IGNORED_KEYS = ("id", "created")
# Where a manifest key belongs (top-level key → section); anything else is "other".
SECTIONS = {
    "edition": "settings", "kind": "settings", "engine": "settings", "engine_settings": "settings",
    "disclosure": "settings", "publication": "settings", "publisher": "settings",
    "catalogue_version": "definitions", "code_version": "definitions", "catalogue": "definitions",
    "definitions": "definitions", "libraries": "definitions", "schema_version": "definitions",
    "inputs": "inputs", "register_files": "inputs", "register_coverage": "inputs", "seed": "inputs",
    "synthetic": "inputs",
    "observations": "output", "warnings": "output", "suppression": "output", "suppression_latest": "output",
    "uncertainty": "output",
}


@dataclass(frozen=True)
class CellChange:
    area_code: str
    item_id: str
    period: str
    change: Change
    old_status: str | None
    new_status: str | None
    old_value: float | None
    new_value: float | None

    def as_json(self) -> dict[str, Any]:
        return {"area_code": self.area_code, "item_id": self.item_id, "period": self.period,
                "change": self.change, "old_status": self.old_status, "new_status": self.new_status,
                "old_value": self.old_value, "new_value": self.new_value}


@dataclass(frozen=True)
class MovementChange:
    area_code: str
    goal_id: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ProvenanceChange:
    key: str
    section: str
    old: Any
    new: Any


@dataclass
class ReleaseDiff:
    old: Release
    new: Release
    cells: list[CellChange] = field(default_factory=list)
    movements: list[MovementChange] = field(default_factory=list)
    provenance: list[ProvenanceChange] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(c.change for c in self.cells)
        return {kind: found.get(kind, 0) for kind in ("added", "removed", "value", "status")}

    def by_item(self, catalogue: Catalogue) -> list[dict[str, Any]]:
        """Per item (catalogue order): how many cells were added, removed or changed, in how many areas."""
        order = {i.id: n for n, i in enumerate((*catalogue.indicators, *catalogue.key_figures))}
        groups: dict[str, list[CellChange]] = {}
        for c in self.cells:
            groups.setdefault(c.item_id, []).append(c)
        rows = []
        for item_id in sorted(groups, key=lambda i: (order.get(i, len(order)), i)):
            cells = groups[item_id]
            kinds = Counter(c.change for c in cells)
            known = catalogue.has_item(item_id)
            rows.append({"item_id": item_id,
                         "title_da": catalogue.item(item_id).title_da if known else item_id,
                         "title_en": catalogue.item(item_id).title_en if known else item_id,
                         "added": kinds["added"], "removed": kinds["removed"],
                         "value": kinds["value"], "status": kinds["status"],
                         "areas": len({c.area_code for c in cells})})
        return rows

    def by_area(self, catalogue: Catalogue) -> list[dict[str, Any]]:
        """Per area (catalogue order): how many cells were added, removed or changed, in how many items."""
        order = {a.code: n for n, a in enumerate(catalogue.areas)}
        groups: dict[str, list[CellChange]] = {}
        for c in self.cells:
            groups.setdefault(c.area_code, []).append(c)
        rows = []
        for code in sorted(groups, key=lambda a: (order.get(a, len(order)), a)):
            cells = groups[code]
            kinds = Counter(c.change for c in cells)
            area = catalogue.area(code) if catalogue.has_area(code) else None
            rows.append({"area_code": code, "name": area.name if area else code,
                         "name_en": (area.name_en or area.name) if area else code,
                         "added": kinds["added"], "removed": kinds["removed"],
                         "value": kinds["value"], "status": kinds["status"],
                         "items": len({c.item_id for c in cells})})
        return rows

    def as_json(self, catalogue: Catalogue | None = None) -> dict[str, Any]:
        """The documented `barometer diff --json` / API shape (docs/cli.md, docs/api.md)."""
        cat = catalogue or load_catalogue()
        return {
            "old": _release_ref(self.old), "new": _release_ref(self.new),
            "changed_cells": len(self.cells), "counts": self.counts,
            "by_item": self.by_item(cat), "by_area": self.by_area(cat),
            "changes": [c.as_json() for c in self.cells],
            "goal_movements": [{"area_code": m.area_code, "goal_id": m.goal_id, "old": m.old, "new": m.new}
                               for m in self.movements],
            "provenance": [{"key": p.key, "section": p.section, "old": p.old, "new": p.new}
                           for p in self.provenance],
        }


def _release_ref(release: Release) -> dict[str, Any]:
    m = release.manifest
    return {"id": release.id, "edition": release.edition, "created": m.get("created"), "kind": m.get("kind"),
            "observations": m.get("observations", {}).get("rows"),
            # each side says whether its figures are synthetic (the envelope speaks for the served release only)
            "synthetic": release.synthetic, "publisher": release.publisher}


def _published(row: dict[str, Any] | None) -> tuple[str | None, float | None]:
    """(status, value) as published: a value only for status ok (the store guarantees it; kept here as well,
    since a diff must never be the place where a withheld number leaks)."""
    if row is None:
        return None, None
    return row["status"], row["value"] if row["status"] == Status.OK else None


def diff_cells(old: dict[tuple[str, str, str], dict], new: dict[tuple[str, str, str], dict]) -> list[CellChange]:
    """Cells that exist in one release only or differ in status or value, sorted by item, area and period."""
    changes = []
    for key in old.keys() | new.keys():
        (s_old, v_old), (s_new, v_new) = _published(old.get(key)), _published(new.get(key))
        if s_old is None:
            kind: Change = "added"
        elif s_new is None:
            kind = "removed"
        elif s_old != s_new:
            kind = "status"
        elif v_old != v_new:
            kind = "value"
        else:
            continue
        changes.append(CellChange(*key, kind, s_old, s_new, v_old, v_new))
    return sorted(changes, key=lambda c: (c.item_id, c.area_code, c.period))


def diff_movements(old: ReleaseIndex, new: ReleaseIndex, catalogue: Catalogue) -> list[MovementChange]:
    """Goals whose movement (positive, negative, unchanged or none) differs, per area, by the rules in force."""
    changes = []
    for area in catalogue.areas:
        before = build_view(old, area.code, catalogue=catalogue)
        after = build_view(new, area.code, catalogue=catalogue)
        for g_old, g_new in zip(before.goals, after.goals, strict=True):
            if g_old.movement != g_new.movement:
                changes.append(MovementChange(area.code, g_new.id, g_old.movement and str(g_old.movement),
                                              g_new.movement and str(g_new.movement)))
    return changes


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for n, v in enumerate(value):
            _flatten(v, f"{prefix}[{n}]", out)
    else:
        out[prefix] = value


def diff_provenance(old: dict[str, Any], new: dict[str, Any]) -> list[ProvenanceChange]:
    """Manifest entries (flattened to dotted keys) that differ, with the section they describe."""
    flat_old: dict[str, Any] = {}
    flat_new: dict[str, Any] = {}
    _flatten({k: v for k, v in old.items() if k not in IGNORED_KEYS}, "", flat_old)
    _flatten({k: v for k, v in new.items() if k not in IGNORED_KEYS}, "", flat_new)
    changes = []
    for key in sorted(flat_old.keys() | flat_new.keys()):
        a, b = flat_old.get(key), flat_new.get(key)
        if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
            top = key.split(".")[0].split("[")[0]
            changes.append(ProvenanceChange(key, SECTIONS.get(top, "other"), a, b))
    return changes


def diff_releases(old: Release, new: Release, catalogue: Catalogue | None = None,
                  indexes: tuple[ReleaseIndex, ReleaseIndex] | None = None) -> ReleaseDiff:
    """Everything that differs between two releases (the same release twice gives an empty diff)."""
    cat = catalogue or load_catalogue()
    if old.id == new.id:
        return ReleaseDiff(old, new)
    old_index, new_index = indexes or (ReleaseIndex.load(old), ReleaseIndex.load(new))
    return ReleaseDiff(old, new, cells=diff_cells(old_index.rows, new_index.rows),
                       movements=diff_movements(old_index, new_index, cat),
                       provenance=diff_provenance(old.manifest, new.manifest))
