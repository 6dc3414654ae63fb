"""The /api/v1/ endpoints: contents checked against the release file read independently with pyarrow."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pyarrow.parquet as pq
import pytest

from barometer.catalogue import load_catalogue
from barometer.store import open_release

CAT = load_catalogue()


@pytest.fixture(scope="module")
def release_rows(sample_store):
    release = open_release(sample_store)
    return pq.read_table(release.path / "observations.parquet").to_pylist(), release.id


def test_envelope_and_headers(client, release_rows):
    _, release_id = release_rows
    for path in ("/api/v1/areas", "/api/v1/items", "/api/v1/observations?area=851", "/api/v1/barometer/851",
                 "/api/v1/releases", "/api/v1/areas/851", "/api/v1/items/1.2"):
        r = client.get(path)
        assert r.status_code == 200, path
        body = r.json()
        assert body["release"] == release_id and "reuse" in body["licence"] and body["source"]
        assert r.headers["x-barometer-release"] == release_id and r.headers["x-licence"]


def test_areas(client):
    data = client.get("/api/v1/areas").json()["data"]
    assert len(data) == 104
    munis = client.get("/api/v1/areas?kind=municipality").json()["data"]
    assert len(munis) == 98 and all(a["region"] for a in munis)
    aalborg = client.get("/api/v1/areas/851").json()["data"]
    assert aalborg["name"] == "Aalborg" and aalborg["region"] == "081"
    assert (aalborg["group"], aalborg["group_name"], aalborg["group_name_en"]) == (
        "storby", "Storbykommuner", "Metropolitan municipalities")
    assert client.get("/api/v1/areas/101").json()["data"]["group"] == "hovedstad"
    assert Counter(a["group"] for a in munis) == {"hovedstad": 24, "storby": 3, "provinsby": 16, "opland": 24,
                                                  "land": 31}
    assert all(a["group"] is None for a in data if a["kind"] != "municipality")
    body = client.get("/api/v1/areas?format=csv&kind=region").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5 and {r["kind"] for r in rows} == {"region"}


def test_items(client):
    data = client.get("/api/v1/items").json()["data"]
    assert len(data) == len(CAT.indicators) + len(CAT.key_figures)
    ind = client.get("/api/v1/items/1.1").json()["data"]
    assert ind["direction"] == "lower" and ind["baseline_year"] == 2012 and ind["latest_year"] == 2022
    assert "2012" in ind["periods"] and "2024" in ind["periods"]
    kf = client.get("/api/v1/items?kind=key_figure").json()["data"]
    assert {k["id"] for k in kf} == {k.id for k in CAT.key_figures}
    # the sample release is synthetic: each CSV row starts with the notice (tests/web/test_synthetic_notice.py)
    assert client.get("/api/v1/items?format=csv").content.startswith("\ufeffnotice,id,kind,".encode())


def test_observations_filters_match_the_release(client, release_rows):
    rows, _ = release_rows
    expected = sorted((r for r in rows if r["area_code"] in ("851", "751") and r["item_id"] == "1.2"
                       and r["period"] in ("2012", "2022")), key=lambda r: (r["area_code"], r["period"]))
    got = client.get("/api/v1/observations?area=851,751&item=1.2&period=2012&period=2022").json()["data"]
    assert [(g["area_code"], g["period"], g["value"], g["status"]) for g in got] == \
        [(e["area_code"], e["period"], e["value"], e["status"]) for e in expected]
    assert len(got) == 4


def test_observations_status_filter_and_csv(client, release_rows):
    rows, _ = release_rows
    suppressed = [r for r in rows if r["status"] == "suppressed"]
    got = client.get("/api/v1/observations?status=suppressed").json()["data"]
    assert len(got) == len(suppressed) > 0
    assert all(g["value"] is None and g["numerator"] is None for g in got)
    text = client.get("/api/v1/observations?status=suppressed&format=csv").content.decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(suppressed) and all(p["value"] == "" for p in parsed)


def test_observations_all_and_cached(client, release_rows):
    rows, _ = release_rows
    first = client.get("/api/v1/observations")
    assert len(first.json()["data"]) == len(rows)
    assert client.get("/api/v1/observations").content == first.content


def test_barometer_is_the_views_show_json(client, sample_store):
    from barometer.view import ReleaseIndex, build_view
    view = build_view(ReleaseIndex.load(open_release(sample_store)), "851", "en")
    assert client.get("/api/v1/barometer/851?lang=en").json()["data"] == view.show_json()


def test_releases(client, release_rows):
    _, release_id = release_rows
    data = client.get("/api/v1/releases").json()["data"]
    assert [r["id"] for r in data if r["served"]] == [release_id]


@pytest.mark.parametrize("path,status,parameter", [
    ("/api/v1/areas/999", 404, None),
    ("/api/v1/items/9.9", 404, None),
    ("/api/v1/barometer/999", 404, None),
    ("/api/v1/observations?area=999", 404, None),
    ("/api/v1/observations?item=1.2,X", 404, None),
    ("/api/v1/observations?period=2024-13", 422, "period"),
    ("/api/v1/observations?period=abc", 422, "period"),
    ("/api/v1/observations?status=bad", 422, "status"),
    ("/api/v1/observations?format=xml", 422, "format"),
    ("/api/v1/areas?kind=planet", 422, "kind"),
    ("/api/v1/items?kind=x", 422, "kind"),
    ("/api/v1/barometer/851?lang=fr", 422, "lang"),
    ("/api/v1/nothing", 404, None),
])
def test_errors_are_json(client, path, status, parameter):
    r = client.get(path)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["status"] == status and error["message"]
    if parameter:
        assert error["parameter"] == parameter


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/areas", "/api/v1/areas/{code}", "/api/v1/items", "/api/v1/items/{item_id}",
            "/api/v1/observations", "/api/v1/barometer/{code}", "/api/v1/releases"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
