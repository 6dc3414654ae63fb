"""Disclosure control and intervals batch by batch, while the items after the batch are still being computed.

What a build does after computing — decide what is published, estimate each item's overdispersion from the cells
published, compute the intervals, cut every cell to what is published (``build``'s comment, docs/disclosure.md §0)
— is Python work on one core, while the items' queries leave the other core partly idle. Every one of those steps
looks at one item at a time, except disclosure decisions, which join the items of a linked group or a nested pair
(``DisclosureConfig.coupled``). So the items are computed batch by batch, each batch a run of whole coupled groups,
and each batch is protected as soon as its items are computed, while the queries of the next batches run; only the
last batch is protected after the last query. Every row comes out as protecting all items at once gives it (each
batch's rows in the order the whole table has them), and the summaries are the same records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from barometer import disclosure, uncertainty, uncertainty_model
from barometer.catalogue import Catalogue
from barometer.disclosure import DisclosureConfig, DisclosureSummary
from barometer.engine import assemble
from barometer.engine.model import Definition

BATCHES = 5
"""Batches the items are protected in at most. Each batch holds half of the coupled groups still to come (the last
two share the rest): the first batches, protected while the key figures' queries run, are large, and the last
one, protected after the last query, is small (its items' protection is what is left of this step then). A batch
costs about two hundredths of a CPU second of its own (setting up the table and the rules once more)."""


def plan(definitions: Sequence[Definition], config: DisclosureConfig, batches: int = BATCHES) -> list[list[str]]:
    """The item ids in the order to compute them, cut into at most ``batches`` runs of whole coupled groups (a
    group's items one after the other, from its first item's place), each run half of the groups left."""
    groups = config.coupled([d.id for d in definitions])
    runs: list[list[str]] = []
    while groups:
        take = len(groups) if len(runs) >= batches - 1 else -(-len(groups) // 2)
        runs.append([item for group in groups[:take] for item in group])
        groups = groups[take:]
    return runs


class Protection:
    """Protects batches of raw observations (``add``) and puts the published table together (``result``)."""

    def __init__(self, config: DisclosureConfig, edition: str, catalogue: Catalogue,
                 definitions: Sequence[Definition]) -> None:
        self.config, self.edition, self.catalogue = config, edition, catalogue
        self.gap_signs = {d.id: d.gap_sign for d in definitions}
        self.flipped = {d.id for d in definitions if d.gap_sign < 0}
        self.plan = plan(definitions, config)
        self._parts: list[pa.Table] = []
        self._summaries: list[DisclosureSummary] = []
        self._models: list[dict[str, Any]] = []

    def add(self, raw: pa.Table) -> None:
        """Decide what ``raw`` (whole coupled groups, working schema) publishes, estimate its items'
        overdispersion from the cells published, add the intervals and cut every cell to what is published. A batch
        without rows adds nothing (its items have no cells, no suppression and no model)."""
        if raw.num_rows:
            self._protect(raw)

    def _protect(self, raw: pa.Table) -> None:
        config, edition = self.config, self.edition
        decisions = disclosure.decide(raw, config, self.catalogue, edition=edition)
        decided, _ = disclosure.protect(raw, config, self.catalogue, edition=edition, decisions=decisions)
        model = uncertainty_model.assess(raw, decided, edition, self.gap_signs, self.catalogue)
        phi = uncertainty_model.factors(model)
        with_ci = assemble.flip_gap_intervals(uncertainty.add_intervals(raw, self.catalogue, phi=phi), self.flipped)
        protected, summary = disclosure.protect(with_ci, config, self.catalogue, edition=edition, phi=phi,
                                                decisions=decisions)
        self._parts.append(protected)
        self._summaries.append(summary)
        self._models.append(model)

    def result(self) -> tuple[pa.Table, DisclosureSummary, dict[str, Any]]:
        """The published observations (sorted by area, item, period), the suppression summary and the uncertainty
        record of every batch added, as one table and one record each."""
        if not self._parts:  # no rows at all: as protecting the empty table gives it
            self._protect(assemble.WORKING_SCHEMA.empty_table())
        observations = assemble.finalize(pa.concat_tables(self._parts).combine_chunks())
        summary = DisclosureSummary(self.config.digest())
        for s in self._summaries:
            summary.by_item.update(s.by_item)
            summary.by_period.update(s.by_period)
        summary.by_item = dict(sorted(summary.by_item.items()))
        summary.by_period = dict(sorted(summary.by_period.items()))
        model = self._models[0]
        items = {item: record for m in self._models for item, record in m["items"].items()}
        return observations, summary, {**model, "items": dict(sorted(items.items()))}
