"""The content of an area's barometer (the Udviklingsrapport, `barometer show`, the web pages), from a release.

This is the single place where observations meet the catalogue and the barometer rules; every output renders
a :class:`BarometerView` and none re-derives a status, development or movement on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel

from barometer.catalogue import Area, Catalogue, Indicator, KeyFigure
from barometer.formatting import (
    development_unit,
    format_development,
    format_number,
    format_report_date,
    format_value,
    unit_text,
)
from barometer.periods import format_period, period_year
from barometer.rules import (
    Outcome,
    TwoIndicatorRule,
    development,
    goal_movement,
    indicator_outcome,
    indicators_needed,
    round_half_away,
)
from barometer.settings import DEFAULT_PUBLISHER, current_settings
from barometer.store import Release, Status
from barometer.uncertainty import change_is_significant_from_intervals
from barometer.uncertainty_model import item_model

Lang = Literal["da", "en"]


class AreaRef(BaseModel):
    code: str
    name: str
    kind: str


class IndicatorView(BaseModel):
    id: str
    title: str
    status: float | None  # the published whole number
    development: float | None  # the published whole number
    unit: str
    unit_text: str
    development_unit_text: str
    status_text: str
    development_text: str
    outcome: Outcome | None
    computed: bool
    value_status: Status
    value: float | None = None  # unrounded, when known
    ci_low: float | None = None
    ci_high: float | None = None
    direction: str
    # Model-based: is the change since baseline larger than the year-to-year noise the release's uncertainty model
    # estimates? None where the model does not apply or the figures are missing (docs/uncertainty.md).
    significant: bool | None = None
    # Why a development is absent: suppressed when the latest or the baseline figure is hidden.
    development_status: Status = Status.MISSING


class GoalView(BaseModel):
    id: str
    theme: str
    title: str
    status_year: int | None
    baseline_year: int
    movement: Outcome | None
    indicators: list[IndicatorView]
    # How many indicators carried the movement: with a development / of the goal / needed before it moves.
    indicators_used: int = 0
    indicators_total: int = 0
    indicators_needed: int = 1
    # "baseret på 2 af 3 indikatorer" when fewer than all carried the movement, or why there is none; else "".
    basis_text: str = ""


class KeyFigureView(BaseModel):
    id: str
    number: int
    section: str
    title: str
    period: str | None
    period_text: str
    value: float | None
    value_text: str
    value_status: Status
    national_value: float | None
    national_text: str
    national_status: Status
    unit: str
    unit_text: str


class SectionView(BaseModel):
    id: str
    title: str
    key_figures: list[KeyFigureView]


class BarometerView(BaseModel):
    area: AreaRef
    release: str
    # From the release's manifest: synthetic figures say so in every output; the publisher names who made it.
    synthetic: bool = False
    publisher: str = DEFAULT_PUBLISHER
    edition: str
    edition_label: str
    lang: Lang
    generated: str
    goals: list[GoalView]
    key_figures: list[KeyFigureView]
    sections: list[SectionView]

    def show_json(self) -> dict:
        """The documented `barometer show --json` shape (a stable subset of the view)."""
        return {
            "area": {"code": self.area.code, "name": self.area.name},
            "release": self.release,
            "edition": self.edition,
            "synthetic": self.synthetic,
            "publisher": self.publisher,
            "goals": [
                {
                    "id": g.id, "title": g.title, "status_year": g.status_year, "baseline_year": g.baseline_year,
                    "movement": g.movement,
                    "indicators_used": g.indicators_used, "indicators_total": g.indicators_total,
                    "indicators_needed": g.indicators_needed, "basis_text": g.basis_text,
                    "indicators": [
                        {"id": i.id, "title": i.title, "status": i.status, "development": i.development,
                         "unit": i.unit, "outcome": i.outcome, "computed": i.computed,
                         "value_status": i.value_status, "significant": i.significant}
                        for i in g.indicators
                    ],
                }
                for g in self.goals
            ],
            "key_figures": [
                {"id": k.id, "title": k.title, "period": k.period, "value": k.value,
                 "national_value": k.national_value, "unit": k.unit, "section": k.section,
                 "value_status": k.value_status, "national_status": k.national_status}
                for k in self.key_figures
            ],
        }


@dataclass
class ReleaseIndex:
    """A release's observations indexed for lookups by (area, item, period)."""

    release: Release
    rows: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    periods: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, release: Release) -> ReleaseIndex:
        index = cls(release)
        for row in release.observations().to_pylist():
            index.rows[(row["area_code"], row["item_id"], row["period"])] = row
            index.periods.setdefault(row["item_id"], set()).add(row["period"])
        return index

    def get(self, area: str, item: str, period: str | None) -> dict | None:
        return None if period is None else self.rows.get((area, item, period))


def _flag(row: dict | None) -> Status:
    return Status(row["status"]) if row else Status.MISSING


def _value(row: dict | None) -> float | None:
    return row["value"] if row and row["status"] == Status.OK else None


def _indicator_view(ind: Indicator, area: Area, status_year: int | None, baseline_year: int,
                    index: ReleaseIndex, lang: Lang) -> IndicatorView:
    noun = ind.count_noun(lang)
    computed = area.kind == "country" or ind.local
    row = index.get(area.code, ind.id, str(status_year) if status_year else None)
    flag = _flag(row) if computed else Status.NOT_COMPUTED
    latest = _value(row) if computed else None
    dev: float | None = None
    significant: bool | None = None
    baseline_row = index.get(area.code, ind.id, str(baseline_year)) if computed else None
    if latest is not None:
        if item_model(index.release.manifest, ind.id) is not None:
            significant = change_is_significant_from_intervals(row, baseline_row)
        if row and row.get("published_development") is not None:
            dev = row["published_development"]
        else:
            dev = development(latest, _value(baseline_row))
    # printed with the catalogue's decimals (whole numbers for every indicator, docs/catalogue.md)
    status = round_half_away(latest, ind.decimals) if latest is not None else None
    dev_rounded = round_half_away(dev, ind.decimals) if dev is not None else None
    return IndicatorView(
        id=ind.id, title=ind.title(lang), status=status, development=dev_rounded, unit=ind.unit,
        unit_text=unit_text(ind.unit, noun, lang), development_unit_text=development_unit(ind.unit, noun, lang),
        status_text=format_value(status, ind.unit, noun, lang, ind.decimals),
        development_text=format_development(dev_rounded, ind.unit, noun, lang, ind.decimals),
        outcome=indicator_outcome(dev, ind.direction), computed=computed, value_status=flag, value=latest,
        ci_low=row.get("ci_low") if row and latest is not None else None,
        ci_high=row.get("ci_high") if row and latest is not None else None,
        direction=ind.direction, significant=significant,
        development_status=_development_status(computed, dev, flag, baseline_row),
    )


def _development_status(computed: bool, dev: float | None, flag: Status, baseline_row: dict | None) -> Status:
    if not computed:
        return Status.NOT_COMPUTED
    if dev is not None:
        return Status.OK
    if Status.SUPPRESSED in (flag, _flag(baseline_row) if baseline_row else None):
        return Status.SUPPRESSED
    return Status.MISSING


BASIS_TEXT = {
    "da": {"partial": "baseret på {used} af {total} indikatorer",
           "too_few": "kun {used} af {total} indikatorer har en udvikling (kræver mindst {needed})"},
    "en": {"partial": "based on {used} of {total} indicators",
           "too_few": "only {used} of {total} indicators {verb} a development (at least {needed} needed)"},
}


def basis_text(used: int, total: int, needed: int, lang: Lang) -> str:
    """What a goal's movement rests on, when that is not all its indicators (docs/rules.md).

    Empty when every indicator has a development or none has (no movement and nothing to explain)."""
    if used == 0 or used >= total:
        return ""
    words = BASIS_TEXT["en" if lang == "en" else "da"]
    kind = "partial" if used >= needed else "too_few"
    return words[kind].format(used=format_number(used, lang), total=format_number(total, lang),
                              needed=format_number(needed, lang), verb="has" if used == 1 else "have")


def _key_figure_period(kf: KeyFigure, edition: str, index: ReleaseIndex) -> str | None:
    available = index.periods.get(kf.id, set())
    wanted = kf.reference_period.get(edition)
    if wanted in available or (wanted and not available):
        return wanted
    if not available:
        return None
    return max(available, key=lambda p: (period_year(p), p))


def _key_figure_view(kf: KeyFigure, area: Area, country: Area, edition: str, index: ReleaseIndex,
                     lang: Lang) -> KeyFigureView:
    period = _key_figure_period(kf, edition, index)
    local_ok = area.kind == "country" or kf.local
    row = index.get(area.code, kf.id, period) if local_ok else None
    national = index.get(country.code, kf.id, period)
    value, national_value = _value(row), _value(national)
    noun = kf.count_noun(lang)
    return KeyFigureView(
        id=kf.id, number=int(kf.id[1:]), section=kf.section, title=kf.title(lang), period=period,
        period_text=format_period(period, lang) if period else "",
        value=value, value_text=format_value(value, kf.unit, noun, lang, kf.decimals),
        value_status=_flag(row) if local_ok else Status.NOT_COMPUTED,
        national_value=national_value, national_text=format_value(national_value, kf.unit, noun, lang, kf.decimals),
        national_status=_flag(national), unit=kf.unit, unit_text=unit_text(kf.unit, noun, lang),
    )


def build_view(index: ReleaseIndex, area_code: str, lang: Lang = "da", catalogue: Catalogue | None = None,
               two_rule: TwoIndicatorRule | None = None, today: date | None = None,
               min_indicators: int | None = None) -> BarometerView:
    """The barometer of one area from an indexed release (two_rule and min_indicators default to the
    configured rules; the catalogue to the one the release was made with)."""
    cat = catalogue or index.release.catalogue
    two_rule = two_rule or current_settings().rules.two_indicator_rule
    if min_indicators is None:
        min_indicators = current_settings().rules.min_indicators
    area = cat.area(area_code)
    edition = index.release.edition
    goals = []
    for goal in cat.goals:
        status_year = goal.latest_year.get(edition)
        indicators = [_indicator_view(i, area, status_year, goal.baseline_year, index, lang)
                      for i in cat.indicators_of(goal.id)]
        outcomes = [i.outcome if i.computed else None for i in indicators]
        movement = goal_movement(outcomes, two_rule, min_indicators)
        used, total = sum(o is not None for o in outcomes), len(outcomes)
        needed = indicators_needed(min_indicators, total)
        goals.append(GoalView(id=goal.id, theme=goal.theme_en if lang == "en" else goal.theme_da,
                              title=goal.title(lang), status_year=status_year, baseline_year=goal.baseline_year,
                              movement=movement, indicators=indicators, indicators_used=used,
                              indicators_total=total, indicators_needed=needed,
                              basis_text=basis_text(used, total, needed, lang)))
    figures = [_key_figure_view(k, area, cat.country, edition, index, lang) for k in cat.key_figures]
    sections = [SectionView(id=s.id, title=s.title(lang), key_figures=[f for f in figures if f.section == s.id])
                for s in cat.sections]
    edition_model = cat.edition(edition)
    return BarometerView(
        area=AreaRef(code=area.code, name=area.display_name(lang), kind=area.kind), release=index.release.id,
        synthetic=index.release.synthetic, publisher=index.release.publisher,
        edition=edition, edition_label=edition_model.label_en if lang == "en" else edition_model.label_da,
        lang=lang, generated=format_report_date(today or date.today(), lang), goals=goals, key_figures=figures,
        sections=sections,
    )
