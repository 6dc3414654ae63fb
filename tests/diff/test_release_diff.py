"""Release diff: counts checked against a plain polars comparison of two releases built from different registers;
goal movements and provenance checked on hand-made releases; errors of the command and the API."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from barometer.cli import app
from barometer.diff import diff_releases
from barometer.engine.build import build
from barometer.engine.settings import EngineSettings
from barometer.store import Release, list_releases, observation_table, open_release, publish
from barometer.synth.generate import generate
from barometer.web import WebSettings, create_app

KEY = ["area_code", "item_id", "period"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three engine releases: synthetic registers with seed 1, seed 2, and seed 1 again with SU counted."""
    root = tmp_path_factory.mktemp("diff")
    for seed in (1, 2):
        generate(root / f"registers-{seed}", 0.005, range(2021, 2025), seed=seed, workers=1)
    build(root / "registers-1", "2024-11", store=root / "store")
    build(root / "registers-2", "2024-11", store=root / "store")
    build(root / "registers-1", "2024-11", settings=EngineSettings(include_student_grant=True), store=root / "store")
    return root / "store"


@pytest.fixture(scope="module")
def releases(store: Path) -> list[Release]:
    return list_releases(store)


def _polars_comparison(old: Release, new: Release) -> dict[str, set[tuple[str, str, str]]]:
    """The independent comparison: a full outer join of the two observation files on the cell key."""
    a = pl.read_parquet(old.path / "observations.parquet").select(*KEY, "value", "status")
    b = pl.read_parquet(new.path / "observations.parquet").select(*KEY, "value", "status")
    joined = a.join(b, on=KEY, how="full", coalesce=True, suffix="_new")

    def keys(frame: pl.DataFrame) -> set[tuple[str, str, str]]:
        return set(frame.select(KEY).iter_rows())

    both = joined.filter(pl.col("status").is_not_null() & pl.col("status_new").is_not_null())
    return {
        "added": keys(joined.filter(pl.col("status").is_null())),
        "removed": keys(joined.filter(pl.col("status_new").is_null())),
        "status": keys(both.filter(pl.col("status") != pl.col("status_new"))),
        "value": keys(both.filter((pl.col("status") == pl.col("status_new"))
                                  & pl.col("value").ne_missing(pl.col("value_new")))),
    }


def test_counts_match_an_independent_comparison(releases):
    old, new = releases[0], releases[1]
    expected = _polars_comparison(old, new)
    result = diff_releases(old, new)
    found = {kind: {(c.area_code, c.item_id, c.period) for c in result.cells if c.change == kind}
             for kind in expected}
    assert found == expected
    assert len(result.cells) == sum(len(v) for v in expected.values())
    # the two seeds differ in every way the diff can tell
    assert all(expected[k] for k in ("value", "status")), {k: len(v) for k, v in expected.items()}


def test_cli_json_reports_the_same_counts(store, releases):
    old, new = releases[0], releases[1]
    expected = _polars_comparison(old, new)
    result = CliRunner().invoke(app, ["--store", str(store), "diff", old.id, new.id, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["changed_cells"] == sum(len(v) for v in expected.values()) == len(data["changes"])
    assert data["counts"] == {k: len(v) for k, v in expected.items()}
    assert {(c["area_code"], c["item_id"], c["period"]) for c in data["changes"]} == set().union(*expected.values())
    assert data["old"]["id"] == old.id and data["new"]["id"] == new.id
    assert data["old"]["synthetic"] is data["new"]["synthetic"] is True  # built from barometer.synth registers
    # grouped by item and by area: the groups add up to the cells
    assert sum(r["added"] + r["removed"] + r["value"] + r["status"] for r in data["by_item"]) == data["changed_cells"]
    assert sum(r["added"] + r["removed"] + r["value"] + r["status"] for r in data["by_area"]) == data["changed_cells"]


def test_only_published_values_appear(releases):
    old, new = releases[0], releases[1]
    shown = {}
    for release, side in ((old, "old"), (new, "new")):
        for row in release.observations().to_pylist():
            if row["status"] == "ok":
                shown[(side, row["area_code"], row["item_id"], row["period"])] = row["value"]
    result = diff_releases(old, new)
    revealed = [c for c in result.cells if c.old_status == "suppressed" and c.new_status == "ok"]
    assert revealed, "the two seeds should reveal some withheld cells"
    for c in result.cells:
        key = (c.area_code, c.item_id, c.period)
        assert c.old_value == shown.get(("old", *key)), c
        assert c.new_value == shown.get(("new", *key)), c
        if c.old_status != "ok":
            assert c.old_value is None
        if c.new_status != "ok":
            assert c.new_value is None


def test_same_release_twice_is_no_change(store, releases):
    release = releases[0]
    result = CliRunner().invoke(app, ["--store", str(store), "diff", release.id, release.id, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["changed_cells"] == 0 and data["changes"] == [] and data["goal_movements"] == []
    assert data["provenance"] == []
    text = CliRunner().invoke(app, ["--store", str(store), "diff", release.id, release.id])
    assert text.exit_code == 0 and "Samme udgivelse" in text.stdout


def test_settings_change_is_named_in_the_provenance(releases):
    plain, with_su = releases[0], releases[2]
    result = diff_releases(plain, with_su)
    settings = {p.key: (p.old, p.new) for p in result.provenance if p.section == "settings"}
    assert settings == {"engine_settings.include_student_grant": (False, True)}
    # same registers: no input changed, and 7.1/7.2 (where SU counts as support) are among the changed items
    assert not [p for p in result.provenance if p.section == "inputs"]
    assert {c.item_id for c in result.cells} & {"7.1", "7.2"}
    seeds = diff_releases(plain, releases[1])
    assert any(p.key.startswith("register_files.") and p.section == "inputs" for p in seeds.provenance)
    assert not [p for p in seeds.provenance if p.section == "settings"]


def test_human_output_summarises_by_item_in_both_languages(store, releases):
    old, new = releases[0], releases[1]
    runner = CliRunner()
    da = runner.invoke(app, ["--store", str(store), "diff", old.id, new.id])
    en = runner.invoke(app, ["--store", str(store), "diff", old.id, new.id, "--lang", "en"])
    assert da.exit_code == 0 and en.exit_code == 0
    n = len(diff_releases(old, new).cells)
    assert f"{n:,}".replace(",", ".") + " celler" in da.stdout and f"{n:,} cells" in en.stdout
    assert "1.2 Beskæftigelses" in da.stdout and "1.2 Employment" in en.stdout  # titles cut to the width
    assert "ny status" in da.stdout and "new status" in en.stdout
    assert "pr. område" not in da.stdout
    areas = runner.invoke(app, ["--store", str(store), "diff", old.id, new.id, "--by-area"])
    assert areas.exit_code == 0 and "Ændrede celler pr. område" in areas.stdout and "851 Aalborg" in areas.stdout


def test_errors_are_one_clear_line(store, releases, tmp_path):
    runner = CliRunner()
    known = releases[0].id
    unknown = runner.invoke(app, ["--store", str(store), "diff", known, "nope"])
    assert unknown.exit_code == 1 and "release 'nope' not found" in unknown.output
    assert known in unknown.output  # the message lists the known ids
    missing = runner.invoke(app, ["--store", str(tmp_path / "typo"), "diff", known, known])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    lang = runner.invoke(app, ["--store", str(store), "diff", known, known, "--lang", "de"])
    assert lang.exit_code == 2 and "--lang must be da or en" in lang.output


def _rows_9_1(latest: float | None) -> list[dict]:
    """Aalborg's 9.1 (lower is better; goal 9 has only this indicator) at the baseline 2012 and in 2022."""
    latest_row = ({"value": latest, "status": "ok"} if latest is not None else {"status": "suppressed"})
    return [{"area_code": "851", "item_id": "9.1", "period": "2012", "value": 5.0, "status": "ok",
             "source": "test"},
            {"area_code": "851", "item_id": "9.1", "period": "2022", "source": "test", **latest_row}]


def test_goal_movements_worked_by_hand(tmp_path):
    # 5 → 3: development −2, lower is better → positive; 5 → 6: +1 → negative; withheld: no movement
    falling = publish(tmp_path, observation_table(_rows_9_1(3.0)), "2024-11", {"kind": "test"})
    rising = publish(tmp_path, observation_table(_rows_9_1(6.0)), "2024-11", {"kind": "test"})
    hidden = publish(tmp_path, observation_table(_rows_9_1(None)), "2024-11", {"kind": "test"})
    moves = diff_releases(falling, rising).movements
    assert [(m.area_code, m.goal_id, m.old, m.new) for m in moves] == [("851", "9", "positive", "negative")]
    to_hidden = diff_releases(rising, hidden)
    assert [(m.area_code, m.goal_id, m.old, m.new) for m in to_hidden.movements] == [("851", "9", "negative", None)]
    [cell] = to_hidden.cells
    assert (cell.change, cell.old_value, cell.new_value, cell.new_status) == ("status", 6.0, None, "suppressed")
    back = diff_releases(hidden, falling)
    [cell] = back.cells  # shown again: the new value and the status change, nothing about the hidden value
    assert (cell.change, cell.old_status, cell.old_value, cell.new_value) == ("status", "suppressed", None, 3.0)


def test_api_diff_and_its_errors(store, releases):
    old, new = releases[0], releases[1]
    client = TestClient(create_app(WebSettings(store=store)))
    response = client.get(f"/api/v1/releases/{old.id}/diff/{new.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["release"] == open_release(store).id and "licence" in body
    assert body["data"]["changed_cells"] == len(diff_releases(old, new).cells)
    same = client.get(f"/api/v1/releases/{old.id}/diff/{old.id}").json()["data"]
    assert same["changed_cells"] == 0 and same["changes"] == []
    for path in (f"/api/v1/releases/nope/diff/{new.id}", f"/api/v1/releases/{old.id}/diff/nope",
                 "/api/v1/releases/.tmp-x/diff/.tmp-x"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        error = missing.json()["error"]
        assert error["status"] == 404 and "unknown release" in error["message"]
