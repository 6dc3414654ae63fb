"""The one place that knows the output formats: every download (page twins, the API's `format=`,
`barometer export`) looks its format up here, so adding a format is adding one module to ``formats/``.

Two kinds of entry, after datasette's `register_output_renderer` and frictionless-py's `formats/<name>/`:

* a :class:`Renderer` turns an :class:`~barometer.exports.model.Export` (tables + metadata) into bytes with a
  media type: what the web and the API send;
* a :class:`ReleaseWriter` writes a whole release into a folder (one or several files): what
  `barometer export --format NAME` runs;
* a :class:`ReportFormat` renders an area's Udviklingsrapport (PDF, HTML) for `barometer report` and
  `/reports/{code}.{pdf,html}`.

Format modules register themselves when imported; :func:`load_formats` imports every module of
``barometer.exports.formats``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from barometer.errors import BarometerError
from barometer.exports.model import Export
from barometer.reports.formats import ReportFormat

__all__ = ["ReportFormat"]  # declared with the reports, listed here beside the download formats

if TYPE_CHECKING:
    from barometer.store import Release


class UnknownFormat(BarometerError, ValueError):
    """A format name that no module registers."""

    code = "unknown_format"
    exit_code = 2
    http_status = 422

    def __init__(self, name: str, known: list[str], message: str | None = None) -> None:
        super().__init__(message or f"unknown format {name!r}: choose one of {', '.join(known)}")
        self.name, self.known = name, known


class NotRenderable(BarometerError, ValueError):
    """A format that cannot express the given tables (a JSON-stat cube of the list of areas)."""

    code = "not_renderable"
    exit_code = 2
    http_status = 422
    parameter = "format"


@dataclass(frozen=True)
class Renderer:
    name: str  # the `format=` value and the twin's URL suffix: "csv", "xlsx", "jsonstat", "sdmx-csv"
    extension: str  # the downloaded file's extension: "csv", "xlsx", "jsonstat.json", "sdmx.csv"
    media_type: str
    render: Callable[[Export], bytes]
    description: str
    attachment: bool = True  # sent as a download (Content-Disposition) rather than shown inline
    observations_only: bool = False  # needs observation rows (area, item, period, status): a statistical cube
    label: str = ""  # what a download link says ("Excel"); the upper-case name when empty

    @property
    def link_text(self) -> str:
        return self.label or self.name.upper()

    def can_render(self, export: Export) -> bool:
        return export.has_observations or not self.observations_only

    def __call__(self, export: Export) -> bytes:
        if not self.can_render(export):
            raise NotRenderable(f"format {self.name!r} needs observations (area, item, period, status); "
                                f"{export.meta.name!r} has none")
        return self.render(export)

    def filename(self, name: str) -> str:
        return f"integrationsbarometer-{name}.{self.extension}"


@dataclass(frozen=True)
class ReleaseWriter:
    name: str  # the `barometer export --format` value
    description: str
    write: Callable[[Release, Path], list[Path]]


_RENDERERS: dict[str, Renderer] = {}
_WRITERS: dict[str, ReleaseWriter] = {}
_REPORTS: dict[str, ReportFormat] = {}
_loaded = False


def register_renderer(renderer: Renderer) -> Renderer:
    if renderer.name in _RENDERERS:
        raise ValueError(f"format {renderer.name!r} is registered twice")
    _RENDERERS[renderer.name] = renderer
    return renderer


def register_writer(writer: ReleaseWriter) -> ReleaseWriter:
    if writer.name in _WRITERS:
        raise ValueError(f"release format {writer.name!r} is registered twice")
    _WRITERS[writer.name] = writer
    return writer


def register_report_format(fmt: ReportFormat) -> ReportFormat:
    if fmt.name in _REPORTS:
        raise ValueError(f"report format {fmt.name!r} is registered twice")
    _REPORTS[fmt.name] = fmt
    return fmt


def load_formats() -> None:
    """Import every format module once (they register themselves)."""
    global _loaded
    if _loaded:
        return
    from barometer.exports import formats

    for module in sorted(pkgutil.iter_modules(formats.__path__), key=lambda m: m.name):
        importlib.import_module(f"{formats.__name__}.{module.name}")
    _loaded = True


def renderers() -> list[Renderer]:
    """Every renderer: JSON, CSV and Excel first, then by name."""
    load_formats()
    order = {"json": 0, "csv": 1, "xlsx": 2}
    return sorted(_RENDERERS.values(), key=lambda r: (order.get(r.name, len(order)), r.name))


def renderer(name: str) -> Renderer:
    load_formats()
    try:
        return _RENDERERS[name]
    except KeyError:
        raise UnknownFormat(name, [r.name for r in renderers()]) from None


def renderer_names(*, observations: bool = True) -> list[str]:
    """Names of the renderers that can answer tables of this kind (cube formats only for observations)."""
    return [r.name for r in renderers() if observations or not r.observations_only]


def writers() -> list[ReleaseWriter]:
    load_formats()
    return sorted(_WRITERS.values(), key=lambda w: w.name)


def writer(name: str) -> ReleaseWriter:
    load_formats()
    try:
        return _WRITERS[name]
    except KeyError:
        raise UnknownFormat(name, [w.name for w in writers()]) from None


def report_formats() -> list[ReportFormat]:
    """The report formats in the order they are registered (PDF first: the default)."""
    load_formats()
    return list(_REPORTS.values())


def report_format(name: str) -> ReportFormat:
    load_formats()
    try:
        return _REPORTS[name]
    except KeyError:
        raise UnknownFormat(name, [f.name for f in report_formats()]) from None
