"""Immutable releases in a store folder, published by an atomic switch.

Layout::

    STORE/releases/<release-id>/observations.parquet
    STORE/releases/<release-id>/manifest.json
    STORE/CURRENT                      (the id of the current release)

A release is written into a hidden temporary folder beside the others and renamed into place only when it is
complete; CURRENT is replaced atomically afterwards. A crash at any point leaves the previous release current
and readable, and a half-written folder is never listed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.catalogue import Catalogue, load_catalogue
from barometer.errors import BarometerError
from barometer.store.manifest import (
    ManifestError,
    ObservationsFile,
    ReleaseManifest,
    catalogue_of,
    new_manifest,
    parse_manifest,
    read_manifest_text,
)
from barometer.store.schema import check_observations

OBSERVATIONS = "observations.parquet"
MANIFEST = "manifest.json"
DEFAULT_STORE = "data"


class StoreError(BarometerError, RuntimeError):
    """A release cannot be found or read (the code says which: no_release, unknown_release, store_missing …)."""

    code = "failure"
    exit_code = 1
    http_status = 503


@dataclass(frozen=True)
class Release:
    id: str
    path: Path
    manifest: dict[str, Any]

    @cached_property
    def meta(self) -> ReleaseManifest:
        """The manifest as its typed model (barometer.store.manifest); ``manifest`` is the same as plain data."""
        return parse_manifest(self.manifest, f"release {self.id}")

    @cached_property
    def catalogue(self) -> Catalogue:
        """The catalogue the release was made with (its snapshot), which every view of it reads."""
        try:
            return catalogue_of(self.meta)
        except ManifestError:  # a hand-made Release without a full manifest
            return load_catalogue()

    @property
    def edition(self) -> str:
        return self.manifest["edition"]

    @property
    def synthetic(self) -> bool:
        """Were the figures computed from synthetic registers? Every output of such a release says so.

        Releases record this when they are built. For an engine release from before that field, the register
        manifest it names decides; if that cannot be read, the release counts as synthetic — a real figure
        marked synthetic is a nuisance, a synthetic figure passed off as real is a false statement.
        """
        recorded = self.manifest.get("synthetic")
        if recorded is not None:
            return bool(recorded)
        if self.manifest.get("kind") != "engine":
            return False
        from barometer.registers.manifest import ManifestError, is_synthetic, read_manifest

        path = self.manifest.get("inputs", {}).get("registers_manifest", {}).get("path")
        try:
            return is_synthetic(read_manifest(Path(path).parent)) if path else True
        except (ManifestError, OSError):
            return True

    @property
    def publisher(self) -> str:
        """Who publishes this release: recorded from the `[release]` settings when it was built."""
        from barometer.settings import DEFAULT_PUBLISHER

        return self.manifest.get("publisher") or DEFAULT_PUBLISHER

    def observations(self) -> pa.Table:
        return pq.read_table(self.path / OBSERVATIONS)


def resolve_store(store: str | os.PathLike[str] | None) -> Path:
    """The store folder: the argument, else $BAROMETER_STORE, else ./data."""
    return Path(store or os.environ.get("BAROMETER_STORE") or DEFAULT_STORE)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Fixed writer settings so the same observations always give the same bytes.
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True,
                   store_schema=True, version="2.6")


def publish(store: Path, observations: pa.Table, edition: str, provenance: dict[str, Any]) -> Release:
    """Write a new release and make it current; the previous release stays as it was."""
    check_observations(observations)
    releases = store / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=releases))
    try:
        _write_parquet(observations, tmp / OBSERVATIONS)
        digest = hashlib.sha256((tmp / OBSERVATIONS).read_bytes()).hexdigest()
        created = datetime.now(UTC)
        model = new_manifest(edition, created.isoformat(timespec="microseconds"),
                             ObservationsFile(file=OBSERVATIONS, rows=observations.num_rows, sha256=digest),
                             provenance)
        release_id, manifest = model.id, model.as_dict()
        final = releases / release_id
        if (final / MANIFEST).is_file():
            # The id is derived from the content: the same release exists already; it becomes current again.
            shutil.rmtree(tmp, ignore_errors=True)
            set_current(store, release_id)
            return open_release(store, release_id)
        (tmp / MANIFEST).write_text(model.to_json(), encoding="utf-8")
        for child in tmp.iterdir():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, final)
        _fsync_dir(releases)
        set_current(store, release_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Release(release_id, final, manifest)


def set_current(store: Path, release_id: str) -> None:
    """Point CURRENT at a release (atomically); used by publish and by roll-back (`barometer use`)."""
    if not (store / "releases" / release_id / MANIFEST).is_file():
        raise StoreError(f"release {release_id!r} not found in {store}", code="unknown_release", http_status=404)
    pointer = store / "CURRENT"
    tmp = store / f".CURRENT.{os.getpid()}"
    tmp.write_text(release_id + "\n", encoding="utf-8")
    os.replace(tmp, pointer)
    _fsync_dir(store)


def list_releases(store: Path) -> list[Release]:
    """Complete releases, oldest first (temporary folders of unfinished writes are ignored)."""
    folder = store / "releases"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not (path / MANIFEST).is_file():
            continue
        found.append(Release(path.name, path, _read_manifest(path)))
    return sorted(found, key=lambda r: r.manifest["created"] + r.id)


def current_release_id(store: Path) -> str | None:
    pointer = store / "CURRENT"
    if pointer.is_file():
        return pointer.read_text(encoding="utf-8").strip() or None
    return None


def open_release(store: Path, release_id: str | None = None) -> Release:
    """A release by id, or the current one; StoreError with a helpful message otherwise."""
    wanted = release_id or current_release_id(store)
    if wanted is None:
        raise StoreError(f"no release in store {store} — build or import one first "
                         "(barometer import-published FILE.csv --edition 2024-11)", code="no_release")
    path = store / "releases" / wanted
    if not (path / MANIFEST).is_file():
        known = ", ".join(r.id for r in list_releases(store)) or "none"
        raise StoreError(f"release {wanted!r} not found in {store} (known: {known})", code="unknown_release",
                         http_status=404)
    return Release(wanted, path, _read_manifest(path))


def _read_manifest(folder: Path) -> dict[str, Any]:
    """A release folder's manifest, checked against the model (older schemas migrated): StoreError if unreadable."""
    try:
        return read_manifest_text((folder / MANIFEST).read_text(encoding="utf-8"), str(folder / MANIFEST)).as_dict()
    except (ManifestError, OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(exc), code="release_manifest_invalid") from exc
