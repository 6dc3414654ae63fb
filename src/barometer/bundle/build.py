"""A release's bulk download: one zip with everything the release publishes, built once and kept on disk.

Layout inside the store (beside ``releases/``, which it never touches)::

    STORE/downloads/<release-id>.zip        the bundle
    STORE/downloads/<release-id>.zip.json   its size and sha256, written last: the bundle is complete when
                                            this file exists
    STORE/downloads/<release-id>.lock       held while the bundle is being built

A bundle is written into a hidden temporary folder and renamed into place, so a reader never sees half a file;
the lock (``flock``, which also separates threads of one process) makes concurrent requests wait for the one
build instead of starting another. A crash leaves at most a temporary folder, which is never served and is
removed by the next build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from barometer.bundle.contents import write_contents
from barometer.provenance import sha256_file
from barometer.store import Release, open_release
from barometer.store.files import fsync_dir as fsync_path

FOLDER = "downloads"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BundleInfo:
    release_id: str
    path: Path
    size: int
    sha256: str
    built: str

    @property
    def filename(self) -> str:
        return f"integrationsbarometer-{self.release_id}.zip"


def bundle_path(store: Path, release_id: str) -> Path:
    return store / FOLDER / f"{release_id}.zip"


def _info_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name + ".json")


def read_bundle(store: Path, release_id: str) -> BundleInfo | None:
    """The finished bundle of a release, or None when it has not been built (or is being built)."""
    path = bundle_path(store, release_id)
    try:
        meta = json.loads(_info_path(path).read_text(encoding="utf-8"))
        size = path.stat().st_size
    except (OSError, ValueError):
        return None
    if meta.get("size") != size:  # a bundle replaced by hand: not ours to serve
        return None
    return BundleInfo(release_id, path, size, meta["sha256"], meta.get("built", ""))



def ensure_bundle(store: Path, release_id: str | None = None, *, jobs: int = 1,
                  progress: Progress | None = None, rebuild: bool = False) -> BundleInfo:
    """The release's bundle, built now if it is not on disk yet (StoreError for an unknown release)."""
    release = open_release(store, release_id)
    if not rebuild and (found := read_bundle(store, release.id)) is not None:
        return found
    folder = store / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{release.id}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when this process dies
        if not rebuild and (found := read_bundle(store, release.id)) is not None:
            return found  # another request built it while this one waited
        return _build(store, release, jobs, progress)


def _build(store: Path, release: Release, jobs: int, progress: Progress | None) -> BundleInfo:
    folder = store / FOLDER
    for stale in folder.glob(f".tmp-{release.id}-*"):  # left by a crash; the lock says nobody is using it
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{release.id}-", dir=folder))
    try:
        part = tmp / "bundle.zip"
        write_contents(store, release, part, tmp / "work", jobs=jobs, progress=progress)
        fsync_path(part)
        info = BundleInfo(release.id, bundle_path(store, release.id), part.stat().st_size, sha256_file(part),
                          datetime.now(UTC).isoformat(timespec="seconds"))
        meta = tmp / "bundle.json"
        meta.write_text(json.dumps({"release": release.id, "size": info.size, "sha256": info.sha256,
                                    "built": info.built}, indent=2) + "\n", encoding="utf-8")
        fsync_path(meta)
        _info_path(info.path).unlink(missing_ok=True)  # a rebuild: the old bundle stops being "complete" first
        os.replace(part, info.path)
        os.replace(meta, _info_path(info.path))
        fsync_path(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return info
