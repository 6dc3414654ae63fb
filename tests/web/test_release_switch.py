"""The site follows the store's CURRENT release without a restart; a pinned release stays; no release → 503."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from barometer.web import WebSettings, create_app
from barometer.web.cli import serve

from .sample_release import publish_sample


def test_switches_to_a_newly_published_release(tmp_path):
    first = publish_sample(tmp_path, seed=1)
    client = TestClient(create_app(WebSettings(store=tmp_path, check_interval=0)))
    page = client.get("/kommune/851")
    assert page.headers["x-barometer-release"] == first.id and first.id in page.text
    before = client.get("/kommune/851.json").json()["data"]
    second = publish_sample(tmp_path, seed=2)
    page = client.get("/kommune/851")
    assert page.headers["x-barometer-release"] == second.id and second.id in page.text
    after = client.get("/kommune/851.json").json()["data"]
    assert after != before  # different seed, different figures: the cache did not serve the old page
    assert client.get("/api/v1/observations?area=851").json()["release"] == second.id


def test_pinned_release_never_switches(tmp_path):
    first = publish_sample(tmp_path, seed=1)
    client = TestClient(create_app(WebSettings(store=tmp_path, release_id=first.id, check_interval=0)))
    assert client.get("/").headers["x-barometer-release"] == first.id
    publish_sample(tmp_path, seed=2)
    assert client.get("/").headers["x-barometer-release"] == first.id


def test_broken_pointer_keeps_the_served_release(tmp_path):
    first = publish_sample(tmp_path, seed=1)
    client = TestClient(create_app(WebSettings(store=tmp_path, check_interval=0)))
    assert client.get("/").status_code == 200
    (tmp_path / "CURRENT").write_text("no-such-release\n")
    r = client.get("/")
    assert r.status_code == 200 and r.headers["x-barometer-release"] == first.id


def test_empty_store_answers_503_not_500(tmp_path):
    client = TestClient(create_app(WebSettings(store=tmp_path)))
    r = client.get("/")
    assert r.status_code == 503 and "der endnu ikke er udgivet tal" in r.text
    r = client.get("/api/v1/areas")
    assert r.status_code == 503 and r.json()["error"]["status"] == 503
    assert client.get("/kommune?area=851").status_code == 503
    assert client.get("/reports/851.pdf").status_code == 503


def test_serve_command_checks_the_store_and_runs_uvicorn(tmp_path, monkeypatch):
    import uvicorn

    from barometer.cli import State
    from barometer.errors import BarometerError, UsageError

    monkeypatch.setattr(State, "store", tmp_path)
    with pytest.raises(BarometerError) as exc:  # the command line prints it as `error: …` and exits with 1
        serve(release=None, host="127.0.0.1", port=8123, topojson=None, workers=1)
    assert exc.value.exit_code == 1 and exc.value.code == "no_release"
    release = publish_sample(tmp_path)
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    monkeypatch.delenv("BAROMETER_RELEASE", raising=False)
    serve(release=release.id, host="127.0.0.1", port=8123, topojson=None, workers=1)
    assert calls[0][0] == ("barometer.web.asgi:app",) and calls[0][1]["port"] == 8123
    import os
    assert os.environ["BAROMETER_RELEASE"] == release.id and os.environ["BAROMETER_STORE"] == str(tmp_path.resolve())
    with pytest.raises(UsageError, match=r"missing\.topojson: no such file"):
        serve(release=None, host="127.0.0.1", port=8123, topojson=tmp_path / "missing.topojson", workers=1)


def test_cache_serves_identical_bytes_and_never_errors(tmp_path):
    publish_sample(tmp_path, seed=3)
    client = TestClient(create_app(WebSettings(store=tmp_path, check_interval=0)))
    first = client.get("/kommune/851?lang=en")
    again = client.get("/kommune/851?lang=en")
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]
    assert client.get("/kommune/851").text != first.text  # the language is part of the key
    assert client.get("/kommune/999").status_code == 404
    assert client.get("/kommune/999").status_code == 404  # errors are not cached as successes


def test_cached_responses_are_gzipped_for_clients_that_accept_it(tmp_path):
    import gzip
    publish_sample(tmp_path, seed=4)
    client = TestClient(create_app(WebSettings(store=tmp_path)))
    plain = client.get("/kommune/851", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    again = client.get("/kommune/851", headers={"Accept-Encoding": "identity"})
    assert again.content == plain.content and "content-encoding" not in again.headers
    raw = client.stream("GET", "/kommune/851", headers={"Accept-Encoding": "gzip"})
    with raw as r:
        packed = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == plain.content and len(packed) < len(plain.content) / 3
