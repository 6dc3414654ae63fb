"""Every page, report and download of a synthetic release says "Syntetiske data"; the published figures' never do.

`client` serves the seeded sample release (marked synthetic in its manifest); `published_client` the ministry's
published figures imported from tests/fixtures/published-2024-11.csv.
"""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from barometer.notice import SYNTHETIC_DOWNLOAD_NOTE
from barometer.settings import DEFAULT_PUBLISHER
from barometer.store import observation_table, publish
from barometer.web import WebSettings, create_app

from .sample_release import sample_rows

PAGES = ["/", "/kommune/851", "/kommune/851/lignende", "/indikator/1.2", "/noegletal", "/noegletal/N5",
         "/definitioner", "/definitioner/3.3", "/metode", "/sammenlign?area=851&area=751", "/kommune/999"]
API = ["/api/v1/areas", "/api/v1/items", "/api/v1/observations?area=851&item=1.2", "/api/v1/barometer/851",
       "/api/v1/releases", "/api/v1/items/N5", "/api/v1/areas/999"]
CSV = ["/api/v1/areas?format=csv", "/api/v1/items?format=csv", "/api/v1/observations?area=851&format=csv",
       "/kommune/851.csv", "/indikator/1.2.csv", "/noegletal.csv", "/index.csv"]
TWINS = ["/index.json", "/kommune/851.json", "/noegletal/N5.json", "/indikator/1.2.metadata.json"]
NOT_FOUND = "/api/v1/areas/999"


def _banner(html: str) -> str | None:
    match = re.search(r'<section class="synthetic-banner" aria-label="[^"]*"><div class="wrap">(.*?)</div></section>',
                      html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else None


@pytest.mark.parametrize("path", PAGES)
def test_every_page_of_a_synthetic_release_has_the_banner(client, path: str) -> None:
    for lang, label, note in (("da", "Syntetiske data", "Tallene er beregnet af syntetiske registre."),
                              ("en", "Synthetic data", "The figures are computed from synthetic registers.")):
        sep = "&" if "?" in path else "?"
        r = client.get(path + (f"{sep}lang=en" if lang == "en" else ""))
        assert r.status_code in (200, 404), path
        assert _banner(r.text).startswith(f"{label} {note}"), (path, lang)
        assert re.search(rf"<title>{label}: ", r.text), (path, lang)
        assert r.headers["x-synthetic-data"] == "true"


@pytest.mark.parametrize("path", PAGES)
def test_pages_of_published_figures_carry_no_synthetic_mark(published_client, path: str) -> None:
    r = published_client.get(path)
    assert _banner(r.text) is None and "x-synthetic-data" not in r.headers
    visible = re.sub(r"<[^>]+>", " ", r.text.split("<body>", 1)[-1])
    assert "syntetisk" not in visible.lower()
    assert f"Data: {DEFAULT_PUBLISHER}." in visible


@pytest.mark.parametrize("path", API + TWINS)
def test_json_of_a_synthetic_release_says_so(client, published_client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == (404 if path == NOT_FOUND else 200)
    body = answer.json()
    assert body["synthetic"] is True if path != NOT_FOUND else "error" in body
    if path != NOT_FOUND:
        assert body["notice"] == SYNTHETIC_DOWNLOAD_NOTE == "Syntetiske data / Synthetic data"
        assert body["source"].startswith("Syntetiske data / Synthetic data: synthetic registers")
    assert client.get(path).headers["x-synthetic-data"] == "true"
    published = published_client.get(path)
    if "data" in published.json():
        assert published.json()["synthetic"] is False and "notice" not in published.json()
        assert "Synthetic" not in published.json()["source"] and "Syntetisk" not in published.json()["source"]
    assert "x-synthetic-data" not in published.headers


@pytest.mark.parametrize("path", CSV)
def test_every_csv_row_of_a_synthetic_release_says_so(client, published_client, path: str) -> None:
    rows = list(csv.reader(io.StringIO(client.get(path).content.decode("utf-8-sig"))))
    assert rows[0][0] == "notice" and len(rows) > 1
    assert all(row[0] == "Syntetiske data / Synthetic data" for row in rows[1:])
    plain = list(csv.reader(io.StringIO(published_client.get(path).content.decode("utf-8-sig"))))
    assert "notice" not in plain[0]
    assert rows[0][1:] == plain[0] or path.startswith(("/kommune", "/indikator", "/noegletal", "/index"))
    assert not any("Syntetisk" in cell for row in plain for cell in row)


def test_cube_and_excel_twins_of_the_indicator_page(client, published_client) -> None:
    cube = client.get("/indikator/1.2.jsonstat")
    assert cube.status_code == 200 and cube.json()["label"].startswith("Syntetiske data: ")
    assert cube.json()["extension"]["synthetic"] is True
    assert not published_client.get("/indikator/1.2.jsonstat").json()["label"].startswith("Syntetiske")
    sdmx_rows = list(csv.DictReader(io.StringIO(client.get("/indikator/1.2.sdmx-csv").content.decode("utf-8-sig"))))
    assert sdmx_rows and all(r["SOURCE"].startswith("Syntetiske data") for r in sdmx_rows)
    xlsx = client.get("/indikator/1.2.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["x-synthetic-data"] == "true"


def test_report_route_pdf_and_html(client, published_client) -> None:
    pdf = client.get("/reports/851.pdf").content
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    assert pages and all("Syntetiske data" in " ".join(p.split()) for p in pages)
    assert _banner(client.get("/reports/851.html").text) is None  # the report has its own banner …
    assert "Syntetiske data</strong> Tallene" in client.get("/reports/851.html").text  # … which is this one
    clean = published_client.get("/reports/851.pdf").content
    assert not any("Syntetisk" in p.extract_text() for p in PdfReader(BytesIO(clean)).pages)


def test_publisher_recorded_in_the_release_names_the_licence(tmp_path) -> None:
    """The licence line and header name the release's publisher, not the ministry's domain."""
    publish(tmp_path, observation_table(sample_rows()), "2024-11", {"kind": "sample", "synthetic": True,
                                                                     "publisher": "Testkommunen"})
    c = TestClient(create_app(WebSettings(store=tmp_path)))
    r = c.get("/api/v1/areas")
    assert r.json()["publisher"] == "Testkommunen"
    assert r.json()["licence"] == r.headers["x-licence"] == "Free to reuse with attribution: Testkommunen"
    assert "Data: Testkommunen. Frit til genbrug med kildeangivelse." in c.get("/").text
    assert "integrationsbarometer.dk" not in r.headers["x-licence"]
    (listed,) = c.get("/api/v1/releases").json()["data"]
    assert listed["synthetic"] is True and listed["publisher"] == "Testkommunen"
