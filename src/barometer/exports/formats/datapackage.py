"""A Frictionless Data Package of a release: datapackage.json and its CSV resources.

The descriptor says what the package is (title, licence, sources, the release id and a summary of how the release
was made) and gives a Table Schema per resource: each column's type and description, the empty cell as the
missing-value marker, the status flags as a code list (`status.csv`) and the units as another (`units.csv`),
tied to the observations by foreign keys, so `frictionless validate datapackage.json` checks every row.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from barometer.exports.codes import STATUS_CODES
from barometer.exports.columns import column
from barometer.exports.formats.csv import csv_text
from barometer.exports.model import SITE, Export, Table, marked_tables
from barometer.exports.registry import ReleaseWriter, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.formatting import UNIT_TEXT
from barometer.notice import SYNTHETIC_DOWNLOAD_NOTE, SYNTHETIC_LABEL
from barometer.store import Release

DESCRIPTOR = "datapackage.json"
UNIT_LABELS = {"pct": ("Procent", "Per cent"), "pct_point": ("Procentpoint", "Percentage points"),
               "count": ("Antal", "Number")}
# (resource, column) -> (resource, column) it must be found in
FOREIGN_KEYS = {("observations", "area_code"): ("areas", "code"), ("observations", "item_id"): ("items", "id"),
                ("observations", "status"): ("status", "code"), ("items", "unit"): ("units", "code")}
PRIMARY_KEYS = {"observations": ["area_code", "item_id", "period"], "areas": ["code"], "items": ["id"],
                "status": ["code"], "units": ["code"]}
DESCRIPTIONS = {
    "observations": "Every published figure: one row per area, item and period. A figure withheld by "
                    "disclosure control has status 'suppressed' and no number in any column.",
    "areas": "Hele landet, the 5 regions and the 98 municipalities (DST codes).",
    "items": "The catalogue: indicators and key figures, their unit and the periods the release has.",
    "status": "Code list of the status flags (with their SDMX CL_OBS_STATUS codes).",
    "units": "Code list of the units.",
}


def _code_tables() -> list[Table]:
    status = [{"code": c.flag, "label_da": c.da, "label_en": c.en, "sdmx_obs_status": c.obs_status}
              for c in STATUS_CODES.values()]
    units = [{"code": u, "label_da": UNIT_LABELS[u][0], "label_en": UNIT_LABELS[u][1],
              "unit_text": UNIT_TEXT["da"].get(u, "")} for u in ("pct", "pct_point", "count")]
    return [Table("status", status), Table("units", units)]


def _field(name: str, table: Table) -> dict[str, Any]:
    col = column(name)
    field: dict[str, Any] = {"name": name, "type": col.type, "title": col.da, "description": col.description or col.en}
    if (table.name, name) in (("observations", "status"), ("status", "code")):
        field["constraints"] = {"enum": list(STATUS_CODES)}
    if name in PRIMARY_KEYS.get(table.name, []):
        field.setdefault("constraints", {})["required"] = True
    return field


def _schema(table: Table) -> dict[str, Any]:
    columns = table.columns
    schema: dict[str, Any] = {"fields": [_field(c, table) for c in columns], "missingValues": [""]}
    key = [c for c in PRIMARY_KEYS.get(table.name, []) if c in columns]
    if key:
        schema["primaryKey"] = key
    schema["foreignKeys"] = [{"fields": c, "reference": {"resource": ref, "fields": ref_col}}
                             for (t, c), (ref, ref_col) in FOREIGN_KEYS.items() if t == table.name and c in columns]
    return schema


def _provenance(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the release says about how it was made, without local file paths."""
    summary: dict[str, Any] = {k: manifest[k] for k in ("kind", "created", "catalogue_version", "code_version")
                               if k in manifest}
    summary["observations_sha256"] = manifest.get("observations", {}).get("sha256")
    summary["inputs"] = {name: spec.get("sha256") for name, spec in manifest.get("inputs", {}).items()
                         if isinstance(spec, dict)}
    for key in ("disclosure", "engine", "seed", "libraries"):
        if key in manifest:
            summary[key] = manifest[key]
    return summary


def descriptor(export: Export, release: Release, files: dict[str, bytes]) -> dict[str, Any]:
    meta = export.meta
    catalogue = release.catalogue
    edition = catalogue.edition(release.edition)
    resources = []
    for table in export.tables:
        data = files[table.name]
        resources.append({
            "name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
            "title": table.name, "description": DESCRIPTIONS.get(table.name, ""), "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "schema": _schema(table)})
    return {
        "profile": "tabular-data-package",
        "name": "integrationsbarometer-" + release.id.lower().replace("_", "-"),
        "id": release.id,
        "title": (f"{SYNTHETIC_LABEL['da']}: " if meta.synthetic else "")
        + f"Integrationsbarometeret — {edition.label_da}",
        "description": "The Danish integration barometer: every published indicator and key figure for Hele "
                       "landet, the regions and the municipalities, after disclosure control.",
        "homepage": SITE,
        "version": release.id,
        "created": release.manifest.get("created"),
        "licenses": [{"name": "attribution", "title": meta.licence, "path": SITE}],
        "sources": [{"title": s.strip()} for s in meta.source.split(";")],
        "release": release.id,
        "edition": release.edition,
        "publisher": meta.publisher,
        "synthetic": meta.synthetic,
        **({"notice": SYNTHETIC_DOWNLOAD_NOTE} if meta.synthetic else {}),
        "provenance": _provenance(release.manifest),
        "resources": resources,
    }


def write_datapackage(release: Release, out_dir: Path) -> list[Path]:
    """Write datapackage.json and one CSV per resource into out_dir (created if needed); returns the paths,
    the descriptor first. Files are replaced atomically one by one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    export = release_export(release)
    export.tables.extend(_code_tables())
    export.tables = marked_tables(export)  # every row of a synthetic release's files says so (`notice`)
    files = {t.name: csv_text([t]).encode("utf-8") for t in export.tables}
    written = [write_atomically(out_dir / f"{name}.csv", data) for name, data in files.items()]
    body = json.dumps(descriptor(export, release, files), ensure_ascii=False, indent=2) + "\n"
    return [write_atomically(out_dir / DESCRIPTOR, body.encode("utf-8")), *written]


register_writer(ReleaseWriter("datapackage", "a Frictionless Data Package: datapackage.json and CSV resources",
                              write_datapackage))
