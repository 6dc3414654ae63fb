"""The building blocks of the register contract: columns, tables, keys and row rules.

They are plain frozen dataclasses so that the generator, the validator, the engine and the documentation
read one declaration (``barometer.registers.contract``) instead of each keeping its own idea of a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pyarrow as pa

ColumnType = Literal["int64", "int16", "int8", "float64", "string", "date", "bool"]
Domain = Literal["municipality", "country"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "int64": pa.int64(),
    "int16": pa.int16(),
    "int8": pa.int8(),
    "float64": pa.float64(),
    "string": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}
"""The Arrow type every column type is written as (Parquet physical types follow from these)."""

DUCKDB_TYPES: dict[str, str] = {
    "int64": "BIGINT",
    "int16": "SMALLINT",
    "int8": "TINYINT",
    "float64": "DOUBLE",
    "string": "VARCHAR",
    "date": "DATE",
    "bool": "BOOLEAN",
}
"""How DuckDB sees each column type when it scans the Parquet files."""


@dataclass(frozen=True)
class Column:
    """One column: its type, which values are allowed, and where it comes from at DST.

    ``codes`` lists every allowed value of a coded column (value -> label); ``domain`` names a code list kept
    elsewhere (municipalities from the catalogue, countries from ``data/countries.toml``); ``minimum`` and
    ``maximum`` bound numbers and dates (inclusive).
    """

    name: str
    type: ColumnType
    description: str
    source: str
    nullable: bool = False
    codes: Mapping[str, str] | Mapping[int, str] | None = None
    domain: Domain | None = None
    minimum: int | float | date | None = None
    maximum: int | float | date | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class ForeignKey:
    """Every non-null value of ``columns`` must exist in ``ref_table.ref_columns``."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class RowRule:
    """A condition across columns of one row, written as SQL that is TRUE for an offending row.

    Rules are SQL so that validation can push them into DuckDB and the engine can reuse the same definitions.
    ``kind`` is the problem kind reported (e.g. ``end_before_start``).
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    violation_sql: str
    message: str


@dataclass(frozen=True)
class JoinRule:
    """A condition between a row (alias ``t``) and the row it references (alias ``r``) through one of the
    table's foreign keys, written as SQL that is TRUE for an offending row — e.g. residence before birth.

    ``columns`` are the table's own columns the rule reads, ``ref_columns`` the referenced table's; the problem
    is reported on the last own column. ``interval`` says the rule reads one own column and, for one referenced
    row, is broken by some value of it only if broken by the smallest or the largest (a value outside an
    interval, e.g. a date before birth or after death): then a proof may test only those two. ``window`` (date,
    first, last) says the rule is exactly ``window_sql(date, first, last)``: a date over the own column outside
    the referenced row's days ``first`` … ``last`` (check_windows.py proves it per person).
    """

    name: str
    kind: str
    ref_table: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    violation_sql: str
    message: str
    interval: bool = False
    window: tuple[str, str, str] | None = None


def window_sql(date_sql: str, first: str, last: str) -> str:
    """SQL TRUE for a row whose ``date_sql`` lies outside the referenced row's ``first`` … ``last`` (a null bound
    is no bound)."""
    return f"{date_sql} < r.{first} OR {date_sql} > r.{last}"


@dataclass(frozen=True)
class NoOverlap:
    """The spells (``start``, ``end`` with null = still running) of one value of ``partition`` (a person) must not
    overlap: one person lives at one address on a day. A row is reported when it starts on or before the latest
    end of the person's earlier-starting rows (kind ``overlapping_spells``)."""

    partition: tuple[str, ...]
    start: str
    end: str
    message: str


@dataclass(frozen=True)
class Table:
    """One person-level (or list) table: its columns, keys, row rules and DST origin.

    ``required`` tables must be present in every register folder; ``rows_required`` tables must also
    hold rows.
    """

    name: str
    description: str
    source: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[RowRule, ...] = ()
    join_rules: tuple[JoinRule, ...] = ()
    no_overlap: NoOverlap | None = None
    required: bool = True
    rows_required: bool = True
    _by_name: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate column names")
        for key in (*self.primary_key, *(c for fk in self.foreign_keys for c in fk.columns)):
            if key not in names:
                raise ValueError(f"table {self.name}: key column {key!r} is not a column")
        if self.no_overlap is not None:
            for key in (*self.no_overlap.partition, self.no_overlap.start, self.no_overlap.end):
                if key not in names:
                    raise ValueError(f"table {self.name}: spell column {key!r} is not a column")
        for rule in self.join_rules:
            if rule.ref_table not in {fk.ref_table for fk in self.foreign_keys}:
                raise ValueError(f"table {self.name}: join rule {rule.name} needs a foreign key to {rule.ref_table}")
        self._by_name.update({c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        """The exact Arrow schema writers must use (nullability included)."""
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns])


@dataclass(frozen=True)
class Contract:
    """All tables, in the order the documentation lists them."""

    version: str
    tables: Mapping[str, Table]

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r} in register contract {self.version}") from None
