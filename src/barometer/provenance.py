"""What a release records about how it was made: input checksums, catalogue and code version, settings."""

from __future__ import annotations

import hashlib
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from barometer.catalogue import load_catalogue


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version() -> str:
    """Package version plus the git commit when run from a checkout (the commit pins the exact code)."""
    try:
        pkg = version("integrationsbarometer")
    except PackageNotFoundError:
        pkg = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{pkg}+{commit}" if commit else pkg


def provenance(inputs: dict[str, Path], *, synthetic: bool, **extra: Any) -> dict[str, Any]:
    """The provenance block of a release manifest.

    Every release states whether its figures come from synthetic registers (``synthetic``: each output then
    says "Syntetiske data") and who publishes it (``publisher``, from the `[release]` settings in force now),
    so that outputs read both from the release rather than from whatever settings a later reader has.
    """
    from barometer.settings import current_settings

    return {
        "inputs": {name: {"path": str(path), "sha256": sha256_file(path)} for name, path in inputs.items()},
        "catalogue_version": load_catalogue().version,
        "code_version": code_version(),
        "synthetic": synthetic,
        "publisher": current_settings().release.publisher,
        **extra,
    }
