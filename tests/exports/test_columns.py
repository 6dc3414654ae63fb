"""Every column a download can hold is declared in columns.toml (titles in Danish and English, a type), so no
spreadsheet, JSON-stat label or Table Schema shows a raw column name; a new column fails here until declared."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.exports.codes import STATUS_CODES
from barometer.exports.columns import FORMATS, columns
from barometer.exports.formats.datapackage import _code_tables
from barometer.exports.release import release_export
from barometer.store import open_release
from barometer.web import WebSettings, create_app
from tests.web.sample_release import publish_sample

PAGES = ("/index", "/kommune/851", "/kommune/851/lignende", "/sammenlign?area=851,751", "/indikator/1.2?area=851",
         "/indikator/8.1", "/noegletal", "/noegletal/N5", "/definitioner", "/definitioner/1.2", "/definitioner/N5",
         "/metode")
API = ("/api/v1/areas", "/api/v1/items", "/api/v1/observations?area=851")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("columns-store")
    publish_sample(store)
    return store


def _header(client: TestClient, url: str) -> list[str]:
    r = client.get(url)
    assert r.status_code == 200, url
    return next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_every_column_of_every_download_is_declared(store: Path):
    client = TestClient(create_app(WebSettings(store=store)))
    found: dict[str, str] = {}
    for page in PAGES:
        path, _, query = page.partition("?")
        for col in _header(client, f"{path}.csv" + (f"?{query}" if query else "")):
            found.setdefault(col, page)
    for url in API:
        for col in _header(client, url + ("&" if "?" in url else "?") + "format=csv"):
            found.setdefault(col, url)
    export = release_export(open_release(store))
    for table in [*export.tables, *_code_tables()]:
        for col in table.columns:
            found.setdefault(col, f"release table {table.name}")
    found.pop("table", None)  # the CSV's own column naming a page's tables, not a data column
    missing = {c: where for c, where in found.items() if c not in columns()}
    assert not missing, f"columns without an entry in src/barometer/exports/columns.toml: {missing}"


def test_declarations_are_complete():
    for name, col in columns().items():
        assert col.da and col.en, name
        assert col.type in ("string", "number", "integer", "boolean"), name
        assert col.format is None or col.format in FORMATS, name
    assert set(STATUS_CODES) == {"ok", "suppressed", "not_computed", "missing"}
