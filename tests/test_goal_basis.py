"""How many indicators a goal's movement rests on: the view's counts and wording, `show` and the setting.

Worked out by hand from the seed's Aalborg figures: Mål 3 moves on 3.1 (−16) and 3.3 (−14) because 3.2 is a
survey indicator not computed for municipalities, so its movement is "based on 2 of 3 indicators".
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.settings import SettingsError, load_settings
from barometer.store import Status, observation_table, publish
from barometer.view import ReleaseIndex, basis_text, build_view

runner = CliRunner()


@pytest.fixture
def seed_index(published_release):
    return ReleaseIndex.load(published_release)


def _goals(view):
    return {g.id: g for g in view.goals}


def test_aalborg_goal_3_rests_on_two_of_three(seed_index):
    goals = _goals(build_view(seed_index, "851"))
    g3 = goals["3"]
    assert (g3.movement, g3.indicators_used, g3.indicators_total, g3.indicators_needed) == ("negative", 2, 3, 2)
    assert g3.basis_text == "baseret på 2 af 3 indikatorer"
    # every indicator used, or none at all: nothing to say
    assert goals["1"].basis_text == "" and goals["8"].basis_text == "" and goals["9"].basis_text == ""
    assert (goals["4"].movement, goals["4"].indicators_used, goals["4"].basis_text) == (None, 0, "")
    english = _goals(build_view(seed_index, "851", lang="en"))
    assert english["3"].basis_text == "based on 2 of 3 indicators"


def _release(tmp_path, values):
    rows = [{"area_code": "851", "item_id": item, "period": period, "value": v,
             "status": Status.OK if v is not None else Status.SUPPRESSED, "source": "engine"}
            for (item, period), v in values.items()]
    return ReleaseIndex.load(publish(tmp_path, observation_table(rows), "2024-11", {}))


def test_three_indicator_goal_does_not_move_on_one(tmp_path):
    # Mål 2 (status year 2023): only 2.1 has a development (+10); 2.2 is withheld, 2.3 missing
    index = _release(tmp_path, {("2.1", "2023"): 60.0, ("2.1", "2012"): 50.0, ("2.2", "2023"): None,
                                ("2.2", "2012"): 40.0})
    g2 = build_view(index, "851").goals[1]
    assert g2.movement is None and (g2.indicators_used, g2.indicators_total, g2.indicators_needed) == (1, 3, 2)
    assert g2.basis_text == "kun 1 af 3 indikatorer har en udvikling (kræver mindst 2)"
    assert build_view(index, "851", lang="en").goals[1].basis_text == (
        "only 1 of 3 indicators has a development (at least 2 needed)")
    # the setting 1 restores moving on one indicator, and says so
    one = build_view(index, "851", min_indicators=1).goals[1]
    assert one.movement == "positive" and one.basis_text == "baseret på 1 af 3 indikatorer"


def test_two_indicator_goal_needs_both_by_default(tmp_path):
    index = _release(tmp_path, {("1.2", "2022"): 60.0, ("1.2", "2012"): 50.0})
    g1 = build_view(index, "851").goals[0]
    assert g1.movement is None and g1.basis_text == "kun 1 af 2 indikatorer har en udvikling (kræver mindst 2)"


@pytest.mark.parametrize(("used", "total", "needed", "lang", "expected"), [
    (2, 3, 2, "da", "baseret på 2 af 3 indikatorer"), (2, 3, 2, "en", "based on 2 of 3 indicators"),
    (1, 3, 2, "da", "kun 1 af 3 indikatorer har en udvikling (kræver mindst 2)"),
    (2, 3, 3, "en", "only 2 of 3 indicators have a development (at least 3 needed)"),
    (3, 3, 2, "da", ""), (0, 3, 2, "da", ""), (1, 1, 1, "en", ""),
])
def test_basis_wording(used, total, needed, lang, expected):
    assert basis_text(used, total, needed, lang) == expected


def test_show_prints_the_basis_in_both_languages(published_store, monkeypatch):
    from rich.console import Console

    import barometer.cli

    monkeypatch.setattr(barometer.cli, "out", Console(width=250))
    da = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851"])
    assert da.exit_code == 0 and da.stdout.count("(baseret på 2 af 3 indikatorer)") == 1
    en = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851", "--lang", "en"])
    assert en.stdout.count("(based on 2 of 3 indicators)") == 1
    js = json.loads(runner.invoke(app, ["--store", str(published_store), "show", "--area", "851", "--json"]).stdout)
    g3 = js["goals"][2]
    assert (g3["indicators_used"], g3["indicators_total"], g3["indicators_needed"]) == (2, 3, 2)
    assert g3["basis_text"] == "baseret på 2 af 3 indikatorer"


def test_min_indicators_from_the_settings_file(published_store, tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text("[rules]\nmin_indicators = 3\n")
    assert load_settings(config).rules.min_indicators == 3
    result = runner.invoke(app, ["--store", str(published_store), "--config", str(config), "show", "--area", "851",
                                 "--json"])
    g3 = json.loads(result.stdout)["goals"][2]
    assert g3["movement"] is None
    assert g3["basis_text"] == "kun 2 af 3 indikatorer har en udvikling (kræver mindst 3)"


@pytest.mark.parametrize("value", ["0", "-1", '"two"', "1.5"])
def test_bad_min_indicators_names_the_key(tmp_path, value):
    config = tmp_path / "settings.toml"
    config.write_text(f"[rules]\nmin_indicators = {value}\n")
    with pytest.raises(SettingsError, match=r"\[rules\] min_indicators: "):
        load_settings(config)


def test_default_is_two():
    assert load_settings(None).rules.min_indicators == 2


def test_build_view_refuses_a_minimum_below_one(seed_index):
    with pytest.raises(ValueError, match="at least 1"):
        build_view(seed_index, "851", min_indicators=0)
