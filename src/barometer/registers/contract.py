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

from barometer.errors import BarometerError
from barometer.registers.schema import Column, ColumnType, Contract, ForeignKey, RowRule, Table
from barometer.registers.tables import ALL_TABLES, SURVEY_QUESTIONS

CONTRACT_VERSION = "2.0.0"
"""1.1.0 classified territories and former countries; 2.0.0 added the required ``addresses`` table (address
history), so 1.x register folders lack it."""

CONTRACT = Contract(version=CONTRACT_VERSION, tables={t.name: t for t in ALL_TABLES})


def arrow_schema(table_name: str) -> pa.Schema:
    """The Arrow schema a writer must use for ``table_name`` (column order, types, nullability)."""
    return CONTRACT.table(table_name).arrow_schema()


@dataclass(frozen=True)
class Country:
    """A country code with its class. ``part_of`` names the country a territory belongs to (its class is that
    country's); ``former`` marks a country that no longer exists but still occurs as a country of origin."""

    code: str
    name: str
    name_en: str
    western: bool
    part_of: str | None = None
    former: bool = False
    note: str | None = None  # why a former country has its class (rendered into docs/data-contract.md)


class CountryListError(BarometerError, ValueError):
    """data/countries.toml is inconsistent (the message names the entry)."""

    code = "catalogue_invalid"


_COUNTRY_KEYS = {"code", "name", "name_en", "western", "part_of", "former", "note"}


def parse_countries(rows: list[dict], file: str = "countries.toml") -> dict[str, Country]:
    """Countries by code; a territory's class is derived from its country so the two can never disagree."""
    by_code = {r.get("code"): r for r in rows}
    if len(by_code) != len(rows):
        raise CountryListError(f"{file}: duplicate country codes")
    result = {}
    for n, r in enumerate(rows, start=1):
        where = f"{file}: entry {n} ({r.get('code')!r})"
        if unknown := set(r) - _COUNTRY_KEYS:
            raise CountryListError(f"{where}: unknown key(s) {sorted(unknown)}")
        parent = r.get("part_of")
        if ("western" in r) == (parent is not None):
            raise CountryListError(f"{where}: give either western (a country) or part_of (a territory)")
        if parent is not None:
            if parent not in by_code or "part_of" in by_code[parent]:
                raise CountryListError(f"{where}: part_of {parent!r} is not a country in the list")
            western = bool(by_code[parent]["western"])
        else:
            western = bool(r["western"])
        if r.get("former") and not r.get("note"):
            raise CountryListError(f"{where}: a former country needs a note saying why it has its class")
        result[r["code"]] = Country(r["code"], r["name"], r["name_en"], western, parent, bool(r.get("former")),
                                    r.get("note"))
    return result


@cache
def countries() -> dict[str, Country]:
    """The origin-country classification (data/countries.toml), by code."""
    text = resources.files("barometer.registers").joinpath("data/countries.toml").read_text(encoding="utf-8")
    return parse_countries(tomllib.loads(text)["country"])


def western_country_codes() -> frozenset[str]:
    """Codes of the Western countries; every other code is non-Western."""
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
    "CountryListError",
    "ForeignKey",
    "RowRule",
    "Table",
    "arrow_schema",
    "countries",
    "domain_codes",
    "municipality_codes",
    "parse_countries",
    "western_country_codes",
]
