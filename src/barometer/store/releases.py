"""Immutable releases in a store folder, published by an atomic switch.

Layout::

    STORE/releases/<release-id>/observations.parquet
    STORE/releases/<release-id>/manifest.json
    STORE/CURRENT                      (the id of the current release)

A release is written into a hidden temporary folder beside the others and renamed into place only when it is
complete; CURRENT is replaced atomically afterwards. A crash at any point leaves the previous release current
and readable, and a half-written folder is never listed. A write that fails (a read-only store, a full disk)
raises StoreError naming the store and the cause, and leaves nothing behind: no temporary folder, no release
that was complete but never made current, no temporary pointer. Leftovers of killed processes are removed by the
next publish (barometer.store.files). Opening a release checks its folder against its manifest: only the files
the manifest names, plain files (no links), the recorded size, row count and checksum.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.catalogue import Catalogue, load_catalogue
from barometer.errors import BarometerError
from barometer.store.files import (
    FILE_MODE,
    describe_os_error,
    fsync_dir,
    fsync_file,
    make_dirs,
    make_temp_dir,
    pointer_temp,
    remove_stale,
    write_small_file,
)
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
    """A release cannot be found, read or written; the message names the store or file and the cause (the code
    says which: no_release, unknown_release, store_missing, store_unwritable, release_damaged …)."""

    code = "failure"
    exit_code = 1
    http_status = 503


def _failure(store: Path, action: str, exc: OSError) -> StoreError:
    """A write that failed: the store, what could not be done, the cause in words, and that nothing changed."""
    return StoreError(f"store {store}: cannot {action}: {describe_os_error(exc)}\nNothing was written; the "
                      "current release is unchanged.", code="store_unwritable")


def _damaged(message: str) -> StoreError:
    return StoreError(message, code="release_damaged")


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


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Fixed writer settings so the same observations always give the same bytes.
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True,
                   store_schema=True, version="2.6")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _remove_unfinished(store: Path, tmp: Path, final: Path | None, release_id: str | None) -> None:
    """After a failed publish: the temporary folder, and a renamed release that never became current."""
    shutil.rmtree(tmp, ignore_errors=True)
    if final is None:
        return
    with contextlib.suppress(OSError):
        if current_release_id(store) == release_id:
            return  # the switch happened: the release is the current one and stays
    shutil.rmtree(final, ignore_errors=True)
    with contextlib.suppress(OSError):
        fsync_dir(final.parent)


def check_writable(store: Path) -> None:
    """Fail early (StoreError) when no release can be written to ``store``: before a build spends minutes.

    Creates the store's folders if missing, removes stale leftovers and writes (then removes) an empty
    temporary folder where a release would go. A full disk is only found when the release is written.
    """
    try:
        make_dirs(store / "releases")
        remove_stale(store)
        os.rmdir(make_temp_dir(store / "releases"))
    except OSError as exc:
        raise _failure(store, "write a release", exc) from exc


def publish(store: Path, observations: pa.Table, edition: str, provenance: dict[str, Any]) -> Release:
    """Write a new release and make it current; the previous release stays as it was.

    Raises StoreError (naming the store and the cause) when the store cannot be written; nothing of the new
    release is left behind then, and the previous release stays current.
    """
    check_observations(observations)
    releases = store / "releases"
    try:
        make_dirs(releases)
        remove_stale(store)
        tmp = make_temp_dir(releases)
    except OSError as exc:
        raise _failure(store, "write a release", exc) from exc
    final: Path | None = None
    release_id: str | None = None
    try:
        _write_parquet(observations, tmp / OBSERVATIONS)
        os.chmod(tmp / OBSERVATIONS, FILE_MODE)
        digest = _sha256(tmp / OBSERVATIONS)
        created = datetime.now(UTC)
        model = new_manifest(edition, created.isoformat(timespec="microseconds"),
                             ObservationsFile(file=OBSERVATIONS, rows=observations.num_rows,
                                              bytes=(tmp / OBSERVATIONS).stat().st_size, sha256=digest),
                             provenance)
        release_id, manifest = model.id, model.as_dict()
        if (releases / release_id / MANIFEST).is_file():
            # The id is derived from the content: the same release exists already; it becomes current again.
            shutil.rmtree(tmp, ignore_errors=True)
            set_current(store, release_id)
            return open_release(store, release_id)
        write_small_file(tmp / MANIFEST, model.to_json())
        fsync_file(tmp / OBSERVATIONS)
        final = releases / release_id
        os.rename(tmp, final)
        fsync_dir(releases)
        set_current(store, release_id)
    except BaseException as exc:
        _remove_unfinished(store, tmp, final, release_id)
        if isinstance(exc, OSError):
            raise _failure(store, "write a release", exc) from exc
        raise
    return Release(release_id, final, manifest)


def set_current(store: Path, release_id: str) -> None:
    """Point CURRENT at a release (atomically); used by publish and by roll-back (`barometer use`).

    StoreError when the release is unknown or the store cannot be written (CURRENT is then unchanged and no
    temporary pointer is left).
    """
    _check_id(store, release_id)
    if not (store / "releases" / release_id / MANIFEST).is_file():
        raise StoreError(f"release {release_id!r} not found in {store}", code="unknown_release", http_status=404)
    remove_stale(store)
    tmp = pointer_temp(store)
    try:
        write_small_file(tmp, release_id + "\n")
        os.replace(tmp, store / "CURRENT")
        fsync_dir(store)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failure(store, f"make {release_id} current", exc) from exc
        raise


def _check_id(store: Path, release_id: str) -> None:
    """A release id is a folder name in ``releases/``: no separators, not hidden (no way out of the store)."""
    if not release_id or "/" in release_id or "\\" in release_id or release_id.startswith("."):
        raise StoreError(f"release {release_id!r} not found in {store} (not a release id)", code="unknown_release",
                         http_status=404)


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


def verify_release(path: Path, manifest: dict[str, Any], *, checksum: bool = True) -> None:
    """Check a release folder against its manifest; StoreError naming the path and what is wrong.

    The folder holds exactly the manifest and the observations file it names, both plain files (a symbolic
    link could point anywhere, and a stray file is not part of what was published); the observations file has
    the size (releases from before the size was recorded: not checked), row count and SHA-256 the manifest
    records. The checksum reads the file once (milliseconds for a full-scale release).
    """
    entry = manifest.get("observations")
    if not isinstance(entry, dict):
        entry = {}
    name = entry.get("file")
    if not isinstance(name, str) or name != Path(name).name or name.startswith(".") or name == MANIFEST:
        raise _damaged(f"{path / MANIFEST}: does not name the observations file (observations.file)")
    if path.is_symlink():
        raise _damaged(f"{path}: the release folder is a symbolic link; a release is a plain folder")
    with os.scandir(path) as entries:
        for item in sorted(entries, key=lambda e: e.name):
            where = path / item.name
            if item.is_symlink():
                raise _damaged(f"{where}: a symbolic link inside release folder {path.name}; a release holds "
                               "plain files only")
            if item.name not in (MANIFEST, name) or not item.is_file():
                what = "folder" if item.is_dir() else "file"
                raise _damaged(f"{where}: unexpected {what} in release folder {path.name} (a release holds "
                               f"only {MANIFEST} and {name}); remove it or restore the release")
    data = path / name
    if not data.is_file():
        raise _damaged(f"{data}: the observations file of release {path.name} is missing")
    size = data.stat().st_size
    if entry.get("bytes") is not None and size != entry["bytes"]:
        raise _damaged(f"{data}: {size} bytes, the manifest records {entry['bytes']} (truncated or replaced)")
    try:
        rows = pq.read_metadata(data).num_rows
    except (pa.ArrowException, OSError) as exc:
        raise _damaged(f"{data}: not a readable Parquet file: {exc}") from exc
    if rows != entry.get("rows"):
        raise _damaged(f"{data}: {rows} rows, the manifest records {entry.get('rows')}")
    if checksum and (digest := _sha256(data)) != entry.get("sha256"):
        raise _damaged(f"{data}: sha256 {digest[:12]}… differs from the manifest's "
                         f"{str(entry.get('sha256'))[:12]}… (the file changed after it was published)")


def open_release(store: Path, release_id: str | None = None) -> Release:
    """A release by id, or the current one, checked against its manifest (``verify_release``); StoreError with
    a helpful message otherwise."""
    wanted = release_id or current_release_id(store)
    if wanted is None:
        raise StoreError(f"no release in store {store} — build or import one first "
                         "(barometer import-published FILE.csv --edition 2024-11)", code="no_release")
    _check_id(store, wanted)
    path = store / "releases" / wanted
    if not (path / MANIFEST).is_file():
        known = ", ".join(r.id for r in list_releases(store)) or "none"
        raise StoreError(f"release {wanted!r} not found in {store} (known: {known})", code="unknown_release",
                         http_status=404)
    manifest = _read_manifest(path)
    try:
        verify_release(path, manifest)
    except OSError as exc:
        raise _damaged(f"{path}: cannot read the release: {describe_os_error(exc)}") from exc
    return Release(wanted, path, manifest)


def _read_manifest(folder: Path) -> dict[str, Any]:
    """A release folder's manifest, checked against the model (older schemas migrated): StoreError if unreadable."""
    try:
        return read_manifest_text((folder / MANIFEST).read_text(encoding="utf-8"), str(folder / MANIFEST)).as_dict()
    except (ManifestError, OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(exc), code="release_manifest_invalid") from exc
