"""manifest.json of a register folder: contract version, row counts and sha256 checksums per file.

The manifest lets validation notice a truncated copy or a file changed after the extract, and records which
contract the data were written for. Write it last, after every part is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.errors import BarometerError
from barometer.registers.contract import CONTRACT, CONTRACT_VERSION
from barometer.registers.layout import MANIFEST_NAME, part_files


class ManifestError(BarometerError, ValueError):
    """manifest.json is missing or not a valid manifest."""

    code = "invalid_manifest"
    exit_code = 2


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="Path relative to the register folder, with '/' separators.")
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TableEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: int = Field(ge=0)
    files: list[FileEntry]


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_version: str
    created: str
    generator: str | None = None
    # Invented persons (the synthetic generator, test fixtures): every output of a release built from them
    # says "Syntetiske data" (docs/reports.md), so a synthetic figure can never pass for a real one.
    synthetic: bool = False
    extra: dict[str, object] = Field(default_factory=dict)
    tables: dict[str, TableEntry]


def sha256_of(path: Path) -> str:
    """The file's sha256 (read into one reused buffer; reading and hashing release the GIL)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def describe_file(root: Path, path: Path) -> FileEntry:
    """Row count (from the Parquet footer), size and checksum of one part."""
    return FileEntry(
        path=path.relative_to(root).as_posix(),
        rows=pq.read_metadata(path).num_rows,
        bytes=path.stat().st_size,
        sha256=sha256_of(path),
    )


def _known_or_described(root: Path, path: Path, known: dict[str, FileEntry]) -> FileEntry:
    entry = known.get(path.relative_to(root).as_posix())
    return entry if entry is not None and entry.bytes == path.stat().st_size else describe_file(root, path)


# Generators whose registers are synthetic even when their manifest predates the `synthetic` field.
SYNTHETIC_GENERATORS = ("barometer.synth", "barometer.registers.fixtures")


def write_manifest(root: Path | str, generator: str | None = None, extra: dict[str, object] | None = None,
                   synthetic: bool = False, known: dict[str, FileEntry] | None = None) -> Manifest:
    """Scan every contract table folder under ``root`` and write manifest.json describing it.

    ``synthetic`` marks registers of invented persons; it is never dropped by rewriting the manifest, so a
    folder once marked synthetic stays marked (a real figure shown as synthetic is a nuisance, the reverse is
    a false statement). ``known`` holds entries a writer made as it wrote the parts (by relative path), so a
    parallel writer's checksums need not be read again here; a part not in it, or whose size differs, is read.
    """
    root = Path(root)
    with contextlib.suppress(ManifestError):  # no earlier manifest, or an unreadable one: nothing to keep
        synthetic = synthetic or is_synthetic(read_manifest(root))
    tables: dict[str, TableEntry] = {}
    for name in CONTRACT.tables:
        files = [_known_or_described(root, p, known or {}) for p in part_files(root, name)]
        if files:
            tables[name] = TableEntry(rows=sum(f.rows for f in files), files=files)
    manifest = Manifest(
        contract_version=CONTRACT_VERSION,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        generator=generator,
        synthetic=synthetic,
        extra=extra or {},
        tables=tables,
    )
    (root / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(root: Path | str) -> Manifest:
    """Read and type-check manifest.json; raises ManifestError naming the file and the problem."""
    path = Path(root) / MANIFEST_NAME
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no manifest") from None
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ManifestError(f"{path}: not a valid manifest: {exc}") from exc


def is_synthetic(manifest: Manifest) -> bool:
    """Were these registers invented (the flag, or a generator known to invent persons)?"""
    return manifest.synthetic or manifest.generator in SYNTHETIC_GENERATORS
