"""User settings that change how the barometer is computed or shown, from one optional TOML file.

The file is given by ``barometer --config FILE`` or $BAROMETER_CONFIG; every setting has a documented default
(docs/configuration.md), so most users never write one. Example::

    [rules]
    two_indicator_rule = "lenient"   # or "strict" (default)
    min_indicators = 2               # indicators with a development before a goal moves (default 2)

    [report]
    significance = true              # mark model-based significant developments (default false)
    [release]
    publisher = "Udlændinge- og Integrationsministeriet"
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.rules import DEFAULT_MIN_INDICATORS, TwoIndicatorRule


class RulesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    two_indicator_rule: TwoIndicatorRule = "strict"
    # The least number of a goal's indicators with a development before the goal moves (capped at the goal's
    # number of indicators); docs/rules.md.
    min_indicators: int = Field(DEFAULT_MIN_INDICATORS, ge=1)


class ReportSettings(BaseModel):
    """How the Udviklingsrapport and `barometer show` present the barometer."""

    model_config = ConfigDict(extra="forbid")
    # Mark developments larger than the noise ("S", model-based, docs/uncertainty.md). Off: the report reads
    # exactly like the ministry's.
    significance: bool = False


# Who publishes a release built here. Not the ministry's domain: a release says who made it, and the ministry
# only vouches for its own figures. Set `[release] publisher` to the publishing body's name.
DEFAULT_PUBLISHER = "Integrationsbarometer (open source)"


class ReleaseSettings(BaseModel):
    """What a release records about who publishes it (copied into its manifest when it is built)."""

    model_config = ConfigDict(extra="forbid")
    publisher: str = Field(DEFAULT_PUBLISHER, min_length=1, max_length=120)


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")
    rules: RulesSettings = RulesSettings()
    report: ReportSettings = ReportSettings()
    release: ReleaseSettings = ReleaseSettings()


class SettingsError(ValueError):
    """The settings file is unreadable or invalid."""


KNOWN_SECTIONS = ("rules", "engine", "report", "release", "web")


def _check_engine(path: Path, table: dict) -> None:
    """Validate the [engine] table now, so a typo fails at start-up with the file and key named, not mid-build."""
    from barometer.engine.settings import EngineSettings

    try:
        EngineSettings(**table)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{path}: [engine] {where}: {first['msg']}") from exc


def load_settings(path: Path | None) -> Settings:
    """Settings from a TOML file (None → defaults); SettingsError names the file and the bad key."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings: {exc}") from exc
    if unknown := sorted(set(data) - set(KNOWN_SECTIONS)):
        raise SettingsError(f"{path}: unknown section(s) {', '.join(f'[{u}]' for u in unknown)}; "
                            f"known: {', '.join(f'[{k}]' for k in KNOWN_SECTIONS)}")
    if isinstance(data.get("engine"), dict):
        _check_engine(path, data["engine"])
    try:
        return Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{path}: {where}: {first['msg']}") from exc


@cache
def current_settings() -> Settings:
    """The settings of this process: $BAROMETER_CONFIG if set, else defaults."""
    env = os.environ.get("BAROMETER_CONFIG")
    return load_settings(Path(env) if env else None)
