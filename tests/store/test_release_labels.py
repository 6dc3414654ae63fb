"""What a release says about itself: synthetic or not, and who publishes it — recorded at build or import time,
with a safe reading of releases made before those fields existed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.registers.fixtures import write_register_set
from barometer.registers.manifest import read_manifest, write_manifest
from barometer.settings import DEFAULT_PUBLISHER, SettingsError, load_settings
from barometer.store import Release
from tests.conftest import PUBLISHED_CSV

runner = CliRunner()


def _release(manifest: dict) -> Release:
    return Release("r", Path("."), {"edition": "2024-11", **manifest})


def _registers(tmp_path: Path, generator: str, synthetic: bool) -> Path:
    root = write_register_set(tmp_path / generator.replace(" ", "-"), manifest=False)
    write_manifest(root, generator=generator, synthetic=synthetic)
    return root / "manifest.json"


def test_recorded_flag_wins(tmp_path: Path) -> None:
    assert _release({"kind": "engine", "synthetic": True}).synthetic is True
    assert _release({"kind": "engine", "synthetic": False}).synthetic is False
    assert _release({"kind": "published", "synthetic": True}).synthetic is True


def test_older_releases_read_safely(tmp_path: Path) -> None:
    """Without the field: an engine release asks the register manifest it names; unreadable counts as synthetic;
    imported published figures are the ministry's own."""
    synth = _registers(tmp_path, "barometer.synth", synthetic=False)  # an older synth manifest: generator only
    real = _registers(tmp_path, "barometer manifest", synthetic=False)
    engine = {"kind": "engine"}
    assert _release(engine | {"inputs": {"registers_manifest": {"path": str(synth)}}}).synthetic is True
    assert _release(engine | {"inputs": {"registers_manifest": {"path": str(real)}}}).synthetic is False
    assert _release(engine | {"inputs": {"registers_manifest": {"path": str(tmp_path / "gone.json")}}}).synthetic
    assert _release(engine).synthetic is True
    assert _release({"kind": "published"}).synthetic is False
    assert _release({"kind": "published"}).publisher == DEFAULT_PUBLISHER
    assert _release({"kind": "published", "publisher": "X"}).publisher == "X"


def test_import_published_records_not_synthetic_and_the_configured_publisher(tmp_path: Path) -> None:
    config = tmp_path / "barometer.toml"
    config.write_text('[release]\npublisher = "Udlændinge- og Integrationsministeriet"\n', encoding="utf-8")
    store = tmp_path / "store"
    result = runner.invoke(app, ["--store", str(store), "--config", str(config), "import-published",
                                 str(PUBLISHED_CSV), "--edition", "2024-11"])
    assert result.exit_code == 0, result.output
    (manifest,) = [json.loads(p.read_text(encoding="utf-8")) for p in store.glob("releases/*/manifest.json")]
    assert manifest["synthetic"] is False
    assert manifest["publisher"] == "Udlændinge- og Integrationsministeriet"
    shown = runner.invoke(app, ["--store", str(store), "show", "--area", "851"])
    assert "Syntetiske" not in shown.output and "Udgivet af Udlændinge- og Integrationsministeriet" in shown.output


def test_publisher_setting_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    for text, message in (('[release]\npublisher = ""\n', r"\[release\] publisher: String should have"),
                          ('[release]\npublischer = "x"\n', r"\[release\] publischer: unknown key")):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(SettingsError, match=message):
            load_settings(bad)
    assert load_settings(None).release.publisher == DEFAULT_PUBLISHER
    web = tmp_path / "web.toml"  # the documented [web] table is accepted beside [release]
    web.write_text('[web]\ncheck_interval = 5\n[release]\npublisher = "Aarhus Kommune"\n', encoding="utf-8")
    assert load_settings(web).release.publisher == "Aarhus Kommune"


def test_manifest_command_marks_synthetic_and_never_drops_the_mark(tmp_path: Path) -> None:
    root = write_register_set(tmp_path / "reg", manifest=False)
    assert runner.invoke(app, ["manifest", str(root)]).exit_code == 0
    assert read_manifest(root).synthetic is False
    result = runner.invoke(app, ["manifest", str(root), "--synthetic"])
    assert result.exit_code == 0 and "(synthetic)" in result.output
    assert read_manifest(root).synthetic is True
    assert runner.invoke(app, ["manifest", str(root)]).exit_code == 0  # rewritten without the option …
    assert read_manifest(root).synthetic is True  # … it stays synthetic


def test_show_and_releases_say_synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    import barometer.cli
    from barometer.catalogue import load_catalogue
    from barometer.sources.published import read_published
    from barometer.store import publish

    monkeypatch.setattr(barometer.cli, "out", Console(width=250))  # one table row per line, whatever the terminal
    store = tmp_path / "store"
    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11", {"kind": "test", "synthetic": True})
    shown = runner.invoke(app, ["--store", str(store), "show", "--area", "851"])
    assert shown.output.startswith("Syntetiske data: Tallene er beregnet af syntetiske registre.")
    as_json = json.loads(runner.invoke(app, ["--store", str(store), "show", "--area", "851", "--json"]).output)
    assert as_json["synthetic"] is True and as_json["publisher"] == DEFAULT_PUBLISHER
    listed = runner.invoke(app, ["--store", str(store), "releases"])
    assert "test (synthetic)" in listed.output
