"""The renderer registry: every format module registers itself, names are unique, lookups fail clearly."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from barometer.exports import (
    Export,
    ExportMeta,
    NotRenderable,
    Table,
    UnknownFormat,
    page_tables,
    renderer,
    renderer_names,
    renderers,
    writer,
    writers,
)
from barometer.exports import formats as format_package
from barometer.exports.registry import Renderer, ReportFormat, register_renderer, report_format, report_formats


def test_every_format_module_registers_something():
    names_before = {r.name for r in renderers()} | {w.name for w in writers()}
    for module in pkgutil.iter_modules(format_package.__path__):
        mod = importlib.import_module(f"barometer.exports.formats.{module.name}")
        registered = [v for v in vars(mod).values() if isinstance(v, Renderer | ReportFormat)]
        assert registered or any(w.write.__module__ == mod.__name__ for w in writers()), module.name
    assert {"json", "csv"} <= names_before
    assert {"csv", "json", "xlsx", "jsonstat", "sdmx", "datapackage"} == {w.name for w in writers()}
    assert {"json", "csv", "xlsx", "jsonstat", "sdmx-csv"} == {r.name for r in renderers()}
    assert [f.name for f in report_formats()] == ["pdf", "html"]


def test_json_and_csv_come_first_and_cube_formats_need_observations():
    names = renderer_names()
    assert names[:3] == ["json", "csv", "xlsx"]
    assert renderer_names(observations=False) == ["json", "csv", "xlsx"]
    for r in renderers():
        assert r.media_type and r.extension and r.description
        assert r.filename("kommune-851").startswith("integrationsbarometer-kommune-851.")


def test_unknown_format_names_the_known_ones():
    with pytest.raises(UnknownFormat) as info:
        renderer("xls")
    assert "'xls'" in str(info.value) and "csv" in str(info.value)
    with pytest.raises(UnknownFormat):
        writer("parquet")
    with pytest.raises(UnknownFormat):
        report_format("docx")


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        register_renderer(renderer("csv"))


def test_cube_renderers_refuse_tables_without_observations():
    export = Export(ExportMeta(release="r", name="areas"), [Table("areas", [{"code": "851", "name": "Aalborg"}])])
    for r in renderers():
        if r.observations_only:
            with pytest.raises(NotRenderable, match="needs observations"):
                r(export)
        else:
            assert r(export)


def test_page_rows_that_name_their_table_become_tables_and_csv_puts_the_name_back():
    rows = [{"table": "series", "area_code": "851", "value": 1.5},
            {"table": "ranking", "area_code": "851", "value": 1.5, "rank": 3}]
    tables = page_tables(rows, "indikator-1.2")
    assert [t.name for t in tables] == ["series", "ranking"]
    assert tables[1].columns == ["area_code", "value", "rank"]
    text = renderer("csv")(Export(ExportMeta(release="r", name="x"), tables)).decode("utf-8-sig")
    assert text.splitlines() == ["table,area_code,value,rank", "series,851,1.5,", "ranking,851,1.5,3"]
    assert [t.name for t in page_tables([{"a": 1}], "front")] == ["front"]


def test_json_envelope_carries_release_licence_and_source():
    import json

    body = json.loads(renderer("json")(Export(ExportMeta(release="r1", name="x"), [Table("x", [{"a": 1}])])))
    assert body["release"] == "r1" and body["licence"] and body["source"] and body["data"] == [{"a": 1}]


def test_every_format_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
    for r in renderers():
        assert f"`{r.name}`" in doc and r.media_type.split(";")[0] in doc, r.name
    for w in writers():
        assert f"`{w.name}`" in doc, w.name
