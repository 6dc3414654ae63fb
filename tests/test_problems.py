"""The problem catalogue: its generated page, and every kind produced by the code that reports it.

Register kinds are produced by the validation tests (tests/registers); the kinds reported elsewhere are produced
here through the real code paths, and ``test_every_kind_is_produced_by_a_test`` checks none is left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.errors import BarometerError, UsageError
from barometer.problems import SCOPES, problem_kind, problem_kinds
from barometer.problemsdoc import render
from barometer.sources.published import PublishedImportError, read_published
from barometer.store import ReleaseCheckError, StoreError, check_observations, observation_table, open_release

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "problems.md"
HEADER = "area_code,item_id,period,value,development\n"
runner = CliRunner()


def test_problems_page_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/problems.md is stale: run `python -m barometer.problemsdoc > docs/problems.md`")


def test_catalogue_is_well_formed():
    kinds = problem_kinds()
    assert len(kinds) >= 50
    for code, kind in kinds.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code) and kind.title and kind.description.endswith((".", ")"))
        assert kind.scopes and set(kind.scopes) <= set(SCOPES)
    with pytest.raises(KeyError, match="nope"):
        problem_kind("nope")
    with pytest.raises(KeyError):  # an error cannot carry a code the catalogue lacks
        BarometerError("x", code="nope")


def test_every_error_class_defaults_to_a_catalogue_code():
    from barometer.problemsdoc import _error_classes

    classes = _error_classes()
    assert {"SettingsError", "StoreError", "PublishedImportError", "ReleaseCheckError", "NotFound", "ParamError",
            "NoRelease", "EngineError", "RegisterInputError", "TopoJSONError"} <= {c.__name__ for c in classes}
    for cls in classes:
        assert problem_kind(cls.code), cls
        assert cls.exit_code in (1, 2) and 400 <= cls.http_status <= 599, cls


def test_every_kind_is_produced_by_a_test():
    """Each code appears quoted in some test (register kinds in tests/registers, the others here)."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")]
    missing = [c for c in problem_kinds() if not any(f'"{c}"' in t or f"'{c}'" in t for t in texts)]
    assert not missing, f"no test produces {missing}"


# --- the published-CSV importer ------------------------------------------------------------------------------

PUBLISHED = [
    ("not_utf8", (HEADER + "851,N2,1. sept\xe6mber 2024,1,\n").encode("latin-1")),
    ("empty_table", b""),
    ("empty_table", HEADER.encode()),
    ("missing_column", b"area_code,item_id,period,value\n851,1.1,2022,19\n"),
    ("malformed_csv", (HEADER + "851,1.1,2022,19,-6,7\n").encode()),
    ("duplicate_key", (HEADER + "851,1.1,2022,19,-6\n851,1.1,2022,19,-6\n").encode()),
    ("out_of_range", (HEADER + "851,1.2,2022,161,11\n").encode()),
    ("not_a_number", (HEADER + "851,1.2,2022,\"2,2\",11\n").encode()),
    ("unknown_area", (HEADER + "999,1.2,2022,20,1\n").encode()),
    ("unknown_item", (HEADER + "851,9.9,2022,20,1\n").encode()),
    ("invalid_period", (HEADER + "851,1.2,august 2022,20,1\n").encode()),
    ("period_after_edition", (HEADER + "851,1.2,2030,20,1\n").encode()),
]


@pytest.mark.parametrize(("code", "content"), PUBLISHED, ids=[f"{c}-{i}" for i, (c, _) in enumerate(PUBLISHED)])
def test_published_csv_problems_carry_their_kind(tmp_path, code, content):
    path = tmp_path / "published.csv"
    path.write_bytes(content)
    with pytest.raises(PublishedImportError) as info:
        read_published(path, load_catalogue(), "2024-11")
    error = info.value
    assert error.code == "published_csv_refused" and error.exit_code == 2
    assert [p.kind for p in error.problems][-1] == code
    assert f"[{code}]" in str(error) and "No release was written." in str(error)


def test_unreadable_published_file(tmp_path):
    with pytest.raises(PublishedImportError) as info:
        read_published(tmp_path, load_catalogue())  # a folder: the OS refuses to read it as a file
    assert info.value.problems[0].kind == "unreadable_file"


# --- settings, disclosure rules, boundary file, packaged data --------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [("[rules\n", "settings_unreadable"), ("[x]\n", "settings_unknown_key"),
                                            ("[rules]\nmin_indicators = 0\n", "settings_invalid")])
def test_settings_problems(tmp_path, text, code):
    from barometer.settings import SettingsError, load_settings

    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(tmp_path / "s.toml")
    assert info.value.code == code and info.value.exit_code == 2


def test_disclosure_config_invalid_and_its_exit_code(tmp_path, published_store):
    from barometer.disclosure_config import DisclosureConfigError, load_config

    bad = tmp_path / "rules.toml"
    bad.write_text("[rates]\nmin_denominatr = 5\n", encoding="utf-8")
    with pytest.raises(DisclosureConfigError) as info:
        load_config(bad)
    assert info.value.code == "disclosure_config_invalid"
    assert str(info.value) == f"{bad}: [rates] min_denominatr: unknown key (docs/disclosure.md)"


def test_topojson_invalid(tmp_path):
    from barometer.web.geo import TopoJSONError, load_topojson

    bad = tmp_path / "k.topojson"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(TopoJSONError) as info:
        load_topojson(bad)
    assert info.value.code == "topojson_invalid" and info.value.exit_code == 2


def test_catalogue_invalid_and_invalid_manifest(tmp_path):
    from barometer.registers.contract import CountryListError, parse_countries
    from barometer.registers.manifest import ManifestError, read_manifest

    row = {"code": "X1", "name": "X", "name_en": "X", "western": True}
    with pytest.raises(CountryListError) as info:
        parse_countries([row, row])
    assert info.value.code == "catalogue_invalid"
    (tmp_path / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(ManifestError) as manifest:
        read_manifest(tmp_path)
    assert manifest.value.code == "invalid_manifest"


# --- release checks and the store -----------------------------------------------------------------------------

def _obs(**over):
    return {"area_code": "851", "item_id": "1.2", "period": "2022", "value": 20.0, "status": "ok",
            "source": "published"} | over


@pytest.mark.parametrize(("table", "code"), [
    (lambda: observation_table([_obs()]).drop_columns(["ci_low"]), "schema_mismatch"),
    (lambda: observation_table([_obs(status="hidden")]), "unknown_status"),
    (lambda: observation_table([_obs(), _obs()]), "duplicate_key"),
    (lambda: observation_table([_obs(status="suppressed")]), "value_status_mismatch"),
    (lambda: observation_table([_obs(value=None)]), "value_status_mismatch"),
])
def test_release_checks(table, code, tmp_path):
    from barometer.store import list_releases, publish

    with pytest.raises(ReleaseCheckError) as info:
        publish(tmp_path, table(), "2024-11", {"kind": "published"})
    assert info.value.code == code and isinstance(info.value, ValueError)
    assert list_releases(tmp_path) == []  # nothing was published
    assert check_observations(observation_table([_obs()])) is None
    assert isinstance(table(), pa.Table)


def test_store_problems(tmp_path, published_store):
    with pytest.raises(StoreError) as none:
        open_release(tmp_path)
    assert (none.value.code, none.value.exit_code, none.value.http_status) == ("no_release", 1, 503)
    with pytest.raises(StoreError) as unknown:
        open_release(published_store, "2024-11_nope")
    assert (unknown.value.code, unknown.value.http_status) == ("unknown_release", 404)
    current = open_release(published_store)
    (current.path / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(StoreError) as broken:
        open_release(published_store)
    assert broken.value.code == "release_manifest_invalid" and "manifest.json" in str(broken.value)


# --- the command line: one mapping to `error: …` and the exit code --------------------------------------------

@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["show", "--area", "999"], 2, "--area '999' is not a known area code"),              # bad_argument
    (["releases"], 1, "does not exist (check --store or BAROMETER_STORE)"),              # store_missing
    (["use", "2024-11_nope"], 1, "release '2024-11_nope' not found"),                   # unknown_release
    (["export", "--format", "xml"], 2, "--format 'xml' is not one of"),                 # unknown_format
    (["build", "--registers", "{tmp}", "--edition", "1999-11"], 2, "--edition '1999-11' is not a known edition"),
])
def test_cli_maps_each_error_to_its_exit_code(tmp_path, published_store, args, exit_code, message):
    store = published_store if args[0] != "releases" else tmp_path / "missing"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["--store", str(store), *args])
    assert result.exit_code == exit_code, result.output
    assert "error: " in result.output and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # never a traceback


def test_codes_behind_the_cli_messages(tmp_path, published_store):
    from barometer.cliapp import State, check_area, existing_store, fail
    from barometer.engine.build import EngineError, build
    from barometer.exports import UnknownFormat, writer

    with pytest.raises(UsageError) as usage:
        check_area("999")
    assert usage.value.code == "bad_argument"
    assert fail("no releases", 1).code == "failure" and fail("bad", 2).code == "bad_argument"
    State.store = tmp_path / "missing"
    with pytest.raises(StoreError) as missing:
        existing_store()
    assert missing.value.code == "store_missing"
    with pytest.raises(UnknownFormat) as unknown:
        writer("xml")
    assert unknown.value.code == "unknown_format"
    with pytest.raises(EngineError) as engine:
        build(tmp_path, "1999-11", store=tmp_path / "store")
    assert engine.value.code == "build_refused" and engine.value.exit_code == 2


def test_registers_refused_by_build(tmp_path):
    from barometer.engine.build import RegisterInputError, build

    with pytest.raises(RegisterInputError) as info:
        build(tmp_path / "no-registers", "2024-11", store=tmp_path / "store")
    assert info.value.code == "registers_refused" and info.value.exit_code == 2
    assert info.value.report.find("missing_directory")
    result = runner.invoke(app, ["build", "--registers", str(tmp_path), "--edition", "2024-11", "--store",
                                 str(tmp_path / "store")])
    assert result.exit_code == 2 and "error: " in result.output and "nothing was built" in result.output


def test_not_renderable():
    from barometer.exports import Export, ExportMeta, NotRenderable, Table, renderer

    export = Export(ExportMeta(release="r", name="areas"), [Table("areas", [{"code": "851"}])])
    with pytest.raises(NotRenderable) as info:
        renderer("jsonstat")(export)
    assert (info.value.code, info.value.http_status, info.value.parameter) == ("not_renderable", 422, "format")
