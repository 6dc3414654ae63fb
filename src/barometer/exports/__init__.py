"""Downloads in open formats from one registry: CSV, JSON, XLSX, JSON-stat 2.0, SDMX and Frictionless Data
Packages (docs/exports.md). Every output that sends data (page twins, the API, `barometer export`, the bulk
download) looks its format up in :mod:`barometer.exports.registry`."""

from barometer.exports.formats.datapackage import write_datapackage
from barometer.exports.model import LICENCE, SOURCE, Export, ExportMeta, Table, page_tables
from barometer.exports.registry import (
    NotRenderable,
    ReleaseWriter,
    Renderer,
    UnknownFormat,
    renderer,
    renderer_names,
    renderers,
    writer,
    writers,
)

__all__ = [
    "LICENCE",
    "SOURCE",
    "Export",
    "ExportMeta",
    "NotRenderable",
    "ReleaseWriter",
    "Renderer",
    "Table",
    "UnknownFormat",
    "page_tables",
    "renderer",
    "renderer_names",
    "renderers",
    "write_datapackage",
    "writer",
    "writers",
]

