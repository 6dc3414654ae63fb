"""What a renderer is given: named tables of published rows plus the facts every download must carry.

A renderer never looks anything up in the release itself: it writes exactly the columns of the tables it is
handed (the published table decides what is public, not the format), and the release id, licence and source
from :class:`ExportMeta`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from barometer.notice import attribution, mark_rows
from barometer.settings import DEFAULT_PUBLISHER

# Without a release; a release names its own publisher (ExportMeta.publisher, from its manifest).
LICENCE = attribution(DEFAULT_PUBLISHER)
LICENCE_DA = attribution(DEFAULT_PUBLISHER, "da")
SOURCE = ("Udlændinge- og Integrationsministeriet; Danmarks Statistik registers; "
          "Medborgerskabsundersøgelsen; lists of vulnerable housing areas")
SITE = "https://integrationsbarometer.dk"
# The columns that make a row one observation: cube formats (JSON-stat, SDMX) need them.
OBSERVATION_KEYS = ("area_code", "item_id", "period", "status")


@dataclass(frozen=True)
class ExportMeta:
    """Facts about the download as a whole: which release, under which licence, from which sources."""

    release: str | None
    name: str  # what the download is, for file names: "observations", "indikator-1.2"
    title: str = "Integrationsbarometeret"
    lang: str = "da"
    edition: str | None = None
    licence: str = LICENCE
    source: str = SOURCE
    created: str | None = None  # when the release was published (ISO 8601)
    kind: str | None = None  # how the release was made (engine, published, sample), from its manifest
    publisher: str = DEFAULT_PUBLISHER  # who publishes the release, from its manifest
    # Built from synthetic registers: every format must say so (barometer.notice), e.g. a `notice` column.
    synthetic: bool = False

    @property
    def licence_text(self) -> str:
        return attribution(self.publisher, "da") if self.lang == "da" else self.licence


@dataclass
class Table:
    """One table of rows (dicts); the columns are the keys in order of first appearance."""

    name: str
    rows: list[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.rows:
            for key in row:
                seen.setdefault(key, None)
        return list(seen)

    @property
    def is_observations(self) -> bool:
        """True when every row is an observation (area, item, period, status): cube formats can render it."""
        return bool(self.rows) and all(k in self.columns for k in OBSERVATION_KEYS)


@dataclass
class Export:
    """Everything one download holds. ``data`` is the JSON payload when it is not simply the rows (a page's
    .json twin has its own shape); every other format renders ``tables``."""

    meta: ExportMeta
    tables: list[Table]
    data: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # format-specific hints, e.g. SDMX dataflow id

    def json_data(self) -> Any:
        if self.data is not None or not self.tables:
            return self.data
        if len(self.tables) == 1:
            return self.tables[0].rows
        return {t.name: t.rows for t in self.tables}

    def observation_rows(self) -> list[dict[str, Any]]:
        """The observation rows of all tables, each (area, item, period) once: a page may show one figure in
        two tables (the latest year in both the time series and the ranking)."""
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for table in self.tables:
            if not table.is_observations:
                continue
            for row in table.rows:
                seen.setdefault((row["area_code"], row["item_id"], row["period"]), row)
        return list(seen.values())

    @property
    def has_observations(self) -> bool:
        return any(t.is_observations for t in self.tables)


def page_tables(rows: list[dict[str, Any]], name: str) -> list[Table]:
    """A page's table rows as tables: rows that name their table in a `table` column (the indicator page's
    series and ranking) become one table each, without that column; otherwise one table."""
    if rows and all("table" in r for r in rows):
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(str(row["table"]), []).append({k: v for k, v in row.items() if k != "table"})
        return [Table(n, r) for n, r in grouped.items()]
    return [Table(name, rows)]


def marked_tables(export: Export) -> list[Table]:
    """The export's tables; for a synthetic release each row starts with the `notice` column saying so, so a
    row copied or filtered on its own still says it (barometer.notice). Formats that write rows use these."""
    if not export.meta.synthetic:
        return export.tables
    return [Table(t.name, mark_rows(t.rows, True)) for t in export.tables]
