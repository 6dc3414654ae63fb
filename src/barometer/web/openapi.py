"""The API's OpenAPI document, describing every answer an API address can give: each format's media type, the
JSON envelope and its rows, 404 for an unknown area, item or release, 422 for a bad parameter and 503 while no
release is served — each error in the one error envelope the app answers with — and the period grammar.

Routes declare their answers with :func:`answers` (next to the route, in api.py); :func:`document` adds the
shared schemas and the period pattern. Row schemas take their column types from the one declaration of
columns (exports/columns.toml), so the document cannot drift from the downloads. The contract is tested by
schemathesis against the app (tests/web/test_schemathesis.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from barometer.exports.columns import column
from barometer.exports.registry import renderer
from barometer.exports.release import OBSERVATION_FIELDS
from barometer.periods import PERIOD_PATTERN
from barometer.problems import problem_kinds
from barometer.store import Status
from barometer.web.render import STATUS_CODES

REF = "#/components/schemas/"

# Methods other than GET and HEAD are answered 405 with an Allow header and the error envelope.
METHODS_NOTE = ("Every address answers GET and HEAD; any other method answers 405 with an `Allow` header and "
                "the error envelope (`Error`).")

# The canonical period codes, one or more comma-separated (the server also accepts spaces around commas).
PERIODS_PATTERN = "^" + PERIOD_PATTERN.strip("^$") + "(," + PERIOD_PATTERN.strip("^$") + ")*$"


def _col(name: str, *, nullable: bool = True, **extra: Any) -> dict[str, Any]:
    col = column(name)
    schema: dict[str, Any] = {"type": [col.type, "null"] if nullable else col.type, "title": col.en}
    if col.description:
        schema["description"] = col.description
    return schema | extra


def _object(properties: dict[str, dict[str, Any]], required: Iterable[str] | None = None, *,
            closed: bool = True) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": list(properties if required is None else required), "additionalProperties": not closed}


def _string(nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string"} | extra


def schemas() -> dict[str, dict[str, Any]]:
    """The shared schemas: the error envelope and the rows the JSON envelope carries."""
    keys = {"area_code", "item_id", "period", "status", "source"}
    observation = _object({name: _col(name, nullable=name not in keys) for name in OBSERVATION_FIELDS})
    observation["properties"]["status"] = {"type": "string", "enum": [s.value for s in Status],
                                           "title": column("status").en}
    observation["properties"]["period"] |= {"pattern": PERIOD_PATTERN}
    area = _object({"code": _col("code", nullable=False), "name": _col("name", nullable=False),
                    "name_en": _col("name_en", nullable=False),
                    "kind": {"type": "string", "enum": ["country", "region", "municipality"]},
                    "region": _col("region"), "group": _col("group"), "group_name": _col("group_name"),
                    "group_name_en": _col("group_name_en")})
    common = {"id": _col("id", nullable=False), "kind": {"type": "string", "enum": ["indicator", "key_figure"]},
              "title_da": _col("title_da", nullable=False), "title_en": _col("title_en", nullable=False),
              "unit": _col("unit", nullable=False), "local": {"type": "boolean"}, "data_source": _col("data_source"),
              "periods": {"type": "array", "items": _string(pattern=PERIOD_PATTERN)}}
    indicator_only = {"goal": _col("goal", nullable=False), "direction": _col("direction"), "source": _col("source"),
                      "baseline_year": {"type": "integer"}, "latest_year": {"type": ["integer", "null"]}}
    key_figure_only = {"section": _col("section", nullable=False), "period_kind": _col("period_kind", nullable=False)}
    # One item (not the list) also carries its definition as the served release records it.
    definition = {"definition": {"type": ["object", "null"], "description": "The item's definition as the served "
                                 "release records it (words, and for computed figures the SQL's digest)"}}
    indicator = _object(common | indicator_only | definition, required=[*common, *indicator_only])
    key_figure = _object(common | key_figure_only | definition, required=[*common, *key_figure_only])
    release = _object({"id": _string(), "edition": _string(), "created": _string(nullable=True),
                       "observations": {"type": ["integer", "null"]}, "served": {"type": "boolean"},
                       "synthetic": {"type": "boolean"}, "publisher": _string()})
    codes = sorted(set(problem_kinds()) | set(STATUS_CODES.values()) | {"bad_request", "internal_error"})
    error = _object({"error": _object({"status": {"type": "integer", "minimum": 400, "maximum": 599},
                                       "code": _string(enum=codes, description="The problem's kind "
                                                       "(docs/problems.md), stable for scripts"),
                                       "message": _string(description="What is wrong, in English"),
                                       "parameter": _string(description="The parameter at fault")},
                                      required=["status", "code", "message"]),
                     "licence": _string(), "release": _string(nullable=True)})
    return {"Observation": observation, "Area": area, "Indicator": indicator, "KeyFigure": key_figure,
            "Item": {"oneOf": [{"$ref": REF + "Indicator"}, {"$ref": REF + "KeyFigure"}]},
            "Release": release, "Error": error}


def envelope(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON envelope (exports/formats/json.py) around ``data``."""
    return _object({"release": _string(nullable=True), "licence": _string(), "publisher": _string(),
                    "synthetic": {"type": "boolean"}, "source": _string(),
                    "notice": _string(description="Present when the release is built from synthetic registers"),
                    "data": data},
                   required=["release", "licence", "publisher", "synthetic", "source", "data"])


def ref(name: str) -> dict[str, Any]:
    return {"$ref": REF + name}


def array_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


HEADERS = {
    "X-Licence": {"description": "The licence of the figures", "required": True, "schema": {"type": "string"}},
    "X-Barometer-Release": {"description": "The release the answer comes from", "required": True,
                            "schema": {"type": "string"}},
    "X-Synthetic-Data": {"description": "`true` when the release is built from synthetic registers",
                         "schema": {"type": "string", "enum": ["true"]}},
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _media_type(fmt: str) -> str:
    return renderer(fmt).media_type.split(";")[0].strip()


def answers(data: dict[str, Any], formats: Iterable[str] = ("json",), *,
            not_found: str | None = None) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: 200 in each of ``formats`` (JSON: the envelope around ``data``), 404 when the
    route names things that may not exist (``not_found`` says which), 422 (every API route refuses a repeated
    single-valued parameter, api.single_values) and 503."""
    content: dict[str, Any] = {}
    for fmt in formats:
        media = _media_type(fmt)
        if fmt == "json":
            schema = envelope(data)
        elif fmt == "jsonstat":
            schema = {"type": "object", "required": ["version", "class", "id", "size", "dimension"],
                      "properties": {"version": {"const": "2.0"}, "class": {"const": "dataset"}},
                      "description": "A JSON-stat 2.0 dataset"}
        elif media.startswith("application/json"):
            schema = {"type": "object"}
        else:
            schema = {"type": "string", "format": "binary" if not media.startswith("text/") else None}
            schema = {k: v for k, v in schema.items() if v is not None}
        if media in content:  # two formats share a media type (JSON envelope and JSON-stat): either shape
            content[media]["schema"] = {"anyOf": [content[media]["schema"], schema]}
        else:
            content[media] = {"schema": schema}
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": "The answer, in the format asked for (`format=`; JSON by default)", "content": content,
              "headers": HEADERS}}
    if not_found:
        out[404] = _error(f"Unknown {not_found}")
    out[422] = _error("A parameter with a bad value (the envelope's `parameter` names it)")
    out[503] = _error("No release to serve yet")
    return out


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document: FastAPI's, with the shared schemas and the period grammar added."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                      description=f"{app.description}\n\n{METHODS_NOTE}", routes=app.routes, tags=app.openapi_tags)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.update(schemas())
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's own 422 shape, which the app never sends
        components.pop(name, None)
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            for param in op.get("parameters", []):
                if param.get("name") == "period" and param.get("in") == "query":
                    param["schema"] = {"anyOf": [{"type": "array", "items": _string(pattern=PERIODS_PATTERN)},
                                                 {"type": "null"}], "title": "Period"}
    app.openapi_schema = doc
    return doc
