"""The response cache is bounded by bytes and keyed on the parameters that matter, not the raw query."""

from __future__ import annotations

from fastapi.testclient import TestClient

from barometer.web import WebSettings, create_app
from barometer.web.cache import canonical_query
from barometer.web.holder import LRU, page_cache, response_bytes


def _app(store, **settings):
    app = create_app(WebSettings(store=store, **settings))
    return app, TestClient(app)


def test_junk_parameters_share_one_entry(sample_store):
    app, client = _app(sample_store)
    plain = client.get("/api/v1/observations")
    pages = app.state.holder.get().pages
    entries, used = len(pages.data), pages.bytes
    for n in range(40):
        r = client.get(f"/api/v1/observations?q={n}")
        assert r.status_code == 200 and r.content == plain.content
    assert len(pages.data) == entries and pages.bytes == used  # the variants added nothing
    # a parameter that matters is a different answer, and a different entry
    filtered = client.get("/api/v1/observations?area=851")
    assert filtered.content != plain.content and len(pages.data) == entries + 1


def test_junk_is_dropped_for_pages_too(sample_store):
    app, client = _app(sample_store)
    page = client.get("/kommune/851?lang=en")
    pages = app.state.holder.get().pages
    entries = len(pages.data)
    again = client.get("/kommune/851?utm_source=x&lang=EN&fbclid=y")
    assert again.text == page.text and "utm_source" not in again.text and len(pages.data) == entries
    assert client.get("/indikator/1.2?area=851&junk=1").text == client.get("/indikator/1.2?area=851").text


def test_every_parameter_a_route_reads_is_kept(sample_store):
    app, client = _app(sample_store)
    from barometer.web.app import query_names
    known = query_names(app)
    assert {"lang", "area", "compare", "item", "period", "status", "format", "kind"} <= known
    assert canonical_query(b"q=1&area=851&x=&area=751&lang=EN", known) == b"area=851&area=751&lang=en"
    # a repeated single-valued parameter is still seen (and refused), not hidden by the normalisation
    assert client.get("/api/v1/areas?format=csv&format=json&q=1").status_code == 422


def test_cache_is_capped_by_bytes(sample_store):
    budget = 3 * 2**20
    app, client = _app(sample_store, page_cache_bytes=budget)
    big = client.get("/api/v1/observations")
    assert len(big.content) > 10_000
    for code in ("851", "751", "461", "101", "000", "084", "147", "157", "159", "161"):
        for path in (f"/kommune/{code}", f"/kommune/{code}.json", f"/kommune/{code}.csv", f"/api/v1/barometer/{code}",
                     f"/api/v1/observations?area={code}"):
            client.get(path)
            pages = app.state.holder.get().pages
            assert pages.bytes <= budget
            assert pages.bytes == sum(response_bytes(v) for v in pages.data.values())


def test_lru_byte_budget_evicts_oldest_and_skips_oversized():
    cache = LRU(100, max_bytes=10, weigh=len)
    cache.put("a", "xxxx")
    cache.put("b", "xxxx")
    assert cache.get("a") == "xxxx"  # a is now the most recent
    cache.put("c", "xxxx")  # 12 bytes > 10: the least recent (b) goes
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and cache.bytes == 8
    cache.put("huge", "x" * 11)  # bigger than the whole budget: not kept, nothing evicted
    assert cache.get("huge") is None and cache.bytes == 8 and len(cache.data) == 2
    cache.put("a", "x")  # replacing a value re-weighs it
    assert cache.bytes == 5


def test_default_budget(sample_store):
    pages = page_cache(128 * 2**20)
    assert pages.max_bytes == WebSettings(store=sample_store).page_cache_bytes == 128 * 2**20
