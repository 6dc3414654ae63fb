"""The API answers as its OpenAPI document says, for generated requests (schemathesis against the app in-process,
no server): never a 5xx, only documented status codes, media types and headers, every JSON body valid against
its schema (the envelope, the rows, the error envelope), for valid and for invalid parameters.

`make test` sends a few hundred requests (SCHEMATHESIS_EXAMPLES per operation and generation mode, default 15);
`SCHEMATHESIS_EXAMPLES=1000 pytest -m schemathesis` is the long run.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from barometer.web import WebSettings, create_app

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]

pytestmark = pytest.mark.schemathesis


def _operations() -> tuple[list[str], list[str]]:
    """Every operation of the document ("GET /api/v1/areas"), and those with a parameter that can be invalid (an
    enumeration or a pattern: negative cases exist). The document does not depend on the release."""
    with tempfile.TemporaryDirectory() as empty:
        doc = create_app(WebSettings(store=Path(empty))).openapi()
    ops = {f"{method.upper()} {path}": json.dumps(op.get("parameters", []))
           for path, methods in doc["paths"].items() for method, op in methods.items()}
    return list(ops), [label for label, params in ops.items() if '"enum"' in params or '"pattern"' in params]


OPERATIONS, CONSTRAINED = _operations()
CASES = [pytest.param(label, GenerationMode.POSITIVE, id=f"{label}-positive") for label in OPERATIONS] + \
    [pytest.param(label, GenerationMode.NEGATIVE, id=f"{label}-negative") for label in CONSTRAINED]


@pytest.fixture(scope="module")
def api_schema(sample_store: Path) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(WebSettings(store=sample_store)))


def test_every_api_operation_is_covered(api_schema: schemathesis.BaseSchema) -> None:
    assert len(OPERATIONS) >= 8 and "GET /api/v1/observations" in CONSTRAINED
    assert {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()} == set(OPERATIONS)


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_api_answers_as_documented(api_schema: schemathesis.BaseSchema, label: str, mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case: schemathesis.Case) -> None:
        # a generous timeout: the unfiltered observations are a large answer, and test machines are shared
        calls.append(case.call_and_validate(checks=CHECKS, timeout=120).status_code)

    answers_as_documented()
    assert calls, f"no request generated for {label}"
    print(f"{label} ({mode.value}): {len(calls)} requests, status codes {dict(sorted(Counter(calls).items()))}")


def _validator(doc: dict, name: str) -> jsonschema.protocols.Validator:
    """A validator of the document's component schema ``name`` (its $refs resolved within the document)."""
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", **doc})


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_answer_405_as_documented(client, method: str) -> None:
    doc = client.get("/openapi.json").json()
    assert "405" in doc["info"]["description"]
    error = _validator(doc, "Error")
    for path, ops in doc["paths"].items():
        assert set(ops) == {"get"}, path  # the note in the description covers every other method
        url = path.format(code="851", item_id="1.1", old="x", new="y")
        r = client.request(method, url)
        assert r.status_code == 405, url
        assert r.headers["allow"] == "GET, HEAD"
        error.validate(r.json())
        assert r.json()["error"]["status"] == 405


def test_errors_match_the_error_envelope(client) -> None:
    """Spot checks of each documented error status against the `Error` schema (the generated requests above
    reach them too, but not necessarily every one in a short run)."""
    doc = client.get("/openapi.json").json()
    error = _validator(doc, "Error")
    for url, status, parameter in [("/api/v1/areas/999", 404, None), ("/api/v1/observations?item=9.9", 404, None),
                                   ("/api/v1/observations?period=2024-02-30", 422, "period"),
                                   ("/api/v1/observations?period=٢٠٢٢", 422, "period"),
                                   ("/api/v1/areas?format=jsonstat", 422, "format"),
                                   ("/api/v1/releases?format=csv&format=json", 422, "format")]:
        r = client.get(url)
        assert r.status_code == status, url
        error.validate(r.json())
        assert r.json()["error"].get("parameter") == parameter, url
        assert str(status) in doc["paths"][url.split("?")[0].replace("999", "{code}")]["get"]["responses"]


def test_period_pattern_is_the_grammar_the_api_accepts(client) -> None:
    """The documented pattern and the server agree: what matches is a period code (200, or 422 only for a
    calendar impossibility); what does not match is refused with 422."""
    doc = client.get("/openapi.json").json()
    param = next(p for p in doc["paths"]["/api/v1/observations"]["get"]["parameters"] if p["name"] == "period")
    pattern = re.compile(param["schema"]["anyOf"][0]["items"]["pattern"])
    for value, valid in [("2022", True), ("2024Q2", True), ("2024-08", True), ("2024-08-31", True),
                         ("2024-01/2024-09", True), ("2022,2023", True), ("2024Q5", False), ("2024-13", False),
                         ("2024-8", False), ("٢٠٢٢", False), ("2024-08-31/2024-09", False), ("22", False)]:
        assert bool(pattern.match(value)) is valid, value
        status = client.get("/api/v1/observations", params={"period": value, "item": "1.1"}).status_code
        assert status == (200 if valid else 422), value


def test_known_resources_answer_as_documented(api_schema: schemathesis.BaseSchema, client) -> None:
    """Generated path parameters rarely name a real area, item or release, so the 200 answers of the single-record
    operations are checked here with real ones (in each format their operation offers)."""
    releases = [r["id"] for r in client.get("/api/v1/releases").json()["data"]]
    assert releases
    cases = [("/api/v1/areas/{code}", {"code": code}, {}) for code in ("000", "084", "851")]
    cases += [("/api/v1/items/{item_id}", {"item_id": item}, {}) for item in ("1.2", "7.1", "N5")]
    cases += [("/api/v1/barometer/{code}", {"code": "851"}, {"lang": lang}) for lang in ("da", "en")]
    cases += [("/api/v1/releases/{old}/diff/{new}", {"old": releases[0], "new": releases[-1]}, {})]
    cases += [("/api/v1/observations", {}, {"area": "851", "item": "1.2,N5", "format": fmt})
              for fmt in ("json", "csv", "xlsx", "jsonstat", "sdmx-csv")]
    cases += [("/api/v1/areas", {}, {"kind": "region", "format": fmt}) for fmt in ("json", "csv", "xlsx")]
    for path, path_parameters, query in cases:
        operation = api_schema[path]["GET"]
        response = operation.Case(path_parameters=path_parameters, query=query).call_and_validate(
            checks=CHECKS, timeout=120)
        assert response.status_code == 200, (path, path_parameters, query)
