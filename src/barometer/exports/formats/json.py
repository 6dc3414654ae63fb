"""JSON: the API's envelope — the release, the licence, the source and the data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from barometer.exports.model import Export
from barometer.exports.registry import ReleaseWriter, Renderer, register_renderer, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.notice import SYNTHETIC_DOWNLOAD_NOTE
from barometer.store import Release


def envelope(export: Export) -> dict[str, Any]:
    """Release, licence, publisher, source and data; a synthetic release says so beside the data."""
    meta = export.meta
    body = {"release": meta.release, "licence": meta.licence, "publisher": meta.publisher,
            "synthetic": meta.synthetic, "source": meta.source}
    if meta.synthetic:
        body["notice"] = SYNTHETIC_DOWNLOAD_NOTE
    return body | {"data": export.json_data()}


def render_json(export: Export) -> bytes:
    return json.dumps(envelope(export), ensure_ascii=False, default=str).encode("utf-8")


JSON = register_renderer(Renderer(
    name="json", extension="json", media_type="application/json", render=render_json, attachment=False,
    description="JSON envelope: release, licence, source and data"))


def write_release_json(release: Release, out_dir: Path) -> list[Path]:
    """The release's observations, areas and items in one JSON envelope."""
    return [write_atomically(out_dir / f"integrationsbarometer-{release.id}.json", render_json(
        release_export(release)))]


register_writer(ReleaseWriter("json", "observations, areas and items in one JSON envelope", write_release_json))
