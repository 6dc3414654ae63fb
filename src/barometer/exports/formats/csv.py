"""CSV: one header row, comma-separated, UTF-8 with a byte-order mark so Danish Excel opens æ, ø, å correctly.

A missing value is an empty cell; booleans are true/false as in JSON. Several tables (a page's series and
ranking) go into one file with a leading `table` column naming each row's table.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from barometer.exports.model import Export, Table, marked_tables
from barometer.exports.registry import ReleaseWriter, Renderer, register_renderer, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.notice import NOTICE_COLUMN, SYNTHETIC_DOWNLOAD_NOTE
from barometer.store import Release


def _cell(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def csv_text(tables: list[Table]) -> str:
    """The rows of the tables as CSV text (without a byte-order mark)."""
    many = len(tables) > 1
    columns: list[str] = ["table"] if many else []
    for table in tables:
        columns.extend(c for c in table.columns if c not in columns)
    if NOTICE_COLUMN in columns:  # a synthetic release's notice leads every row, before the table's name
        columns.insert(0, columns.pop(columns.index(NOTICE_COLUMN)))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns or ["empty"], lineterminator="\n")
    writer.writeheader()
    for table in tables:
        for row in table.rows:
            writer.writerow(({"table": table.name} if many else {}) | {k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def render_csv(export: Export) -> bytes:
    return ("\ufeff" + csv_text(marked_tables(export))).encode("utf-8")


CSV = register_renderer(Renderer(
    name="csv", extension="csv", media_type="text/csv; charset=utf-8", render=render_csv,
    description="CSV (UTF-8 with byte-order mark), one row per figure"))


def metadata_sidecar(export: Export) -> dict[str, Any]:
    """What a CSV file cannot say inside its table: the release, licence and source."""
    meta = export.meta
    extra = {"notice": SYNTHETIC_DOWNLOAD_NOTE} if meta.synthetic else {}
    return {"release": meta.release, "edition": meta.edition, "created": meta.created, "kind": meta.kind,
            "licence": meta.licence, "publisher": meta.publisher, "synthetic": meta.synthetic, **extra,
            "source": meta.source}


def write_release_csv(release: Release, out_dir: Path) -> list[Path]:
    """The release's observations as CSV, with a .metadata.json beside it (release, licence, source)."""
    export = release_export(release)
    observations = Export(export.meta, [export.tables[0]])
    stem = f"integrationsbarometer-{release.id}"
    data = write_atomically(out_dir / f"{stem}.csv", render_csv(observations))
    sidecar = write_atomically(out_dir / f"{stem}.metadata.json", (json.dumps(
        metadata_sidecar(export), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return [data, sidecar]


register_writer(ReleaseWriter("csv", "the observations as CSV, with a .metadata.json beside it", write_release_csv))
