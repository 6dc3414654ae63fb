"""The observation index answers exactly what a pass over every row answered, byte for byte, and streams large
answers: checked against the previous implementation (a filter over the release index, then published_rows),
kept here as the reference."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from fastapi.testclient import TestClient

from barometer.exports import Export, Table, renderer, renderer_names
from barometer.exports.release import published_rows
from barometer.web import WebSettings, create_app
from barometer.web.holder import ReleaseHolder
from barometer.web.render import export_meta, json_response
from barometer.web.stream import CHUNK_ROWS, csv_chunks, json_chunks


def reference_rows(snap, areas=(), items=(), periods=(), statuses=()):
    """The answer as it was computed before the index: every row of the release filtered in Python."""
    return published_rows(row for (a, i, p), row in snap.index.rows.items()
                          if (not areas or a in areas) and (not items or i in items)
                          and (not periods or p in periods) and (not statuses or row["status"] in statuses))


@pytest.fixture(scope="module")
def snap(sample_store):
    return ReleaseHolder(WebSettings(store=sample_store)).get()


def _query_sets(snap):
    rng = random.Random(3)
    areas = sorted({k[0] for k in snap.index.rows})
    items = sorted({k[1] for k in snap.index.rows})
    periods = sorted({k[2] for k in snap.index.rows})
    cases = [((), (), (), ()), (("851",), (), (), ()), ((), ("1.2",), (), ()), ((), (), ("2020",), ()),
             ((), (), (), ("suppressed",)), (("851", "101"), ("1.2", "N5"), (), ("ok",)),
             (("000",), (), ("2012", "2024", "1999"), ()), (("851",), ("1.2",), ("2099",), ())]
    for _ in range(60):
        cases.append(tuple(tuple(rng.sample(pool, rng.randint(0, 3))) if rng.random() < 0.8 else ()
                           for pool in (areas, items, periods, ["ok", "suppressed", "missing"])))
    return cases


def test_select_equals_a_pass_over_every_row(snap):
    index = snap.observations
    assert len(index) == len(snap.index.rows)
    for areas, items, periods, statuses in _query_sets(snap):
        got = list(index.select(set(areas), set(items), set(periods), set(statuses)))
        assert got == reference_rows(snap, areas, items, periods, statuses), (areas, items, periods, statuses)


def _old_body(snap, rows, fmt):
    export = Export(export_meta(snap, "observations"), [Table("observations", rows)], data=rows)
    return renderer(fmt)(export)


@pytest.mark.parametrize("fmt", renderer_names())
def test_api_bytes_equal_the_previous_answers(sample_store, snap, fmt):
    client = TestClient(create_app(WebSettings(store=sample_store, page_cache_bytes=0)))  # every answer rendered
    cases = [(("851",), ("1.2",), ("2020",), ()), (("851", "101"), (), (), ()), ((), ("1.2",), (), ("ok",)),
             ((), (), ("2024",), ()), ((), (), (), ())]
    if fmt not in ("json", "csv"):
        cases = cases[:3]  # the cube formats of the whole release take seconds each
    for areas, items, periods, statuses in cases:
        params = [("area", a) for a in areas] + [("item", i) for i in items] + [("period", p) for p in periods]
        params += [("status", s) for s in statuses] + [("format", fmt)]
        r = client.get("/api/v1/observations", params=params)
        assert r.status_code == 200, (params, r.text[:200])
        expected = _old_body(snap, reference_rows(snap, areas, items, periods, statuses), fmt)
        if fmt == "xlsx":  # a zip with timestamps: compare the sheets' cells instead
            assert _xlsx_cells(r.content) == _xlsx_cells(expected)
        else:
            assert r.content == expected, params


def _xlsx_cells(data: bytes):
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_unfiltered_answers_stream_in_chunks(sample_store, snap):
    rows = snap.observations.rows
    assert len(rows) > 3 * CHUNK_ROWS  # the sample is large enough to need several chunks
    export = Export(export_meta(snap, "observations"), [Table("observations", rows)], data=rows)
    for fmt, chunks in (("json", json_chunks), ("csv", csv_chunks)):
        parts = list(chunks(export, rows))
        assert len(parts) > 3 and max(map(len, parts)) < len(b"".join(parts)) / 3
        assert b"".join(parts) == renderer(fmt)(export)
    client = TestClient(create_app(WebSettings(store=sample_store)))
    r = client.get("/api/v1/observations")
    assert "content-length" not in r.headers  # streamed (chunked), not rendered whole first
    assert json.loads(r.content)["data"] == rows


def test_the_index_is_built_once_per_release(sample_store):
    holder = ReleaseHolder(WebSettings(store=sample_store))
    first = holder.get()
    assert "observations" in vars(first)  # built when loaded, not by the first request
    assert holder.get().observations is first.observations


def test_every_single_cell_query_is_one_row(snap):
    index = snap.observations
    for (a, i, p), row in itertools.islice(snap.index.rows.items(), 0, None, 97):
        assert list(index.select({a}, {i}, {p})) == published_rows([row])


def test_one_observation_lookup_answers_as_the_route(sample_store, snap, monkeypatch):
    """The shortcut for one (area, item, period) gives the API route's exact bytes and headers; anything else
    (lists, other formats, unknown codes, bad periods, repeated or blank values) is left to the route."""
    from barometer.web import lookup

    taken = []
    monkeypatch.setattr(lookup, "json_response", lambda *a: taken.append(a) or json_response(*a))
    client = TestClient(create_app(WebSettings(store=sample_store, page_cache_bytes=0)))
    cells = [*itertools.islice(snap.index.rows, 0, None, 211), ("851", "1.2", "1999"), ("000", "N5", "2024")]
    for a, i, p in cells:
        before = len(taken)
        fast = client.get(f"/api/v1/observations?area={a}&item={i}&period={p}")
        assert len(taken) == before + 1, (a, i, p)
        route = client.get(f"/api/v1/observations?area={a},&item={i}&period={p}")  # a list: the route answers
        assert len(taken) == before + 1
        assert fast.status_code == route.status_code == 200
        assert fast.content == route.content and fast.headers == route.headers
        assert fast.content == _old_body(snap, reference_rows(snap, {a}, {i}, {p}), "json")
    before = len(taken)
    for query in ("area=851&item=1.2&period=2020&format=csv", "area=999&item=1.2&period=2020",
                  "area=851&item=nope&period=2020", "area=851&item=1.2&period=20x0", "area=851&item=1.2",
                  "area=851&area=101&item=1.2&period=2020", "area=&item=1.2&period=2020",
                  "area=851&item=1.2&period=2020&status=ok", "area=851&item=1.2&period=2020&format=json&format=csv"):
        route = client.get(f"/api/v1/observations?{query}")
        assert route.status_code in (200, 404, 422), query
    assert len(taken) == before
