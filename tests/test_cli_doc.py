"""docs/cli.md is generated from the Typer app; it fails here when a command or option is undocumented."""

from __future__ import annotations

from pathlib import Path

from barometer.clidoc import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m barometer.clidoc > docs/cli.md`")


def test_every_command_is_in_the_reference():
    text = DOC.read_text(encoding="utf-8")
    for command in ("import-published", "releases", "show", "validate", "synth", "build", "report", "serve",
                    "diff", "export"):
        assert f"## barometer {command}\n" in text
