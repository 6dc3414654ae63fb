"""The catalogue data files are complete and consistent."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from barometer.catalogue import CatalogueError, load_catalogue
from barometer.catalogue.load import DATA_FILES, _read, build_catalogue


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_nine_goals_and_21_indicators_in_order(cat):
    assert [g.id for g in cat.goals] == [str(n) for n in range(1, 10)]
    assert [i.id for i in cat.indicators] == [
        "1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "5.1",
        "6.1", "6.2", "6.3", "7.1", "7.2", "8.1", "8.2", "8.3", "9.1",
    ]
    assert all(cat.indicators_of(g.id) for g in cat.goals)


def test_18_key_figures_in_three_sections(cat):
    assert [k.id for k in cat.key_figures] == [f"N{n}" for n in range(1, 19)]
    assert Counter(k.section for k in cat.key_figures) == {"ukraine": 6, "refugees": 9, "migration": 3}


def test_survey_indicators_are_national_only(cat):
    survey = {i.id for i in cat.indicators if i.source == "survey"}
    assert survey == {"3.2", "4.1", "4.2", "4.3", "5.1", "6.1", "6.2", "6.3"}
    assert all(not cat.indicator(i).local for i in survey)
    assert all(i.local for i in cat.indicators if i.source == "register")


def test_baselines_and_latest_years_of_the_2024_edition(cat):
    assert {g.id: g.baseline_year for g in cat.goals} == {**{str(n): 2012 for n in range(1, 10)}, "8": 2018}
    latest = {g.id: g.latest_year["2024-11"] for g in cat.goals}
    assert latest == {"1": 2022, "2": 2023, "3": 2024, "4": 2024, "5": 2024, "6": 2024, "7": 2023, "8": 2023,
                      "9": 2022}


def test_exact_texts_of_the_seed(cat):
    assert cat.goal("8").title_da == "Udsatte boligområder - Færre udsatte boligområder."
    assert cat.indicator("1.2").title_da == (
        "Beskæftigelsesfrekvensen blandt 25-64-årige indvandrere og efterkommere med ikke-vestlig oprindelse.")
    assert cat.key_figure("N12").title_da == "Registrerede IGU-forløb"
    assert all(i.title_en and i.title_en != i.title_da for i in cat.indicators)


def test_directions(cat):
    lower = {i.id for i in cat.indicators if i.direction == "lower"}
    assert lower == {"1.1", "5.1", "6.1", "6.2", "6.3", "7.1", "7.2", "8.1", "8.2", "8.3", "9.1"}


def test_areas_98_municipalities_per_region(cat):
    assert cat.country.code == "000" and cat.country.name == "Hele landet"
    assert len(cat.municipalities) == 98
    assert len({a.code for a in cat.areas}) == len(cat.areas) == 104
    per_region = Counter(m.region for m in cat.municipalities)
    assert per_region == {"084": 29, "085": 17, "083": 22, "082": 19, "081": 11}
    assert cat.area("851").name == "Aalborg" and cat.area("851").region == "081"
    assert cat.area("101").name == "København"


# Figures as the November 2024 report for Aalborg prints them (status and development), by item.
_PRINTED = {"1.1": ("19 pct. point", "-6 pct. point"), "1.2": ("61 pct.", "11 pct. point"), "3.3": ("58 pct.",),
            "7.1": ("7 pct. point", "-2 pct. point"), "8.3": ("0 boligområder", "-1 boligområder"),
            "N1": ("1.729 personer", "45.766 personer"), "N5": ("57 pct.", "58 pct."), "N12": ("213 forløb",),
            "N13": ("40 pct.",), "N14": ("2,2 pct.",), "N15": ("50 pct.", "57 pct."), "N17": ("1.195 udvandring",)}


def _printed_decimals(text: str) -> int:
    """Decimals of a number as the ministry prints it (Danish: "." groups thousands, "," is the decimal sign)."""
    number = text.split()[0]
    return len(number.split(",")[1]) if "," in number else 0


def test_decimals_are_those_the_ministry_prints(cat):
    """Indicators whole; key-figure shares whole per cent except N14's one decimal; counts whole."""
    assert {i.decimals for i in cat.indicators} == {0}
    assert {k.id: k.decimals for k in cat.key_figures if k.decimals} == {"N14": 1}
    assert all(k.decimals == 0 for k in (*cat.indicators, *cat.key_figures) if k.unit == "count")
    for item, printed in _PRINTED.items():
        assert {_printed_decimals(p) for p in printed} == {cat.item(item).decimals}, item


def _docs():
    return {name: _read(name)[0] for name in DATA_FILES}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["goals.toml"]["indicator"].append(copy.deepcopy(d["goals.toml"]["indicator"][0])),
         "duplicate indicator id '1.1'"),
        (lambda d: d["goals.toml"]["indicator"][0].update(goal="42"), "unknown goal '42'"),
        (lambda d: d["goals.toml"]["indicator"].__setitem__(
            slice(None), [i for i in d["goals.toml"]["indicator"] if i["goal"] != "9"]), "goal 9 has no indicators"),
        (lambda d: d["key_figures.toml"]["key_figure"][0].update(section="nope"), "unknown section 'nope'"),
        (lambda d: d["areas.toml"]["area"][10].update(region="099"), "unknown region '099'"),
        (lambda d: d["goals.toml"]["indicator"][0].update(direction="sideways"), "goals.toml: entry 1"),
        (lambda d: d["goals.toml"]["indicator"][17].pop("count_noun_da"), "needs count_noun_da"),
        (lambda d: d["goals.toml"]["indicator"][17].update(decimals=1), "8.1: a count is a whole number"),
        (lambda d: d["key_figures.toml"]["key_figure"][3].pop("decimals"), r"key_figures.toml: entry 4(.|\n)*decimals"),
        (lambda d: d["goals.toml"]["indicator"][1].update(decimals=-1), r"goals.toml: entry 2(.|\n)*decimals"),
        (lambda d: d["goals.toml"]["indicator"][1].update(decimals=3), r"goals.toml: entry 2(.|\n)*decimals"),
    ],
)
def test_inconsistent_files_are_refused(mutate, message):
    docs = _docs()
    mutate(docs)
    with pytest.raises(CatalogueError, match=message):
        build_catalogue(docs)
