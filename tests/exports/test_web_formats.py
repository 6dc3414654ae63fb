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
    assert "851,1.2,2022,,suppressed,,,,,,,,hand" in lines


OBS_FORMATS = ("json", "csv", "xlsx", "jsonstat", "sdmx-csv")


def _csv_cells(client: TestClient, url: str) -> set[tuple[str, str]]:
    import csv
    import io

    rows = csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig")))
    return {(r["area_code"], r["period"]) for r in rows}


def test_indicator_page_offers_every_format_for_exactly_what_it_shows(client: TestClient, small_release):
    import io
    import json

    import openpyxl

    page = client.get("/indikator/1.2?area=851&lang=en")
    assert "Download data" in page.text
    for fmt in OBS_FORMATS:
        assert f'href="/indikator/1.2.{fmt}?area=851&amp;lang=en"' in page.text, fmt
    assert 'href="/indikator/1.2.metadata.json?area=851&amp;lang=en"' in page.text
    assert "Hent data" in client.get("/indikator/1.2?area=851").text

    shown = _csv_cells(client, "/indikator/1.2.csv?area=851")
    assert ("851", "2022") in shown and ("000", "2021") in shown
    english = json.loads(client.get("/indikator/1.2.jsonstat?area=851&lang=en").content)
    assert english["dimension"]["area"]["label"] == "Area" and english["label"].startswith("Integrationsbarometeret")
    assert english["dimension"]["item"]["extension"]["translation"]["da"]["label"] == "Indikator/nøgletal"
    cube = json.loads(client.get("/indikator/1.2.jsonstat?area=851").content)
    index = cube["dimension"]
    in_cube = {(a, p) for a in index["area"]["category"]["index"] for p in index["period"]["category"]["index"]}
    assert shown <= in_cube
    sdmx_rows = client.get("/indikator/1.2.sdmx-csv?area=851").text.splitlines()[1:]
    assert {(r.split(",")[3], r.split(",")[5]) for r in sdmx_rows} == shown
    book = openpyxl.load_workbook(io.BytesIO(client.get("/indikator/1.2.xlsx?area=851").content))
    assert book.sheetnames == ["Tidsserie", "Rangering", "Om data"]
    series = list(book["Tidsserie"].iter_rows(values_only=True))
    assert "Værdi" in series[0] and len(series) - 1 == len([c for c in shown if c[0] in ("851", "000")])


def test_suppressed_figure_has_no_number_in_any_web_format(client: TestClient):
    import io
    import json

    import openpyxl

    url = "/api/v1/observations?area=851&item=1.2&period=2022&format="
    assert client.get(url + "json").json()["data"] == [
        {"area_code": "851", "item_id": "1.2", "period": "2022", "value": None, "status": "suppressed",
         "numerator": None, "denominator": None, "ref_numerator": None, "ref_denominator": None, "ci_low": None,
         "ci_high": None, "published_development": None, "source": "hand"}]
    cube = json.loads(client.get(url + "jsonstat").content)
    values = cube["value"] if isinstance(cube["value"], list) else list(cube["value"].values())
    assert all(v is None for v in values) and set(cube["status"].values()) == {"suppressed"}
    sdmx_row = client.get(url + "sdmx-csv").text.splitlines()[1].split(",")
    assert sdmx_row[6] == "" and "Q" in sdmx_row
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "xlsx").content))["Observationer"]
    row = [c.value for c in list(sheet.iter_rows())[1]]
    assert [v for v in row if isinstance(v, int | float)] == []


def test_every_page_has_an_excel_twin_with_the_release(client: TestClient, small_release):
    import io

    import openpyxl

    for url in ("/index.xlsx", "/kommune/851.xlsx", "/noegletal.xlsx", "/definitioner.xlsx",
                "/sammenlign.xlsx?area=851,101", "/metode.xlsx", "/noegletal/N5.xlsx"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-disposition"].endswith('.xlsx"')
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        about = [c.value for row in book["Om data"].iter_rows() for c in row]
        assert small_release.id in about, url
    assert client.get("/kommune/851.jsonstat").status_code == 404  # cube twins only where rows are observations


def test_metadata_json_describes_the_indicator_and_the_release(client: TestClient, small_release):
    r = client.get("/indikator/1.2.metadata.json?area=851")
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["definition"]["id"] == "1.2" and data["definition"]["title_da"]
    assert data["unit"] == "pct" and data["unit_text"] == "pct." and data["decimals"] == 0
    assert data["release"] == small_release.id and data["licence"] and data["source"]
    assert data["downloads"]["xlsx"] == "/indikator/1.2.xlsx?area=851"
    assert client.get("/indikator/9.9.metadata.json").status_code == 404
    assert client.get("/indikator/1.2.metadata.json?area=999").status_code == 404


def test_sdmx_structure_is_served_and_readable(client: TestClient, small_release):
    import io

    sdmx = pytest.importorskip("sdmx")
    r = client.get("/sdmx/structure.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    message = sdmx.read_sdmx(io.BytesIO(r.content), format="XML")
    flow = message.dataflow["DF_INTEGRATIONSBAROMETER"]
    assert {a.id: str(a.text) for a in flow.annotations}["RELEASE"] == small_release.id


def test_reports_come_from_the_registry(client: TestClient):
    r = client.get("/reports/851.html")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-disposition"].startswith("inline;")
    assert client.get("/reports/851.docx").status_code == 404
