"""User settings, one tree read from one optional TOML file: ``[rules]``, ``[engine]``, ``[disclosure]``,
``[report]``, ``[release]``, ``[web]``.

The file is given by ``barometer --config FILE`` (before or after the command) or $BAROMETER_CONFIG; every
setting has a default, so most users never write one. Each section is a pydantic model below, declared once:
docs/configuration.md is generated from these models (``python -m barometer.configdoc``), and a key the tree
does not declare is refused with the file, the section and the key named — a typo must not silently leave a
default in force. Example::

    [rules]
    two_indicator_rule = "lenient"   # or "strict" (default)

    [web]
    page_cache_mb = 256
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from barometer.disclosure_config import DisclosureConfig, packaged_rules
from barometer.errors import BarometerError
from barometer.rules import DEFAULT_MIN_INDICATORS, TwoIndicatorRule


class SettingsError(BarometerError, ValueError):
    """The settings file (or an environment variable overriding a setting) is unreadable or invalid."""

    code = "settings_invalid"
    exit_code = 2


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def env_var(name: str) -> dict[str, Any]:
    """Field metadata naming the environment variable that overrides a setting (shown in docs/configuration.md)."""
    return {"env": name}


class RulesSettings(_Section):
    """The published barometer rules' open choices (docs/rules.md)."""

    two_indicator_rule: TwoIndicatorRule = Field(
        "strict", description="How a goal with two indicators moves when they disagree: `strict` (no movement) or "
                              "`lenient` (docs/rules.md).")
    min_indicators: int = Field(
        DEFAULT_MIN_INDICATORS, ge=1,
        description="The least number of a goal's indicators with a development before the goal moves (capped at "
                    "the goal's number of indicators); fewer than all are shown as \"baseret på 2 af 3 "
                    "indikatorer\" (docs/rules.md).")


class EngineOptions(_Section):
    """Open definitional choices (left open by the published definitions); recorded in every release's manifest.

    ``barometer.engine.settings.EngineSettings`` adds what the SQL declarations need to these fields."""

    include_student_grant: bool = Field(
        default=False, description="Count SU (student grant) as public support in 7.1/7.2 (an open choice).")
    weekly_hours_cap: float = Field(
        default=37.0, gt=0, description="Hours a week that make one full-time person; overlapping benefits are "
                                        "summed and capped at this per person.")
    crime_sex: Literal["all", "M", "K"] = Field(
        default="all", description="Sex filter of 9.1 (the old site counted men only; the 2024 text says the "
                                   "whole group).")
    danish_test_window_years: int = Field(
        default=5, ge=1, le=10, description="3.3/N15: a test counts if passed within this many years of the "
                                            "first programme course start.")
    danish_cohort_lag_years: int = Field(
        default=5, ge=0, le=10, description="3.3/N15: the figure for year Y is the cohort that started in "
                                            "Y minus this many years (an open choice).")
    education_year_label: Literal["status", "population"] = Field(
        default="status", description="2.2/2.3: label the education status of 1 October Y (population 1 January "
                                      "Y+1) as year Y ('status') or as Y+1 ('population', as DST tables labelled "
                                      "by the population date do).")
    key_figure_series: bool = Field(
        default=True, description="Besides each key figure's reference period, compute the same period in "
                                  "every earlier year the data cover.")


class ReportSettings(_Section):
    """How the Udviklingsrapport and `barometer show` present the barometer."""

    significance: bool = Field(
        False, description="Mark developments larger than the year-to-year noise with \"S\" (model-based, "
                           "docs/uncertainty.md); also `--significance` / `--no-significance` on `report` and "
                           "`show`. Off: the report reads exactly like the ministry's.")


# Who publishes a release built here. Not the ministry's domain: a release says who made it, and the ministry
# only vouches for its own figures. Set `[release] publisher` to the publishing body's name.
DEFAULT_PUBLISHER = "Integrationsbarometer (open source)"


class ReleaseSettings(_Section):
    """What a release records about who publishes it (copied into its manifest when it is built)."""

    publisher: str = Field(
        DEFAULT_PUBLISHER, min_length=1, max_length=120,
        description="Who publishes a release built or imported now; recorded in its manifest and printed on the "
                    "report, the web footer and the API's `licence`/`publisher`. Read from the release later, so "
                    "a report rendered today from an older release names that release's publisher.")


DEFAULT_PAGE_CACHE_MB = 128  # per release: room for the pages and several full downloads (megabytes each)


class WebSection(_Section):
    """The website's settings (`barometer serve`; docs/web.md). An environment variable overrides the file."""

    topojson: Path | None = Field(
        None, description="TopoJSON with municipal boundaries (property KOMKODE) for the maps; none: the committed "
                          "tile-grid map. Also `serve --topojson`.", json_schema_extra=env_var("BAROMETER_TOPOJSON"))
    check_interval: float = Field(
        2.0, ge=0, description="Seconds between cheap checks (one stat) of the store's CURRENT pointer (0: at every "
                               "request), so a newly published release is served without a restart.",
        json_schema_extra=env_var("BAROMETER_RELEASE_CHECK"))
    page_cache_mb: float = Field(
        DEFAULT_PAGE_CACHE_MB, ge=0, description="Rendered responses kept per release (least recently used go "
                                                 "first), in MiB.",
        json_schema_extra=env_var("BAROMETER_PAGE_CACHE_MB"))
    workers: int | None = Field(
        None, ge=1, description="Worker processes of `barometer serve` (none: 2, or 1 on a single core; "
                                "docs/deployment.md). Also `serve --workers`.",
        json_schema_extra=env_var("BAROMETER_WORKERS"))
    header_timeout: float = Field(
        10.0, gt=0, description="Seconds a client has to send its request headers before the connection is "
                                "closed. Also `serve --header-timeout`.",
        json_schema_extra=env_var("BAROMETER_HEADER_TIMEOUT"))
    keep_alive: float = Field(
        5.0, gt=0, description="Seconds an idle keep-alive connection is kept open. Also `serve --keep-alive`.",
        json_schema_extra=env_var("BAROMETER_KEEP_ALIVE"))
    max_connections: int = Field(
        1000, ge=1, description="Open connections per worker process (fewer when file descriptors are short); "
                                "one more closes the oldest still sending its headers. Also "
                                "`serve --max-connections`.", json_schema_extra=env_var("BAROMETER_MAX_CONNECTIONS"))
    backlog: int = Field(
        2048, ge=1, description="The listen queue of connections not yet accepted (and how many are accepted at "
                                "once).", json_schema_extra=env_var("BAROMETER_BACKLOG"))
    http: Literal["auto", "httptools", "h11"] = Field(
        "auto", description="HTTP/1.1 parser of `barometer serve`: `auto` is httptools (C, less CPU per request) "
                            "when installed, else h11 (pure Python).", json_schema_extra=env_var("BAROMETER_HTTP"))


class Settings(_Section):
    """The whole tree; a section left out of the file keeps every default."""

    rules: RulesSettings = RulesSettings()
    engine: EngineOptions = EngineOptions()
    disclosure: DisclosureConfig = Field(
        default_factory=packaged_rules,
        description="Disclosure control rules (docs/disclosure.md). Keys given here replace the packaged rules "
                    "(`disclosure.toml`); `build --disclosure-config FILE` replaces keys of both.")
    report: ReportSettings = ReportSettings()
    release: ReleaseSettings = ReleaseSettings()
    web: WebSection = WebSection()

    @field_validator("disclosure", mode="before")
    @classmethod
    def _over_packaged(cls, value: Any) -> Any:
        """A partial `[disclosure]` table changes only the keys it names; the rest stay the packaged rules."""
        if isinstance(value, Mapping):
            return DisclosureConfig.merged(packaged_rules(), value)
        return value


SECTIONS = tuple(Settings.model_fields)


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the tree declares at ``loc`` (a path of section names), to list beside an unknown one."""
    model: Any = Settings
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def explain(exc: ValidationError, source: str) -> SettingsError:
    """One message for the first problem pydantic found, naming the source, the section and the key."""
    first = exc.errors()[0]
    loc = tuple(first["loc"])
    section, key = ".".join(map(str, loc[:-1])), str(loc[-1]) if loc else ""
    if first["type"] == "extra_forbidden":
        known = _known_keys(loc[:-1])
        if not section:
            return SettingsError(f"{source}: [{key}]: unknown section; known sections: "
                                 f"{', '.join(f'[{s}]' for s in SECTIONS)} (docs/configuration.md)",
                                 code="settings_unknown_key")
        return SettingsError(f"{source}: [{section}] {key}: unknown key; known keys of [{section}]: "
                             f"{', '.join(known)} (docs/configuration.md)", code="settings_unknown_key")
    where = f"[{section}] {key}" if section else f"[{key}]"
    return SettingsError(f"{source}: {where}: {first['msg']}")


def load_settings(path: Path | None) -> Settings:
    """Settings from a TOML file (None → defaults); SettingsError names the file, the section and the key."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise SettingsError(f"{path}: cannot read settings: {reason}", code="settings_unreadable") from exc
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise explain(exc, str(path)) from exc


def with_env(section: _Section, environ: Mapping[str, str] | None = None) -> Any:
    """``section`` with the environment variables declared on its fields (``env_var``) applied over it.

    Read at each call rather than cached with the file, so the process that sets them (`serve`) is followed."""
    environ = os.environ if environ is None else environ
    updates = {}
    for name, field in type(section).model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        env = extra.get("env")
        if isinstance(env, str) and environ.get(env, "") != "":
            updates[name] = environ[env]
    if not updates:
        return section
    try:
        return type(section).model_validate(section.model_dump() | updates)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = str(first["loc"][0])
        declared = type(section).model_fields[field_name].json_schema_extra
        env = str(declared["env"]) if isinstance(declared, dict) else field_name
        raise SettingsError(f"environment variable {env}={environ[env]!r}: {first['msg']}") from exc


@cache
def current_settings() -> Settings:
    """The settings of this process: $BAROMETER_CONFIG if set, else defaults."""
    env = os.environ.get("BAROMETER_CONFIG")
    return load_settings(Path(env) if env else None)
