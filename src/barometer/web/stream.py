"""Large observation answers (JSON and CSV) streamed in chunks instead of built whole in memory.

The bytes are exactly those of the JSON and CSV renderers (barometer.exports.formats) for the same rows — a
test compares them — only produced a chunk of rows at a time: the JSON envelope is rendered with empty data and
the rows are written between its brackets; CSV rows go through the same writer, header first. Starlette iterates
the generator in its thread pool, so neither rendering nor the rows' count holds the event loop.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.responses import StreamingResponse

from barometer.exports import Export, renderer
from barometer.exports.formats.csv import _cell
from barometer.exports.formats.json import envelope
from barometer.notice import mark_rows

CHUNK_ROWS = 2000  # rows per chunk: some hundred kB, so a chunk renders in milliseconds
STREAM_FORMATS = ("json", "csv")


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start:start + CHUNK_ROWS]


def json_chunks(export: Export, rows: Sequence[dict[str, Any]]) -> Iterator[bytes]:
    """render_json's bytes for an export whose data are `rows`: the envelope, then the rows a chunk at a time."""
    head = json.dumps(envelope(Export(export.meta, [], data=[])), ensure_ascii=False, default=str)
    if not head.endswith('"data": []}'):
        raise AssertionError("the JSON envelope must end with its data")
    yield head[:-2].encode("utf-8")
    first = True
    for chunk in _chunks(rows):
        text = ", ".join(json.dumps(row, ensure_ascii=False, default=str) for row in chunk)
        yield (text if first else ", " + text).encode("utf-8")
        first = False
    yield b"]}"


def csv_chunks(export: Export, rows: Sequence[dict[str, Any]]) -> Iterator[bytes]:
    """render_csv's bytes for one table of `rows` that all have the same columns (published observations)."""
    synthetic = export.meta.synthetic
    columns = list(mark_rows(list(rows[:1]), synthetic)[0]) if rows else ["empty"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    buf.write("\ufeff")
    writer.writeheader()
    for chunk in _chunks(rows):
        for row in mark_rows(list(chunk), synthetic):
            writer.writerow({k: _cell(v) for k, v in row.items()})
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def streamed(export: Export, rows: Sequence[dict[str, Any]], fmt: str, headers: dict[str, str]) -> StreamingResponse:
    """The export in `fmt` (json or csv) as a streamed response with the headers a rendered one would carry."""
    chosen = renderer(fmt)
    if chosen.attachment:
        headers = headers | {"Content-Disposition": f'attachment; filename="{chosen.filename(export.meta.name)}"'}
    body = json_chunks(export, rows) if fmt == "json" else csv_chunks(export, rows)
    return StreamingResponse(body, 200, media_type=chosen.media_type, headers=headers)
