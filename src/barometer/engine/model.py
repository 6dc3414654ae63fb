"""The shape of a declaration: a derived view or one item's computation (SQL; its words are the catalogue's).

Declarations are data: docs/indicators.md is generated from them, the build runs their SQL, and a Spark backend
can run the same text. An item's SQL returns one row per municipality and period with the columns of
``ITEM_COLUMNS``; the build sums them into regions and the whole country with the same join for every item.
"""

from __future__ import annotations

from dataclasses import dataclass

ITEM_COLUMNS = ("municipality", "period", "num", "den", "ref_num", "ref_den")
"""What every item's SQL returns. ``municipality`` '' means "no municipality known": counted nationally only.
``den`` is NULL for counts; ``ref_num``/``ref_den`` are the reference group of a gap (else NULL)."""


@dataclass(frozen=True)
class View:
    """A derived view the item definitions read (person-year, full-time support, course cohorts …)."""

    name: str
    description: str
    sql: str
    materialize: bool = False  # computed once and kept (read by several items), instead of a lazy view


@dataclass(frozen=True)
class Needs:
    """A register table (and the date or year column that says how far it reaches) that must cover a period
    before the item may be published for it: a register extracted earlier than residence would otherwise give
    figures that are too low but look ok (barometer.engine.coverage)."""

    table: str
    column: str
    years_after: str | None = None  # name of a SQL parameter: the table must reach this many years past the period


@dataclass(frozen=True)
class Definition:
    """How one indicator or key figure is computed: its SQL and the registers it reads. What it means in words
    (population, numerator, denominator, reference dates) is the catalogue's (``item.definition``), once."""

    id: str
    group: str  # progress step the item is computed in
    tables: tuple[str, ...]  # register tables read (directly or through views)
    sql: str
    optional_tables: tuple[str, ...] = ()  # without these tables the item is "not computed"
    gap_sign: int = 1  # gaps: value = gap_sign x (reference rate − target rate); 7.1 is published target − reference
    extra_columns: tuple[str, ...] = ()  # further additive columns the SQL returns (survey: sum of squared weights)
    needs: tuple[Needs, ...] = ()  # registers that must cover each period's last day (else no observation)
