"""Typed models of the catalogue: goals, indicators, key figures, areas and editions.

The catalogue is data (TOML files beside this module); these models are the only way code reads it, so a typo in
a data file fails loudly at load time instead of producing a wrong report later.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = Literal["pct", "pct_point", "count"]
Direction = Literal["higher", "lower"]
AreaKind = Literal["country", "region", "municipality"]
MunicipalityGroup = Literal["hovedstad", "storby", "provinsby", "opland", "land"]
PeriodKind = Literal["date", "month", "quarter", "range", "year"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Edition(_Strict):
    id: str = Field(pattern=r"^\d{4}-\d{2}$")
    label_da: str
    label_en: str


class Goal(_Strict):
    id: str
    theme_da: str
    theme_en: str
    title_da: str
    title_en: str
    baseline_year: int
    latest_year: dict[str, int]

    def title(self, lang: str = "da") -> str:
        return self.title_en if lang == "en" else self.title_da


class DefinitionText(_Strict):
    """How an item is defined, in Danish and English: the one place these words live. The engine keeps only the
    computation (SQL); docs/indicators.md, the definitions pages and every release's manifest take the words from
    here."""

    population_da: str
    population_en: str
    numerator_da: str
    numerator_en: str
    denominator_da: str
    denominator_en: str
    reference_da: str  # the reference dates: of the population, the status and the age
    reference_en: str


class _Measured(_Strict):
    """Fields shared by indicators and key figures: what is measured and in which unit."""

    id: str
    title_da: str
    title_en: str
    unit: Unit
    # Decimals the ministry prints (status; developments of indicators too): what is published, and how it reads.
    decimals: int = Field(ge=0, le=2)
    count_noun_da: str | None = None
    count_noun_en: str | None = None
    local: bool
    data_source: str  # Danish
    data_source_en: str
    definition: DefinitionText

    @model_validator(mode="after")
    def _count_has_noun(self) -> _Measured:
        if self.unit == "count" and not (self.count_noun_da and self.count_noun_en):
            raise ValueError(f"{self.id}: a count needs count_noun_da and count_noun_en")
        if self.unit == "count" and self.decimals != 0:
            raise ValueError(f"{self.id}: a count is a whole number; decimals must be 0, not {self.decimals}")
        return self

    def title(self, lang: str = "da") -> str:
        return self.title_en if lang == "en" else self.title_da

    def count_noun(self, lang: str = "da") -> str | None:
        return self.count_noun_en if lang == "en" else self.count_noun_da

    def source_text(self, lang: str = "da") -> str:
        return self.data_source_en if lang == "en" else self.data_source

    def words(self, lang: str = "da") -> dict[str, str]:
        """The definition in one language: population, numerator, denominator, reference dates and source."""
        suffix = "_en" if lang == "en" else "_da"
        d = self.definition
        return {name: getattr(d, name + suffix) for name in ("population", "numerator", "denominator", "reference")} \
            | {"source": self.source_text(lang)}


class Indicator(_Measured):
    goal: str
    direction: Direction
    source: Literal["register", "survey"]


class KeyFigureSection(_Strict):
    id: str
    title_da: str
    title_en: str

    def title(self, lang: str = "da") -> str:
        return self.title_en if lang == "en" else self.title_da


class KeyFigure(_Measured):
    section: str
    period_kind: PeriodKind
    reference_period: dict[str, str]


class MunicipalityGroupInfo(_Strict):
    """One group of DST's municipality classification, named as DST names it."""

    id: MunicipalityGroup
    name: str
    name_en: str

    def display_name(self, lang: str = "da") -> str:
        return self.name_en if lang == "en" else self.name


class ClassificationSource(_Strict):
    """Where a classification typed into the catalogue comes from, so every output can cite it."""

    source: str
    url: str


class Area(_Strict):
    code: str = Field(pattern=r"^\d{3}$")
    name: str
    name_en: str | None = None
    kind: AreaKind
    region: str | None = None
    group: MunicipalityGroup | None = None

    @model_validator(mode="after")
    def _municipality_has_region(self) -> Area:
        if self.kind == "municipality" and not (self.region and self.group):
            raise ValueError(f"municipality {self.code} needs region and group")
        return self

    def display_name(self, lang: str = "da") -> str:
        return (self.name_en or self.name) if lang == "en" else self.name
