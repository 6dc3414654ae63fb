"""Formats on the website and the API: the registry answers `format=` and the page twins."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.web import WebSettings, create_app


@pytest.fixture(scope="module")
def client(small_store: Path) -> TestClient:
    return TestClient(create_app(WebSettings(store=small_store)))


def test_bad_format_is_a_422_naming_the_parameter(client: TestClient):
    for url in ("/api/v1/observations?format=xls", "/api/v1/areas?format=pdf", "/api/v1/items?format=html"):
        r = client.get(url)
        assert r.status_code == 422, url
        error = r.json()["error"]
        assert error["parameter"] == "format" and "format" in error["message"]


def test_csv_download_names_itself_and_carries_release_and_licence(client: TestClient, small_release):
    r = client.get("/api/v1/observations?format=csv&area=851")
    assert r.headers["content-disposition"] == 'attachment; filename="integrationsbarometer-observations.csv"'
    assert r.headers["x-barometer-release"] == small_release.id and r.headers["x-licence"]
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:5] == ["area_code", "item_id", "period", "value", "status"]
    assert "851,1.2,2023,,suppressed,,,,,,,,hand" in lines
