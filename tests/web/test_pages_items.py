"""Indicator, key-figure, definition, compare and method pages, and the report downloads."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.catalogue import load_catalogue
from barometer.store import open_release
from barometer.view import ReleaseIndex
from barometer.web import WebSettings, create_app

CAT = load_catalogue()
TOPOJSON = Path(__file__).resolve().parents[3] / "shared" / "geo" / "kommuner.topojson"


@pytest.fixture(scope="module")
def index(sample_store):
    return ReleaseIndex.load(open_release(sample_store))


def test_indicator_series_since_baseline(client, index):
    data = client.get("/indikator/1.2.json?area=851&compare=751&compare=461").json()["data"]
    series = data["series"]
    assert [r["area_code"] for r in series[::11]] == ["851", "000", "751", "461"]
    assert {r["period"] for r in series} == {str(y) for y in range(2012, 2023)}  # baseline .. latest year 2022
    for r in series:
        row = index.get(r["area_code"], "1.2", r["period"])
        assert r["value"] == (row["value"] if row["status"] == "ok" else None)
    html = client.get("/indikator/1.2?area=851&compare=751&compare=461").text
    assert html.count("<svg") >= 2  # time series and map
    assert "Tallene bag figuren" in html and 'role="img"' in html


def test_indicator_ranking_order_and_intervals(client, index):
    data = client.get("/indikator/1.1.json").json()["data"]["ranking"]
    assert data["period"] == "2022"
    ok = [(a.code, index.get(a.code, "1.1", "2022")) for a in CAT.municipalities]
    # lower is better: ascending values, ties by name
    expected = sorted(((r["value"], CAT.area(c).name, c) for c, r in ok if r and r["status"] == "ok"))
    ranked = [r for r in data["rows"] if r["rank"] is not None]
    assert [r["area_code"] for r in ranked] == [c for _, _, c in expected]
    assert ranked[0]["rank"] == 1 and all(r["ci_low"] <= r["value"] <= r["ci_high"] for r in ranked)
    unranked = [r for r in data["rows"] if r["rank"] is None]
    assert all(r["value"] is None for r in unranked) and len(ranked) + len(unranked) == 98
    rows = list(csv.DictReader(io.StringIO(client.get("/indikator/1.1.csv").content.decode("utf-8-sig"))))
    assert sum(1 for r in rows if r["table"] == "ranking") == 98


def test_indicator_survey_is_national_only(client):
    data = client.get("/indikator/4.1.json?area=851").json()["data"]
    assert {r["area_code"] for r in data["series"]} == {"000"} and data["ranking"]["rows"] == []
    html = client.get("/indikator/4.1").text
    assert "Medborgerskabsundersøgelsen" in html and 'id="rangering"' not in html


def test_indicator_bad_inputs(client):
    assert client.get("/indikator/9.9").status_code == 404
    assert client.get("/indikator/9.9.json").json()["error"]["status"] == 404
    assert client.get("/indikator/1.2?area=999").status_code == 404
    assert client.get("/indikator/1.2?compare=1,2").status_code == 404
    assert client.get("/indikator/1.2?area=851&area=751").status_code == 422
    many = "&".join(f"compare={a.code}" for a in CAT.municipalities[:13])
    assert client.get(f"/indikator/1.2?{many}").status_code == 422


def test_tile_map_is_default_and_topojson_when_configured(client, sample_store):
    html = client.get("/indikator/1.2").text
    assert "Hver firkant er en kommune" in html
    if not TOPOJSON.is_file():
        pytest.skip(f"{TOPOJSON} not present")
    geo = TestClient(create_app(WebSettings(store=sample_store, topojson=TOPOJSON)))
    html = geo.get("/indikator/1.2").text
    assert "Kommunegrænser" in html
    svg = re.search(r'<div role="img" aria-label="Kort[^"]*">(.*?)</div>', html, re.S).group(1)
    assert svg.count("<path") > 98  # one or more polygons per municipality


def test_tile_grid_covers_every_municipality_once():
    from barometer.web.charts import tile_positions
    pos = tile_positions()
    assert set(pos) == {a.code for a in CAT.municipalities}
    assert len(set(pos.values())) == 98


def test_key_figure_pages(client, index):
    html = client.get("/noegletal").text
    assert all(f"/noegletal/{k.id}" in html for k in CAT.key_figures)
    data = client.get("/noegletal/N5.json").json()["data"]
    aalborg = next(r for r in data["rows"] if r["area_code"] == "851")
    row = index.get("851", "N5", data["period"])
    assert aalborg["value"] == (row["value"] if row["status"] == "ok" else None)
    national_only = client.get("/noegletal/N16.json").json()["data"]
    assert all(r["status"] == "not_computed" for r in national_only["rows"] if r["kind"] == "municipality")
    assert client.get("/noegletal/N99").status_code == 404


def test_definition_pages(client):
    html = client.get("/definitioner").text
    assert all(f"/definitioner/{i.id}" in html for i in CAT.indicators)
    data = client.get("/definitioner/1.2.json").json()["data"]
    assert data["latest_year"] == 2022 and data["baseline_year"] == 2012 and data["data_source"]
    html = client.get("/definitioner/1.2").text
    assert "Tæller" in html and "Nævner" in html and "Seneste år" in html
    words = CAT.item("1.2").words("da")  # the words the sample release recorded: the catalogue's, in Danish
    assert data["numerator"] == words["numerator"] and data["population"] == words["population"]
    assert data["origin"] == "engine" and len(data["sql_sha256"]) == 64 and data["words_lang"] == "da"
    from html import escape
    assert escape(words["denominator"]) in html and 'lang="en"' not in html.split("<main")[1]
    english = client.get("/definitioner/1.2.json?lang=en").json()["data"]
    assert english["population"] == CAT.item("1.2").words("en")["population"]
    assert client.get("/definitioner/N5").status_code == 200
    assert client.get("/definitioner/zz").status_code == 404


def test_compare_page(client):
    r = client.get("/sammenlign?area=851&area=751,461")
    assert r.status_code == 200
    assert re.findall(r'<th scope="col"><a href="/kommune/(\d+)">', r.text)[:3] == ["851", "751", "461"]
    data = client.get("/sammenlign.json?area=851&area=751,461").json()["data"]
    assert [v["area"]["code"] for v in data] == ["851", "751", "461"]
    body = client.get("/sammenlign.csv?area=851&area=751").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["area_code"] for r in rows} == {"851", "751"}
    assert "Vælg mindst én kommune" in client.get("/sammenlign").text
    assert client.get("/sammenlign?area=851&area=nope").status_code == 404


def test_method_page_states_rules(client):
    html = client.get("/metode").text
    assert "reglen <strong>streng: begge skal pege samme vej</strong>" in html
    assert "Diskretionering" in html and "konfidensinterval" in html
    data = client.get("/metode.json").json()["data"]
    assert data["two_indicator_rule"] == "strict" and data["disclosure"]["rates"]["min_denominator"] > 0
    assert "Disclosure control" in client.get("/metode?lang=en").text


def test_reports(client):
    pytest.importorskip("weasyprint")
    r = client.get("/reports/851.pdf")
    if r.status_code == 503:
        pytest.skip("barometer.reports has no render_pdf yet")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf" and "attachment" in r.headers["content-disposition"]
    html = client.get("/reports/851.html")
    assert html.status_code == 200 and "Aalborg" in html.text
    assert client.get("/reports/999.pdf").status_code == 404
    assert client.get("/reports/851.pdf?lang=xx").status_code == 422
    assert client.get("/reports/851.doc").status_code == 404
