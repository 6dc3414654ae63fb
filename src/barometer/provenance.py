"""What a release records about how it was made: inputs, catalogue, definitions, code and library versions.

The result is the provenance part of the release manifest (barometer.store.manifest), so that every output can
describe the release from the release itself.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from barometer.catalogue import Catalogue, load_catalogue
from barometer.catalogue.load import catalogue_documents
from barometer.disclosure_config import DisclosureConfig, packaged_rules

PACKAGE = "integrationsbarometer"
LIBRARIES = (PACKAGE, "duckdb", "pyarrow", "polars", "numpy", "pydantic", "jinja2", "babel", "weasyprint",
             "xlsxwriter", "sdmx1", "pyspark", "sqlglot")
"""Distributions whose versions a release records (those not installed are left out)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_version(name: str = PACKAGE) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries that shape a release's figures and outputs."""
    return {name: v for name in names if (v := package_version(name)) is not None}


def code_version() -> str:
    """``git describe --always --dirty`` of the checkout the code runs from (it pins the exact code, and says
    when it was changed); the package version when the code is not run from a git checkout."""
    here = Path(__file__).resolve().parent
    if "site-packages" not in here.parts:
        try:
            described = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                       cwd=here, timeout=5, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            described = ""
        if described:
            return described
    return package_version() or "unknown"


class EngineDefinition(Protocol):
    """What provenance needs of an engine declaration (barometer.engine.model.Definition)."""

    @property
    def id(self) -> str: ...

    @property
    def sql(self) -> str: ...

    @property
    def tables(self) -> tuple[str, ...]: ...

    @property
    def optional_tables(self) -> tuple[str, ...]: ...


def sql_digest(sql: str) -> str:
    """Digest of an item's SQL with whitespace normalised, so re-indenting the declaration changes nothing."""
    return hashlib.sha256(" ".join(sql.split()).encode("utf-8")).hexdigest()


def definitions_record(catalogue: Catalogue, engine: Iterable[EngineDefinition] | None) -> dict[str, Any]:
    """Every item's definition as the release records it.

    With ``engine`` declarations the figures were computed here: each item records the catalogue's words and
    the digest of the SQL that ran. Without (imported published figures) the definitions are the ministry's
    published ones — the catalogue's words — and there is no SQL.
    """
    by_id = {d.id: d for d in engine or ()}
    out: dict[str, Any] = {}
    for item in (*catalogue.indicators, *catalogue.key_figures):
        record: dict[str, Any] = {"origin": "engine" if engine is not None else "published",
                                  "words": {lang: item.words(lang) for lang in ("da", "en")}}
        if (d := by_id.get(item.id)) is not None:
            record |= {"sql_sha256": sql_digest(d.sql), "tables": list(d.tables),
                       "optional_tables": list(d.optional_tables)}
        out[item.id] = record
    return out


def disclosure_record(config: DisclosureConfig, path: Path | str | None) -> dict[str, Any]:
    """The disclosure rules a release is protected with, their digest, and where they came from: the packaged
    rules, the `[disclosure]` section of the settings file, and/or a `--disclosure-config` file over them."""
    from barometer.settings import current_settings

    settings_file = os.environ.get("BAROMETER_CONFIG")
    parts = []
    if current_settings().disclosure != packaged_rules():
        parts.append(f"settings file {settings_file} [disclosure]" if settings_file else "settings [disclosure]")
    if path is not None:
        parts.append(str(path))
    return {"config": config.model_dump(mode="json"), "digest": config.digest(),
            "source": ", then ".join(parts) if parts else "packaged defaults"}


def provenance(inputs: dict[str, Path], *, synthetic: bool, definitions: Iterable[EngineDefinition] | None = None,
               **extra: Any) -> dict[str, Any]:
    """The provenance block of a release manifest.

    Every release states whether its figures come from synthetic registers (``synthetic``: each output then
    says "Syntetiske data") and who publishes it (``publisher``, from the `[release]` settings in force now),
    so that outputs read both from the release rather than from whatever settings a later reader has.
    ``definitions`` are the engine declarations that computed the figures (None: imported published figures).
    """
    from barometer.settings import current_settings

    catalogue = load_catalogue()
    files, catalogue_version = catalogue_documents()
    return {
        "inputs": {name: {"path": str(path), "sha256": sha256_file(path)} for name, path in inputs.items()},
        "catalogue_version": catalogue_version,
        "catalogue": {"version": catalogue_version, "files": files},
        "definitions": definitions_record(catalogue, definitions),
        "code_version": code_version(),
        "libraries": library_versions(),
        "synthetic": synthetic,
        "publisher": current_settings().release.publisher,
        **extra,
    }
