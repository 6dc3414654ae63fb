"""405 answers say which methods are allowed; the API refuses a repeated single-valued parameter as pages do."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", ["/kommune/851", "/", "/kommune/851.json", "/api/v1/areas", "/api/v1/observations",
                                 "/reports/851.pdf", "/docs"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_405_names_the_allowed_methods(client, url, method):
    r = client.request(method, url)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD"}
    assert client.head(url).status_code == 200  # what Allow promises holds
    if url.startswith("/api/"):
        assert r.json()["error"]["status"] == 405


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/observations?area=851&format=csv&format=json", "format"),
    ("/api/v1/areas?format=json&format=csv", "format"),
    ("/api/v1/items?kind=indicator&kind=key_figure", "kind"),
    ("/api/v1/barometer/851?lang=da&lang=en", "lang"),
])
def test_api_refuses_repeated_single_valued_parameters(client, url, name):
    r = client.get(url)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["parameter"] == name and name in error["message"] and error["status"] == 422
    assert r.headers["content-type"].startswith("application/json") and "release" in r.json()


def test_pages_refuse_repeated_lang_the_same_way(client):
    r = client.get("/kommune/851.json?lang=da&lang=en")
    assert r.status_code == 422 and r.json()["error"]["parameter"] == "lang"


def test_one_value_still_answers(client):
    assert client.get("/api/v1/observations?area=851&item=1.2&format=csv").status_code == 200
    assert client.get("/api/v1/observations?area=851&area=751&item=1.2").status_code == 200  # lists may repeat
