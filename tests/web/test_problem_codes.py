"""The website maps every error in one place: the status and problem code of each kind it reports."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException
from starlette.routing import Route

from barometer.web import WebSettings, create_app


@pytest.mark.parametrize(("path", "status", "code", "parameter"), [
    ("/api/v1/areas/999", 404, "not_found", None),
    ("/kommune/999.json", 404, "not_found", None),
    ("/indikator/9.9.json", 404, "not_found", None),
    ("/api/v1/observations?format=xml", 422, "bad_parameter", "format"),
    ("/kommune/851.json?lang=xx", 422, "bad_parameter", "lang"),
    ("/api/v1/observations?period=2022-13", 422, "bad_parameter", "period"),
    ("/api/v1/nothing-here", 404, "not_found", None),
])
def test_json_errors_carry_status_and_code(client, path, status, code, parameter):
    r = client.get(path)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert (error["status"], error["code"], error.get("parameter")) == (status, code, parameter)
    assert error["message"]


def test_method_not_allowed(client):
    r = client.post("/api/v1/areas")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_no_release_is_503_with_its_code(tmp_path):
    empty = TestClient(create_app(WebSettings(store=tmp_path, check_interval=0)))
    r = empty.get("/api/v1/areas")
    assert r.status_code == 503 and r.json()["error"]["code"] == "no_release"
    page = empty.get("/kommune/851")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")


def test_unknown_release_download_is_404(client):
    r = client.get("/downloads/2024-11_nope.zip")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_html_pages_get_the_same_status(client):
    for path, status in (("/kommune/999", 404), ("/kommune/851?lang=xx", 422), ("/kommune?area=", 422)):
        r = client.get(path)
        assert r.status_code == status and r.headers["content-type"].startswith("text/html"), path


def test_other_http_errors_and_crashes(sample_store):
    app = create_app(WebSettings(store=sample_store))

    async def teapot(request):
        raise HTTPException(400, "bad request line")

    async def broken(request):
        raise RuntimeError("a fault in the program")

    app.router.routes.insert(0, Route("/api/v1/teapot", teapot))
    app.router.routes.insert(0, Route("/api/v1/broken", broken))
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/api/v1/teapot")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    r = client.get("/api/v1/broken")
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert "fault" not in r.text  # the traceback is logged, never shown
