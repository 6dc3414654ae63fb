"""The served release's observations indexed by area, item and period, built once per loaded release.

Every observation query of the API and the downloads goes through :meth:`ObservationIndex.select`, which touches
only the rows asked for: a tree area → item → period → position into the published rows, which are kept once,
in the published columns and sorted by (area, item, period) as every answer lists them. A query for one area,
item and period costs three dictionary lookups instead of a pass over every row of the release; an unfiltered
query walks the tree in order, so its answer can be streamed (stream.py) without sorting anything per request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from barometer.exports.release import published_rows


class ObservationIndex:
    """Published observation rows (shared, never modified: renderers copy what they change) and their tree."""

    def __init__(self, rows: Collection[dict[str, Any]]) -> None:
        self.rows: list[dict[str, Any]] = published_rows(rows)
        # dicts keep insertion order, and rows are inserted sorted: walking the tree lists rows in answer order
        self.tree: dict[str, dict[str, dict[str, int]]] = {}
        for position, row in enumerate(self.rows):
            self.tree.setdefault(row["area_code"], {}).setdefault(row["item_id"], {})[row["period"]] = position

    def __len__(self) -> int:
        return len(self.rows)

    def positions(self, areas: Collection[str] = (), items: Collection[str] = (),
                  periods: Collection[str] = ()) -> Iterator[int]:
        """Positions of the rows matching every given filter (an empty filter matches all), in answer order."""
        tree = self.tree
        area_keys = sorted(areas) if areas else tree.keys()
        item_keys = sorted(items) if items else None
        period_keys = sorted(periods) if periods else None
        for area in area_keys:
            by_item = tree.get(area)
            if by_item is None:
                continue
            for item in item_keys if item_keys is not None else by_item.keys():
                by_period = by_item.get(item)
                if by_period is None:
                    continue
                if period_keys is None:
                    yield from by_period.values()
                else:
                    for period in period_keys:
                        position = by_period.get(period)
                        if position is not None:
                            yield position

    def select(self, areas: Collection[str] = (), items: Collection[str] = (), periods: Collection[str] = (),
               statuses: Collection[str] = ()) -> Iterator[dict[str, Any]]:
        """The published rows matching the filters, sorted by area, item and period (as published_rows sorts)."""
        rows = self.rows
        for position in self.positions(areas, items, periods):
            row = rows[position]
            if not statuses or row["status"] in statuses:
                yield row
