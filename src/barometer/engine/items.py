"""Every item's observation rows from a backend whose views are derived: the queries started at once, each item's
rows assembled as its table comes, handed over batch by batch (barometer.engine.protection).

The order is the batches' plan (whole coupled groups of items, docs/disclosure.md); each progress step (an item
group) is reported once all its items are in, in the groups' declared order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pyarrow as pa

from barometer.catalogue import Catalogue, KeyFigure
from barometer.engine import assemble, coverage
from barometer.engine.definitions import DEFINITIONS, definition
from barometer.engine.model import Definition


class Results(Iterator[pa.Table], Protocol):
    """The items' evaluated tables in order (``start``); ``close`` stops any still being computed."""

    def close(self) -> None: ...


class Batches(Protocol):
    """Where the build hands the items' rows as they are computed (barometer.engine.protection.Protection)."""

    plan: list[list[str]]  # item ids in the order to compute them, in runs whose rows are handed over together

    def add(self, raw: pa.Table) -> None: ...


def runs(batches: Batches | None) -> list[list[str]]:
    """The item ids in the order to compute them, in runs handed over together (one run without ``batches``)."""
    found = batches.plan if batches is not None else [[d.id for d in DEFINITIONS]]
    if sorted(i for run in found for i in run) != sorted(d.id for d in DEFINITIONS):
        raise ValueError(f"the batches' plan {found} does not list every item once")
    return found


def start(backend: Any, jobs: list[tuple[Definition, bool]], params: dict[str, object]) -> Results:
    """Each job's (definition, national only) evaluated table, in order: several at once, started now, where the
    backend can (``evaluate_each``: DuckDB's cursors), else one after the other as they are asked for."""
    each = getattr(backend, "evaluate_each", None)
    if each is not None:
        results: Results = each(jobs, params)
        return results
    return (backend.evaluate(d, params, national_only) for d, national_only in jobs)


def item_rows(d: Definition, result: pa.Table | None, catalogue: Catalogue, edition: str, national_only: bool,
              cover: dict[tuple[str, str], dict[str, Any]], params: dict[str, object]) -> list[pa.Table]:
    """One item's observation rows from its evaluated table (``result``; None when an optional input table is
    absent: the edition's period ``not_computed``), without the periods a needed register does not cover, and a
    key figure's edition period ``not_computed`` when it is not covered."""
    if result is None:
        kf = catalogue.key_figure(d.id)
        periods = [kf.reference_period[edition]] if edition in kf.reference_period else []
        return [assemble.not_computed_rows(d, periods, catalogue, national_only)]
    skip = coverage.uncovered(d, {str(p) for p in result.column("period").to_pylist()}, cover, params)
    out = [assemble.item_rows(d, result, catalogue, national_only, skip)]
    item = catalogue.item(d.id)
    ref = item.reference_period.get(edition) if isinstance(item, KeyFigure) else None
    if ref is not None and coverage.uncovered(d, [ref], cover, params):
        out.append(assemble.not_computed_rows(d, [ref], catalogue, national_only))
    return out


def collect(plan: list[list[str]], results: Iterator[pa.Table], absent: set[str], national: dict[str, bool],
            catalogue: Catalogue, edition: str, cover: dict[tuple[str, str], dict[str, Any]], params: dict[str, object],
            tick: Callable[[str], None], batches: Batches | None, queried: Callable[[], None]) -> list[pa.Table]:
    """Every item's rows, in the plan's order (``absent``: items not evaluated, an optional table is missing),
    each run handed to ``batches`` once its items are in; ``queried()`` once the last table has come, before the
    last run is handed over."""
    groups = {g: sum(d.group == g for d in DEFINITIONS) for g in dict.fromkeys(d.group for d in DEFINITIONS)}
    rows: list[pa.Table] = []
    for index, run in enumerate(plan):
        first = len(rows)
        for d in map(definition, run):
            result = None if d.id in absent else next(results)
            rows += item_rows(d, result, catalogue, edition, national[d.id], cover, params)
            groups[d.group] -= 1
            while groups and next(iter(groups.values())) == 0:  # each group's step once its items are in
                done = next(iter(groups))
                del groups[done]
                tick(done)
        if index == len(plan) - 1:
            queried()
        if batches is not None:
            batches.add(assemble.to_table(rows[first:]))
    return rows
