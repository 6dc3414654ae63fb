"""The command line's layout: global options before or after the command, no import cycle, one error mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app

SRC = Path(__file__).resolve().parents[1] / "src" / "barometer"
COMMAND_MODULES = sorted("barometer." + ".".join(p.relative_to(SRC).with_suffix("").parts)
                         for p in SRC.rglob("cli.py"))
runner = CliRunner()


def test_global_options_after_the_command_give_the_same_output(published_store: Path, tmp_path: Path):
    before = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851"])
    after = runner.invoke(app, ["show", "--area", "851", "--store", str(published_store)])
    assert before.exit_code == 0, before.output
    assert after.exit_code == 0, after.output
    assert after.output == before.output and "Aalborg" in after.output
    # Given both before and after the command, the later one wins (an empty store there: exit 1, no release).
    both = runner.invoke(app, ["--store", str(published_store), "show", "--area", "851", "--store",
                               str(tmp_path / "empty")])
    assert both.exit_code == 1 and "no release in store" in both.output


def test_config_after_the_command_is_read(published_store: Path, tmp_path: Path):
    config = tmp_path / "settings.toml"
    config.write_text("[rules]\nmin_indicators = 0\n", encoding="utf-8")
    for args in (["--config", str(config), "releases"], ["releases", "--config", str(config)]):
        result = runner.invoke(app, ["--store", str(published_store), *args])
        assert result.exit_code == 2, (args, result.output)
        assert f"{config}: [rules] min_indicators: Input should be greater than or equal to 1" in result.output


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_each_command_module_imports_alone(module: str):
    """A fresh interpreter imports each command module first: an import cycle between a command and the app
    module would fail here (the app lives in the leaf module barometer.cliapp, which imports no command)."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_command_modules_import_the_leaf_app_module_not_the_root():
    for path in SRC.rglob("cli.py"):
        if path == SRC / "cli.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "from barometer.cli import" not in text and "import barometer.cli\n" not in text, path
    assert "from barometer.cli " not in (SRC / "cliapp.py").read_text(encoding="utf-8")
