"""The register contract: the one declaration of the person-level tables the engine reads.

Validation, the synthetic generator, the engine and docs/data-contract.md all read ``CONTRACT``; changing
a table means changing it here and bumping ``CONTRACT_VERSION`` (major for breaking changes, minor for
additions).

    from barometer.registers.contract import CONTRACT, CONTRACT_VERSION, arrow_schema
    CONTRACT.tables["persons"].columns
    arrow_schema("residence")          # pyarrow.Schema to write the table with
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyarrow as pa

from barometer.registers.schema import Column, ColumnType, Contract, ForeignKey, RowRule, Table
from barometer.registers.tables import ALL_TABLES, SURVEY_QUESTIONS

CONTRACT_VERSION = "1.0.0"

CONTRACT = Contract(version=CONTRACT_VERSION, tables={t.name: t for t in ALL_TABLES})


def arrow_schema(table_name: str) -> pa.Schema:
    """The Arrow schema a writer must use for ``table_name`` (column order, types, nullability)."""
    return CONTRACT.table(table_name).arrow_schema()


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    name_en: str
    western: bool


@cache
def countries() -> dict[str, Country]:
    """The origin-country classification (data/countries.toml), by code."""
    text = resources.files("barometer.registers").joinpath("data/countries.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text)["country"]
    return {r["code"]: Country(r["code"], r["name"], r["name_en"], bool(r["western"])) for r in rows}


def western_country_codes() -> frozenset[str]:
    """Codes of the Western countries (domain.md §2); every other code is non-Western."""
    return frozenset(code for code, c in countries().items() if c.western)


@cache
def municipality_codes() -> tuple[str, ...]:
    """The 98 municipality codes, read from the catalogue so the contract never keeps its own list."""
    from barometer.catalogue import load_catalogue

    return tuple(a.code for a in load_catalogue().municipalities)


def domain_codes(domain: str) -> tuple[str, ...]:
    """The allowed values of a column whose codes live outside the contract (``Column.domain``)."""
    if domain == "municipality":
        return municipality_codes()
    if domain == "country":
        return tuple(countries())
    raise ValueError(f"unknown code domain {domain!r}")


__all__ = [
    "CONTRACT",
    "CONTRACT_VERSION",
    "SURVEY_QUESTIONS",
    "Column",
    "ColumnType",
    "Contract",
    "Country",
    "ForeignKey",
    "RowRule",
    "Table",
    "arrow_schema",
    "countries",
    "domain_codes",
    "municipality_codes",
    "western_country_codes",
]
