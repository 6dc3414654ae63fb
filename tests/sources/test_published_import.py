"""Import of published figures: the good file and every kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.sources.published import PublishedImportError, read_published
from barometer.store import list_releases, open_release
from tests.conftest import PUBLISHED_CSV

HEADER = "area_code,item_id,period,value,development\n"
runner = CliRunner()


def test_fixture_imports_every_row():
    table = read_published(PUBLISHED_CSV, load_catalogue())
    rows = {(r["area_code"], r["item_id"]): r for r in table.to_pylist()}
    assert len(rows) == len(PUBLISHED_CSV.read_text().splitlines()) - 1
    assert rows[("851", "1.1")]["value"] == 19 and rows[("851", "1.1")]["published_development"] == -6
    assert rows[("851", "1.1")]["period"] == "2022"
    assert rows[("851", "N1")]["period"] == "2024-08-31" and rows[("851", "N1")]["value"] == 1729
    assert rows[("851", "N13")]["status"] == "missing" and rows[("851", "N13")]["value"] is None
    assert rows[("000", "N14")]["value"] == 2.2
    assert {r["source"] for r in rows.values()} == {"published"}


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


BAD_FILES = [
    ("empty file", "", 1, "file is empty"),
    ("header only", HEADER, 2, "no data rows"),
    ("missing column", "area_code,item_id,period,value\n851,1.1,2022,19\n", 1, "missing column(s) development"),
    ("unknown area", HEADER + "851,1.1,2022,19,-6\n999,1.1,2022,19,-6\n", 3, "unknown area_code '999'"),
    ("unknown item", HEADER + "851,1.9,2022,19,-6\n", 2, "unknown item_id '1.9'"),
    ("non-numeric value", HEADER + "851,1.1,2022,19 pct,-6\n", 2, "value '19 pct' is not a number"),
    ("decimal comma", HEADER + '000,N14,2022,"2,2",\n', 2, "value '2,2' is not a number"),
    ("non-numeric development", HEADER + "851,1.1,2022,19,minus\n", 2, "development 'minus' is not a number"),
    ("infinite value", HEADER + "851,1.1,2022,inf,\n", 2, "value 'inf' is not a number"),
    ("duplicate row", HEADER + "851,1.1,2022,19,-6\n851,1.2,2022,61,11\n851,1.1,2022,20,-5\n", 4,
     "duplicate row for area 851, item 1.1, period 2022 (first on line 2)"),
    ("indicator period not a year", HEADER + "851,1.1,august 2024,19,-6\n", 2, "must be a year"),
    ("bad period text", HEADER + "851,N1,31. smarch 2024,1729,\n", 2, "unknown month"),
    ("too many fields", HEADER + "851,1.1,2022,19,-6,extra\n", 2, "too many fields"),
    ("danish thousands separator", HEADER + "000,N1,31. august 2024,45.766,\n", 2,
     "value 45.766 of count N1 must be a whole number ≥ 0 (a Danish thousands separator?"),
    ("share above 100", HEADER + "851,1.2,2022,161,11\n", 2, "value 161 of 1.2 is outside 0…100"),
    ("negative share", HEADER + "851,N5,august 2024,-5,\n", 2, "value -5 of N5 is outside 0…100"),
    ("fractional count", HEADER + "851,8.1,2023,2.5,0\n", 2, "value 2.5 of count 8.1 must be a whole number"),
    ("fractional count development", HEADER + "851,8.1,2023,2,0.5\n", 2,
     "development 0.5 of count 8.1 must be a whole number"),
    ("gap out of range", HEADER + "851,1.1,2022,19,-160\n", 2, "development -160 of 1.1 is outside -100…100"),
    ("wrong encoding", (HEADER + "851,N1,31. august 2024,1729,\n851,N2,1. sept\xe6mber 2024,1,\n").encode("latin-1"),
     3, "not valid UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_with_file_line_and_reason(tmp_path, name, content, line, reason):
    path = _write(tmp_path, content)
    with pytest.raises(PublishedImportError) as info:
        read_published(path, load_catalogue())
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == line
    assert reason in problem.reason


def test_period_after_the_edition_is_refused(tmp_path):
    path = _write(tmp_path, HEADER + "851,1.1,2030,19,-6\n851,N1,31. august 2025,10,\n")
    read_published(path, load_catalogue())  # without an edition, any year is a period
    with pytest.raises(PublishedImportError) as info:
        read_published(path, load_catalogue(), "2024-11")
    assert [(p.line, p.reason) for p in info.value.problems] == [
        (2, "period '2030' is after edition 2024-11"), (3, "period '31. august 2025' is after edition 2024-11")]


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    path = _write(tmp_path, HEADER + "999,1.1,2022,19,-6\n851,X,2022,1,\n851,1.1,2022,abc,\n")
    with pytest.raises(PublishedImportError) as info:
        read_published(path, load_catalogue())
    assert [p.line for p in info.value.problems] == [2, 3, 4]


@pytest.mark.parametrize(("name", "content", "line", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_cli_refuses_bad_file_and_keeps_previous_release(tmp_path, name, content, line, reason):
    store = tmp_path / "store"
    ok = runner.invoke(app, ["--store", str(store), "import-published", str(PUBLISHED_CSV), "--edition", "2024-11"])
    assert ok.exit_code == 0, ok.output
    before = open_release(store)
    bad = _write(tmp_path, content)
    result = runner.invoke(app, ["--store", str(store), "import-published", str(bad), "--edition", "2024-11"])
    assert result.exit_code == 2
    assert f"{bad}:{line}:" in result.output and reason in result.output
    assert "No release was written" in result.output
    assert [r.id for r in list_releases(store)] == [before.id]
    assert open_release(store).id == before.id


def test_cli_bad_arguments(tmp_path):
    store = ["--store", str(tmp_path)]
    result = runner.invoke(app, [*store, "import-published", str(PUBLISHED_CSV), "--edition", "2031-01"])
    assert result.exit_code == 2 and "--edition '2031-01' is not a known edition" in result.output
    result = runner.invoke(app, [*store, "import-published", str(tmp_path / "nope.csv"), "--edition", "2024-11"])
    assert result.exit_code == 2 and "no such file" in result.output
    assert list_releases(tmp_path) == []


def test_store_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BAROMETER_STORE", str(tmp_path / "env-store"))
    result = runner.invoke(app, ["import-published", str(PUBLISHED_CSV), "--edition", "2024-11"])
    assert result.exit_code == 0, result.output
    assert len(list_releases(tmp_path / "env-store")) == 1
    # the release says its definitions are the ministry's published ones: no SQL ran
    meta = list_releases(tmp_path / "env-store")[0].meta
    assert meta.kind == "published" and meta.engine is None and meta.disclosure is None
    assert {d.origin for d in meta.definitions.values()} == {"published"}
    assert not any(d.sql_sha256 for d in meta.definitions.values()) and len(meta.definitions) == 39
