"""The release manifest: a typed, versioned record whose id is derived from the content; old manifests still open."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from barometer.store import Status, StoreError, list_releases, observation_table, open_release, publish
from barometer.store.manifest import SCHEMA_VERSION


def _rows(value: float = 61.0):
    return [{"area_code": "851", "item_id": "1.2", "period": "2022", "value": value, "numerator": 610.0,
             "denominator": 1000.0, "status": Status.OK, "source": "engine"}]


def _expected_id(manifest: dict) -> str:
    """The id worked out independently: edition + 12 hex of sha256 over the canonical JSON of every key but id and
    created, input files by checksum only."""
    content = {k: v for k, v in manifest.items() if k not in ("id", "created")}
    content["inputs"] = {name: {"sha256": spec["sha256"]} for name, spec in content["inputs"].items()}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{manifest['edition']}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def test_id_is_derived_from_the_content(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    release = publish(tmp_path / "a", observation_table(_rows()), "2024-11",
                      {"kind": "test", "inputs": {"csv": {"path": str(src), "sha256": "ab" * 32}}})
    stored = json.loads((release.path / "manifest.json").read_text())
    assert re.fullmatch(r"2024-11-[0-9a-f]{12}", release.id)
    assert stored["id"] == release.id == _expected_id(stored) and stored["schema_version"] == SCHEMA_VERSION
    # the same inputs read from another folder, published into another store, later: the same id
    other = publish(tmp_path / "b", observation_table(_rows()), "2024-11",
                    {"kind": "test", "inputs": {"csv": {"path": "/elsewhere/in.csv", "sha256": "ab" * 32}}})
    assert other.id == release.id
    # any change of data or of how it was made gives another id
    assert publish(tmp_path / "a", observation_table(_rows(62.0)), "2024-11", {"kind": "test"}).id != release.id
    assert publish(tmp_path / "c", observation_table(_rows()), "2024-11",
                   {"kind": "test", "inputs": {"csv": {"path": str(src), "sha256": "cd" * 32}}}).id != release.id


def test_publishing_the_same_release_again_makes_it_current_without_a_copy(tmp_path):
    first = publish(tmp_path, observation_table(_rows()), "2024-11", {"kind": "test"})
    second = publish(tmp_path, observation_table(_rows(62.0)), "2024-11", {"kind": "test"})
    again = publish(tmp_path, observation_table(_rows()), "2024-11", {"kind": "test"})
    assert again.id == first.id and open_release(tmp_path).id == first.id
    assert [r.id for r in list_releases(tmp_path)] == [first.id, second.id]
    assert not [p for p in (tmp_path / "releases").iterdir() if p.name.startswith(".")]


def test_an_unknown_provenance_key_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="colour"):
        publish(tmp_path, observation_table(_rows()), "2024-11", {"kind": "test", "colour": "blue"})
    assert list_releases(tmp_path) == []


def _write_release(store: Path, release_id: str, manifest: dict) -> Path:
    folder = store / "releases" / release_id
    folder.mkdir(parents=True)
    good = publish(store / "src", observation_table(_rows()), "2024-11", {})
    (folder / "observations.parquet").write_bytes((good.path / "observations.parquet").read_bytes())
    # the file's true rows and checksum (opening a release checks them), in the old manifest's shape
    observations = {**manifest["observations"], "rows": good.manifest["observations"]["rows"],
                    "sha256": good.manifest["observations"]["sha256"]}
    (folder / "manifest.json").write_text(json.dumps({**manifest, "observations": observations}), encoding="utf-8")
    (store / "CURRENT").write_text(release_id + "\n")
    return folder


OLD_ID = "2024-11_20241116T101010123456_ab12cd34"
OLD = {"id": OLD_ID, "edition": "2024-11", "created": "2024-11-16T10:10:10+00:00", "kind": "engine",
       "observations": {"file": "observations.parquet", "rows": 1, "sha256": "0" * 64},
       "inputs": {"registers_manifest": {"path": "/data/registers/manifest.json", "sha256": "1" * 64}},
       "catalogue_version": "abc", "code_version": "0.1.0+f00ba4", "synthetic": True,
       "engine": "duckdb", "engine_settings": {"include_student_grant": False},
       "disclosure": {"config": {"rates": {"min_denominator": 30}}, "digest": "d1", "source": "strict.toml"},
       "warnings": [], "retired_key": {"kept": 1}}


def test_a_manifest_from_before_the_schema_opens_as_version_1(tmp_path):
    _write_release(tmp_path, OLD_ID, OLD)
    release = open_release(tmp_path)
    meta = release.meta
    assert release.id == OLD_ID and meta.schema_version == 1 and release.synthetic is True
    assert meta.disclosure is not None and meta.disclosure.config.rates.min_denominator == 30
    assert meta.code_version == "0.1.0+f00ba4" and meta.definitions == {} and meta.catalogue is None
    assert meta.legacy == {"retired_key": {"kept": 1}}
    assert [r.id for r in list_releases(tmp_path)] == [OLD_ID]


def test_a_newer_or_broken_manifest_is_refused_with_its_reason(tmp_path):
    _write_release(tmp_path / "new", "r1", {**OLD, "id": "r1", "schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(StoreError, match=f"schema {SCHEMA_VERSION + 1} is newer .* upgrade barometer"):
        open_release(tmp_path / "new")
    _write_release(tmp_path / "bad", "r2", {**OLD, "id": "r2", "synthetic": "maybe"})
    with pytest.raises(StoreError, match=r"manifest\.json: manifest field 'synthetic'"):
        open_release(tmp_path / "bad")
    _write_release(tmp_path / "json", "r3", OLD)
    (tmp_path / "json" / "releases" / "r3" / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="not valid JSON"):
        open_release(tmp_path / "json")


def test_versions_of_code_and_libraries_are_recorded(tmp_path):
    from barometer.provenance import provenance

    src = tmp_path / "figures.csv"
    src.write_text("area_code\n")
    release = publish(tmp_path / "store", observation_table(_rows()), "2024-11",
                      provenance({"published_csv": src}, kind="published", synthetic=False))
    meta = release.meta
    for name in ("duckdb", "pyarrow", "pydantic", "polars", "integrationsbarometer"):
        assert meta.libraries[name] == version(name)
    here = Path(__file__).parent
    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=here, capture_output=True,
                               text=True).stdout.strip()
    assert meta.code_version == (described or version("integrationsbarometer"))
    # a release of imported figures records the published definitions: the catalogue's words, no SQL
    from barometer.catalogue import load_catalogue

    d = meta.definitions["1.2"]
    assert d.origin == "published" and d.sql_sha256 is None and d.tables == ()
    assert d.words["da"].population == load_catalogue().item("1.2").words("da")["population"]
    assert meta.catalogue is not None and meta.catalogue.version == meta.catalogue_version == load_catalogue().version
    assert release.catalogue.item("N14").title_da == load_catalogue().item("N14").title_da


def test_disclosure_source_names_settings_and_file_and_is_published_without_folders(tmp_path, monkeypatch):
    from barometer.disclosure_config import load_config
    from barometer.provenance import disclosure_record
    from barometer.settings import current_settings

    assert disclosure_record(load_config(), None)["source"] == "packaged defaults"
    settings = tmp_path / "conf" / "barometer.toml"
    settings.parent.mkdir()
    settings.write_text("[disclosure.rates]\nmin_denominator = 25\n")
    extra = tmp_path / "rules" / "strict.toml"
    extra.parent.mkdir()
    extra.write_text("[counts]\nmin_count = 5\n")
    monkeypatch.setenv("BAROMETER_CONFIG", str(settings))
    current_settings.cache_clear()
    config = load_config(extra)
    record = disclosure_record(config, extra)
    assert record["source"] == f"settings file {settings} [disclosure], then {extra}"
    assert record["config"]["rates"]["min_denominator"] == 25 and record["config"]["counts"]["min_count"] == 5
    release = publish(tmp_path / "store", observation_table(_rows()), "2024-11", {"disclosure": record})
    public = release.meta.public()["disclosure"]["source"]
    assert public == "settings file barometer.toml [disclosure], then strict.toml"
