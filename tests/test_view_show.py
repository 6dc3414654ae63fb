"""The barometer view and `barometer show --json` on the seed's Aalborg figures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.store import Status, observation_table, publish
from barometer.uncertainty import add_intervals, change_is_significant, change_is_significant_from_intervals
from barometer.view import ReleaseIndex, build_view

runner = CliRunner()


def _show(store, *args):
    result = runner.invoke(app, ["--store", str(store), "show", *args])
    return result, (json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None)


def test_show_json_shape_and_aalborg_figures(published_store):
    result, data = _show(published_store, "--area", "851", "--json")
    assert result.exit_code == 0, result.output
    assert data["area"] == {"code": "851", "name": "Aalborg"} and data["edition"] == "2024-11"
    assert data["release"].startswith("2024-11-")
    goals = {g["id"]: g for g in data["goals"]}
    assert [g["id"] for g in data["goals"]] == [str(n) for n in range(1, 10)]
    # movements worked out by hand from the seed's developments and the rules (docs/rules.md)
    assert {k: g["movement"] for k, g in goals.items()} == {
        "1": "positive", "2": "positive", "3": "negative", "4": None, "5": None, "6": None,
        "7": "positive", "8": "unchanged", "9": "positive"}
    ind = {i["id"]: i for g in data["goals"] for i in g["indicators"]}
    assert ind["1.1"] == {"id": "1.1", "title": ind["1.1"]["title"], "status": 19, "development": -6,
                          "unit": "pct_point", "outcome": "positive", "computed": True, "value_status": "ok",
                          "significant": None}  # published figures carry no numerators: not judged
    assert ind["3.1"]["outcome"] == "negative" and ind["8.3"]["outcome"] == "positive"
    assert ind["8.1"]["outcome"] == "unchanged"
    not_computed = [i for i, v in ind.items() if not v["computed"]]
    assert not_computed == ["3.2", "4.1", "4.2", "4.3", "5.1", "6.1", "6.2", "6.3"]
    assert all(ind[i]["status"] is None and ind[i]["outcome"] is None for i in not_computed)
    assert goals["8"]["baseline_year"] == 2018 and goals["1"]["status_year"] == 2022
    kf = {k["id"]: k for k in data["key_figures"]}
    assert kf["N1"] == {"id": "N1", "title": kf["N1"]["title"], "period": "2024-08-31", "value": 1729,
                        "national_value": 45766, "unit": "count", "section": "ukraine", "value_status": "ok",
                        "national_status": "ok"}
    assert kf["N13"]["value"] is None and kf["N13"]["value_status"] == "missing" and kf["N13"]["national_value"] == 40
    assert kf["N16"]["value"] is None and kf["N16"]["value_status"] == "not_computed"
    assert kf["N16"]["national_value"] == 1253


def test_national_report_computes_survey_indicators(published_store):
    _, data = _show(published_store, "--area", "000", "--json")
    ind = {i["id"]: i for g in data["goals"] for i in g["indicators"]}
    assert all(i["computed"] for i in ind.values())  # survey indicators are national figures
    assert ind["1.1"]["value_status"] == "missing"  # the fixture carries no national indicator figures
    assert {k["id"]: k["value"] for k in data["key_figures"]}["N17"] == 1195


def test_show_text_and_english(published_store, monkeypatch):
    from rich.console import Console

    import barometer.cli

    monkeypatch.setattr(barometer.cli, "out", Console(width=250))  # one table row per line, whatever the terminal
    result = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851"])
    assert result.exit_code == 0 and "Aalborg" in result.stdout and "Opgøres ikke" in result.stdout
    lines = result.stdout.splitlines()
    n1 = next(line for line in lines if "Nøgletal 1 - " in line)
    assert "1.729 personer" in n1 and "45.766 personer" in n1 and "31. august 2024" in n1
    n13 = next(line for line in lines if "Nøgletal 13 - " in line)
    assert "│ –" in n13 and "40 pct." in n13  # not published locally: a dash, never 0
    assert "▲ Positiv" in result.stdout and "▼ Negativ" in result.stdout
    english = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851", "--lang", "en"])
    assert "Current status" in english.stdout and "Not computed" in english.stdout
    _, data = _show(published_store, "--area", "851", "--json", "--lang", "en")
    assert data["goals"][0]["title"].startswith("Employment - ")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--area", "999"], "--area '999' is not a known area code"), (["--area", "851", "--lang", "fr"], "--lang"),
     (["--area", "851", "--release", "nope"], "release 'nope' not found")],
)
def test_show_bad_arguments(published_store, args, message):
    result, _ = _show(published_store, *args)
    assert result.exit_code != 0 and message in result.output


def test_show_without_release(tmp_path):
    result, _ = _show(tmp_path, "--area", "851")
    assert result.exit_code == 1 and "no release in store" in result.output


def _engine_release(tmp_path, values: dict[tuple[str, str], float | None]):
    rows = [{"area_code": "851", "item_id": item, "period": period, "value": v,
             "status": Status.OK if v is not None else Status.SUPPRESSED, "source": "engine"}
            for (item, period), v in values.items()]
    return ReleaseIndex.load(publish(tmp_path, observation_table(rows), "2024-11", {}))


def test_development_from_unrounded_values_when_not_published(tmp_path):
    # 1.2: 60.6 - 49.4 = 11.2 → development 11 (each rounded from unrounded values), status 61 (not 61 - 49 = 12)
    # 1.1: 18.4 - 18.9 = -0.5 → -1 (half away from zero) → lower is better → positive
    index = _engine_release(tmp_path, {("1.2", "2022"): 60.6, ("1.2", "2012"): 49.4,
                                       ("1.1", "2022"): 18.4, ("1.1", "2012"): 18.9,
                                       ("9.1", "2022"): None, ("9.1", "2012"): 5.0})
    view = build_view(index, "851")
    ind = {i.id: i for g in view.goals for i in g.indicators}
    assert (ind["1.2"].status, ind["1.2"].development, ind["1.2"].outcome) == (61, 11, "positive")
    assert (ind["1.1"].status, ind["1.1"].development, ind["1.1"].outcome) == (18, -1, "positive")
    assert ind["9.1"].value_status == "suppressed" and ind["9.1"].status is None and ind["9.1"].outcome is None
    assert ind["9.1"].development_status == "suppressed" and ind["1.2"].development_status == "ok"
    assert ind["2.1"].development_status == "missing" and ind["3.2"].development_status == "not_computed"
    assert view.goals[0].movement == "positive" and view.goals[8].movement is None


def test_hidden_baseline_hides_the_development(tmp_path):
    index = _engine_release(tmp_path, {("1.2", "2022"): 60.0, ("1.2", "2012"): None})
    ind = build_view(index, "851").goals[0].indicators[1]
    assert (ind.status, ind.development, ind.development_status) == (60, None, "suppressed")
    assert ind.outcome is None


def test_two_indicator_rule_is_configurable(tmp_path):
    # Mål 1 with 1.1 unchanged (0) and 1.2 positive: strict → unchanged, lenient → positive
    index = _engine_release(tmp_path, {("1.2", "2022"): 60.0, ("1.2", "2012"): 50.0,
                                       ("1.1", "2022"): 20.0, ("1.1", "2012"): 20.2})
    assert build_view(index, "851").goals[0].movement == "unchanged"
    assert build_view(index, "851", two_rule="lenient").goals[0].movement == "positive"
    config = tmp_path / "settings.toml"
    config.write_text('[rules]\ntwo_indicator_rule = "lenient"\n')
    result = runner.invoke(app, ["--store", str(tmp_path), "--config", str(config), "show", "--area", "851", "--json"])
    assert json.loads(result.stdout)["goals"][0]["movement"] == "positive"


def test_significance_of_change_beside_the_movement(tmp_path):
    # 1.2 in two areas, both +11 points since 2012: on 1000 persons that is far beyond noise (z ≈ 5),
    # on 100 persons it is not (difference 0.11, SE ≈ sqrt(.61*.39/100 + .5*.5/100) ≈ 0.070, z ≈ 1.6).
    rows = []
    for area, n in (("851", 1000.0), ("101", 100.0)):
        for period, share in (("2022", 0.61), ("2012", 0.50)):
            rows.append({"area_code": area, "item_id": "1.2", "period": period, "value": 100 * share,
                         "numerator": share * n, "denominator": n, "status": Status.OK, "source": "engine"})
    model = {"uncertainty": {"items": {"1.2": {"model": True, "factor": 1.0}}}}
    index = ReleaseIndex.load(publish(tmp_path, add_intervals(observation_table(rows)), "2024-11", model))
    big = build_view(index, "851").goals[0].indicators[1]
    small = build_view(index, "101").goals[0].indicators[1]
    assert (big.development, big.outcome, big.significant) == (11, "positive", True)
    assert (small.development, small.outcome, small.significant) == (11, "positive", False)
    # the same figures in a release without an uncertainty model for 1.2: no verdict at all
    for record in ({}, {"uncertainty": {"items": {"1.2": {"model": False, "reason": "too_few_municipalities"}}}}):
        bare = ReleaseIndex.load(publish(tmp_path / "bare", add_intervals(observation_table(rows)), "2024-11",
                                         record))
        assert build_view(bare, "851").goals[0].indicators[1].significant is None
    # the verdict from the stored intervals equals the one from the numerators (Newcombe's difference)
    rows_by = {(r["area_code"], r["period"]): r for r in index.rows.values()}
    for area in ("851", "101"):
        assert change_is_significant(rows_by[(area, "2022")], rows_by[(area, "2012")], "pct") == (area == "851")


def test_weighted_survey_share_keeps_its_sampling_interval_but_gets_no_verdict(tmp_path):
    # A survey share of 8.8 % → 11.2 % on weights summing to 100,000 but only 900 effective respondents per year:
    # the stored interval (built on n_eff) is wide, so the change is not significant — judged on the weights as
    # if they were persons it would be.
    import pyarrow as pa

    rows = [{"area_code": "000", "item_id": "6.2", "period": p, "value": 100 * v, "numerator": v * 1e5,
             "denominator": 1e5, "status": Status.OK, "source": "engine"} for p, v in (("2024", 0.088),
                                                                                      ("2012", 0.112))]
    table = observation_table(rows)
    with_neff = table.append_column("effective_n", pa.array([900.0, 900.0]))
    stored = add_intervals(with_neff, phi={}).drop_columns(["effective_n"])  # survey: sampling interval kept
    record = {"uncertainty": {"items": {"6.2": {"model": False, "reason": "survey"}}}}
    index = ReleaseIndex.load(publish(tmp_path, stored, "2024-11", record))
    ind = {i.id: i for g in build_view(index, "000").goals for i in g.indicators}["6.2"]
    assert ind.outcome == "positive" and ind.development == -2
    assert ind.ci_low is not None and ind.ci_high - ind.ci_low > 3  # on n_eff = 900: about ±1.9 points
    assert ind.significant is None  # survey items get no verdict (docs/uncertainty.md)
    stored_rows = sorted(stored.to_pylist(), key=lambda r: r["period"], reverse=True)
    assert change_is_significant_from_intervals(*stored_rows) is False  # the n_eff interval is wide
    assert change_is_significant(rows[0], rows[1], "pct") is True  # what the weights-as-persons reading says


def test_settings_file_errors_name_file_and_key(tmp_path):
    cases = {
        "[rulez]\nx = 1\n": "[rulez]: unknown section; known sections: [rules], [engine], [disclosure], [report], "
                            "[release], [web]",
        "[web]\npage_cache_mbb = 1\n": "[web] page_cache_mbb: unknown key; known keys of [web]: topojson,",
        "[disclosure.rates]\nmin_denominator = -1\n": "[disclosure.rates] min_denominator: Input should be greater",
        "[engine]\nweekly_hours_cap = -3\n": "[engine] weekly_hours_cap: Input should be greater than 0",
        "[engine]\ncrime_sex = 'X'\n": "[engine] crime_sex:",
        "[rules\n": "cannot read settings",
    }
    for n, (text, message) in enumerate(cases.items()):
        config = tmp_path / f"s{n}.toml"
        config.write_text(text)
        result = runner.invoke(app, ["--store", str(tmp_path), "--config", str(config), "releases"])
        assert result.exit_code == 2, text
        assert f"{config}: " in result.output and message in result.output, result.output
