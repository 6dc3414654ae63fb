"""Load and cross-check the catalogue data files.

Loading validates the relations between files (every indicator's goal exists, ids are unique, every key figure's
section exists) so that everything downstream may index the catalogue without defensive checks.
"""

from __future__ import annotations

import copy
import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from barometer.catalogue.models import (
    Area,
    ClassificationSource,
    Edition,
    Goal,
    Indicator,
    KeyFigure,
    KeyFigureSection,
    MunicipalityGroupInfo,
)
from barometer.errors import BarometerError

DATA_FILES = ("goals.toml", "key_figures.toml", "areas.toml", "editions.toml")


class CatalogueError(BarometerError, ValueError):
    """A catalogue data file is inconsistent."""

    code = "catalogue_invalid"


@dataclass(frozen=True)
class Catalogue:
    goals: tuple[Goal, ...]
    indicators: tuple[Indicator, ...]
    sections: tuple[KeyFigureSection, ...]
    key_figures: tuple[KeyFigure, ...]
    areas: tuple[Area, ...]
    editions: tuple[Edition, ...]
    version: str
    municipality_groups: tuple[MunicipalityGroupInfo, ...] = ()
    group_source: ClassificationSource | None = None
    _by_id: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def goal(self, goal_id: str) -> Goal:
        return self._lookup("goal", goal_id)

    def indicator(self, item_id: str) -> Indicator:
        return self._lookup("indicator", item_id)

    def key_figure(self, item_id: str) -> KeyFigure:
        return self._lookup("key_figure", item_id)

    def area(self, code: str) -> Area:
        return self._lookup("area", code)

    def edition(self, edition_id: str) -> Edition:
        return self._lookup("edition", edition_id)

    def municipality_group(self, group_id: str) -> MunicipalityGroupInfo:
        """A DST municipality group by id (``hovedstad`` … ``land``) with its Danish and English name."""
        return self._lookup("municipality_group", group_id)

    def has_area(self, code: str) -> bool:
        return ("area", code) in self._by_id

    def has_item(self, item_id: str) -> bool:
        return ("indicator", item_id) in self._by_id or ("key_figure", item_id) in self._by_id

    def item(self, item_id: str) -> Indicator | KeyFigure:
        """An indicator or key figure by id."""
        if ("indicator", item_id) in self._by_id:
            return self.indicator(item_id)
        return self.key_figure(item_id)

    def indicators_of(self, goal_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.goal == goal_id]

    def key_figures_of(self, section_id: str) -> list[KeyFigure]:
        return [k for k in self.key_figures if k.section == section_id]

    @property
    def municipalities(self) -> list[Area]:
        return [a for a in self.areas if a.kind == "municipality"]

    @property
    def regions(self) -> list[Area]:
        return [a for a in self.areas if a.kind == "region"]

    @property
    def country(self) -> Area:
        return next(a for a in self.areas if a.kind == "country")

    def _lookup(self, kind: str, key: str) -> Any:
        try:
            return self._by_id[(kind, key)]
        except KeyError:
            raise KeyError(f"unknown {kind.replace('_', ' ')} {key!r}") from None


def _read(name: str) -> tuple[dict[str, Any], bytes]:
    raw = resources.files("barometer.catalogue").joinpath("data", name).read_bytes()
    return tomllib.loads(raw.decode("utf-8")), raw


def _parse(model: type, rows: list[dict[str, Any]], file: str) -> tuple[Any, ...]:
    parsed = []
    for n, row in enumerate(rows, start=1):
        try:
            parsed.append(model(**row))
        except ValidationError as exc:
            raise CatalogueError(f"{file}: entry {n}: {exc}") from exc
    return tuple(parsed)


def build_catalogue(files: dict[str, dict[str, Any]], version: str = "dev") -> Catalogue:
    """Build and cross-check a catalogue from parsed TOML documents (keyed by file name)."""
    goals_doc, kf_doc = files["goals.toml"], files["key_figures.toml"]
    goals = _parse(Goal, goals_doc.get("goal", []), "goals.toml")
    indicators = _parse(Indicator, goals_doc.get("indicator", []), "goals.toml")
    sections = _parse(KeyFigureSection, kf_doc.get("section", []), "key_figures.toml")
    key_figures = _parse(KeyFigure, kf_doc.get("key_figure", []), "key_figures.toml")
    areas = _parse(Area, files["areas.toml"].get("area", []), "areas.toml")
    editions = _parse(Edition, files["editions.toml"].get("edition", []), "editions.toml")
    groups = _parse(MunicipalityGroupInfo, files["areas.toml"].get("municipality_group", []), "areas.toml")
    group_source = _group_source(files["areas.toml"])

    by_id: dict[tuple[str, str], Any] = {}
    for kind, items in (("goal", goals), ("indicator", indicators), ("section", sections),
                        ("key_figure", key_figures), ("area", areas), ("edition", editions),
                        ("municipality_group", groups)):
        for item in items:
            key = (kind, item.code if kind == "area" else item.id)
            if key in by_id:
                raise CatalogueError(f"duplicate {kind} id {key[1]!r}")
            by_id[key] = item
    item_ids = [i.id for i in indicators] + [k.id for k in key_figures]
    if len(set(item_ids)) != len(item_ids):
        raise CatalogueError("an indicator and a key figure share an id")
    edition_ids = {e.id for e in editions}
    for ind in indicators:
        if ("goal", ind.goal) not in by_id:
            raise CatalogueError(f"indicator {ind.id} refers to unknown goal {ind.goal!r}")
    for goal in goals:
        if not any(i.goal == goal.id for i in indicators):
            raise CatalogueError(f"goal {goal.id} has no indicators")
        if unknown := set(goal.latest_year) - edition_ids:
            raise CatalogueError(f"goal {goal.id}: latest_year names unknown editions {sorted(unknown)}")
    for kf in key_figures:
        if ("section", kf.section) not in by_id:
            raise CatalogueError(f"key figure {kf.id} refers to unknown section {kf.section!r}")
    for area in areas:
        if area.kind == "municipality" and ("area", area.region) not in by_id:
            raise CatalogueError(f"municipality {area.code} refers to unknown region {area.region!r}")
        if area.kind == "municipality" and ("municipality_group", area.group) not in by_id:
            raise CatalogueError(f"municipality {area.code}: group {area.group!r} is not declared as a "
                                 "[[municipality_group]] in areas.toml")
    return Catalogue(goals, indicators, sections, key_figures, areas, editions, version,
                     municipality_groups=groups, group_source=group_source, _by_id=by_id)


def _group_source(doc: dict[str, Any]) -> ClassificationSource | None:
    """The citation of the municipality groups ([municipality_groups] in areas.toml); required with groups."""
    table = doc.get("municipality_groups")
    if table is None:
        if doc.get("municipality_group"):
            raise CatalogueError("areas.toml: [[municipality_group]] needs a [municipality_groups] table citing "
                                 "its source (source, url)")
        return None
    try:
        return ClassificationSource(**table)
    except ValidationError as exc:
        raise CatalogueError(f"areas.toml: [municipality_groups]: {exc}") from exc


@cache
def _packaged() -> tuple[dict[str, dict[str, Any]], str]:
    docs, digest = {}, hashlib.sha256()
    for name in DATA_FILES:
        docs[name], raw = _read(name)
        digest.update(raw)
    return docs, digest.hexdigest()[:12]


def catalogue_documents() -> tuple[dict[str, dict[str, Any]], str]:
    """The packaged data files, parsed (by file name), and the catalogue version: what a release snapshots."""
    docs, version = _packaged()
    return copy.deepcopy(docs), version


@cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue; its version is a checksum of the data files, recorded in every release."""
    docs, version = _packaged()
    return build_catalogue(copy.deepcopy(docs), version=version)
